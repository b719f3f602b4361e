package dev.dal.postgres.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.HealthStatus;
import dev.dal.api.spi.HealthReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The PostgreSQL store's health check. It probes over a connection of its own, outside the pool, so a
 * health check never queues behind application calls. The connection is opened on first use with
 * connect and read timeouts of {@code DAL_HEALTH_TIMEOUT}, reused, and reopened after it broke. The
 * probe runs on a thread of its own and the caller waits at most {@code DAL_HEALTH_TIMEOUT} for it;
 * callers that arrive while a probe is under way share its answer instead of starting another.
 */
final class PostgresHealth implements AutoCloseable {
    private final PostgresConnection db;
    private final PostgresConnector connector;
    private final Duration timeout;
    private final ExecutorService thread;
    private volatile Connection connection;
    private volatile boolean closed;
    private Future<String> inFlight;

    /** @param db the store's pools, whose settings the probe connects with and whose figures it reports */
    PostgresHealth(PostgresConnection db) {
        this.db = db;
        DalConfig config = db.config();
        this.timeout = config.healthTimeout();
        this.connector = new PostgresConnector(
                db.settings().jdbcUrl(),
                db.settings().user(),
                db.settings().password(),
                timeout,
                timeout,
                timeout,
                "dal-health",
                config.logValues(),
                false);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dal-postgres-health");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Probes the server within {@code DAL_HEALTH_TIMEOUT}: DOWN when the server did not answer in time
     * or failed; DEGRADED when it answered but every pooled connection is busy and callers are waiting,
     * or a replica of {@code DB_READ_HOSTS} is down, not a standby, or further behind than
     * {@code DB_MAX_REPLICA_LAG} (reads then go to the primary); else UP. Details: the server's version,
     * the pools' figures and, with replicas, the host the primary is on ({@code primaryHost}) and each
     * replica's {@code host}, {@code state} and replay lag ({@code lagBytes}, {@code lagSeconds}) as the
     * replicas' watcher last found them.
     *
     * @return the store's health
     */
    HealthStatus check() {
        HealthReport report = HealthReport.begin("postgresql", "PostgreSQL");
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            String version = probe();
            details.put("serverVersion", version);
            details.putAll(db.poolFigures());
            List<String> problems = new ArrayList<>();
            if (db.saturated()) {
                problems.add("Every pooled connection is busy and callers are waiting for one (raise "
                        + DalConfig.DB_MAX_CONNECTIONS + ")");
            }
            PostgresReplicas replicas = db.replicas();
            if (replicas != null) {
                PostgresReplicas.Findings found = replicas.latest();
                if (found.primaryHost() != null) {
                    // Unknown until the watcher's first probe of the primary answers.
                    details.put("primaryHost", found.primaryHost());
                }
                List<Map<String, Object>> each = new ArrayList<>();
                for (PostgresReplicas.ReplicaState r : found.replicas()) {
                    each.add(r.details());
                    if (!r.usable()) {
                        problems.add("Replica " + r.host() + " is " + r.state()
                                + (r.state().equals(PostgresReplicas.ReplicaState.LAGGING)
                                        ? " (more than " + PostgresSettings.DB_MAX_REPLICA_LAG.name() + " = "
                                                + replicas.maxLag().toMillis() + " ms)"
                                        : "")
                                + "; reads go to the primary");
                    }
                }
                details.put("replicas", each);
            }
            return report.answered(details, problems);
        } catch (TimeoutException e) {
            details.putAll(db.poolFigures());
            return report.down(details, report.noAnswer(timeout));
        } catch (SQLException | RuntimeException e) {
            details.putAll(db.poolFigures());
            return report.down(
                    details, PostgresErrors.connecting("healthCheck", e).getMessage());
        }
    }

    /**
     * @return the server's version
     * @throws SQLException when the server answered with an error or the connection failed
     * @throws TimeoutException when no answer came within the health timeout
     */
    private String probe() throws SQLException, TimeoutException {
        Future<String> probe;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = thread.submit(this::probeOnce);
            }
            probe = inFlight;
        }
        try {
            return probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("health probe failed", "08006", e.getCause());
        }
    }

    private String probeOnce() throws SQLException {
        Connection c = connection;
        try {
            if (c == null || c.isClosed()) {
                c = connector.getConnection();
                connection = c;
                if (closed) {
                    throw new SQLException("the store is closed", "08003");
                }
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT current_setting('server_version')")) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            connection = null;
            throw e;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // broken already; nothing to release
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        closeQuietly(connection);
        connection = null;
    }
}
