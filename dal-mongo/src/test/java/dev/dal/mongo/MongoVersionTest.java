package dev.dal.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import dev.dal.test.mongo.MongoTestServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the kit's version contract cannot reach on MongoDB: bulk upserts racing each other on one key (the
 * insert that loses to another, the upsert that meets a newer document and gets a duplicate key), a unique
 * value of another record still refused, and a purge longer than one batch.
 */
class MongoVersionTest {
    private static final String DATABASE = "dal_versions";
    private static final MongoTestServer SERVER = MongoTestServer.get();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static DataAccess store;

    @BeforeAll
    static void open() {
        SERVER.drop(DATABASE);
        Map<String, String> settings = new HashMap<>(SERVER.settingsForDatabase(DATABASE));
        settings.put("MIGRATION_BATCH_SIZE", "3");
        store = DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider());
    }

    @AfterAll
    static void close() {
        store.close();
        SERVER.drop(DATABASE);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static User userAt(UUID id, String externalId, long version) {
        Instant now = now();
        return new User(
                id,
                externalId,
                null,
                "v" + version,
                F.objectNode(),
                F.objectNode(),
                UserStatus.ACTIVE,
                now,
                now,
                null,
                version);
    }

    private static void race(int threads, List<Runnable> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (Runnable w : work) {
                done.add(pool.submit(() -> {
                    start.await();
                    w.run();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void racingBulkUpsertsOfOneKeyEndAtTheNewestVersion() throws Exception {
        UUID userId = UUID.randomUUID();
        User owner = store.createUser(NewUser.builder().name("owner").build());
        ChatSession base = store.createChatSession(NewChatSession.of("race-" + userId, owner.id()));
        List<Long> versions = new ArrayList<>();
        for (long v = 1; v <= 24; v++) {
            versions.add(v);
        }
        Collections.shuffle(versions, new Random(7));
        List<Runnable> work = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            List<Long> mine = versions.subList(t * 4, t * 4 + 4);
            work.add(() -> {
                for (long v : mine) {
                    store.bulk().upsertUsers(List.of(userAt(userId, "race-" + userId, v)));
                    store.bulk()
                            .upsertSessions(List.of(new ChatSession(
                                    base.id(),
                                    base.chatId(),
                                    owner.id(),
                                    "v" + v,
                                    base.profile(),
                                    F.objectNode(),
                                    SessionStatus.ACTIVE,
                                    base.createdAt(),
                                    base.updatedAt(),
                                    null,
                                    0,
                                    v)));
                    store.bulk()
                            .upsertMemory(List.of(new MemoryEntry(
                                    owner.id(),
                                    "race",
                                    "k",
                                    F.numberNode(v),
                                    base.createdAt(),
                                    base.createdAt(),
                                    null,
                                    v)));
                }
            });
        }

        race(6, work);

        assertThat(store.getUser(userId).orElseThrow())
                .extracting(User::name, User::version)
                .containsExactly("v24", 24L);
        assertThat(store.getChatSession(base.chatId()).orElseThrow())
                .extracting(ChatSession::title, ChatSession::version)
                .containsExactly("v24", 24L);
        MemoryEntry memory = store.getUserMemory(owner.id(), "race", "k").orElseThrow();
        assertThat(memory.value().asLong()).isEqualTo(24);
        assertThat(memory.version()).isEqualTo(24);
    }

    @Test
    void anOlderCopyOfAStoredUserIsSkippedButAnotherUsersExternalIdIsStillRefused() {
        UUID id = UUID.randomUUID();
        String externalId = "ext-" + id;
        store.bulk().upsertUsers(List.of(userAt(id, externalId, 3)));

        store.bulk().upsertUsers(List.of(userAt(id, externalId, 2)));
        Throwable taken =
                catchThrowable(() -> store.bulk().upsertUsers(List.of(userAt(UUID.randomUUID(), externalId, 9))));

        assertThat(store.getUser(id).orElseThrow().version()).isEqualTo(3);
        assertThat(taken).isInstanceOf(DuplicateKeyException.class).hasMessageContaining("externalId");
    }

    @Test
    void aPurgeLongerThanOneBatchLeavesATombstoneForEveryEntry() throws InterruptedException {
        User user = store.createUser(NewUser.builder().name("purge").build());
        Instant soon = Instant.now().plusMillis(300);
        for (int i = 0; i < 10; i++) {
            store.setUserMemory(user.id(), "brief", "k" + i, F.numberNode(i), soon);
        }
        store.setUserMemory(user.id(), "brief", "stays", F.numberNode(1));
        Thread.sleep(400);

        int purged = store.purgeExpiredMemory();

        assertThat(purged).isEqualTo(10);
        List<Tombstone> tombstones = store.bulk().findTombstones(List.of(RecordKey.memoryType(user.id(), "brief")));
        assertThat(tombstones)
                .hasSize(10)
                .allSatisfy(t -> assertThat(t.version()).isEqualTo(2));
        assertThat(store.getUserMemory(user.id(), "brief"))
                .extracting(MemoryEntry::key)
                .containsExactly("stays");
    }
}
