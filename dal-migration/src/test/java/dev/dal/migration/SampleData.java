package dev.dal.migration;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.Vote;
import dev.dal.api.spi.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Realistic records written straight through the bulk upserts. */
final class SampleData {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SampleData() {}

    /**
     * Fills a store: per user 4 memory entries (one expired, one expiring in a century), the sessions, their
     * messages, the owner's votes on the first two messages of each of their sessions (up, then down), and one
     * token usage record billed to the owner on the second message of each (costed in USD in even sessions).
     */
    static void fill(DataAccess store, int users, int sessionsPerUser, int messagesPerSession) {
        Instant base = Instant.parse("2024-03-01T10:00:00.123Z");
        List<User> us = new ArrayList<>();
        List<ChatSession> sessions = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        List<MemoryEntry> memory = new ArrayList<>();
        List<MessageVote> votes = new ArrayList<>();
        List<TokenUsage> usage = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            ObjectNode profile =
                    JSON.objectNode().put("plan", u % 2 == 0 ? "free" : "pro").put("big", 1L << 40);
            profile.putArray("tags").add("ü-" + u).add(1.5).addNull();
            profile.set("hostile", hostile());
            User user = new User(
                    Ids.newId(),
                    "ext-" + u,
                    "u" + u + "@example.org",
                    "Ünïcode 用户 " + u,
                    profile,
                    JSON.objectNode().put("lang", "en"),
                    u == 1 ? UserStatus.DISABLED : UserStatus.ACTIVE,
                    base.plusSeconds(u),
                    base.plusSeconds(u + 1),
                    u % 3 == 0 ? null : base.plusSeconds(u + 2));
            us.add(user);
            memory.add(new MemoryEntry(user.id(), "profile", "name", JSON.textNode("N" + u), base, base, null));
            memory.add(new MemoryEntry(
                    user.id(), "context", "expired", JSON.numberNode(u), base, base, base.plusSeconds(1)));
            memory.add(new MemoryEntry(
                    user.id(), "context", "Zebra", JSON.objectNode().put("nested", true), base, base, null));
            memory.add(new MemoryEntry(
                    user.id(), "$where", "a.b $ne 😀", hostile(), base, base, base.plusSeconds(86_400L * 365 * 100)));
            for (int s = 0; s < sessionsPerUser; s++) {
                UUID sid = Ids.newId();
                Instant last = messagesPerSession == 0 ? null : base.plusSeconds(100L * s + messagesPerSession);
                sessions.add(new ChatSession(
                        sid,
                        "chat-" + u + "-" + s,
                        s == 0 && u == 0 ? null : user.id(),
                        "Title " + s,
                        s % 2 == 0 ? "general" : "sql",
                        JSON.objectNode().put("k", s),
                        s % 3 == 2 ? SessionStatus.ARCHIVED : SessionStatus.ACTIVE,
                        base,
                        base.plusSeconds(5),
                        last,
                        messagesPerSession));
                for (int m = 1; m <= messagesPerSession; m++) {
                    messages.add(new Message(
                            Ids.newId(),
                            sid,
                            m,
                            m % 2 == 1 ? Role.USER : Role.ASSISTANT,
                            "message " + m + " of " + sid + (m == 3 ? " \uD83D\uDE00 emoji" : ""),
                            m == 5 ? hostile() : JSON.objectNode().put("m", m),
                            m % 4 == 0 ? m * 10 : null,
                            m == 7,
                            base.plusSeconds(100L * s + m)));
                    if (m <= 2 && !(s == 0 && u == 0)) {
                        Message voted = messages.get(messages.size() - 1);
                        votes.add(new MessageVote(
                                voted.id(),
                                sid,
                                m,
                                user.id(),
                                m == 1 ? Vote.UP : Vote.DOWN,
                                base.plusSeconds(100L * s + m + 30)));
                    }
                    if (m == 2 && !(s == 0 && u == 0)) {
                        Message reply = messages.get(messages.size() - 1);
                        usage.add(new TokenUsage(
                                Ids.newId(),
                                reply.id(),
                                sid,
                                m,
                                user.id(),
                                s % 2 == 0 ? "model-ä" : "model-b",
                                100L + u,
                                20L + s,
                                s % 2 == 0 ? 1_250L * (u + 1) : null,
                                s % 2 == 0 ? "USD" : null,
                                base.plusSeconds(100L * s + m + 40)));
                    }
                    if (messages.size() >= 1000) {
                        flush(store, us, sessions, messages, memory, votes, usage);
                    }
                }
            }
        }
        flush(store, us, sessions, messages, memory, votes, usage);
    }

    /** @return how many votes {@link #fill} casts with the same figures */
    static long votes(int users, int sessionsPerUser, int messagesPerSession) {
        long owned = (long) users * sessionsPerUser - (users > 0 && sessionsPerUser > 0 ? 1 : 0);
        return owned * Math.min(2, messagesPerSession);
    }

    /** @return how many token usage records {@link #fill} records with the same figures */
    static long tokenUsage(int users, int sessionsPerUser, int messagesPerSession) {
        long owned = (long) users * sessionsPerUser - (users > 0 && sessionsPerUser > 0 ? 1 : 0);
        return messagesPerSession >= 2 ? owned : 0;
    }

    /**
     * JSON whose keys a document store could take for operators or paths ({@code $ne}, {@code a.b}),
     * an empty key, an already-escaped-looking key, and Unicode in keys and values.
     */
    static ObjectNode hostile() {
        ObjectNode node = JSON.objectNode();
        node.putNull("$ne");
        node.put("a.b", "dotted");
        node.put("", "empty key");
        node.put("%24ne", "looks escaped");
        node.put("ключ 😀", "Grüße, 世界");
        node.putObject("$gt")
                .put("x.y", "$in")
                .putArray("$or")
                .add("$nin")
                .addObject()
                .put(".", 0);
        return node;
    }

    /** Writes in dependency order; keeps users and sessions (already written) out of later flushes. */
    private static void flush(
            DataAccess store,
            List<User> users,
            List<ChatSession> sessions,
            List<Message> messages,
            List<MemoryEntry> memory,
            List<MessageVote> votes,
            List<TokenUsage> usage) {
        if (!users.isEmpty()) {
            store.bulk().upsertUsers(users);
            users.clear();
        }
        if (!sessions.isEmpty()) {
            store.bulk().upsertSessions(sessions);
            sessions.clear();
        }
        if (!messages.isEmpty()) {
            store.bulk().upsertMessages(messages);
            messages.clear();
        }
        if (!memory.isEmpty()) {
            store.bulk().upsertMemory(memory);
            memory.clear();
        }
        if (!votes.isEmpty()) {
            store.bulk().upsertVotes(votes);
            votes.clear();
        }
        if (!usage.isEmpty()) {
            store.bulk().upsertTokenUsage(usage);
            usage.clear();
        }
    }
}
