package dev.dal.mongo.internal;

import com.mongodb.ConnectionString;
import com.mongodb.LoggerSettings;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.ConnectionPoolListener;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.spi.ServerUris;
import dev.dal.api.spi.Setting;
import dev.dal.api.spi.SettingsView;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where and how the MongoDB store connects: {@code MONGODB_URL} (a {@code mongodb://} or
 * {@code mongodb+srv://} connection string, required) and {@code MONGODB_DATABASE} (default: the
 * database the URL names). The pool and the deadlines follow the common settings:
 * {@code DB_MAX_CONNECTIONS} is the pool's maximum size, {@code DB_CONNECTION_TIMEOUT} bounds the
 * wait for a pooled connection, {@code DB_CONNECT_TIMEOUT} the TCP connect and server selection,
 * {@code DB_QUERY_TIMEOUT} every socket read, {@code DB_IDLE_TIMEOUT} and {@code DB_MAX_LIFETIME}
 * close idle and old connections. An option written in the URL wins over the default of a {@code DB_*}
 * setting, and loses to a {@code DB_*} setting that is set.
 *
 * @param connectionString the parsed URL; holds credentials, never logged
 * @param database the database name
 * @param autoMigrate whether pending schema migrations run when the store opens
 */
public record MongoSettings(ConnectionString connectionString, String database, boolean autoMigrate) {

    /** The connection string, {@code mongodb://} or {@code mongodb+srv://}; may hold credentials (masked). */
    public static final Setting<Optional<String>> MONGODB_URL =
            Setting.credentialUrl("MONGODB_URL").locating();
    /** The database holding Dal's collections, default the one the URL names. */
    public static final Setting<Optional<String>> MONGODB_DATABASE =
            Setting.text("MONGODB_DATABASE").locating();
    /** Whether pending migrations run when the store opens: MongoDB's default for {@code DB_AUTO_MIGRATE}. */
    public static final boolean AUTO_MIGRATE_BY_DEFAULT = true;

    /** @return the settings the MongoDB store declares */
    public static List<Setting<?>> declared() {
        return List.of(MONGODB_URL, MONGODB_DATABASE);
    }

    /**
     * @param config the configuration
     * @return the checked settings
     * @throws ConfigurationException naming the setting at fault
     */
    public static MongoSettings from(DalConfig config) {
        SettingsView view = SettingsView.of(config, declared());
        String url = view.get(MONGODB_URL)
                .orElseThrow(() -> new ConfigurationException(
                        "The MongoDB store needs " + MONGODB_URL.name() + " (e.g. mongodb://localhost:27017/chat)"));
        ConnectionString parsed;
        try {
            parsed = new ConnectionString(url);
        } catch (RuntimeException e) {
            throw new ConfigurationException(
                    MONGODB_URL.name() + " is not a valid MongoDB connection string: " + MONGODB_URL.display(url));
        }
        String database = view.get(MONGODB_DATABASE).orElse(parsed.getDatabase());
        if (database == null || database.isBlank()) {
            throw new ConfigurationException("The MongoDB store needs " + MONGODB_DATABASE.name()
                    + ", or a database name in " + MONGODB_URL.name());
        }
        if (!database.matches("[^/\\\\. \"$*<>:|?\\x00]{1,63}")) {
            throw new ConfigurationException(MONGODB_DATABASE.name()
                    + " must be 1 to 63 characters without / \\ . space \" $ * < > : | ?, got '" + database + "'");
        }
        return new MongoSettings(parsed, database, config.autoMigrate(AUTO_MIGRATE_BY_DEFAULT));
    }

    /**
     * The settings a {@code mongodb://[user[:password]@]host[:port]/db} URI (or {@code mongodb+srv://})
     * names: the whole URI as {@code MONGODB_URL} and its path as {@code MONGODB_DATABASE}.
     *
     * @param uri the URI
     * @return the settings, or empty when the scheme is not MongoDB's
     * @throws ConfigurationException when the URI is malformed or names no database; the message never
     *     shows the password
     */
    public static Optional<Map<String, String>> forUri(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("mongodb:") && !lower.startsWith("mongodb+srv:")) {
            return Optional.empty();
        }
        String shown = MONGODB_URL.display(uri);
        URI parsed = ServerUris.parse(uri, shown);
        String path = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
        if (path.isBlank()) {
            throw new ConfigurationException(
                    "Store " + shown + ": a MongoDB URI must name the database, e.g. mongodb://host:27017/chat");
        }
        return Optional.of(Map.of(MONGODB_URL.name(), uri, MONGODB_DATABASE.name(), path));
    }

    /**
     * @param config the configuration
     * @return where the store is, with any password masked
     */
    public static String location(DalConfig config) {
        return SettingsView.of(config, declared())
                .get(MONGODB_URL)
                .map(MONGODB_URL::display)
                .orElse("mongodb");
    }

    /**
     * The application client's settings: the URL's options, then the deadlines, the pool and the
     * logging from {@code DB_*} and {@code DAL_*}.
     *
     * <ul>
     *   <li>{@code DB_CONNECT_TIMEOUT}: the TCP connect, the connection's handshake and server
     *       selection (each never longer than {@code DB_QUERY_TIMEOUT}, so a call under way is
     *       bounded by it too);</li>
     *   <li>{@code DB_QUERY_TIMEOUT}: the socket read timeout, the longest one round trip waits on
     *       the server or the network;</li>
     *   <li>{@code DB_CONNECTION_TIMEOUT}: the wait for a pooled connection;</li>
     *   <li>retryable reads and writes off: a retry would run behind the failure table's back and
     *       double the deadline;</li>
     *   <li>command logging without documents unless {@code DAL_LOG_VALUES=true}.</li>
     * </ul>
     *
     * @param config the configuration
     * @param poolListener receives the pool's events (health figures, failure context)
     * @return the client settings
     */
    MongoClientSettings clientSettings(DalConfig config, ConnectionPoolListener poolListener) {
        ConnectionString cs = connectionString;
        int queryMs = millis(config.queryTimeout());
        // Opening a connection (TCP connect and the handshake, which the driver bounds by the connect
        // timeout) is part of a call, so it never waits longer than the call may.
        int connectMs = Math.min(millis(config.connectTimeout()), queryMs);
        int poolWaitMs = millis(config.connectionTimeout());
        boolean setConnect = config.setting(DalConfig.DB_CONNECT_TIMEOUT).isPresent();
        boolean setQuery = config.setting(DalConfig.DB_QUERY_TIMEOUT).isPresent();
        boolean setPoolWait = config.setting(DalConfig.DB_CONNECTION_TIMEOUT).isPresent();
        return base(config)
                .applyToConnectionPoolSettings(pool -> {
                    if (config.setting(DalConfig.DB_MAX_CONNECTIONS).isPresent()
                            || cs.getMaxConnectionPoolSize() == null) {
                        pool.maxSize(config.maxConnections());
                    }
                    if (cs.getMaxConnecting() == null) {
                        // The driver opens at most 2 connections at a time by default; during a stall each
                        // handshake waits out its deadline, and callers queued behind them would wait for
                        // several deadlines in a row. Every caller opens its own instead.
                        pool.maxConnecting(Math.max(2, pool.build().getMaxSize()));
                    }
                    if (setPoolWait || cs.getMaxWaitTime() == null) {
                        pool.maxWaitTime(poolWaitMs, TimeUnit.MILLISECONDS);
                    }
                    if (config.setting(DalConfig.DB_IDLE_TIMEOUT).isPresent()
                            || cs.getMaxConnectionIdleTime() == null) {
                        pool.maxConnectionIdleTime(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    if (config.setting(DalConfig.DB_MAX_LIFETIME).isPresent()
                            || cs.getMaxConnectionLifeTime() == null) {
                        pool.maxConnectionLifeTime(config.maxLifetime().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    pool.addConnectionPoolListener(poolListener);
                })
                .applyToSocketSettings(socket -> {
                    if (setConnect || setQuery || cs.getConnectTimeout() == null) {
                        socket.connectTimeout(connectMs, TimeUnit.MILLISECONDS);
                    }
                    if (setQuery || cs.getSocketTimeout() == null) {
                        socket.readTimeout(queryMs, TimeUnit.MILLISECONDS);
                    }
                })
                .applyToClusterSettings(cluster -> {
                    if (setConnect || setQuery || cs.getServerSelectionTimeout() == null) {
                        cluster.serverSelectionTimeout(connectMs, TimeUnit.MILLISECONDS);
                    }
                })
                .build();
    }

    /**
     * The health probe's client: a pool of its own (so the probe never waits behind application
     * calls) in which every wait — server selection, connect, pool, read — is {@code DAL_HEALTH_TIMEOUT}.
     *
     * @param config the configuration
     * @return the client settings
     */
    MongoClientSettings healthSettings(DalConfig config) {
        int healthMs = millis(config.healthTimeout());
        return base(config)
                .applicationName(
                        (connectionString.getApplicationName() != null ? connectionString.getApplicationName() : "dal")
                                + "-health")
                .applyToConnectionPoolSettings(pool -> pool.minSize(0)
                        .maxSize(2)
                        .maxWaitTime(healthMs, TimeUnit.MILLISECONDS)
                        .maxConnectionIdleTime(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .applyToSocketSettings(socket -> socket.connectTimeout(healthMs, TimeUnit.MILLISECONDS)
                        .readTimeout(healthMs, TimeUnit.MILLISECONDS))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(healthMs, TimeUnit.MILLISECONDS))
                .build();
    }

    private MongoClientSettings.Builder base(DalConfig config) {
        ConnectionString cs = connectionString;
        return MongoClientSettings.builder()
                .applyConnectionString(cs)
                .applicationName(cs.getApplicationName() != null ? cs.getApplicationName() : "dal")
                // The failure table decides what a caller may retry; the driver's own retries would
                // run a second attempt inside one deadline and hide the first failure.
                .retryWrites(false)
                .retryReads(false)
                // The driver logs commands and replies at DEBUG (org.mongodb.driver.protocol.command),
                // documents included, truncated to this many characters: one keeps only "{".
                .applyToLoggerSettings(logger -> logger.maxDocumentLength(
                        config.logValues() ? LoggerSettings.builder().build().getMaxDocumentLength() : 1));
    }

    private static int millis(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
    }

    @Override
    public String toString() {
        return "MongoSettings[" + MONGODB_URL.display(connectionString.getConnectionString()) + ", database=" + database
                + ", autoMigrate=" + autoMigrate + "]";
    }
}
