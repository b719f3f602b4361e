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
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code DB_HOST} as a list: the driver tries the hosts in order and settles on the one that
 * answers as primary; a list of only dead hosts gives a store that opens, reports DOWN and fails
 * writes as unavailable, quickly.
 */
class PostgresFailoverTest {
    private final PostgresTarget target = PostgresTarget.get();

    @Test
    void aDeadFirstHostIsSkipped() {
        int dead = PostgresTarget.unusedPort();
        Map<String, String> settings =
                target.hostSettings("127.0.0.1:" + dead + "," + target.host() + ":" + target.port());
        settings.put("DB_AUTO_MIGRATE", "true");
        settings.put("DB_CONNECTION_TIMEOUT", "10");
        assertThat(settings).doesNotContainKey("DATABASE_URL");
        try (DataAccess store =
                assertTimeoutPreemptively(Duration.ofSeconds(15), () -> PostgresTarget.open(settings))) {
            User user = store.createUser(NewUser.withExternalId("failover-" + UUID.randomUUID()));
            assertThat(store.getUser(user.id())).contains(user);
            assertThat(store.getUserByExternalId(user.externalId())).contains(user);
            HealthStatus health = store.healthCheck();
            assertThat(health.status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(health.details()).containsKey("serverVersion");
        }
    }

    @Test
    void hostsWithoutAPortTakeDbPort() {
        int dead = PostgresTarget.unusedPort();
        Map<String, String> settings = target.hostSettings("127.0.0.1:" + dead + "," + target.host());
        settings.put("DB_PORT", String.valueOf(target.port()));
        settings.put("DB_CONNECTION_TIMEOUT", "10");
        try (DataAccess store = PostgresTarget.open(settings)) {
            User user = store.createUser(NewUser.withExternalId("failover-port-" + UUID.randomUUID()));
            assertThat(store.getUser(user.id())).contains(user);
        }
    }

    @Test
    void onlyDeadHostsMeanDownAndUnavailableWithinSeconds() {
        Map<String, String> settings = target.hostSettings(
                "127.0.0.1:" + PostgresTarget.unusedPort() + ",127.0.0.1:" + PostgresTarget.unusedPort());
        settings.put("DB_CONNECTION_TIMEOUT", "1");
        // The store opens lazily: no server is needed to open it.
        try (DataAccess store = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> PostgresTarget.open(settings))) {
            HealthStatus health = assertTimeoutPreemptively(Duration.ofSeconds(5), store::healthCheck);
            assertThat(health.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(health.storageType()).isEqualTo("postgresql");
            assertThat(health.error())
                    .isNotBlank()
                    .doesNotContain("org.postgresql")
                    .doesNotContain("PSQLException");
            assertThat(health.details()).containsEntry("poolMax", 20);

            Throwable write = assertTimeoutPreemptively(
                    Duration.ofSeconds(5),
                    () -> catchThrowable(
                            () -> store.createUser(NewUser.withExternalId("nowhere-" + UUID.randomUUID()))));
            assertThat(write).isInstanceOf(UnavailableException.class);
            assertNoDriverLeak(write);

            Throwable read = assertTimeoutPreemptively(
                    Duration.ofSeconds(5), () -> catchThrowable(() -> store.getUser(UUID.randomUUID())));
            assertThat(read).isInstanceOf(UnavailableException.class);
            assertNoDriverLeak(read);
        }
    }

    @Test
    void aSingleDeadHostWithAutoMigrateFailsToOpenAsUnavailable() {
        Map<String, String> settings = target.hostSettings("127.0.0.1:" + PostgresTarget.unusedPort());
        settings.put("DB_CONNECTION_TIMEOUT", "1");
        settings.put("DB_AUTO_MIGRATE", "true");
        Throwable thrown = assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> catchThrowable(() -> PostgresTarget.open(settings).close()));
        assertThat(thrown).isInstanceOf(UnavailableException.class).hasMessageContaining("migrate");
        assertNoDriverLeak(thrown);
    }
}
