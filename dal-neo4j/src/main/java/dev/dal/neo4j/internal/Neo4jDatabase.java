package dev.dal.neo4j.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.BookmarkManager;
import org.neo4j.driver.BookmarkManagerConfig;
import org.neo4j.driver.BookmarkManagers;
import org.neo4j.driver.Config;
import org.neo4j.driver.ConnectionPoolMetrics;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionCallback;
import org.neo4j.driver.async.AsyncSession;
import org.neo4j.driver.net.ServerAddress;

/**
 * The driver, configured from {@link Neo4jSettings}, and sessions on it. Every session shares one
 * bookmark manager, so a read always sees the writes this store committed before it, also on a
 * cluster. Work runs in transaction functions ({@code executeRead}/{@code executeWrite}), which
 * retry transient failures: work handed to them must be safe to replay.
 */
final class Neo4jDatabase implements AutoCloseable {
    private final Neo4jSettings settings;
    private final Driver driver;
    private final boolean ownsDriver;
    private final SessionConfig sessionConfig;

    /** @param settings where to connect; the database creates and owns its driver */
    Neo4jDatabase(Neo4jSettings settings) {
        this(settings, GraphDatabase.driver(settings.uri(), settings.user() == null ? AuthTokens.none()
                : AuthTokens.basic(settings.user(), settings.password()), config(settings)), true);
    }

    /**
     * @param settings the database name and migration settings
     * @param driver the driver to use
     * @param ownsDriver whether {@link #close()} closes the driver
     */
    Neo4jDatabase(Neo4jSettings settings, Driver driver, boolean ownsDriver) {
        this.settings = settings;
        this.driver = driver;
        this.ownsDriver = ownsDriver;
        BookmarkManager bookmarks = BookmarkManagers.defaultManager(BookmarkManagerConfig.builder().build());
        SessionConfig.Builder session = SessionConfig.builder().withBookmarkManager(bookmarks);
        if (settings.database() != null) {
            session.withDatabase(settings.database());
        }
        this.sessionConfig = session.build();
    }

    private static Config config(Neo4jSettings s) {
        Config.ConfigBuilder config = Config.builder()
                .withMaxConnectionPoolSize(s.maxPoolSize())
                .withConnectionAcquisitionTimeout(s.acquisitionTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .withMaxConnectionLifetime(s.maxLifetime().toMillis(), TimeUnit.MILLISECONDS)
                .withConnectionTimeout(s.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .withMaxTransactionRetryTime(s.maxRetryTime().toMillis(), TimeUnit.MILLISECONDS)
                .withLogging(Logging.slf4j())
                .withDriverMetrics()
                .withUserAgent("dal-neo4j");
        if (!s.uri().contains("+s")) {
            if (s.encrypted()) {
                config.withEncryption().withTrustStrategy(switch (s.trust()) {
                    case TRUST_ALL_CERTIFICATES -> Config.TrustStrategy.trustAllCertificates();
                    case TRUST_CUSTOM_CA_SIGNED_CERTIFICATES ->
                            Config.TrustStrategy.trustCustomCertificateSignedBy(s.trustCertificate().toFile());
                    case TRUST_SYSTEM_CA_SIGNED_CERTIFICATES -> Config.TrustStrategy.trustSystemCertificates();
                });
            } else {
                config.withoutEncryption();
            }
        }
        if (s.hosts().size() > 1) {
            // Every DB_HOST seeds routing discovery, so a cluster is found while any one of them answers.
            Set<ServerAddress> seeds = s.hosts().stream().map(Neo4jDatabase::address).collect(Collectors.toSet());
            config.withResolver(address -> seeds);
        }
        return config.build();
    }

    private static ServerAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return ServerAddress.of(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    Neo4jSettings settings() {
        return settings;
    }

    /** Runs read work in a read transaction function. */
    <T> T read(TransactionCallback<T> work) {
        try (Session session = driver.session(sessionConfig)) {
            return session.executeRead(work);
        }
    }

    /** Runs write work in a write transaction function (retried on transient failures). */
    <T> T write(TransactionCallback<T> work) {
        try (Session session = driver.session(sessionConfig)) {
            return session.executeWrite(work);
        }
    }

    /** Runs one statement in an auto-commit transaction: schema changes and {@code CALL … IN TRANSACTIONS}. */
    org.neo4j.driver.summary.ResultSummary autoCommit(String cypher, Map<String, Object> parameters) {
        try (Session session = driver.session(sessionConfig)) {
            return session.run(cypher, parameters).consume();
        }
    }

    /** @return an asynchronous session the caller closes */
    AsyncSession asyncSession() {
        return driver.session(AsyncSession.class, sessionConfig);
    }

    /** @return connection pool figures for health; never credentials */
    Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
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
            // metrics are a nicety; health still answers without them
        }
        figures.put("poolActive", inUse);
        figures.put("poolIdle", idle);
        figures.put("poolWaiting", acquiring);
        figures.put("poolMax", settings.maxPoolSize());
        return figures;
    }

    @Override
    public void close() {
        if (ownsDriver) {
            driver.close();
        }
    }
}
