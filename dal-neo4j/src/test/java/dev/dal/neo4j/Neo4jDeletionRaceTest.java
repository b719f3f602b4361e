package dev.dal.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.Retryable;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;

/**
 * A bulk upsert that waits on a node's write lock while another connection deletes that node (a replicated
 * deletion, as {@code upsertTombstones} does it: lock, delete, tombstone) finds the node gone once the lock
 * is granted. Whatever the server reports then, the caller sees either the call done (Dal's retry ran it
 * again, against the tombstone) or a {@link Retryable} failure, never an untranslated one; and the newer
 * record, applied after the tombstone, is live without it (no resurrection below the tombstone, no tombstone
 * under a live record).
 */
class Neo4jDeletionRaceTest {
    private static final String DELETE_USER = """
            MATCH (u:User {id: $id})
            SET u._lock = true REMOVE u._lock
            WITH u
            CALL (u) {
              MATCH (u)-[:HAS_MEMORY]->(m:Memory)
              DETACH DELETE m
            }
            DETACH DELETE u
            MERGE (t:UserTombstone {id: $id})
            SET t.version = $version""";

    private static final String DELETE_SESSION = """
            MATCH (s:ChatSession {chat_id: $chatId})
            SET s._lock = true REMOVE s._lock
            WITH s, s.id AS sid
            DETACH DELETE s
            MERGE (t:ChatSessionTombstone {chat_id: $chatId})
            SET t.session_id = sid, t.version = $version""";

    private static Throwable outcome(Runnable call) {
        try {
            call.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void anUpsertWaitingOnANodeAConcurrentDeletionRemovesIsRetriedOrRetryable() throws Exception {
        Neo4jTestServer server = Neo4jTestServer.get();
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            for (int round = 0; round < 3; round++) {
                User owner = store.createUser(NewUser.builder().name("owner").build());
                User user = store.createUser(NewUser.builder().name("v1").build());
                ChatSession session = store.createChatSession(NewChatSession.of("race-" + round, owner.id()));
                MemoryEntry memory =
                        store.setUserMemory(user.id(), "context", "k", JsonNodeFactory.instance.numberNode(1));
                MemoryEntry lateMemory = memory.withVersion(2);

                User newerUser = user.withVersion(3);
                ChatSession newerSession = session.withVersion(3);
                ExecutorService pool = Executors.newFixedThreadPool(3);
                try (Session raw = server.driver().session();
                        Transaction deletion = raw.beginTransaction()) {
                    deletion.run(DELETE_USER, Map.of("id", user.id().toString(), "version", 2L))
                            .consume();
                    deletion.run(DELETE_SESSION, Map.of("chatId", session.chatId(), "version", 2L))
                            .consume();
                    List<Future<Throwable>> upserts = List.of(
                            pool.submit(() -> outcome(() -> store.bulk().upsertUsers(List.of(newerUser)))),
                            pool.submit(() -> outcome(() -> store.bulk().upsertSessions(List.of(newerSession)))),
                            pool.submit(() -> outcome(() -> store.bulk().upsertMemory(List.of(lateMemory)))));
                    Thread.sleep(700); // the upserts are now waiting on the nodes' write locks
                    deletion.commit();
                    boolean failed = false;
                    for (Future<Throwable> upsert : upserts) {
                        Throwable failure = upsert.get(60, TimeUnit.SECONDS);
                        if (failure != null) {
                            assertThat(failure)
                                    .as("a failure the caller may retry, never an untranslated one")
                                    .isInstanceOf(Retryable.class);
                            failed = true;
                        }
                    }
                    if (failed) {
                        continue;
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertThat(store.getUser(user.id()))
                        .as("newer than the tombstone: applied")
                        .contains(newerUser);
                assertThat(store.getChatSession(session.chatId())).contains(newerSession);
                // Skipped when its retry ran while the user was absent and tombstoned, applied once the newer user was
                // back: either is a correct order of the three calls, anything else is not.
                store.getUserMemory(user.id(), "context", "k")
                        .ifPresent(e -> assertThat(e).isEqualTo(lateMemory));
                assertThat(store.bulk()
                                .findTombstones(
                                        List.of(RecordKey.user(user.id()), RecordKey.session(session.chatId()))))
                        .as("no tombstone under a live record")
                        .isEmpty();
            }
        }
    }
    /**
     * A session upsert for a user that a concurrent deletion removes after the upsert checked the owner: the
     * session must not stand alone (a tombstoned user's sessions are skipped), so the attempt is retried and
     * then skips it, or the caller gets a retryable failure.
     */
    @Test
    void aSessionUpsertRacingItsOwnersDeletionLeavesNoOrphan() throws Exception {
        Neo4jTestServer server = Neo4jTestServer.get();
        try (DataAccess store = new Neo4jTestStores().openEmpty(Clock.systemUTC())) {
            for (int round = 0; round < 3; round++) {
                User owner = store.createUser(NewUser.builder().name("owner").build());
                ChatSession template = store.createChatSession(NewChatSession.of("template-" + round, owner.id()));
                ChatSession late = new ChatSession(
                        java.util.UUID.randomUUID(),
                        "late-" + round,
                        owner.id(),
                        null,
                        null,
                        template.metadata(),
                        template.status(),
                        template.createdAt(),
                        template.updatedAt(),
                        null,
                        0,
                        1);
                ExecutorService pool = Executors.newSingleThreadExecutor();
                try (Session raw = server.driver().session();
                        Transaction deletion = raw.beginTransaction()) {
                    deletion.run(DELETE_USER, Map.of("id", owner.id().toString(), "version", 2L))
                            .consume();
                    Future<Throwable> upsert =
                            pool.submit(() -> outcome(() -> store.bulk().upsertSessions(List.of(late))));
                    Thread.sleep(700); // the upsert now waits on the owner's lock to link the session
                    deletion.commit();
                    Throwable failure = upsert.get(60, TimeUnit.SECONDS);
                    if (failure != null) {
                        assertThat(failure).isInstanceOf(Retryable.class);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertThat(store.getChatSession(late.chatId()))
                        .as("no session without its deleted owner")
                        .isEmpty();
            }
        }
    }
}
