package dev.dal.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.spi.SanitizedCause;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The rules ValidatingDataAccess keeps for every store, shown on stub stores. */
class ValidatingDataAccessTest {
    private static final Validator RULES = new Validator(DalConfig.builder().build());

    private static DataAccess wrap(DataAccess store, Duration healthTimeout) {
        return new ValidatingDataAccess(store, "stub", RULES, healthTimeout);
    }

    @Test
    void aHungHealthProbeIsReportedDownWithinTheHealthTimeoutAndHoldsOneThread() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger probes = new AtomicInteger();
        DataAccess store = wrap(
                new dev.dal.api.UnsupportedDataAccess() {
                    @Override
                    public HealthStatus healthCheck() {
                        probes.incrementAndGet();
                        try {
                            never.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return new HealthStatus(
                                HealthStatus.Status.UP, "stub", Duration.ZERO, Map.of(), null, Instant.now());
                    }
                },
                Duration.ofMillis(200));
        try {
            long start = System.nanoTime();
            HealthStatus first = store.healthCheck();
            HealthStatus second = store.healthCheck();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(first.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(first.error()).contains("DAL_HEALTH_TIMEOUT");
            assertThat(second.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(took).isLessThan(Duration.ofSeconds(2));
            assertThat(probes)
                    .as("a second check waits on the probe still running")
                    .hasValue(1);
            HealthStatus async = store.healthCheckAsync().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(async.status()).isEqualTo(HealthStatus.Status.DOWN);
        } finally {
            never.countDown();
        }
    }

    @Test
    void healthCarriesTheCallFiguresOfTheLastMinute() {
        DataAccess store = wrap(
                new dev.dal.api.UnsupportedDataAccess() {
                    @Override
                    public Optional<User> getUser(UUID id) {
                        return Optional.empty();
                    }

                    @Override
                    public HealthStatus healthCheck() {
                        return new HealthStatus(
                                HealthStatus.Status.UP,
                                "stub",
                                Duration.ZERO,
                                Map.of("poolMax", 3),
                                null,
                                Instant.now());
                    }
                },
                Duration.ofSeconds(1));
        for (int i = 0; i < 5; i++) {
            store.getUser(UUID.randomUUID());
        }

        HealthStatus health = store.healthCheck();

        assertThat(health.details())
                .containsEntry("poolMax", 3)
                .containsEntry("callsLastMinute", 5L)
                .containsKey("meanCallLatencyMs");
    }

    @Test
    void aCreateRepeatedWithTheSameIdReturnsTheStoredUserAndOtherContentIsADuplicate() {
        AtomicReference<User> stored = new AtomicReference<>();
        AtomicInteger writes = new AtomicInteger();
        DataAccess store = wrap(
                new dev.dal.api.UnsupportedDataAccess() {
                    @Override
                    public User createUser(NewUser user) {
                        writes.incrementAndGet();
                        User created = user.toUser(UUID.randomUUID(), Instant.parse("2026-01-01T00:00:00Z"));
                        stored.set(created);
                        return created;
                    }

                    @Override
                    public Optional<User> getUser(UUID id) {
                        return Optional.ofNullable(stored.get()).filter(u -> u.id().equals(id));
                    }
                },
                Duration.ofSeconds(1));
        NewUser request =
                NewUser.builder().id(UUID.randomUUID()).externalId("ext-1").build();

        User first = store.createUser(request);
        User again = store.createUser(request);
        Throwable other = catchThrowable(() ->
                store.createUser(NewUser.builder().id(request.id()).name("x").build()));

        assertThat(first.id()).isEqualTo(request.id());
        assertThat(again).isEqualTo(first);
        assertThat(writes).hasValue(1);
        assertThat(other).isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void anUntranslatedFailureKeepsAMessageFreeCause() {
        DataAccess store = wrap(
                new dev.dal.api.UnsupportedDataAccess() {
                    @Override
                    public Optional<User> getUser(UUID id) {
                        throw new IllegalStateException("SELECT * FROM users WHERE email = 'me@example.com'");
                    }
                },
                Duration.ofSeconds(1));

        Throwable error = catchThrowable(() -> store.getUser(UUID.randomUUID()));

        assertThat(error)
                .isExactlyInstanceOf(DataAccessException.class)
                .hasMessageContaining("getUser")
                .hasMessageContaining("IllegalStateException")
                .hasCauseInstanceOf(SanitizedCause.class);
        assertThat(error.getCause().getMessage()).doesNotContain("me@example.com");
        assertThat(error.getCause().getStackTrace()).isNotEmpty();
    }
}
