package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DeleteMode;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.dualwrite.RecordKind;
import dev.dal.dualwrite.SecondaryFailurePolicy;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Races between replications of related records, forced deterministically: the secondary (a real file store behind a
 * proxy) stops a chosen bulk upsert at a gate until the test has made the other write happen. Also the copy of
 * expired-but-unpurged memory by resync and repair, on a clock the test moves.
 */
class DualWriteRaceTest {
    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private DataAccess primary;
    private GatedStore secondary;
    private DualWriteDataAccess dual;

    @AfterEach
    void close() {
        threads.shutdownNow();
        if (dual != null) {
            dual.close();
        }
    }

    private DualWriteDataAccess open(SecondaryFailurePolicy policy) {
        primary = fileStore(dir.resolve("primary"));
        secondary = new GatedStore(fileStore(dir.resolve("secondary")));
        DualWriteSettings settings = DualWriteSettings.defaults()
                .withSecondaryTimeout(Duration.ofSeconds(30))
                .withFailurePolicy(policy, dir.resolve("journal"));
        dual = new DualWriteDataAccess("file", primary, "file", secondary.proxy, settings, clock);
        return dual;
    }

    private DataAccess fileStore(Path path) {
        return DataAccessFactory.create(DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", path.toString())
                .clock(clock)
                .build());
    }

    private void assertStoresEqual() {
        assertThat(StoreSnapshot.of(secondary.proxy).differencesFrom(StoreSnapshot.of(primary)))
                .isEmpty();
    }

    /**
     * A session replication finds the secondary without the session's user (written before dual-write began) and
     * copies the user it read; meanwhile the user is updated and that update replicated. The older copy must not
     * land last: the copy holds the user's lock, so the update's replication waits for it and re-reads after.
     */
    @Test
    void aParentUserCopiedForASessionNeverOverwritesANewerReplicatedVersion() throws Exception {
        open(SecondaryFailurePolicy.FAIL);
        User user = primary.createUser(NewUser.withExternalId("before-dual-write"));
        ChatSession session = primary.createChatSession(NewChatSession.of("chat-1", user.id()));

        Gate copyingUser = secondary.stopNext("upsertUsers");
        Future<?> sessionSync = threads.submit(() -> dual.resync(RecordKind.SESSION, List.of(session.chatId())));
        copyingUser.awaitReached(); // it read the user's first version and is about to copy it

        primary.updateUser(user.id(), UserUpdate.builder().name("newer").build());
        Thread[] userSyncThread = new Thread[1];
        CountDownLatch started = new CountDownLatch(1);
        Future<?> userSync = threads.submit(() -> {
            userSyncThread[0] = Thread.currentThread();
            started.countDown();
            dual.resync(RecordKind.USER, List.of(user.id().toString()));
        });
        started.await();
        awaitDoneOrParkedOnALock(userSync, userSyncThread[0]);
        copyingUser.release();
        sessionSync.get(30, TimeUnit.SECONDS);
        userSync.get(30, TimeUnit.SECONDS);

        assertThat(secondary.proxy.getUser(user.id())).isEqualTo(primary.getUser(user.id()));
        assertThat(secondary.proxy.getUser(user.id()).orElseThrow().name()).isEqualTo("newer");
        assertStoresEqual();
    }

    /**
     * A session update's replication read the session while it still named its user; the user is then deleted
     * (keeping sessions) on both stores; the late copy is refused for the missing user. Not a secondary failure:
     * the primary's session no longer names the user, and that is what the secondary gets.
     */
    @Test
    void aSessionReadBeforeItsUserWasDeletedStillReplicatesUnderFail() throws Exception {
        open(SecondaryFailurePolicy.FAIL);
        User user = dual.createUser(NewUser.withExternalId("leaving"));
        ChatSession session = dual.createChatSession(NewChatSession.of("chat-2", user.id()));

        Gate copyingSession = secondary.stopNext("upsertSessions");
        Future<ChatSession> update = threads.submit(() -> dual.updateChatSession(
                session.chatId(), ChatSessionUpdate.builder().title("renamed").build()));
        copyingSession.awaitReached();
        assertThat(dual.deleteUser(user.id(), DeleteMode.KEEP_SESSIONS)).isTrue();
        copyingSession.release();

        assertThat(update.get(30, TimeUnit.SECONDS).title()).isEqualTo("renamed");
        assertThat(dual.counters().secondaryFailures()).isZero();
        assertThat(secondary
                        .proxy
                        .getChatSession(session.chatId())
                        .orElseThrow()
                        .userId())
                .isNull();
        assertStoresEqual();
    }

