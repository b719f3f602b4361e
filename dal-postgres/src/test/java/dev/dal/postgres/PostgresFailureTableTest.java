package dev.dal.postgres;

import static dev.dal.postgres.PostgresTarget.assertNoDriverLeak;
import static dev.dal.postgres.PostgresTarget.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.spi.SchemaMigrator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The failure table at the edges of a store's life, against the real server: rejected credentials,
 * an unknown database, a port nobody listens on, and a schema that is not current, each with the
 * table's exception, in time, and with no password in any message.
 */
class PostgresFailureTableTest {
    private static final String SECRET = "Wr0ng-s3cr3t-pw";
    private final PostgresTarget target = PostgresTarget.get();

    private static void assertNoSecretInChain(Throwable thrown, String secret) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertNoSecret(t.toString(), secret);
        }
    }

    @Test
    void rejectedCredentialsAreAConfigurationErrorNamingTheUserSettingNeverThePassword() throws Exception {
        String role =
                "dal_auth_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String right = "Right-" + UUID.randomUUID();
        try (Connection admin = target.server().connect();
                Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + right + "'");
        }
        Path hba = null;
        String original = null;
        try {
            hba = hbaFile();
            if (hba != null) {
                // The embedded server trusts every local connection: make it ask this one role for a password.
                original = Files.readString(hba, StandardCharsets.UTF_8);
                Files.writeString(
                        hba,
                        "host all " + role + " 127.0.0.1/32 scram-sha-256\nhost all " + role
                                + " ::1/128 scram-sha-256\n" + original,
                        StandardCharsets.UTF_8);
                reloadAndAwaitPasswordsChecked(role);
            }
            Map<String, String> settings = new HashMap<>(target.hostSettings("127.0.0.1:" + target.port()));
            settings.put("DB_USER", role);
            settings.put("DB_PASSWORD", SECRET);
            settings.put("DB_CONNECT_TIMEOUT", "2");
            long start = System.nanoTime();
            Throwable thrown = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> catchThrowable(() -> PostgresTarget.open(settings).close()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("DB_USER")
                    .hasMessageContaining("credentials");
            assertThat(took).as("refused at open, within DB_CONNECT_TIMEOUT").isLessThan(Duration.ofSeconds(3));
            assertNoDriverLeak(thrown);
            assertNoSecretInChain(thrown, SECRET);
            assertThat(thrown.getCause()).hasMessageContaining("28P01");
        } finally {
            if (hba != null && original != null) {
                Files.writeString(hba, original, StandardCharsets.UTF_8);
            }
            try (Connection admin = target.server().connect();
                    Statement st = admin.createStatement()) {
                st.execute("SELECT pg_reload_conf()");
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    /** @return the server's pg_hba.conf when this machine can edit it, else {@code null} (an external server) */
    private Path hbaFile() throws SQLException {
        try (Connection admin = target.server().connect();
                Statement st = admin.createStatement();
                ResultSet rs = st.executeQuery("SHOW hba_file")) {
            rs.next();
            Path file = Path.of(rs.getString(1));
            return Files.isWritable(file) ? file : null;
        }
    }

    /** Reloads the server's configuration and waits until it asks the role for its password. */
    private void reloadAndAwaitPasswordsChecked(String role) throws Exception {
        try (Connection admin = target.server().connect();
                Statement st = admin.createStatement()) {
            st.execute("SELECT pg_reload_conf()");
        }
        Properties wrong = new Properties();
        wrong.setProperty("user", role);
        wrong.setProperty("password", "not-the-password");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                DriverManager.getConnection(
                                "jdbc:postgresql://127.0.0.1:" + target.port() + "/" + target.database(), wrong)
                        .close();
                Thread.sleep(50); // the reload has not landed yet
            } catch (SQLException e) {
                if ("28P01".equals(e.getSQLState())) {
                    return;
                }
                throw e;
            }
        }
        throw new AssertionError("the server never started asking " + role + " for a password");
    }

    @Test
    void anUnknownDatabaseIsAConfigurationErrorAtOpen() {
        Map<String, String> settings = new HashMap<>(target.hostSettings("127.0.0.1:" + target.port()));
        settings.put(
                "DB_NAME",
                "dal_no_such_database_"
                        + UUID.randomUUID().toString().substring(0, 8).replace("-", ""));
        settings.put("DB_CONNECT_TIMEOUT", "2");
        Throwable thrown = assertTimeoutPreemptively(
                Duration.ofSeconds(5),
                () -> catchThrowable(() -> PostgresTarget.open(settings).close()));
        assertThat(thrown).isInstanceOf(ConfigurationException.class).hasMessageContaining("DB_NAME");
        assertThat(thrown.getCause()).hasMessageContaining("3D000");
        assertNoDriverLeak(thrown);
    }

    @Test
    void aPortNobodyListensOnIsUnavailableWithinTheDeadlines() {
        int port = PostgresTarget.unusedPort();
        Map<String, String> settings = new HashMap<>(Map.of(
                "DATA_STORAGE_TYPE",
                "postgresql",
                "DB_HOST",
                "127.0.0.1:" + port,
                "DB_NAME",
                "postgres",
                "DB_USER",
                "postgres",
                "DB_PASSWORD",
                SECRET,
                "DB_CONNECT_TIMEOUT",
                "1",
                "DAL_HEALTH_TIMEOUT",
                "1"));
        // DB_CONNECTION_TIMEOUT stays at its 30 s: once the store knows the server cannot be reached, a
        // caller waits for the pool no longer than DB_CONNECT_TIMEOUT.
        // The store opens (it recovers by itself once the server is there) and reports DOWN.
        try (DataAccess store = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> PostgresTarget.open(settings))) {
            long start = System.nanoTime();
            Throwable thrown = assertTimeoutPreemptively(
                    Duration.ofSeconds(5),
                    () -> catchThrowable(() -> store.createUser(NewUser.withExternalId("refused"))));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thrown)
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("cannot be reached")
                    .hasMessageContaining("DB_CONNECT_TIMEOUT");
            assertThat(took).as("DB_CONNECT_TIMEOUT plus 1 s").isLessThan(Duration.ofSeconds(2));
            Throwable again = assertTimeoutPreemptively(
                    Duration.ofSeconds(5), () -> catchThrowable(() -> store.getUser(UUID.randomUUID())));
            assertThat(again).isInstanceOf(UnavailableException.class);
            assertNoDriverLeak(thrown);
            assertNoSecretInChain(thrown, SECRET);

            HealthStatus health = assertTimeoutPreemptively(Duration.ofSeconds(3), store::healthCheck);
            assertThat(health.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(health.latency()).as("DAL_HEALTH_TIMEOUT plus 1 s").isLessThan(Duration.ofSeconds(2));
            assertNoSecret(health.toString(), SECRET);
        }
    }

    @Test
    void aSchemaThatIsNotCurrentIsRefusedAtOpenNamingTheWayOut() throws Exception {
        String database = target.createDatabase("dal_schema_check");
        try {
            Map<String, String> settings = new HashMap<>(target.hostSettings("127.0.0.1:" + target.port()));
            settings.put("DB_NAME", database);

            // An empty database.
            Throwable empty = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> catchThrowable(() -> PostgresTarget.open(settings).close()));
            assertThat(empty)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("DB_AUTO_MIGRATE")
                    .hasMessageContaining("dal schema migrate")
                    .hasMessageContaining("no schema");
            assertNoDriverLeak(empty);

            // One changeset behind.
            try (SchemaMigrator migrator =
                    DataAccessFactory.provider("postgresql").schemaMigrator(DalConfig.fromMap(settings))) {
                migrator.migrate();
                migrator.rollback("004-user-memory");
            }
            Throwable behind =
                    catchThrowable(() -> PostgresTarget.open(settings).close());
            assertThat(behind)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("DB_AUTO_MIGRATE")
                    .hasMessageContaining("4 of 11")
                    .hasMessageContaining("005-record-versions");

            // Current: the store opens and works.
            try (SchemaMigrator migrator =
                    DataAccessFactory.provider("postgresql").schemaMigrator(DalConfig.fromMap(settings))) {
                migrator.migrate();
            }
            try (DataAccess store = PostgresTarget.open(settings)) {
                assertThat(store.createUser(NewUser.withExternalId("schema-current")))
                        .isNotNull();
            }
        } finally {
            target.dropDatabase(database);
        }
    }
}
