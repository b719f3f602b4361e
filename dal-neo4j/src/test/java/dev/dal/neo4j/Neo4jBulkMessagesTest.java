package dev.dal.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.Role;
import dev.dal.api.spi.Ids;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;

/**
 * The message upsert's split into existing ids (merged) and new ids (created, node and relationship): what the
 * kit does not look at in the graph. A moved message keeps one relationship, to its new session; the last
 * occurrence of an id in a call wins, also when it moves; properties Dal does not know survive an update; and an id
 * another transaction creates between the existence check and the {@code CREATE} is not a duplicate key: Dal's
 * retry merges it.
 */
class Neo4jBulkMessagesTest {
    private static final String SESSIONS_OF = """
            MATCH (s:ChatSession)-[:HAS_MESSAGE]->(m:Message {id: $id})
            RETURN s.id AS sid""";

    private final Neo4jTestServer server = Neo4jTestServer.get();

    private static Message message(ChatSession session, UUID id, long sequence, String content) {
        return new Message(
                id,
                session.id(),
                sequence,
                Role.USER,
                content,
                JsonValues.emptyObject(),
                3,
                false,
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    private List<String> sessionsOf(UUID id) {
        return server.run(SESSIONS_OF, Map.of("id", id.toString())).stream()
                .map(r -> r.get("sid").asString())
                .toList();
    }

    private Map<String, Object> stored(UUID id) {
        return server.run("MATCH (m:Message {id: $id}) RETURN m", Map.of("id", id.toString()))
                .get(0)
                .get("m")
                .asMap();
    }

    @Test
    void aMovedMessageHasOneRelationshipToItsNewSession() {
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            ChatSession a = store.createChatSession(NewChatSession.of("move-a"));
            ChatSession b = store.createChatSession(NewChatSession.of("move-b"));
            UUID id = Ids.newId();
            UUID other = Ids.newId();
            store.bulk().upsertMessages(List.of(message(a, id, 1, "in a"), message(a, other, 2, "stays")));

            store.bulk().upsertMessages(List.of(message(b, id, 1, "in b"), message(b, Ids.newId(), 2, "new in b")));

            assertThat(sessionsOf(id)).containsExactly(b.id().toString());
            assertThat(stored(id))
                    .containsEntry("session_id", b.id().toString())
                    .containsEntry("content", "in b");
            assertThat(sessionsOf(other)).containsExactly(a.id().toString());
        }
    }

    @Test
    void theLastOccurrenceOfAnIdInOneCallWinsAlsoWhenItMoves() {
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            ChatSession a = store.createChatSession(NewChatSession.of("last-a"));
            ChatSession b = store.createChatSession(NewChatSession.of("last-b"));
            UUID fresh = Ids.newId();
            UUID existing = Ids.newId();
            store.bulk().upsertMessages(List.of(message(a, existing, 1, "old")));

            store.bulk()
                    .upsertMessages(List.of(
                            message(a, fresh, 2, "first"),
                            message(b, existing, 1, "moved"),
                            message(b, fresh, 2, "second"),
                            message(a, existing, 1, "back")));

            assertThat(sessionsOf(fresh)).containsExactly(b.id().toString());
            assertThat(stored(fresh)).containsEntry("content", "second");
            assertThat(sessionsOf(existing)).containsExactly(a.id().toString());
            assertThat(stored(existing)).containsEntry("content", "back");
        }
    }

