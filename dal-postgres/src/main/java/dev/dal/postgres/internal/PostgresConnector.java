package dev.dal.postgres.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Opens PostgreSQL connections with every wait bounded: the TCP connect and the login by
 * {@code connectTimeout}/{@code loginTimeout}, every later read of the socket by a network timeout
 * set in milliseconds on the connection (pgjdbc's own {@code socketTimeout} counts whole seconds,
 * too coarse for a deadline of one or two seconds; it is set too, rounded up, as a backstop during
 * the login). TCP keepalive is on. The server's {@code statement_timeout} is passed in the startup
 * packet ({@code options}), so no extra round trip is needed. Values come from configuration only,
 * never from users.
 *
 * <p>Unless values may be logged, pgjdbc is told not to put the server's DETAIL (which quotes the
 * values behind a constraint violation) or a failed batch entry's statement into its messages.
 */
final class PostgresConnector implements DataSource {
    private final Driver driver = new org.postgresql.Driver();
    private final String url;
    private final Properties properties;
    private final int networkTimeoutMillis;
    /**
     * Failures to connect that a long wait for the pool does not cure: refused, timed out, the server
     * starting up (57P03), credentials, database.
     */
    private static final java.util.Set<String> CONNECT_FAILURES =
            java.util.Set.of("08001", "08004", "57P03", "28P01", "28000", "3D000");
    /** Failures a pool's connector retries by itself for a while: refused, unroutable, timed out, starting up. */
    private static final java.util.Set<String> UNREACHABLE = java.util.Set.of("08001", "08004", "57P03");
    /** How long a pool's connector keeps trying before it reports the failure to the pool. */
    private static final Duration PERSIST = Duration.ofSeconds(30);
    /** How often a pool's connector tries a server it cannot reach. */
    private static final Duration RETRY_INTERVAL = Duration.ofMillis(200);

    private final boolean persistent;
    private volatile boolean closed;
    private volatile SQLException lastFailure;
    /** When the latest attempts began to fail as unreachable (System.nanoTime), or 0 while connecting works. */
    private final java.util.concurrent.atomic.AtomicLong unreachableSince =
            new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param url the JDBC URL, without credentials
     * @param user the user, or {@code null}
     * @param password the password, or {@code null}
     * @param connectTimeout bound on the TCP connect and on the whole login
     * @param networkTimeout bound on every read of the socket once connected
     * @param statementTimeout the server's {@code statement_timeout}, or {@code null} to leave it alone
     * @param applicationName how the connections appear in {@code pg_stat_activity}
     * @param logValues whether driver messages may carry values (DAL_LOG_VALUES)
     * @param persistent whether a failure to reach the server is retried for a while before it is
     *     reported (a pool's connector), or reported at once (the open check, the health probe)
     */
    PostgresConnector(
            String url,
            String user,
            String password,
            Duration connectTimeout,
            Duration networkTimeout,
            Duration statementTimeout,
            String applicationName,
            boolean logValues,
            boolean persistent) {
        this.url = url;
        this.persistent = persistent;
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, networkTimeout.toMillis()));
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", String.valueOf(wholeSeconds(connectTimeout)));
        p.setProperty("loginTimeout", String.valueOf(wholeSeconds(connectTimeout)));
        p.setProperty("socketTimeout", String.valueOf(wholeSeconds(networkTimeout)));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("logServerErrorDetail", String.valueOf(logValues));
        p.setProperty("ApplicationName", applicationName);
        // Batched inserts become multi-row INSERTs: the bulk path's speed depends on it.
        p.setProperty("reWriteBatchedInserts", "true");
        if (statementTimeout != null) {
            p.setProperty("options", "-c statement_timeout=" + Math.max(1, statementTimeout.toMillis()));
        }
        this.properties = p;
    }

    private static int wholeSeconds(Duration d) {
        long millis = Math.max(1, d.toMillis());
        return (int) Math.min(Integer.MAX_VALUE / 1000, (millis + 999) / 1000);
    }

    /** @return the network timeout every connection gets, in milliseconds */
    int networkTimeoutMillis() {
        return networkTimeoutMillis;
    }

    @Override
    public Connection getConnection() throws SQLException {
        long deadline = System.nanoTime() + PERSIST.toNanos();
        while (true) {
            try {
                Connection connection = connectOnce();
                unreachableSince.set(0);
                lastFailure = null;
                return connection;
            } catch (SQLException e) {
                if (CONNECT_FAILURES.contains(e.getSQLState())) {
                    markUnreachable();
                    lastFailure = e;
                }
                // A pool's connector keeps trying a server it cannot reach every RETRY_INTERVAL, so the
                // pool has a connection as soon as the server is back (Hikari's own backoff between
                // failed attempts grows to 5 s).
                if (!persistent || closed || !UNREACHABLE.contains(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(RETRY_INTERVAL.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Connection connectOnce() throws SQLException {
        // Parameters in the URL win over these properties (pgjdbc's rule), so a user's own URL choice stands.
        Connection connection = driver.connect(url, properties);
        if (connection == null) {
            throw new SQLException("Not a PostgreSQL JDBC URL", "08001");
        }
        try {
            connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** Stops a pool's connector from trying again: the pool is closing. */
    void close() {
        closed = true;
    }

    /** @return the latest failure to connect, while connecting fails; else {@code null} */
    SQLException lastFailure() {
        return lastFailure;
    }

    /**
     * Records that connecting fails: the server could not be reached (refused, unroutable, connect or
     * login timed out) or turned the store away (credentials, unknown database).
     */
    void markUnreachable() {
        unreachableSince.compareAndSet(0, Math.max(1, System.nanoTime()));
    }

    /** @return whether the latest connection attempts failed so and none succeeded since */
    boolean unreachable() {
        return unreachableSince.get() != 0;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials come from the store's settings");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no log writer: the driver logs through java.util.logging
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the login timeout comes from DB_CONNECT_TIMEOUT
    }

    @Override
    public int getLoginTimeout() {
        return Integer.parseInt(properties.getProperty("loginTimeout"));
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "PostgresConnector";
    }
}
