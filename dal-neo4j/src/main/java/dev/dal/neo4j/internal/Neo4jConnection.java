package dev.dal.neo4j.internal;

import dev.dal.api.DataAccessException;
import dev.dal.api.spi.TransactionRetry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.neo4j.driver.AccessMode;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.BookmarkManager;
import org.neo4j.driver.BookmarkManagerConfig;
import org.neo4j.driver.BookmarkManagers;
import org.neo4j.driver.Config;
import org.neo4j.driver.ConnectionPoolMetrics;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Query;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.TransactionCallback;
import org.neo4j.driver.TransactionConfig;
import org.neo4j.driver.TransactionContext;
import org.neo4j.driver.Value;
import org.neo4j.driver.net.ServerAddress;

/**
 * The store's handle on the server: the driver, configured from {@link Neo4jSettings}, and bounded
 * calls on it. Every session shares one bookmark manager, so a read always sees the writes this
 * store committed before it, also on a cluster.
 *
 * <p>Calls run in explicit transactions (begin, work, commit), never the driver's transaction
 * functions, so no driver retry runs, also on an application's driver; a driver this connection
 * creates has its retry time at 0 besides. {@link TransactionRetry} (DAL_TX_RETRIES) is the only
 * retry. Every attempt is bounded by {@code DB_QUERY_TIMEOUT} twice: the server's
 * transaction timeout ({@link TransactionConfig#withTimeout}) and, since a stalled network never
 * lets the server's answer arrive, a client-side {@link Neo4jDeadline} that terminates the
 * connection. A call that spent its deadline is not retried. Before the attempt starts, the pool
 * wait is bounded by {@code DB_CONNECTION_TIMEOUT} and opening a connection by
 * {@code DB_CONNECT_TIMEOUT}.
 */
final class Neo4jConnection implements AutoCloseable {
    /** How long after DB_QUERY_TIMEOUT the client gives up, so a live server's own timeout (definite) can win. */
    static final Duration GRACE = Duration.ofMillis(250);
    /**
     * The least time a commit is given to answer, past the call's deadline when that is closer: a commit
     * sent just before the deadline would otherwise come back as an unknown outcome, costing the caller a
     * read and a retry, though it usually lands a moment later.
     */
    static final Duration COMMIT_ALLOWANCE = Duration.ofMillis(250);

    private final Neo4jSettings settings;
    private final Driver driver;
    private final boolean ownsDriver;
    private final SessionConfig sessionConfig;
    private final SessionConfig readSessionConfig;
    private final TransactionConfig txConfig;
    private final TransactionRetry retry;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService probes;
    private final ExecutorService begins;
    private Driver healthDriver;

    /** @param settings where to connect; the connection creates and owns its driver */
    Neo4jConnection(Neo4jSettings settings) {
        this(settings, driver(settings, config(settings).build()), true);
    }

    private static Driver driver(Neo4jSettings s, Config config) {
        return GraphDatabase.driver(
                s.uri(), s.user() == null ? AuthTokens.none() : AuthTokens.basic(s.user(), s.password()), config);
    }