    /** Memory read before its user was deleted lands after the deletion: deleted with the user, nothing journaled. */
    @Test
    void memoryReadBeforeItsUserWasDeletedIsNotJournaledUnderRecord() throws Exception {
        open(SecondaryFailurePolicy.RECORD);
        User user = dual.createUser(NewUser.withExternalId("forgetting"));

        Gate copyingMemory = secondary.stopNext("upsertMemory");
        Future<?> write = threads.submit(
                () -> dual.setUserMemory(user.id(), "prefs", "lang", JsonNodeFactory.instance.textNode("de"), null));
        copyingMemory.awaitReached();
        assertThat(dual.deleteUser(user.id(), DeleteMode.PURGE)).isTrue();
        copyingMemory.release();
        write.get(30, TimeUnit.SECONDS);

        assertThat(dual.counters().secondaryFailures()).isZero();
        assertThat(dual.pendingRepairs()).isEmpty();
        assertStoresEqual();
    }

    /** Expired but not purged: the primary still holds it, so resync leaves (or puts) it on the secondary. */
    @Test
    void resyncKeepsExpiredButUnpurgedMemoryOnTheSecondary() {
        open(SecondaryFailurePolicy.FAIL);
        User user = dual.createUser(NewUser.withExternalId("expiring"));
        dual.setUserMemory(
                user.id(),
                "session",
                "token",
                JsonNodeFactory.instance.textNode("t1"),
                clock.instant().plus(Duration.ofHours(1)));
        dual.setUserMemory(
                user.id(),
                "session",
                "other",
                JsonNodeFactory.instance.textNode("t2"),
                clock.instant().plus(Duration.ofHours(1)));
        clock.advance(Duration.ofHours(2));

        dual.resync(RecordKind.MEMORY, List.of(user.id().toString(), "session", "token"));
        assertStoresEqual();
        dual.resync(RecordKind.MEMORY_TYPE, List.of(user.id().toString(), "session"));
        assertStoresEqual();
        assertThat(StoreSnapshot.of(secondary.proxy).memory()).hasSize(2);
    }

    /** A memory write the secondary missed, expired by the time repair replays it: repair copies it as stored. */
    @Test
    void repairCopiesMemoryThatExpiredWhileItWaitedInTheJournal() {
        open(SecondaryFailurePolicy.RECORD);
        User user = dual.createUser(NewUser.withExternalId("expiring"));
        secondary.failNext("upsertMemory");
        dual.setUserMemory(
                user.id(),
                "session",
                "token",
                JsonNodeFactory.instance.textNode("t1"),
                clock.instant().plus(Duration.ofHours(1)));
        assertThat(dual.pendingRepairs()).hasSize(1);
        clock.advance(Duration.ofHours(2));

        assertThat(dual.repair().replayed()).isEqualTo(1);
        assertThat(StoreSnapshot.of(secondary.proxy).memory()).hasSize(1);
        assertStoresEqual();
    }

    /** Waits (bounded) until the task finished or its thread is parked on a lock: no sleeps, no luck. */
    private static void awaitDoneOrParkedOnALock(Future<?> task, Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!task.isDone()) {
            if (thread.getState() == Thread.State.WAITING
                    && LockSupport.getBlocker(thread) instanceof AbstractQueuedSynchronizer) {
                return;
            }
            assertThat(System.nanoTime())
                    .as("the second replication neither finished nor waited")
                    .isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** A one-shot stop in one bulk upsert. */
    static final class Gate {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void awaitReached() throws InterruptedException {
            assertThat(reached.await(30, TimeUnit.SECONDS))
                    .as("the gated upsert was reached")
                    .isTrue();
        }

        void release() {
            released.countDown();
        }

        void pass() {
            reached.countDown();
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A real store whose next bulk upsert of a chosen kind can be stopped at a gate, or fail once. */
    static final class GatedStore {
        final DataAccess proxy;
        private final AtomicReference<String> stopMethod = new AtomicReference<>();
        private final AtomicReference<String> failMethod = new AtomicReference<>();
        private volatile Gate gate;

        GatedStore(DataAccess store) {
            proxy = (DataAccess) Proxy.newProxyInstance(
                    DataAccess.class.getClassLoader(), new Class<?>[] {DataAccess.class}, (p, method, args) -> {
                        Object result = invoke(store, method, args);
                        return method.getName().equals("bulk") ? gated((BulkAccess) result) : result;
                    });
        }

        Gate stopNext(String bulkMethod) {
            gate = new Gate();
            stopMethod.set(bulkMethod);
            return gate;
        }

        void failNext(String bulkMethod) {
            failMethod.set(bulkMethod);
        }

        private BulkAccess gated(BulkAccess bulk) {
            return (BulkAccess) Proxy.newProxyInstance(
                    BulkAccess.class.getClassLoader(), new Class<?>[] {BulkAccess.class}, (p, method, args) -> {
                        if (stopMethod.compareAndSet(method.getName(), null)) {
                            gate.pass();
                        }
                        if (failMethod.compareAndSet(method.getName(), null)) {
                            throw new UnavailableException("injected failure of " + method.getName());
                        }
                        return invoke(bulk, method, args);
                    });
        }

        private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
