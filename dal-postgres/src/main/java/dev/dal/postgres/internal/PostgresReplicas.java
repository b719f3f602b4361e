package dev.dal.postgres.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the replicas {@code DB_READ_HOSTS} names: for each, whether it answers, whether it is a standby, and how
 * far its replay is behind the primary, in bytes of WAL and in seconds. While every replica answers as a standby
 * no more than {@code DB_MAX_REPLICA_LAG} behind, reads outside transactions go to the replicas; while one does
 * not, they go to the primary, so a replica that stopped or fell behind is never read from. A daemon thread checks
 * every few seconds (a quarter of the allowed lag, between 250 ms and 5 s); the health check reports its latest
 * findings, the primary and the replicas from the same check.
 *
 * <p>Each replica, and the primary (for its WAL position and which host it is on), is reached over a connection of
 * its own, outside the pools, with {@code DAL_HEALTH_TIMEOUT} as its connect and read timeouts.
 */
final class PostgresReplicas implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresReplicas.class);

    /** What one check of one replica found. */
    record ReplicaState(String host, String state, Long lagBytes, Double lagSeconds) {
        /** A replica that answers as a standby, within the allowed lag. */
        static final String STREAMING = "streaming";
        /** A replica that answers as a standby, further behind than the allowed lag. */
        static final String LAGGING = "lagging";
        /** A replica that answers but is not in recovery: promoted, or a primary named as a replica. */
        static final String NOT_A_STANDBY = "not a standby";
        /** A replica that did not answer. */
        static final String DOWN = "down";

        boolean usable() {
            return STREAMING.equals(state);
        }

        Map<String, Object> details() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("host", host);
            d.put("state", state);
            if (lagBytes != null) {
                d.put("lagBytes", lagBytes);
            }
            if (lagSeconds != null) {
                d.put("lagSeconds", lagSeconds);
            }
            return d;
        }
    }

    /**
     * What one check found.
     *
     * @param primaryHost the host ({@code host:port} as configured) the primary answered on, or {@code null}
     * @param replicas each replica's state, in {@code DB_READ_HOSTS} order
     * @param usable whether reads outside transactions may go to the replicas
     */
    record Findings(String primaryHost, List<ReplicaState> replicas, boolean usable) {}

    private final List<String> hosts;
    private final List<ProbeConnection> replicas;
    private final Duration maxLag;
    private final ScheduledExecutorService watcher;
    private final ProbeConnection primary;
    /** Per replica, since when it has been behind; guarded by {@code this}. */
    private final List<BehindSince> behind;
    /** Published whole, so a reader never pairs one check's primary with another check's replicas. */
    private volatile Findings latest;

    /**
     * Starts watching; the first check runs at once, on the watcher's thread.
     *
     * @param settings the store's settings, with at least one replica
     * @param timeout the connect and read timeout of each check's connections
     * @param logValues whether driver messages may carry values
     */
    PostgresReplicas(PostgresSettings settings, Duration timeout, boolean logValues) {
        this.maxLag = settings.maxReplicaLag();
        this.primary = probe(settings.jdbcUrl(), settings, timeout, logValues);
        this.hosts = settings.replicaUrls().stream()
                .map(u -> u.replaceFirst("^jdbc:postgresql://([^/]*).*$", "$1"))
                .toList();
        this.replicas = settings.replicaUrls().stream()
                .map(u -> probe(u, settings, timeout, logValues))
                .toList();
        this.behind = hosts.stream().map(h -> new BehindSince()).toList();
        this.latest = new Findings(
                null,
                hosts.stream()
                        .map(h -> new ReplicaState(h, "unknown", null, null))
                        .toList(),
                true);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dal-postgres-replicas");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(250, Math.min(5_000, maxLag.toMillis() / 4));
        watcher.scheduleWithFixedDelay(this::checkQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    private static ProbeConnection probe(String url, PostgresSettings settings, Duration timeout, boolean logValues) {
        return new ProbeConnection(new PostgresConnector(
                url,
                settings.user(),
                settings.password(),
                timeout,
                timeout,
                timeout,
                "dal-replica-watch",
                logValues,
                false));
    }

    /** @return whether reads outside transactions may go to the replicas now */
    boolean usable() {
        return latest.usable();
    }

    /** @return what the latest check found, the primary and the replicas together */
    Findings latest() {
        return latest;
    }

    /** @return the allowed lag */
    Duration maxLag() {
        return maxLag;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.debug("Checking the replicas failed: {}", e.getClass().getSimpleName());
        }
    }

    /**
     * Checks every replica now.
     *
     * @return what each replica's check found
     */
    synchronized Findings check() {
        String[] primaryHost = new String[1];
        String primaryLsn = primaryLsn(primaryHost);
        List<ReplicaState> found = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            found.add(checkOne(hosts.get(i), replicas.get(i), primaryLsn, behind.get(i)));
        }
        boolean allUsable = found.stream().allMatch(ReplicaState::usable);
        if (allUsable != latest.usable()) {
            LOG.warn(
                    allUsable
                            ? "PostgreSQL replicas streaming again: reads outside transactions go to them"
                            : "A PostgreSQL replica is down, not a standby, or lags more than {}: reads go to the"
                                    + " primary",
                    maxLag);
        }
        latest = new Findings(primaryHost[0], List.copyOf(found), allUsable);
        return latest;
    }

    private ReplicaState checkOne(String host, ProbeConnection replica, String primaryLsn, BehindSince behind) {
        try {
            return replica.run(c -> {
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                                + " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                                + " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 END")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        behind.clear();
                        return new ReplicaState(host, ReplicaState.NOT_A_STANDBY, null, null);
                    }
                    String replayed = rs.getString(2);
                    double seconds = rs.getDouble(3);
                    Double sinceLastReplayedCommit = rs.wasNull() ? null : Math.max(0, seconds);
                    Long lagBytes = primaryLsn == null || replayed == null
                            ? null
                            : Math.max(0, lsn(primaryLsn) - lsn(replayed));
                    Double observed = primaryLsn == null || replayed == null
                            ? null
                            : behind.observe(lsn(replayed), lsn(primaryLsn), System.nanoTime());
                    Double lagSeconds = max(sinceLastReplayedCommit, observed);
                    boolean lagging = lagSeconds != null && lagSeconds * 1000 > maxLag.toMillis();
                    return new ReplicaState(
                            host, lagging ? ReplicaState.LAGGING : ReplicaState.STREAMING, lagBytes, lagSeconds);
                }
            });
        } catch (SQLException | RuntimeException e) {
            behind.clear();
            return new ReplicaState(host, ReplicaState.DOWN, null, null);
        }
    }

    private static Double max(Double a, Double b) {
        return a == null ? b : b == null ? a : Double.valueOf(Math.max(a, b));
    }

    /**
     * The watcher's own measure of a replica's lag, a lower bound that needs no timestamp from the replica: since
     * the first check that found the replica short of the primary's WAL position of that moment, until it has
     * replayed past that position. The replica's own measure, the age of the last commit it replayed, is unknown
     * while it has replayed none since it started, and reads zero while it has replayed all it received, even
     * when it receives nothing because its link to the primary is down; this one holds in both cases.
     */
    static final class BehindSince {
        private long target = -1;
        private long sinceNanos;

        /**
         * Takes one check's positions.
         *
         * @param replayed the replica's replay position
         * @param primary the primary's WAL position in the same check
         * @param nowNanos {@link System#nanoTime()} of the check
         * @return for how many seconds at least the replica has been behind
         */
        double observe(long replayed, long primary, long nowNanos) {
            if (replayed >= primary) {
                target = -1;
                return 0;
            }
            if (target < 0 || replayed >= target) {
                target = primary;
                sinceNanos = nowNanos;
            }
            return (nowNanos - sinceNanos) / 1e9;
        }

        void clear() {
            target = -1;
        }
    }

    /**
     * Asks the primary for its WAL position.
     *
     * @param host receives the host ({@code host:port} as configured) the primary answered on
     * @return the primary's current WAL position, or {@code null} when it does not answer
     */
    private String primaryLsn(String[] host) {
        try {
            return primary.run(c -> {
                host[0] = c.unwrap(org.postgresql.core.BaseConnection.class)
                        .getQueryExecutor()
                        .getHostSpec()
                        .toString();
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
        } catch (SQLException | RuntimeException e) {
            // The class and state only, as the other probes log: a server message is not this log's to repeat.
            LOG.debug(
                    "The primary did not answer the replica check: {} (SQLSTATE {})",
                    e.getClass().getSimpleName(),
                    e instanceof SQLException sql ? sql.getSQLState() : null);
            host[0] = null;
            return null;
        }
    }

    /** @return a WAL position ({@code X/Y}, hexadecimal halves) as a byte offset */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    @Override
    public synchronized void close() {
        watcher.shutdownNow();
        replicas.forEach(ProbeConnection::close);
        primary.close();
    }
}
