package dev.dal.postgres;

import static dev.dal.postgres.PostgresTarget.assertNoDriverLeak;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code DB_MAX_CONNECTIONS=2} with both connections held by open transactions: a third caller
 * fails after {@code DB_CONNECTION_TIMEOUT} with an {@link UnavailableException} that says what to
 * raise, instead of hanging; health shows the pool figures; the store works again once released.
 */
class PostgresPoolExhaustionTest {
    private final PostgresTarget target = PostgresTarget.get();

    @Test
    void aThirdCallerFailsFastWhileBothConnectionsAreHeld() throws Exception {
        Map<String, String> settings =
                target.settingsWith(Map.of("DB_MAX_CONNECTIONS", "2", "DB_CONNECTION_TIMEOUT", "1"));
        ExecutorService holders = Executors.newFixedThreadPool(3);
        CountDownLatch held = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        try (DataAccess store = PostgresTarget.open(settings)) {
            User user = store.createUser(NewUser.withExternalId("pool-" + UUID.randomUUID()));
            List<Future<String>> holding = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // Each holder reads a user of its own: a transaction locks what it reads until it ends.
                User own = store.createUser(NewUser.withExternalId("pool-holder-" + UUID.randomUUID()));
                holding.add(holders.submit(() -> store.inTransaction(tx -> {
                    tx.getUser(own.id());
                    held.countDown();
                    try {
                        if (!release.await(20, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return "done";
                })));
            }
            try {
                assertThat(held.await(10, TimeUnit.SECONDS))
                        .as("both connections taken")
                        .isTrue();

                // Every connection busy but nobody waiting: the probe has its own connection, so UP.
                HealthStatus busy = assertTimeoutPreemptively(Duration.ofSeconds(5), store::healthCheck);
                assertThat(busy.details())
                        .containsEntry("poolMax", 2)
                        .containsEntry("poolActive", 2)
                        .containsEntry("poolUtilizationPercent", 100);
                assertThat(busy.status()).isEqualTo(HealthStatus.Status.UP);

                // A caller waiting for a connection makes the pool saturated: DEGRADED, answered at once.
                Future<Throwable> waiter = holders.submit(() -> catchThrowable(() -> store.getUser(user.id())));
                HealthStatus health = null;
                for (int i = 0; i < 200 && !waiter.isDone(); i++) {
                    health = store.healthCheck();
                    if (((Number) health.details().get("poolWaiting")).intValue() > 0) {
                        break;
                    }
                }
                assertThat(health).isNotNull();
                assertThat(health.details())
                        .as("a caller was waiting while the probe ran")
                        .containsKey("poolWaiting");
                assertThat(((Number) health.details().get("poolWaiting")).intValue())
                        .isPositive();
                assertThat(health.status()).as("a saturated pool").isEqualTo(HealthStatus.Status.DEGRADED);
                assertThat(health.error()).contains("DB_MAX_CONNECTIONS");
                assertThat(health.latency())
                        .as("the probe did not queue behind the pool")
                        .isLessThan(Duration.ofMillis(500));
                assertThat(waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(UnavailableException.class);

                long start = System.nanoTime();
                Throwable read = assertTimeoutPreemptively(
                        Duration.ofSeconds(5), () -> catchThrowable(() -> store.getUser(user.id())));
                Duration waited = Duration.ofNanos(System.nanoTime() - start);
                assertThat(read)
                        .isInstanceOf(UnavailableException.class)
                        .hasMessageContaining("DB_CONNECTION_TIMEOUT")
                        .hasMessageContaining("DB_MAX_CONNECTIONS");
                assertNoDriverLeak(read);
                assertThat(waited)
                        .as("waited DB_CONNECTION_TIMEOUT before giving up")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(800));

                Throwable transaction = assertTimeoutPreemptively(
                        Duration.ofSeconds(5),
                        () -> catchThrowable(() -> store.inTransaction(tx -> tx.getUser(user.id()))));
                assertThat(transaction)
                        .isInstanceOf(UnavailableException.class)
                        .hasMessageContaining("DB_MAX_CONNECTIONS");
                assertNoDriverLeak(transaction);

                Throwable write = assertTimeoutPreemptively(
                        Duration.ofSeconds(5),
                        () -> catchThrowable(
                                () -> store.createUser(NewUser.withExternalId("pool-x-" + UUID.randomUUID()))));
                assertThat(write).isInstanceOf(UnavailableException.class);
                assertNoDriverLeak(write);
            } finally {
                release.countDown();
            }
            for (Future<String> f : holding) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("done");
            }

            assertThat(store.getUser(user.id())).contains(user);
            assertThat(store.createUser(NewUser.withExternalId("pool-after-" + UUID.randomUUID())))
                    .isNotNull();
            HealthStatus after = store.healthCheck();
            assertThat(after.status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(after.details()).containsEntry("poolMax", 2);
        } finally {
            holders.shutdownNow();
        }
    }
}