    @Test
    void propertiesDalDoesNotKnowSurviveAnUpdate() {
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            ChatSession a = store.createChatSession(NewChatSession.of("legacy-a"));
            UUID id = Ids.newId();
            store.bulk().upsertMessages(List.of(message(a, id, 1, "before")));
            server.run("MATCH (m:Message {id: $id}) SET m.legacy_message_id = 'legacy-1'", Map.of("id", id.toString()));

            store.bulk().upsertMessages(List.of(message(a, id, 1, "after")));

            assertThat(stored(id))
                    .containsEntry("legacy_message_id", "legacy-1")
                    .containsEntry("content", "after");
            assertThat(sessionsOf(id)).containsExactly(a.id().toString());
        }
    }

    /**
     * Another transaction creates one of the call's new ids and holds its index entry until the call's {@code
     * CREATE} waits on it, then commits: the {@code CREATE} fails on the unique constraint, which Dal reports as a
     * retryable conflict and retries; the re-run merges the id. When the call is slower than the other transaction,
     * it sees the id at once and merges it: the outcome is the same.
     */
    @Test
    void anIdCreatedConcurrentlyIsMergedByTheRetryNotADuplicateKey() throws Exception {
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            ChatSession a = store.createChatSession(NewChatSession.of("race-a"));
            UUID contested = Ids.newId();
            List<Message> batch = new ArrayList<>();
            batch.add(message(a, contested, 1, "from the bulk call"));
            for (int i = 2; i <= 50; i++) {
                batch.add(message(a, Ids.newId(), i, "m" + i));
            }
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Session raw = server.driver().session();
                    Transaction other = raw.beginTransaction()) {
                other.run("""
                                MATCH (s:ChatSession {id: $sid})
                                CREATE (s)-[:HAS_MESSAGE]->(:Message {id: $id, session_id: $sid, sequence_number: 1,
                                  role: 'user', content: 'from the other writer', metadata: '{}'})""", Map.of("sid", a.id().toString(), "id", contested.toString()))
                        .consume();
                Future<?> call = pool.submit(() -> store.bulk().upsertMessages(batch));
                Thread.sleep(1_000);
                other.commit();
                call.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }

            assertThat(sessionsOf(contested)).containsExactly(a.id().toString());
            assertThat(stored(contested)).containsEntry("content", "from the bulk call");
            assertThat(server.run(
                                    "MATCH (:ChatSession {id: $sid})-[:HAS_MESSAGE]->(m) RETURN count(m) AS n",
                                    Map.of("sid", a.id().toString()))
                            .get(0)
                            .get("n")
                            .asLong())
                    .isEqualTo(50);
        }
    }

    private long messagesUnder(ChatSession session) {
        return server.run(
                        "MATCH (:ChatSession {id: $sid})-[:HAS_MESSAGE]->(m) RETURN count(m) AS n",
                        Map.of("sid", session.id().toString()))
                .get(0)
                .get("n")
                .asLong();
    }

    /** A large call of new messages: each one node under its session, with its properties. */
    @Test
    void aLargeCallOfNewMessagesCreatesEachUnderItsSession() {
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            ChatSession a = store.createChatSession(NewChatSession.of("large-a"));
            ChatSession b = store.createChatSession(NewChatSession.of("large-b"));
            List<Message> batch = new ArrayList<>();
            for (int i = 1; i <= 150; i++) {
                batch.add(message(a, Ids.newId(), i, "a" + i));
                batch.add(message(b, Ids.newId(), i, "b" + i));
            }

            store.bulk().upsertMessages(batch);

            assertThat(messagesUnder(a)).isEqualTo(150);
            assertThat(messagesUnder(b)).isEqualTo(150);
            assertThat(stored(batch.get(299).id()))
                    .containsEntry("session_id", b.id().toString())
                    .containsEntry("sequence_number", 150L)
                    .containsEntry("content", "b150");
        }
    }

    /**
     * One stored id among a large call's new ones, where the sample of ids looked up before creating them all does
     * not look (the second row): the call still merges it (one node, one relationship, the new content) and creates
     * the others, with Dal's retry and without it.
     */
    @Test
    void aStoredIdTheSampleMissesIsMergedWithAndWithoutRetries() {
        for (String retries : List.of("3", "0")) {
            try (DataAccess store =
                    new Neo4jTestStores().openEmpty(Clock.systemUTC(), Map.of("DAL_TX_RETRIES", retries), null)) {
                ChatSession a = store.createChatSession(NewChatSession.of("sample-a"));
                UUID existing = Ids.newId();
                store.bulk().upsertMessages(List.of(message(a, existing, 2, "old")));
                List<Message> batch = new ArrayList<>();
                batch.add(message(a, Ids.newId(), 1, "m1"));
                batch.add(message(a, existing, 2, "new"));
                for (int i = 3; i <= 300; i++) {
                    batch.add(message(a, Ids.newId(), i, "m" + i));
                }

                store.bulk().upsertMessages(batch);

                assertThat(sessionsOf(existing)).as("retries " + retries).containsExactly(a.id().toString());
                assertThat(stored(existing)).as("retries " + retries).containsEntry("content", "new");
                assertThat(messagesUnder(a)).as("retries " + retries).isEqualTo(300);
            }
        }
    }
}
