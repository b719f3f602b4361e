package dev.dal.mongo.internal;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Where and how the MongoDB store connects: {@code MONGODB_URL} (a {@code mongodb://} or
 * {@code mongodb+srv://} connection string, required) and {@code MONGODB_DATABASE} (default: the
 * database the URL names). The pool follows the common settings: {@code DB_MAX_CONNECTIONS} is the
 * pool's maximum size, {@code DB_CONNECTION_TIMEOUT} bounds the wait for a pooled connection, the
 * TCP connect and server selection, {@code DB_IDLE_TIMEOUT} and {@code DB_MAX_LIFETIME} close idle
 * and old connections. An option written in the URL wins over the default of a {@code DB_*}
 * setting, and loses to a {@code DB_*} setting that is set.
 *
 * @param connectionString the parsed URL; holds credentials, never logged
 * @param database the database name
 * @param autoMigrate whether pending schema migrations run when the store opens
 */
record MongoSettings(ConnectionString connectionString, String database, boolean autoMigrate) {

    /** Setting: apply pending migrations when the store opens (default true for MongoDB). */
    static final String DB_AUTO_MIGRATE = "DB_AUTO_MIGRATE";

    static MongoSettings from(DalConfig config) {
        String url = config.mongodbUrl().orElseThrow(() -> new ConfigurationException(
                "The MongoDB store needs " + DalConfig.MONGODB_URL + " (e.g. mongodb://localhost:27017/chat)"));
        ConnectionString parsed;
        try {
            parsed = new ConnectionString(url);
        } catch (RuntimeException e) {
            throw new ConfigurationException(DalConfig.MONGODB_URL + " is not a valid MongoDB connection string: "
                    + DalConfig.redact(DalConfig.MONGODB_URL, url));
        }
        String database = config.mongodbDatabase().orElse(parsed.getDatabase());
        if (database == null || database.isBlank()) {
            throw new ConfigurationException("The MongoDB store needs " + DalConfig.MONGODB_DATABASE
                    + ", or a database name in " + DalConfig.MONGODB_URL);
        }
        if (!database.matches("[^/\\\\. \"$*<>:|?\\x00]{1,63}")) {
            throw new ConfigurationException(DalConfig.MONGODB_DATABASE
                    + " must be 1 to 63 characters without / \\ . space \" $ * < > : | ?, got '" + database + "'");
        }
        return new MongoSettings(parsed, database, config.flag(DB_AUTO_MIGRATE, true));
    }

    /** @return driver settings: the URL's options, then the pool settings from {@code DB_*} */
    MongoClientSettings clientSettings(DalConfig config, com.mongodb.event.ConnectionPoolListener poolListener) {
        ConnectionString cs = connectionString;
        boolean setTimeout = config.setting(DalConfig.DB_CONNECTION_TIMEOUT).isPresent();
        Duration timeout = config.connectionTimeout();
        int timeoutMs = (int) Math.max(100, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        return MongoClientSettings.builder()
                .applyConnectionString(cs)
                .applicationName(cs.getApplicationName() != null ? cs.getApplicationName() : "dal")
                .applyToConnectionPoolSettings(pool -> {
                    if (config.setting(DalConfig.DB_MAX_CONNECTIONS).isPresent() || cs.getMaxConnectionPoolSize() == null) {
                        pool.maxSize(config.maxConnections());
                    }
                    if (setTimeout || cs.getMaxWaitTime() == null) {
                        pool.maxWaitTime(timeoutMs, TimeUnit.MILLISECONDS);
                    }
                    if (config.setting(DalConfig.DB_IDLE_TIMEOUT).isPresent() || cs.getMaxConnectionIdleTime() == null) {
                        pool.maxConnectionIdleTime(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    if (config.setting(DalConfig.DB_MAX_LIFETIME).isPresent() || cs.getMaxConnectionLifeTime() == null) {
                        pool.maxConnectionLifeTime(config.maxLifetime().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    pool.addConnectionPoolListener(poolListener);
                })
                .applyToSocketSettings(socket -> {
                    if (setTimeout || cs.getConnectTimeout() == null) {
                        socket.connectTimeout(timeoutMs, TimeUnit.MILLISECONDS);
                    }
                })
                .applyToClusterSettings(cluster -> {
                    if (setTimeout || cs.getServerSelectionTimeout() == null) {
                        cluster.serverSelectionTimeout(timeoutMs, TimeUnit.MILLISECONDS);
                    }
                })
                .build();
    }

    @Override
    public String toString() {
        return "MongoSettings[" + DalConfig.redact(DalConfig.MONGODB_URL, connectionString.getConnectionString())
                + ", database=" + database + ", autoMigrate=" + autoMigrate + "]";
    }
}
