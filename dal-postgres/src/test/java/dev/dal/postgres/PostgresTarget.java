package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.test.postgres.PostgresTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the test server is, taken apart (host, port, database, credentials) for tests that build
 * their own settings ({@code DB_HOST} lists, URL parameters, scratch databases), and the checks
 * those tests share.
 */
final class PostgresTarget {
    private final PostgresTestServer server;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final String databaseUrl;

    private PostgresTarget(PostgresTestServer server) {
        this.server = server;
        Map<String, String> settings = server.settings();
        this.databaseUrl = settings.get("DATABASE_URL");
        URI uri = URI.create(databaseUrl.startsWith("jdbc:") ? databaseUrl.substring("jdbc:".length()) : databaseUrl);
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        this.database = path.startsWith("/") && path.length() > 1 ? path.substring(1) : "postgres";
        String[] info =
                uri.getUserInfo() == null ? new String[0] : uri.getUserInfo().split(":", 2);
        this.user = settings.containsKey("DB_USER") ? settings.get("DB_USER") : info.length > 0 ? info[0] : null;
        this.password = info.length > 1 ? info[1] : null;
    }

    static PostgresTarget get() {
        return new PostgresTarget(PostgresTestServer.get());
    }

    PostgresTestServer server() {
        return server;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String database() {
        return database;
    }

    /** @return the server's settings plus (or overridden by) the given ones */
    Map<String, String> settingsWith(Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>(server.settings());
        settings.putAll(extra);
        return settings;
    }

    /** @return settings that reach the server through {@code DB_HOST} (a list), without a {@code DATABASE_URL} */
    Map<String, String> hostSettings(String dbHost) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("DATA_STORAGE_TYPE", "postgresql");
        settings.put("DB_HOST", dbHost);
        settings.put("DB_NAME", database);
        if (user != null) {
            settings.put("DB_USER", user);
        }
        if (password != null) {
            settings.put("DB_PASSWORD", password);
        }
        return settings;
    }

    /** @return the server's {@code DATABASE_URL} with extra query parameters (already URL-encoded) */
    String databaseUrlWith(String parameters) {
        return databaseUrl + (databaseUrl.contains("?") ? "&" : "?") + parameters;
    }

    /**
     * @param databaseUrl a {@code jdbc:postgresql:} or {@code postgresql://} URL
     * @param via the address to connect to instead (a fault proxy)
     * @return the same URL with its host and port replaced by {@code via}'s
     */
    static String urlVia(String databaseUrl, java.net.InetSocketAddress via) {
        return databaseUrl.replaceFirst("//([^@/?]*@)?[^/?]+", "//$1" + via.getHostString() + ":" + via.getPort());
    }

    /** @return a store opened through the public factory */
    static DataAccess open(Map<String, String> settings) {
        return DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider());
    }

    /** @return a TCP port on this machine that nothing listens on (just closed) */
    static int unusedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the name of a new, empty database on the server */
    String createDatabase(String prefix) throws SQLException {
        String name =
                prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    void dropDatabase(String name) throws SQLException {
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /** @return an unpooled data source on one database of the server */
    PGSimpleDataSource dataSource(String databaseName) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(databaseName);
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        ds.setApplicationName("dal-test-admin");
        return ds;
    }

    /**
     * Asserts that an exception and every cause carry no driver, pool or migration-library type and
     * no driver text (class names, the server's {@code ERROR:}/{@code FATAL:} prefixes). A
     * {@link SanitizedCause} may name the driver's exception class (that is what it is for), but its
     * message is that class name and an optional code only.
     */
    static void assertNoDriverLeak(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            assertThat(t.getSuppressed())
                    .as("suppressed exceptions of %s", type)
                    .isEmpty();
            if (t instanceof SanitizedCause sanitized) {
                assertThat(t.getMessage())
                        .as("message of a sanitized cause")
                        .matches(Pattern.quote(sanitized.originalClass()) + "( \\(SQLSTATE [0-9A-Z]{5}\\))?");
                continue;
            }
            assertThat(type)
                    .as("exception type in the chain of %s", thrown)
                    .doesNotStartWith("org.postgresql")
                    .doesNotStartWith("com.zaxxer")
                    .doesNotStartWith("org.jdbi")
                    .doesNotStartWith("liquibase")
                    .doesNotStartWith("java.sql");
            String message = String.valueOf(t.getMessage());
            assertThat(message)
                    .as("message of %s", type)
                    .doesNotContain("org.postgresql")
                    .doesNotContain("PSQLException")
                    .doesNotContain("com.zaxxer")
                    .doesNotContain("HikariPool")
                    .doesNotContain("ERROR:")
                    .doesNotContain("FATAL:");
        }
    }

    /** Asserts that a text does not contain a secret, in any case. */
    static void assertNoSecret(String text, String secret) {
        assertThat(String.valueOf(text).toLowerCase(Locale.ROOT)).doesNotContain(secret.toLowerCase(Locale.ROOT));
    }
}
