package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A server of its own is stopped and started again on the same port and data: while it is down,
 * calls fail in time with the table's exceptions and health says DOWN; once it accepts connections
 * again, the same store serves within a second.
 */
class PostgresRestartTest {

    @Test
    void theSameStoreServesWithinASecondOfTheServerBeingBack() throws Exception {
        Path data = Files.createTempDirectory("dal-pg-restart");
        int port = PostgresTarget.unusedPort();
        EmbeddedPostgres server = start(data, port);
        try {
            Map<String, String> settings = Map.of(
                    "DATA_STORAGE_TYPE",
                    "postgresql",
                    "DATABASE_URL",
                    "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                    "DB_USER",
                    "postgres",
                    "DB_AUTO_MIGRATE",
                    "true",
                    "DB_CONNECT_TIMEOUT",
                    "1",
                    "DB_CONNECTION_TIMEOUT",
                    "5",
                    "DAL_HEALTH_TIMEOUT",
                    "1");
            try (DataAccess store = PostgresTarget.open(settings)) {
                User user = store.createUser(NewUser.withExternalId("restart"));

                server.close();
                for (int i = 0; i < 3; i++) {
                    long start = System.nanoTime();
                    Throwable thrown = catchThrowable(() -> store.getUser(user.id()));
                    assertThat(thrown).isInstanceOfAny(UnavailableException.class, TransientDataAccessException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - start))
                            .as("a call while the server is down")
                            .isLessThan(Duration.ofSeconds(2));
                }
                assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.DOWN);
                Thread.sleep(3_000);

                server = start(data, port);
                long ready = awaitAccepting(port);
                Duration recovered = null;
                while (recovered == null
                        && System.nanoTime() - ready < Duration.ofSeconds(10).toNanos()) {
                    try {
                        assertThat(store.getUser(user.id())).contains(user);
                        recovered = Duration.ofNanos(System.nanoTime() - ready);
                    } catch (UnavailableException | TransientDataAccessException e) {
                        Thread.sleep(20);
                    }
                }
                System.out.printf(
                        "restart: served again %d ms after the server accepted connections%n",
                        recovered == null ? -1 : recovered.toMillis());
                assertThat(recovered)
                        .as("time to serve after the restart")
                        .isNotNull()
                        .isLessThan(Duration.ofSeconds(1));
                assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
            }
        } finally {
            server.close();
        }
    }

    private static EmbeddedPostgres start(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(port)
                .start();
    }

    /** @return when a plain connection first succeeded (System.nanoTime) */
    private static long awaitAccepting(int port) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "1");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props)
                        .close();
                return System.nanoTime();
            } catch (SQLException e) {
                Thread.sleep(10);
            }
        }
        throw new AssertionError("the restarted server never accepted a connection");
    }
}
