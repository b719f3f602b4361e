package dev.dal.benchmarks.spring.neo4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.spi.Ids;
import dev.dal.benchmarks.spring.ChatInput;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.transaction.annotation.Transactional;

/**
 * The chat work as a Spring application writes it on Spring Data Neo4j: repositories and a transactional service
 * ({@code Neo4jTransactionManager}); read-only transactions for the reads.
 */
@Transactional(readOnly = true)
public class Neo4jChatService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SessionNodeRepository sessions;
    private final MessageNodeRepository messages;

    /**
     * @param sessions the session repository
     * @param messages the message repository
     */
    public Neo4jChatService(SessionNodeRepository sessions, MessageNodeRepository messages) {
        this.sessions = sessions;
        this.messages = messages;
    }

    /**
     * In one transaction: reserves the numbers with one update of the session's counter, {@code saveAll} the messages,
     * then links them to the session.
     *
     * @param chatId the session's key
     * @param inputs the new messages
     * @return the stored messages
     */
    @Transactional
    public List<MessageNode> append(String chatId, List<ChatInput> inputs) {
        ZonedDateTime now = Instant.now().truncatedTo(ChronoUnit.MILLIS).atZone(ZoneOffset.UTC);
        SessionNode session =
                sessions.reserve(chatId, inputs.size(), now).orElseThrow(() -> new NoSuchElementException("session"));
        long next = session.getMessageCount() - inputs.size() + 1;
        List<MessageNode> nodes = new ArrayList<>(inputs.size());
        List<String> ids = new ArrayList<>(inputs.size());
        for (ChatInput in : inputs) {
            String id = Ids.newId().toString();
            ids.add(id);
            nodes.add(MessageNode.create(
                    id,
                    session.getId(),
                    next++,
                    in.role(),
                    in.content(),
                    json(in),
                    in.tokenCount() == null ? null : in.tokenCount().longValue(),
                    now));
        }
        List<MessageNode> saved = messages.saveAll(nodes);
        sessions.link(session.getId(), ids);
        return saved;
    }

    private static String json(ChatInput in) {
        try {
            return in.metadata() == null ? null : JSON.writeValueAsString(in.metadata());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata is not writable as JSON", e);
        }
    }

    /**
     * @param chatId the session's key
     * @param limit page size
     * @return the newest {@code limit} messages, oldest of them first
     */
    public List<MessageNode> latest(String chatId, int limit) {
        Optional<SessionNode> session = sessions.findByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        List<MessageNode> page = new ArrayList<>(
                messages.findBySessionIdOrderBySequenceNumberDesc(session.get().getId(), Limit.of(limit)));
        Collections.reverse(page);
        return page;
    }

    /**
     * @param chatId the session's key
     * @param after exclusive lower bound
     * @param limit page size
     * @return the keyset page after a sequence number
     */
    public List<MessageNode> pageAfter(String chatId, long after, int limit) {
        Optional<SessionNode> session = sessions.findByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        return messages.findBySessionIdAndSequenceNumberGreaterThanOrderBySequenceNumberAsc(
                session.get().getId(), after, Limit.of(limit));
    }

    /**
     * The overview in two round trips: the sessions, then one query for the last message of each.
     *
     * @param userId the owner
     * @param limit how many sessions
     * @return the sessions, most recent first, each with its last message or {@code null}
     */
    public List<Overview> overview(String userId, int limit) {
        List<SessionNode> list = sessions.findRecentOfUser(userId, limit);
        if (list.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(list.size());
        for (SessionNode s : list) {
            ids.add(s.getId());
        }
        Map<String, MessageNode> last = new HashMap<>();
        for (MessageNode m : messages.findLastMessages(ids)) {
            last.put(m.getSessionId(), m);
        }
        List<Overview> out = new ArrayList<>(list.size());
        for (SessionNode s : list) {
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
    public record Overview(SessionNode session, MessageNode lastMessage) {}
}
