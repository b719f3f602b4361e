package dev.dal.postgres;

import static dev.dal.postgres.PostgresTarget.assertNoDriverLeak;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccess;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.User;
import dev.dal.testkit.FaultProxy;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two faults at exact moments, through the kit's {@link FaultProxy}: the network stalls while a
 * transaction's COMMIT is under way (the outcome is unknown, and a retry with the same id stores the
 * user once), and the server cannot be reached when a store opens on a database without the schema
 * (the store opens, and refuses calls as soon as it can look).
 */
class PostgresCommitAndOpenFaultTest {
    private final PostgresTarget target = PostgresTarget.get();

    private FaultProxy proxy() {
        return FaultProxy.to(new InetSocketAddress(target.host(), target.port()));
    }

    @Test
    void aStallDuringTheCommitIsAnUnknownOutcomeAndTheRetryWithTheSameIdStoresOnce() throws Exception {
        try (FaultProxy proxy = proxy()) {
            Map<String, String> settings = target.settingsWith(Map.of(
                    "DATABASE_URL",
                    PostgresTarget.urlVia(target.server().settings().get("DATABASE_URL"), proxy.address()),
                    "DB_QUERY_TIMEOUT",
                    "1",
                    "DB_CONNECT_TIMEOUT",
                    "1",
                    "DB_CONNECTION_TIMEOUT",
                    "1"));
            try (DataAccess store = PostgresTarget.open(settings)) {
                NewUser newUser = NewUser.builder()
                        .id(UUID.randomUUID())
                        .externalId("commit-" + UUID.randomUUID())
                        .name("committed?")
                        .build();
                long start = System.nanoTime();
                Throwable thrown = assertTimeoutPreemptively(
                        Duration.ofSeconds(10),
                        () -> catchThrowable(() -> store.inTransaction(tx -> {
                            User created = tx.createUser(newUser);
                            proxy.stall(); // the COMMIT that follows goes into a silent network
                            return created;
                        })));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(thrown)
                        .as("a COMMIT whose answer never came")
                        .isInstanceOf(OutcomeUnknownException.class)
                        .isNotInstanceOf(Retryable.class)
                        .hasMessageContaining("inTransaction")
                        .hasMessageContaining("same ids");
                assertNoDriverLeak(thrown);
                assertThat(took).as("DB_QUERY_TIMEOUT plus 1 s").isLessThan(Duration.ofSeconds(2));
                proxy.heal();

                // The recipe: repeat the write with the same id; it is stored exactly once either way.
                User stored = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (stored == null && System.nanoTime() < deadline) {
                    try {
                        stored = store.createUser(newUser);
                    } catch (dev.dal.api.TransientDataAccessException | dev.dal.api.UnavailableException e) {
                        Thread.sleep(100);
                    }
                }
                assertThat(stored)
                        .as("the retry succeeded within 5 s of the stall's end")
                        .isNotNull();
                assertThat(stored.id()).isEqualTo(newUser.id());
                try (Connection c = target.server().connect();
                        PreparedStatement count = c.prepareStatement("SELECT count(*) FROM users WHERE id = ?")) {
                    count.setObject(1, newUser.id());
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("copies of the user").isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void afterALongRefusalTheSameStoreServesAgainWithinASecond() throws Exception {
        try (FaultProxy proxy = proxy()) {
            Map<String, String> settings = target.settingsWith(Map.of(
                    "DATABASE_URL",
                    PostgresTarget.urlVia(target.server().settings().get("DATABASE_URL"), proxy.address()),
                    "DB_CONNECT_TIMEOUT",
                    "1",
                    "DB_CONNECTION_TIMEOUT",
                    "5"));
            try (DataAccess store = PostgresTarget.open(settings)) {
                User user = store.createUser(NewUser.withExternalId("refusal-" + UUID.randomUUID()));
                proxy.refuse();
                long refusedUntil = System.nanoTime() + Duration.ofSeconds(12).toNanos();
                int calls = 0;
                while (System.nanoTime() < refusedUntil) {
                    long start = System.nanoTime();
                    Throwable thrown = catchThrowable(() -> store.getUser(user.id()));
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    assertThat(thrown)
                            .isInstanceOfAny(
                                    dev.dal.api.UnavailableException.class,
                                    dev.dal.api.TransientDataAccessException.class);
                    assertThat(took)
                            .as("a call while the server refuses: DB_CONNECT_TIMEOUT plus 1 s")
                            .isLessThan(Duration.ofSeconds(2));
                    calls++;
                    Thread.sleep(200);
                }
                proxy.heal();
                long healed = System.nanoTime();
                Duration recovered = null;
                while (recovered == null
                        && System.nanoTime() - healed < Duration.ofSeconds(10).toNanos()) {
                    try {
                        assertThat(store.getUser(user.id())).isPresent();
                        recovered = Duration.ofNanos(System.nanoTime() - healed);
                    } catch (dev.dal.api.UnavailableException | dev.dal.api.TransientDataAccessException e) {
                        Thread.sleep(20);
                    }
                }
                System.out.printf(
                        "refusal: %d calls failed in time; served again %d ms after it ended%n",
                        calls, recovered == null ? -1 : recovered.toMillis());
                // Hikari alone sleeps up to 5 s between failed attempts by then; the connector retries every 200 ms.
                assertThat(recovered)
                        .as("time to serve again after a 12 s refusal")
                        .isNotNull()
                        .isLessThan(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void aStoreOpenedWhileTheServerIsUnreachableChecksTheSchemaOnItsFirstConnection() throws Exception {
        String database = target.createDatabase("dal_late_check");
        try (FaultProxy proxy = proxy()) {
            Map<String, String> settings = new HashMap<>(target.hostSettings("127.0.0.1:" + proxy.port()));
            settings.put("DB_NAME", database);
            settings.put("DB_CONNECT_TIMEOUT", "1");
            settings.put("DB_CONNECTION_TIMEOUT", "2");
            proxy.refuse();
            try (DataAccess store =
                    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> PostgresTarget.open(settings))) {
                proxy.heal();
                Throwable thrown = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline) {
                    thrown =
                            catchThrowable(() -> store.createUser(NewUser.withExternalId("late-" + UUID.randomUUID())));
                    if (thrown instanceof ConfigurationException) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(thrown)
                        .as("the first call that reached the server")
                        .isInstanceOf(ConfigurationException.class)
                        .hasMessageContaining("DB_AUTO_MIGRATE")
                        .hasMessageContaining("no schema");
                assertNoDriverLeak(thrown);
            }
        } finally {
            target.dropDatabase(database);
        }
    }
}
