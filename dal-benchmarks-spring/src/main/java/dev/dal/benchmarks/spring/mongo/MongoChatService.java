package dev.dal.benchmarks.spring.mongo;

import static org.springframework.data.mongodb.core.FindAndModifyOptions.options;
import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

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
import org.springframework.data.domain.Limit;
import org.springframework.data.mongodb.core.MongoOperations;
import org.springframework.data.mongodb.core.query.Update;

/**
 * The chat work as a Spring application writes it on Spring Data MongoDB: repositories, plus
 * {@code MongoOperations.findAndModify} for the counter (the reference documentation's atomic update). No
 * transactions: the in-process mongo-java-server is no replica set, and Dal runs without them there too.
 */
public class MongoChatService {
    private final MongoOperations mongo;
    private final SessionDocRepository sessions;
    private final MessageDocRepository messages;

    /**
     * @param mongo the template
     * @param sessions the session repository
     * @param messages the message repository
     */
    public MongoChatService(MongoOperations mongo, SessionDocRepository sessions, MessageDocRepository messages) {
        this.mongo = mongo;
        this.sessions = sessions;
        this.messages = messages;
    }

    /**
     * Reserves the numbers with one atomic {@code $inc} on the session (moving its counters and times in the same
     * step), then {@code saveAll} the messages (one {@code insertMany}).
     *
     * @param chatId the session's key
     * @param inputs the new messages
     * @return the stored messages
     */
    public List<MessageDoc> append(String chatId, List<ChatInput> inputs) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SessionDoc session = mongo.findAndModify(
                query(where("chatId").is(chatId)),
                new Update()
                        .inc("messageCount", inputs.size())
                        .inc("version", 1)
                        .set("lastMessageAt", now)
                        .set("lastActivityAt", now)
                        .set("updatedAt", now),
                options().returnNew(true),
                SessionDoc.class);
        if (session == null) {
            throw new NoSuchElementException("session");
        }
        long next = session.getMessageCount() - inputs.size() + 1;
        List<MessageDoc> docs = new ArrayList<>(inputs.size());
        for (ChatInput in : inputs) {
            docs.add(MessageDoc.create(
                    Ids.newId().toString(),
                    session.getId(),
                    next++,
                    in.role(),
                    in.content(),
                    in.metadata(),
                    in.tokenCount(),
                    now));
        }
        return messages.saveAll(docs);
    }

    /**
     * @param chatId the session's key
     * @param limit page size
     * @return the newest {@code limit} messages, oldest of them first
     */
    public List<MessageDoc> latest(String chatId, int limit) {
        Optional<SessionDoc> session = sessions.findByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        List<MessageDoc> page = new ArrayList<>(
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
    public List<MessageDoc> pageAfter(String chatId, long after, int limit) {
        Optional<SessionDoc> session = sessions.findByChatId(chatId);
        if (session.isEmpty()) {
            return List.of();
        }
        return messages.findBySessionIdAndSequenceNumberGreaterThanOrderBySequenceNumberAsc(
                session.get().getId(), after, Limit.of(limit));
    }

    /**
     * The overview in two round trips: the sessions, then one aggregation for the last message of each.
     *
     * @param userId the owner
     * @param limit how many sessions
     * @return the sessions, most recent first, each with its last message or {@code null}
     */
    public List<Overview> overview(String userId, int limit) {
        List<SessionDoc> list = sessions.findByUserIdOrderByLastActivityAtDescIdDesc(userId, Limit.of(limit));
        if (list.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(list.size());
        for (SessionDoc s : list) {
            ids.add(s.getId());
        }
        Map<String, MessageDoc> last = new HashMap<>();
        for (MessageDoc m : messages.findLastMessages(ids)) {
            last.put(m.getSessionId(), m);
        }
        List<Overview> out = new ArrayList<>(list.size());
        for (SessionDoc s : list) {
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
    public record Overview(SessionDoc session, MessageDoc lastMessage) {}
}
