package dev.dal.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import dev.dal.api.DalConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The store's handle on PostgreSQL: the connection pool (and the replicas' pool, when configured) and
 * the Jdbi on top of it, through which every call runs, with every wait bounded:
 * <ul>
 *   <li>opening a connection: {@code DB_CONNECT_TIMEOUT} (TCP connect and login);</li>
 *   <li>waiting for a pooled connection: {@code DB_CONNECTION_TIMEOUT};</li>
 *   <li>one statement on the server: {@code statement_timeout} = {@code DB_QUERY_TIMEOUT} (the server
 *       cancels it, nothing is committed); a silent network: the socket's read timeout, a little above
 *       {@code DB_QUERY_TIMEOUT} so the server's cancel arrives first when the server is there;</li>
 *   <li>checking an idle connection before it is handed out: Hikari's {@code validationTimeout}.</li>
 * </ul>
 * Hikari evicts a connection that failed with a connection error (SQLSTATE class 08, 57P01–57P03), so
 * a broken connection is never handed out again.
 */
final class PostgresConnection implements AutoCloseable {
    /** How long after {@code DB_QUERY_TIMEOUT} the client gives up on a silent socket. */
    static final Duration SOCKET_MARGIN = Duration.ofMillis(500);
    /** How long one slice of a caller's wait for the pool lasts. */
    private static final long BORROW_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final HikariDataSource readPool;
    private final Jdbi readJdbi;
    private final PostgresSettings settings;
    private final DalConfig config;
    private final PostgresConnector connector;
    private final PostgresConnector readConnector;
    private final PostgresReplicas replicas;

    PostgresConnection(DalConfig config, PostgresSettings settings) {
        this.config = config;
        this.settings = settings;
        PostgresDriverLogging.apply(config.logValues());
        this.connector = connector(config, settings.jdbcUrl(), settings, "dal", true);
        this.pool = pool(config, connector, "dal-postgres", false);
        this.jdbi = jdbi(pool, connector, config);
        this.readConnector = settings.readJdbcUrl() == null
                ? null
                : connector(config, settings.readJdbcUrl(), settings, "dal-read", true);
        this.readPool = readConnector == null ? null : pool(config, readConnector, "dal-postgres-read", true);
        this.readJdbi = readPool == null ? jdbi : jdbi(readPool, readConnector, config);
        this.replicas =
                readPool == null ? null : new PostgresReplicas(settings, config.healthTimeout(), config.logValues());
    }

    private static Jdbi jdbi(HikariDataSource source, PostgresConnector connector, DalConfig config) {
        long fastFail = fastFailMillis(source, config);
        Jdbi jdbi = Jdbi.create(() -> borrow(source, connector, fastFail));
        if (!config.logValues()) {
            // Jdbi's default puts the statement and its bound arguments into exception messages.
            jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        }
        return jdbi;
    }

    /** @return a connector for the store's own connections, with the store's deadlines */
    static PostgresConnector connector(
            DalConfig config, String url, PostgresSettings settings, String applicationName) {
        return connector(config, url, settings, applicationName, false);
    }

    private static PostgresConnector connector(
            DalConfig config, String url, PostgresSettings settings, String applicationName, boolean persistent) {
        return new PostgresConnector(
                url,
                settings.user(),
                settings.password(),
                config.connectTimeout(),
                config.queryTimeout().plus(SOCKET_MARGIN),
                config.queryTimeout(),
                applicationName,
                config.logValues(),
                persistent);
    }

