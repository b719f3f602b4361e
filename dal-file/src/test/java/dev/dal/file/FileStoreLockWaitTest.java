package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store lock's wait is bounded by {@code DB_QUERY_TIMEOUT}: a write that cannot get the lock in time, because
 * another process holds the lock file or another thread of this process runs a transaction, fails with a
 * retryable {@link TransientDataAccessException} (not an unknown outcome) within the deadline plus 1 s, and
 * writes nothing; once the lock is free the store serves again without being reopened.
 */
class FileStoreLockWaitTest {
    private static final Duration LIMIT = Duration.ofSeconds(1);

    @TempDir
    Path temp;

    private static DataAccess open(Path dir) {
        return DataAccessFactory.create(DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .setting(DalConfig.DB_QUERY_TIMEOUT, "1")
                .setting(DalConfig.DAL_HEALTH_TIMEOUT, "1")
                .build());
    }

    private static void assertTimedOut(Throwable thrown, long elapsedNanos) {
        assertThat(thrown)
                .isInstanceOf(TransientDataAccessException.class)
                .isNotInstanceOf(OutcomeUnknownException.class)
                .hasMessageContaining(DalConfig.DB_QUERY_TIMEOUT)
                .hasMessageContaining("nothing was written");
        assertThat(Duration.ofNanos(elapsedNanos))
                .as("how long the write waited")
                .isGreaterThanOrEqualTo(LIMIT.minusMillis(50))
                .isLessThan(LIMIT.plusSeconds(1));
    }

    @Test
    void aLockHeldByAnotherProcessEndsTheWriteWithinTheDeadlineAndNothingIsWritten() throws Exception {
        Path dir = temp.resolve("store");
        try (DataAccess store = open(dir)) {
            store.createChatSession(NewChatSession.of("c"));
            store.addMessage("c", NewMessage.user("before"));
            try (ChildJvm holder = ChildJvm.start(LockHolderMain.class, temp.resolve("holder.log"), dir.toString())) {
                assertThat(holder.awaitLine("LOCKED", Duration.ofSeconds(60)))
                        .as(holder.stderrTail())
                        .isEqualTo("LOCKED true");

                long start = System.nanoTime();
                Throwable thrown = catchThrowable(() -> store.addMessage("c", NewMessage.user("while locked")));
                assertTimedOut(thrown, System.nanoTime() - start);

                start = System.nanoTime();
                thrown = catchThrowable(() -> store.createUser(NewUser.withExternalId("while-locked")));
                assertTimedOut(thrown, System.nanoTime() - start);

                start = System.nanoTime();
                HealthStatus health = store.healthCheck();
                assertThat(health.status()).isEqualTo(HealthStatus.Status.DOWN);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

                holder.send("release");
                assertThat(holder.awaitLine("RELEASED", Duration.ofSeconds(30))).isEqualTo("RELEASED");
                assertThat(holder.awaitExit(Duration.ofSeconds(30))).isZero();
            }
            // The same store serves again, and the timed-out writes left nothing behind.
            assertThat(store.getMessageCount("c")).isEqualTo(1);
            assertThat(store.getChatHistory("c", 10, 0))
                    .extracting(m -> m.content())
                    .containsExactly("before");
            assertThat(store.getUserByExternalId("while-locked")).isEmpty();
            assertThat(store.addMessage("c", NewMessage.user("after")).sequenceNumber())
                    .isEqualTo(2);
            assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
        }
    }

    @Test
    void aTransactionOfAnotherThreadEndsTheWaitingWriteWithinTheDeadline() throws Exception {
        Path dir = temp.resolve("store");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (DataAccess store = open(dir);
                DataAccess second = open(dir)) {
            store.createChatSession(NewChatSession.of("c"));
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            Future<Long> transaction = pool.submit(() -> store.inTransaction(tx -> {
                tx.addMessage("c", NewMessage.user("in the transaction"));
                inside.countDown();
                try {
                    finish.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return tx.getMessageCount("c");
            }));
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();

            for (DataAccess handle : new DataAccess[] {store, second}) {
                long start = System.nanoTime();
                Throwable thrown = catchThrowable(() -> handle.addMessage("c", NewMessage.user("waiting")));
                assertTimedOut(thrown, System.nanoTime() - start);
            }

            finish.countDown();
            assertThat(transaction.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(second.getChatHistory("c", 10, 0))
                    .extracting(m -> m.content())
                    .containsExactly("in the transaction");
        } finally {
            pool.shutdownNow();
        }
    }
}
