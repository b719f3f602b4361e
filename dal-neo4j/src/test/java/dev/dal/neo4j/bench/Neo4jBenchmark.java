package dev.dal.neo4j.bench;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.User;
import dev.dal.api.spi.Ids;
import dev.dal.neo4j.Neo4jStoreProvider;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Session;

/**
 * Two claims of the legacy graph store Dal replaces, measured against the raw driver doing the same work in the same run:
 * bulk upsert of messages with {@code UNWIND} batches vs one statement per message (each its own
 * transaction, and, stricter, 1000 statements to a transaction), and the
 * one-query session overview vs the N+1 loop. Not a test: run it by hand (see the module README).
 * {@code -Dbench.messages=N} changes the message count (default 100000).
 */
public final class Neo4jBenchmark {
    private static final int SESSIONS = 100;
    private static final int DAL_CALL = 10_000;
    /** Each baseline's statement: the message by its key, its session by its key, the relationship. */
    private static final String ONE_MESSAGE = "MATCH (s:ChatSession {id: $sid}) MERGE (m:Message {id: $props.id}) "
            + "SET m = $props MERGE (s)-[:HAS_MESSAGE]->(m)";

    private Neo4jBenchmark() {}

    /**
     * @param args none
     */
    public static void main(String[] args) {
        int total = Integer.getInteger("bench.messages", 100_000);
        Neo4jTestServer server = Neo4jTestServer.get();
        server.clear();
        try (DataAccess store =
                DataAccessFactory.create(server.config(Clock.systemUTC()), new Neo4jStoreProvider(server.driver()))) {
            bulkUpsert(server, store, total);
            server.clear();
            overview(server, store);
        }
        System.exit(0);
    }

    private static void bulkUpsert(Neo4jTestServer server, DataAccess store, int total) {
        List<ChatSession> dalSessions = new ArrayList<>();
        List<ChatSession> txSessions = new ArrayList<>();
        List<ChatSession> batchedSessions = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            dalSessions.add(store.createChatSession(NewChatSession.of("bench-dal-" + s)));
            txSessions.add(store.createChatSession(NewChatSession.of("bench-tx-" + s)));
            batchedSessions.add(store.createChatSession(NewChatSession.of("bench-batched-" + s)));
        }
        List<Message> viaDal = messages(dalSessions, total);
        List<Message> perTransaction = messages(txSessions, total);
        List<Message> batched = messages(batchedSessions, total);
        // Warm every path (query plans, JIT) on the first 1% before timing the rest.
        int warm = total / 100;
        store.bulk().upsertMessages(viaDal.subList(0, warm));
        onePerTransaction(server, perTransaction.subList(0, warm));
        thousandPerTransaction(server, batched.subList(0, warm));
        viaDal = viaDal.subList(warm, viaDal.size());
        perTransaction = perTransaction.subList(warm, perTransaction.size());
        batched = batched.subList(warm, batched.size());

        long start = System.nanoTime();
        for (int from = 0; from < viaDal.size(); from += DAL_CALL) {
            store.bulk().upsertMessages(viaDal.subList(from, Math.min(viaDal.size(), from + DAL_CALL)));
        }
        double unwind = seconds(start);

        start = System.nanoTime();
        onePerTransaction(server, perTransaction);
        double naive = seconds(start);

        start = System.nanoTime();
        thousandPerTransaction(server, batched);
        double strict = seconds(start);