    /**
     * A pooled connection. While the server cannot be reached or turns the store away (the latest
     * attempts to connect were refused, timed out, or rejected the credentials or the database, none
     * succeeded since) and no idle connection is left, a caller waits at
     * most {@code DB_CONNECT_TIMEOUT} for the pool instead of the whole {@code DB_CONNECTION_TIMEOUT}:
     * the pool keeps trying in the background, and callers learn of the outage in connect time.
     */
    private static Connection borrow(HikariDataSource source, PostgresConnector connector, long fastFailMillis)
            throws SQLException {
        if (!(source.getHikariPoolMXBean() instanceof HikariPool hikari)) {
            return source.getConnection();
        }
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(source.getConnectionTimeout());
        long fastDeadline = start + TimeUnit.MILLISECONDS.toNanos(fastFailMillis);
        // Waits in slices, so a caller that began waiting before connecting started to fail learns of it too.
        while (true) {
            long now = System.nanoTime();
            boolean failing = connector.unreachable() && hikari.getIdleConnections() == 0;
            long end = failing ? Math.min(deadline, fastDeadline) : deadline;
            long slice = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(end - now, BORROW_SLICE_NANOS)));
            try {
                return hikari.getConnection(slice);
            } catch (java.sql.SQLTransientConnectionException timedOut) {
                now = System.nanoTime();
                failing = connector.unreachable() && hikari.getIdleConnections() == 0;
                if (now >= deadline || failing && now >= fastDeadline) {
                    throw timedOut;
                }
            }
        }
    }

    /**
     * @return a connection of the primary pool, borrowed as the store's calls borrow them (the wait
     *     shortened while connecting fails)
     * @throws SQLException when none came in time
     */
    Connection connection() throws SQLException {
        return borrow(pool, connector, fastFailMillis(pool, config));
    }

    private static long fastFailMillis(HikariDataSource source, DalConfig config) {
        return Math.max(
                250,
                Math.min(source.getConnectionTimeout(), config.connectTimeout().toMillis()));
    }

    /** The server could not be reached when the store opened: callers need not wait for the pool. */
    void markUnreachable() {
        connector.markUnreachable();
        if (readConnector != null) {
            readConnector.markUnreachable();
        }
    }

    private static HikariDataSource pool(DalConfig config, PostgresConnector connector, String name, boolean readOnly) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setReadOnly(readOnly);
        hikari.setDataSource(connector);
        hikari.setMaximumPoolSize(config.maxConnections());
        hikari.setMinimumIdle(Math.min(2, config.maxConnections()));
        long connectionTimeout = Math.max(250, config.connectionTimeout().toMillis());
        hikari.setConnectionTimeout(connectionTimeout);
        hikari.setIdleTimeout(Math.max(10_000, config.idleTimeout().toMillis()));
        long maxLifetime = Math.max(30_000, config.maxLifetime().toMillis());
        hikari.setMaxLifetime(maxLifetime);
        // The check of an idle connection before it is handed out: short, so a dead one costs little
        // of the caller's DB_CONNECTION_TIMEOUT (Hikari wants it below the connection timeout).
        hikari.setValidationTimeout(Math.max(
                250,
                Math.min(
                        1_000,
                        Math.min(connectionTimeout / 4, config.connectTimeout().toMillis()))));
        // Said, not detected: Hikari detects the default once, on its first connection, and if that
        // connection breaks during the detection it keeps "-1" and fails every later connection.
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // Idle connections are pinged, so one a firewall or a restart dropped is found before a caller gets it.
        if (maxLifetime > 60_000) {
            hikari.setKeepaliveTime(60_000);
        }
        // Open lazily: a store whose server is down still opens, reports DOWN, and recovers.
        hikari.setInitializationFailTimeout(-1);
        return new HikariDataSource(hikari);
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /**
     * @return the Jdbi for reads outside transactions: the replicas' when configured and every one streams
     *     within {@code DB_MAX_REPLICA_LAG}, else the primary's
     */
    Jdbi readJdbi() {
        return replicas == null || replicas.usable() ? readJdbi : jdbi;
    }

    /** @return the replicas' watcher, or {@code null} without {@code DB_READ_HOSTS} */
    PostgresReplicas replicas() {
        return replicas;
    }

    HikariDataSource dataSource() {
        return pool;
    }

    PostgresSettings settings() {
        return settings;
    }

    DalConfig config() {
        return config;
    }

    /**
     * One connection broke (a reset, a server restart, an administrator): the others opened over the
     * same path most likely broke with it. Closes the idle ones now and the busy ones when they are
     * returned, so no caller is handed a connection that is already dead.
     */
    void evictPooled() {
        evict(pool);
        if (readPool != null) {
            evict(readPool);
        }
    }

    private static void evict(HikariDataSource source) {
        HikariPoolMXBean bean = source.getHikariPoolMXBean();
        if (bean != null) {
            bean.softEvictConnections();
        }
    }

    /** @return whether every connection of the primary pool is busy and callers are waiting for one */
    boolean saturated() {
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        return bean != null
                && bean.getActiveConnections() >= pool.getMaximumPoolSize()
                && bean.getThreadsAwaitingConnection() > 0;
    }

    Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        putFigures(figures, "pool", pool);
        if (readPool != null) {
            putFigures(figures, "readPool", readPool);
        }
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        int active = bean == null ? 0 : bean.getActiveConnections();
        figures.put(
                "poolUtilizationPercent", (int) Math.round(100.0 * active / Math.max(1, pool.getMaximumPoolSize())));
        return figures;
    }

    /** @return the write pool's figures as HikariCP reports them (zeros before the pool has started) */
    dev.dal.api.spi.PoolFigures poolReading() {
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        return bean == null
                ? new dev.dal.api.spi.PoolFigures(0, 0, 0, pool.getMaximumPoolSize())
                : new dev.dal.api.spi.PoolFigures(
                        bean.getActiveConnections(),
                        bean.getIdleConnections(),
                        bean.getThreadsAwaitingConnection(),
                        pool.getMaximumPoolSize());
    }

    private static void putFigures(Map<String, Object> figures, String prefix, HikariDataSource source) {
        HikariPoolMXBean bean = source.getHikariPoolMXBean();
        if (bean != null) {
            figures.put(prefix + "Active", bean.getActiveConnections());
            figures.put(prefix + "Idle", bean.getIdleConnections());
            figures.put(prefix + "Waiting", bean.getThreadsAwaitingConnection());
            figures.put(prefix + "Total", bean.getTotalConnections());
        }
        figures.put(prefix + "Max", source.getMaximumPoolSize());
    }

    /**
     * @param failure what borrowing a connection threw
     * @return the connector's latest failure to connect when the failure is a pool timeout that does not
     *     name one (the connector was still retrying), else the failure itself
     */
    Throwable explain(Throwable failure) {
        SQLException connect = connector.lastFailure();
        if (connect == null || !connector.unreachable()) {
            return failure;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    && !(t instanceof org.postgresql.util.PSQLException)) {
                return hasSql(t.getCause()) ? failure : connect;
            }
        }
        return failure;
    }

    private static boolean hasSql(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (replicas != null) {
            replicas.close();
        }
        connector.close();
        if (readConnector != null) {
            readConnector.close();
        }
        pool.close();
        if (readPool != null) {
            readPool.close();
        }
    }
}