    /**
     * @param settings the database name, deadlines and migration settings
     * @param driver the driver to use
     * @param ownsDriver whether {@link #close()} closes the driver
     */
    Neo4jConnection(Neo4jSettings settings, Driver driver, boolean ownsDriver) {
        this.settings = settings;
        this.driver = driver;
        this.ownsDriver = ownsDriver;
        BookmarkManager bookmarks =
                BookmarkManagers.defaultManager(BookmarkManagerConfig.builder().build());
        SessionConfig.Builder session = SessionConfig.builder().withBookmarkManager(bookmarks);
        if (settings.database() != null) {
            session.withDatabase(settings.database());
        }
        this.sessionConfig = session.build();
        this.readSessionConfig = session.withDefaultAccessMode(AccessMode.READ).build();
        this.txConfig =
                TransactionConfig.builder().withTimeout(settings.queryTimeout()).build();
        this.retry = TransactionRetry.of(settings.txRetries());
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("dal-neo4j-deadline"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.probes = Executors.newCachedThreadPool(daemon("dal-neo4j-health"));
        this.begins = Executors.newCachedThreadPool(daemon("dal-neo4j-begin"));
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static Config.ConfigBuilder config(Neo4jSettings s) {
        Config.ConfigBuilder config = Config.builder()
                .withMaxConnectionPoolSize(s.maxPoolSize())
                // The pool wait is part of a call too: never longer than the call (DB_QUERY_TIMEOUT).
                .withConnectionAcquisitionTimeout(
                        Math.min(
                                s.acquisitionTimeout().toMillis(),
                                s.queryTimeout().toMillis()),
                        TimeUnit.MILLISECONDS)
                .withMaxConnectionLifetime(s.maxLifetime().toMillis(), TimeUnit.MILLISECONDS)
                // Opening a connection (TCP, TLS, Bolt handshake) is one part of a call: never longer than the call.
                .withConnectionTimeout(
                        Math.min(s.connectTimeout().toMillis(), s.queryTimeout().toMillis()), TimeUnit.MILLISECONDS)
                // Dal's TransactionRetry is the only retry; the driver's would run inside our deadline.
                .withMaxTransactionRetryTime(0, TimeUnit.MILLISECONDS)
                .withLogging(new Neo4jLogging(s.logValues()))
                .withDriverMetrics()
                .withUserAgent("dal-neo4j");
        if (!s.uri().contains("+s")) {
            if (s.encrypted()) {
                config.withEncryption()
                        .withTrustStrategy(
                                switch (s.trust()) {
                                    case TRUST_ALL_CERTIFICATES -> Config.TrustStrategy.trustAllCertificates();
                                    case TRUST_CUSTOM_CA_SIGNED_CERTIFICATES ->
                                        Config.TrustStrategy.trustCustomCertificateSignedBy(
                                                s.trustCertificate().toFile());
                                    case TRUST_SYSTEM_CA_SIGNED_CERTIFICATES ->
                                        Config.TrustStrategy.trustSystemCertificates();
                                });
            } else {
                config.withoutEncryption();
            }
        }
        if (s.hosts().size() > 1) {
            // Every DB_HOST seeds routing discovery, so a cluster is found while any one of them answers.
            Set<ServerAddress> seeds =
                    s.hosts().stream().map(Neo4jConnection::address).collect(Collectors.toSet());
            config.withResolver(address -> seeds);
        }
        return config;
    }

    /**
     * The health probe's own driver (one connection, created on the first check), so that the probe
     * never waits behind application calls for a pooled connection; the application's driver when
     * the store was given one.
     */
    private synchronized Driver healthDriver() {
        if (!ownsDriver || settings.uri() == null) {
            return driver;
        }
        if (healthDriver == null) {
            long limit = settings.healthTimeout().toMillis();
            healthDriver = driver(
                    settings,
                    config(settings)
                            .withMaxConnectionPoolSize(1)
                            .withConnectionAcquisitionTimeout(limit, TimeUnit.MILLISECONDS)
                            .withConnectionTimeout(
                                    Math.min(limit, settings.connectTimeout().toMillis()), TimeUnit.MILLISECONDS)
                            .withUserAgent("dal-neo4j-health")
                            .build());
        }
        return healthDriver;
    }

    private static ServerAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return ServerAddress.of(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    Neo4jSettings settings() {
        return settings;
    }

    /**
     * Runs schema read work in a read transaction function, bounded by DB_QUERY_TIMEOUT; driver errors
     * pass untranslated (the schema names what it was doing). The driver's retry applies (none on a
     * driver this connection created).
     */
    <T> T read(TransactionCallback<T> work) {
        Neo4jDeadline deadline =
                Neo4jDeadline.arm(timer, settings.queryTimeout().plus(GRACE));
        try (Session session = driver.session(sessionConfig)) {
            return session.executeRead(work, txConfig);
        } finally {
            deadline.close();
        }
    }

    /** Runs schema write work in a write transaction function, without a deadline (migrations may be long); untranslated. */
    <T> T write(TransactionCallback<T> work) {
        try (Session session = driver.session(sessionConfig)) {
            return session.executeWrite(work);
        }
    }

    /**
     * One bounded, retried call: the work runs in an explicit transaction of its own, run again after a
     * retryable failure by {@link TransactionRetry} unless the attempt spent its deadline.
     *
     * @param <T> the result type
     * @param operation names the call in messages
     * @param write whether the work writes
     * @param work the transaction's statements; must be safe to run again (ids are chosen before it)
     * @return what the work returned
     * @throws DataAccessException translated by the failure table; {@link Carried} exceptions pass unchanged
     */
    <T> T call(String operation, boolean write, TransactionCallback<T> work) {
        try {
            return retry.run(() -> attempt(operation, write, work));
        } catch (Spent spent) {
            throw spent.failure;
        }
    }

    private <T> T attempt(String operation, boolean write, TransactionCallback<T> work) {
        boolean[] workDone = {false};
        Neo4jDeadline deadline;
        try {
            deadline = Neo4jDeadline.arm(timer, settings.queryTimeout().plus(GRACE));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new dev.dal.api.UnavailableException("The Neo4j store is closed");
        }
        try {
            return once(driver, write, txConfig, work, deadline, workDone, true);
        } catch (Abandoned abandoned) {
            deadline.close();
            if (!deadline.fired()) {
                Thread.currentThread().interrupt(); // the application's interrupt: keep it
            }
            throw new Spent(Neo4jErrors.FAILURES.lost(operation, false, deadline.fired(), null));
        } catch (Carried carried) {
            deadline.close();
            if (deadline.fired()) {
                throw new Spent(Neo4jErrors.FAILURES.lost(operation, false, true, carried.getCause()));
            }
            throw carried;
        } catch (RuntimeException e) {
            deadline.close();
            boolean commitSent = write && workDone[0];
            if (deadline.fired()) {
                throw new Spent(Neo4jErrors.FAILURES.lost(operation, commitSent, true, e));
            }
            DataAccessException translated =
                    Neo4jErrors.translate(operation, e, commitSent, false, settings.queryTimeout());
            if (Neo4jErrors.spentDeadline(e)) {
                throw new Spent(translated);
            }
            throw translated;
        } finally {
            deadline.close();
        }
    }

    /**
     * One explicit transaction: begin, the work, commit; rolled back when the work fails. Explicit
     * rather than the driver's transaction functions, so no driver retry runs whatever the driver's
     * configuration (an application's driver too), and the moment the commit is sent is known.
     * Failures of the rollback and of closing the session are dropped: the work's failure is the one
     * that counts, and the driver's exceptions must not ride along as suppressed ones.
     *
     * @param handOff whether to get the connection and begin on a thread of its own (see {@link #begin})
     */
    private <T> T once(
            Driver on,
            boolean write,
            TransactionConfig config,
            TransactionCallback<T> work,
            Neo4jDeadline deadline,
            boolean[] commitSent,
            boolean handOff) {
        Begun begun = handOff
                ? begin(on, write, config)
                : Begun.on(on.session(write ? sessionConfig : readSessionConfig), config);
        deadline.watch(begun.tx(), begins);
        boolean committed = false;
        try {
            T result = work.execute(new Context(begun.tx()));
            if (!deadline.reserve(COMMIT_ALLOWANCE)) {
                // Out of time before the commit: roll back rather than send a commit whose answer would be lost.
                throw new Expired();
            }
            commitSent[0] = true;
            begun.tx().commit();
            committed = true;
            return result;
        } finally {
            begun.close(committed);
        }
    }

    /** A session and the transaction begun on it. */
    private record Begun(Session session, Transaction tx) {
        static Begun on(Session session, TransactionConfig config) {
            try {
                return new Begun(session, session.beginTransaction(config));
            } catch (RuntimeException e) {
                quietly(session::close);
                throw e;
            }
        }

        void close(boolean committed) {
            if (!committed) {
                quietly(tx::close);
            }
            quietly(session::close);
        }
    }

    /**
     * Gets a connection and begins the transaction on a thread of its own, while the caller waits
     * until its deadline interrupts it. A thread blocked in the driver while it acquires a connection
     * cannot be freed by an interrupt (there is no connection yet to close), and a new connection's
     * login (HELLO) is not covered by the connect timeout, so a stall that starts in that window would
     * hold the caller until the network comes back. Here the caller gives up at its deadline and
     * abandons the begin: should it still succeed later, the transaction is rolled back and the session
     * closed, so nothing runs after the caller was told that nothing was written.
     */
    private Begun begin(Driver on, boolean write, TransactionConfig config) {
        Beginning beginning = new Beginning();
        Future<Begun> started;
        try {
            started = begins.submit(
                    () -> beginning.offer(Begun.on(on.session(write ? sessionConfig : readSessionConfig), config)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new dev.dal.api.UnavailableException("The Neo4j store is closed");
        }
        try {
            return started.get();
        } catch (InterruptedException e) {
            beginning.abandon();
            started.cancel(true); // ends the begin when it already holds a connection
            throw new Abandoned();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Hands a begun transaction to the caller, or closes it when the caller has given up. */
    private static final class Beginning {
        private boolean abandoned;
        private Begun begun;

        synchronized Begun offer(Begun result) {
            if (abandoned) {
                result.close(false);
                return null;
            }
            begun = result;
            return result;
        }

        void abandon() {
            Begun late;
            synchronized (this) {
                abandoned = true;
                late = begun;
                begun = null;
            }
            if (late != null) {
                late.close(false);
            }
        }
    }

    /** The caller's wait for a connection was interrupted (by its deadline, or by the application). */
    private static final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super(null, null, false, false);
        }
    }

    private static void quietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            // the connection is gone or the transaction already failed; the failure that counts is thrown
        }
    }

    /** A transaction as the store's work sees it: statements only, no commit or rollback. */
    private record Context(Transaction tx) implements TransactionContext {
        @Override
        public Result run(String query, Value parameters) {
            return tx.run(query, parameters);
        }

        @Override
        public Result run(String query, Map<String, Object> parameters) {
            return tx.run(query, parameters);
        }

        @Override
        public Result run(String query, org.neo4j.driver.Record parameters) {
            return tx.run(query, parameters);
        }

        @Override
        public Result run(String query) {
            return tx.run(query);
        }

        @Override
        public Result run(Query query) {
            return tx.run(query);
        }
    }

    /** The deadline passed while the work ran: the transaction is rolled back instead of committed. */
    private static final class Expired extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Expired() {
            super(null, null, false, false);
        }
    }

    /** A failure after which the call's deadline is spent: never retried. */
    private static final class Spent extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient DataAccessException failure;

        Spent(DataAccessException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    /** Carries the caller's own exception out of a transaction, untranslated and not retried. */
    static final class Carried extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Carried(RuntimeException cause) {
            super(null, cause, false, false);
        }

        /** @return the caller's exception */
        RuntimeException failure() {
            return (RuntimeException) getCause();
        }
    }

    /**
     * Runs a read-only probe on a thread of its own, so that the caller gets an answer within
     * {@code timeout} even while the pool is saturated; the probe's deadline ends its connection.
     *
     * @param <T> the result type
     * @param work the probe's statements
     * @param timeout how long the caller waits
     * @return the probe's result
     * @throws TimeoutException when no answer came in time
     * @throws RuntimeException the driver's failure, untranslated
     */
    <T> T probe(TransactionCallback<T> work, Duration timeout) throws TimeoutException {
        Driver probeDriver = healthDriver();
        Future<T> result = probes.submit(() -> {
            Neo4jDeadline deadline = Neo4jDeadline.arm(timer, timeout);
            try {
                return once(
                        probeDriver,
                        false,
                        TransactionConfig.builder().withTimeout(timeout).build(),
                        work,
                        deadline,
                        new boolean[1],
                        false);
            } finally {
                deadline.close();
            }
        });
        try {
            return result.get(timeout.toMillis() + Neo4jDeadline.REPEAT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        } catch (TimeoutException e) {
            result.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** @return the executor health checks answer on */
    ExecutorService probes() {
        return probes;
    }

    /** Runs one statement in an auto-commit transaction: schema changes and {@code CALL … IN TRANSACTIONS}. */
    org.neo4j.driver.summary.ResultSummary autoCommit(String cypher, Map<String, Object> parameters) {
        try (Session session = driver.session(sessionConfig)) {
            return session.run(cypher, parameters).consume();
        }
    }

    /** @return connection pool figures for health; never credentials */
    /**
     * @return the driver's pools summed over its servers, from the driver's metrics (zeros when it keeps
     *     none); the maximum only when this handle owns the driver, else {@code -1}
     */
    dev.dal.api.spi.PoolFigures poolReading() {
        int inUse = 0;
        int idle = 0;
        int acquiring = 0;
        try {
            for (ConnectionPoolMetrics pool : driver.metrics().connectionPoolMetrics()) {
                inUse += pool.inUse();
                idle += pool.idle();
                acquiring += pool.acquiring();
            }
        } catch (RuntimeException e) {
            // metrics are a nicety; health and meters still answer without them
        }
        return new dev.dal.api.spi.PoolFigures(inUse, idle, acquiring, ownsDriver ? settings.maxPoolSize() : -1);
    }

    Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        dev.dal.api.spi.PoolFigures reading = poolReading();
        int inUse = reading.active();
        figures.put("poolActive", inUse);
        figures.put("poolIdle", reading.idle());
        figures.put("poolWaiting", reading.pending());
        if (ownsDriver) {
            figures.put("poolMax", settings.maxPoolSize());
            figures.put(
                    "poolUtilizationPercent", settings.maxPoolSize() == 0 ? 0 : inUse * 100 / settings.maxPoolSize());
        }
        return figures;
    }

    /** @return whether every pooled connection is in use, when this handle owns the driver; {@code false} otherwise or when unknown */
    boolean poolSaturated() {
        if (!ownsDriver) {
            return false;
        }
        try {
            int inUse = 0;
            for (ConnectionPoolMetrics pool : driver.metrics().connectionPoolMetrics()) {
                inUse += pool.inUse();
            }
            return inUse >= settings.maxPoolSize();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
        begins.shutdownNow();
        timer.shutdownNow();
        Driver health;
        synchronized (this) {
            health = healthDriver;
            healthDriver = null;
        }
        try {
            if (health != null && health != driver) {
                health.close();
            }
        } finally {
            if (ownsDriver) {
                driver.close();
            }
        }
    }
}