        int timed = viaDal.size();
        long stored = server.run("MATCH (m:Message) RETURN count(m) AS n", Map.of())
                .get(0)
                .get("n")
                .asLong();
        System.out.printf("bulk upsert of %d messages into %d sessions (%d stored in all)%n", timed, SESSIONS, stored);
        System.out.printf(
                "  Dal bulk().upsertMessages, %d a call (UNWIND): %.2f s, %.0f msg/s%n",
                DAL_CALL, unwind, timed / unwind);
        System.out.printf(
                "  raw driver, one statement per message, one transaction each: %.2f s, %.0f msg/s: %.1fx%n",
                naive, timed / naive, naive / unwind);
        System.out.printf(
                "  raw driver, one statement per message, 1000 statements a transaction: %.2f s, %.0f msg/s: %.1fx%n",
                strict, timed / strict, strict / unwind);
    }

    /** The headline baseline, what naive code does: one statement per message, each its own transaction. */
    private static void onePerTransaction(Neo4jTestServer server, List<Message> messages) {
        try (Session session = server.driver().session()) {
            for (Message m : messages) {
                session.executeWrite(tx -> tx.run(ONE_MESSAGE, params(m)).consume());
            }
        }
    }

    /** The stricter baseline: the same statements pipelined, 1000 to a transaction. */
    private static void thousandPerTransaction(Neo4jTestServer server, List<Message> messages) {
        try (Session session = server.driver().session()) {
            for (int from = 0; from < messages.size(); from += 1000) {
                List<Message> chunk = messages.subList(from, Math.min(messages.size(), from + 1000));
                session.executeWrite(tx -> {
                    for (Message m : chunk) {
                        tx.run(ONE_MESSAGE, params(m)).consume();
                    }
                    return null;
                });
            }
        }
    }

    private static Map<String, Object> params(Message m) {
        return Map.of("sid", m.sessionId().toString(), "props", props(m));
    }

    private static List<Message> messages(List<ChatSession> sessions, int total) {
        List<Message> messages = new ArrayList<>(total);
        Instant now = Instant.now();
        int perSession = total / sessions.size();
        for (ChatSession s : sessions) {
            for (int i = 1; i <= perSession; i++) {
                messages.add(new Message(
                        Ids.newId(),
                        s.id(),
                        i,
                        i % 2 == 0 ? Role.ASSISTANT : Role.USER,
                        "message " + i + " of a benchmark conversation",
                        JsonValues.emptyObject(),
                        12,
                        false,
                        now));
            }
        }
        return messages;
    }

    private static Map<String, Object> props(Message m) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", m.id().toString());
        p.put("session_id", m.sessionId().toString());
        p.put("sequence_number", m.sequenceNumber());
        p.put("role", m.role().wireName());
        p.put("content", m.content());
        p.put("metadata", "{}");
        p.put("token_count", 12L);
        p.put("abuse_flagged", false);
        p.put("created_at", m.createdAt().atZone(ZoneOffset.UTC));
        return p;
    }

    private static void overview(Neo4jTestServer server, DataAccess store) {
        User user = store.createUser(NewUser.withExternalId("bench-user"));
        for (int s = 0; s < SESSIONS; s++) {
            String chatId = "overview-" + s;
            store.createChatSession(NewChatSession.of(chatId, user.id()));
            List<NewMessage> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(NewMessage.user("m" + i));
            }
            store.addMessages(chatId, batch);
        }
        String sessions = "MATCH (u:User {id: $uid})-[:HAS_CHAT_SESSION]->(s:ChatSession) RETURN s.id AS id "
                + "ORDER BY coalesce(s.last_message_at, s.created_at) DESC, s.id DESC LIMIT 100";
        String last = "MATCH (s:ChatSession {id: $sid})-[:HAS_MESSAGE]->(m:Message) RETURN m "
                + "ORDER BY m.sequence_number DESC LIMIT 1";
        int rounds = 30;
        double[] oneQuery = new double[rounds];
        double[] nPlusOne = new double[rounds];
        for (int round = -5; round < rounds; round++) {
            long start = System.nanoTime();
            int got = store.listUserSessionsWithLastMessage(user.id(), 100, 0).size();
            double a = seconds(start);
            start = System.nanoTime();
            int loops = 0;
            try (Session session = server.driver().session()) {
                List<String> ids = session.executeRead(
                        tx -> tx.run(sessions, Map.of("uid", user.id().toString()))
                                .list(r -> r.get("id").asString()));
                for (String id : ids) {
                    session.executeRead(tx -> tx.run(last, Map.of("sid", id)).list());
                    loops++;
                }
            }
            double b = seconds(start);
            if (round >= 0) {
                oneQuery[round] = a;
                nPlusOne[round] = b;
            }
            if (got != SESSIONS || loops != SESSIONS) {
                throw new IllegalStateException("expected " + SESSIONS + " sessions, got " + got + " and " + loops);
            }
        }
        double a = median(oneQuery);
        double b = median(nPlusOne);
        System.out.printf(
                "overview of %d sessions (20 messages each), median of %d: one query (Dal) %.1f ms, "
                        + "N+1 loop (raw driver) %.1f ms: %.1fx%n",
                SESSIONS, rounds, a * 1000, b * 1000, b / a);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
