package dev.dal.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.Capability;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every store keeps its deadlines without a network fault too: a write waiting for a lock another
 * transaction holds gives up within {@code DB_QUERY_TIMEOUT} plus a second, health answers in time
 * and reports the call figures every store shares, and no user value reaches a log line.
 */
public interface DeadlineContract extends ConformanceTest {

    /**
     * A write waiting for a lock a transaction holds ends within the query timeout plus a second, failing retryably if
     * at all, and the store serves afterwards.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     * @throws Exception when waiting for work on another thread fails or is interrupted
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void aWriteWaitingForALockHeldByATransactionEndsWithinTheQueryTimeout(
            StoreProvider provider, MutableClock clock) throws Exception {
        try (DataAccess store = provider.openEmpty(clock, Map.of(DalConfig.DB_QUERY_TIMEOUT, "1"), null)) {
            User user = Fixtures.user(store);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> holder = pool.submit(() -> store.useTransaction(tx -> {
                    tx.updateUser(user.id(), UserUpdate.builder().name("holder").build());
                    holding.countDown();
                    await(release);
                }));
                assertThat(holding.await(30, TimeUnit.SECONDS))
                        .as("the holding transaction started")
                        .isTrue();

                long start = System.nanoTime();
                Throwable waited = org.assertj.core.api.Assertions.catchThrowable(() -> store.updateUser(
                        user.id(), UserUpdate.builder().name("waiter").build()));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                release.countDown();

                assertThat(took).as("time the waiting write took").isLessThanOrEqualTo(Duration.ofSeconds(2));
                if (waited != null) {
                    assertThat(waited).isInstanceOf(Retryable.class).isNotInstanceOf(OutcomeUnknownException.class);
                    Fixtures.assertNoDriverNames(waited);
                }
                try {
                    holder.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // A store may end the holder instead (a transaction older than the deadline); either is bounded.
                    assertThat(e.getCause()).isInstanceOf(Retryable.class);
                }
                User after = store.updateUser(
                        user.id(), UserUpdate.builder().name("after").build());
                assertThat(after.name()).isEqualTo("after");
            } finally {
                release.countDown();
                pool.shutdownNow();
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Health answers within its timeout and reports the call figures every store shares, with no password.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void healthAnswersWithinTheHealthTimeoutWithTheCallFigures(DataAccess store) {
        Fixtures.seed(store);

        long start = System.nanoTime();
        HealthStatus health = store.healthCheck();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(health.status()).isEqualTo(HealthStatus.Status.UP);
        assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(health.details()).containsKeys("callsLastMinute", "meanCallLatencyMs");
        assertThat((Long) health.details().get("callsLastMinute")).isPositive();
        assertThat(health.details().toString()).doesNotContain("password");
    }

    /**
     * No user value written or refused reaches a log line.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void noUserValueReachesTheLogs(DataAccess store) {
        String canary = "canary-" + UUID.randomUUID();
        try (LogCapture logs = LogCapture.start()) {
            User user = FaultContract.LoggedValues.writeEverywhere(store, canary);
            String chatId = store.listUserSessions(user.id(), 1, 0).get(0).chatId();
            FaultContract.LoggedValues.failEverywhere(store, user, chatId, canary);
            store.healthCheck();

            assertThat(logs.text()).as("captured log output").doesNotContain(canary);
        }
    }
}
