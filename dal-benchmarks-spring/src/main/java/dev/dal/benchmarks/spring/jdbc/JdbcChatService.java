package dev.dal.benchmarks.spring.jdbc;

import dev.dal.api.spi.Ids;
import dev.dal.benchmarks.spring.ChatInput;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.transaction.annotation.Transactional;

/**
 * The chat work as a Spring application writes it on Spring Data JDBC: repositories, and {@code @Transactional}
 * service methods around them. Ids come from the same time-ordered generator Dal uses, so both sides put the same
 * insert pattern on the primary-key index.
 */
@Transactional(readOnly = true)
public class JdbcChatService {
    private final SessionRepository sessions;
    private final MessageRepository messages;

    /**
     * @param sessions the session repository
     * @param messages the message repository
     */
    public JdbcChatService(SessionRepository sessions, MessageRepository messages) {
        this.sessions = sessions;
        this.messages = messages;
    }

    /**
     * Appends messages to a session in one transaction: lock the session row, number the messages after its count,
     * {@code saveAll} them (one JDBC batch), move the counter and the last-message time ({@code save}, checked by the
     * version).
     *
     * @param chatId the session's key
     * @param inputs the new messages
     * @return the stored messages
     */
    @Transactional
    public List<MessageRow> append(String chatId, List<ChatInput> inputs) {
        SessionRow session =
                sessions.findForUpdateByChatId(chatId).orElseThrow(() -> new NoSuchElementException("session"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long next = session.getMessageCount() + 1L;
        List<MessageRow> rows = new ArrayList<>(inputs.size());
        for (ChatInput in : inputs) {
            rows.add(MessageRow.create(
                    Ids.newId(),
                    session.getId(),
                    next++,
                    in.role(),
                    in.content(),
                    in.metadata(),
                    in.tokenCount(),
                    now));
        }
        List<MessageRow> saved = messages.saveAll(rows);
        session.setMessageCount(session.getMessageCount() + inputs.size());
        session.setLastMessageAt(now);
        session.setUpdatedAt(now);
        sessions.save(session);
        return saved;
    }

    /**
     * Looks the session up by its key, then reads the page by derived query on its id (as Dal does: two
     * statements), in one read-only transaction.
     *
     * @param chatId the session's key
     * @param limit page size
     * @return the newest {@code limit} messages, oldest of them first
     */
    public List<MessageRow> latest(String chatId, int limit) {
        Optional<SessionRow> session = sessions.findByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        List<MessageRow> page = new ArrayList<>(messages.findByChatSessionIdOrderBySequenceNumberDesc(
                session.get().getId(), Limit.of(limit)));
        Collections.reverse(page);
        return page;
    }

    /**
     * @param chatId the session's key
     * @param after exclusive lower bound
     * @param limit page size
     * @return the keyset page after a sequence number
     */
    public List<MessageRow> pageAfter(String chatId, long after, int limit) {
        Optional<SessionRow> session = sessions.findByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        return messages.findByChatSessionIdAndSequenceNumberGreaterThanOrderBySequenceNumberAsc(
                session.get().getId(), after, Limit.of(limit));
    }

    /**
     * The overview in two queries, in one read-only transaction: the sessions, then the last message of all of
     * them at once ({@code DISTINCT ON}), joined in memory. Never one query per session.
     *
     * @param userId the owner
     * @param limit how many sessions
     * @return the sessions, most recent first, each with its last message or {@code null}
     */
    public List<Overview> overview(UUID userId, int limit) {
        List<SessionRow> list = sessions.findByUserIdOrderByLastMessageAtDescIdDesc(userId, Limit.of(limit));
        if (list.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = new ArrayList<>(list.size());
        for (SessionRow s : list) {
            ids.add(s.getId());
        }
        Map<UUID, MessageRow> last = new HashMap<>();
        for (MessageRow m : messages.findLastMessages(ids)) {
            last.put(m.getChatSessionId(), m);
        }
        List<Overview> out = new ArrayList<>(list.size());
        for (SessionRow s : list) {
            out.add(new Overview(s, last.get(s.getId())));
        }
        return out;
    }

    /**
     * A session with its last message.
     *
     * @param session the session
     * @param lastMessage its last message, or {@code null}
     */
    public record Overview(SessionRow session, MessageRow lastMessage) {}
}
