package dev.dal.neo4j.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where and how the Neo4j store connects. The pool defaults are those of the legacy graph store Dal
 * replaces; the common {@code DB_*}
 * settings override them when they are set:
 *
 * <ul>
 *   <li>{@code NEO4J_URI} ({@code bolt://}, {@code neo4j://} and their {@code +s}/{@code +ssc} forms), or
 *       else {@code DB_HOST} (first host; all of them seed routing) and {@code DB_PORT} (7687) as a
 *       {@code neo4j://} URI;
 *   <li>{@code NEO4J_USER} and {@code NEO4J_PASSWORD} (both or neither; no default password);
 *   <li>{@code NEO4J_DATABASE}, else {@code DB_NAME}, else the server's default database;
 *   <li>pool size {@code DB_MAX_CONNECTIONS} (50), pool acquisition wait {@code DB_CONNECTION_TIMEOUT} (60 s),
 *       connection lifetime {@code DB_MAX_LIFETIME} (3600 s);
 *   <li>deadlines: {@code DB_CONNECT_TIMEOUT} (5 s; {@code NEO4J_CONNECTION_TIMEOUT} overrides it) for opening
 *       a connection, {@code DB_QUERY_TIMEOUT} (30 s) for one call once under way (the server's transaction
 *       timeout and a client-side bound), {@code DAL_HEALTH_TIMEOUT} (2 s) for a health check;
 *   <li>{@code DAL_TX_RETRIES} (3): how often Dal retries a retryable failure (the driver's own retries are off);
 *   <li>{@code DAL_LOG_VALUES} (false): whether the driver may log at debug level, where it writes parameters;
 *   <li>{@code NEO4J_ENCRYPTED} (false) and {@code NEO4J_TRUST} for plain {@code bolt://}/{@code neo4j://}
 *       URIs: {@code TRUST_SYSTEM_CA_SIGNED_CERTIFICATES} (default), {@code TRUST_CUSTOM_CA_SIGNED_CERTIFICATES}
 *       (with {@code NEO4J_TRUST_CERTIFICATE}, a PEM file) or {@code TRUST_ALL_CERTIFICATES};
 *   <li>{@code DB_AUTO_MIGRATE} (true): apply pending schema migrations when the store opens.
 * </ul>
 *
 * @param uri the server URI, without credentials; {@code null} when the application supplies the driver
 * @param hosts every {@code host:port} given by {@code DB_HOST}, for routing discovery; empty for a URI
 * @param user the user, or {@code null} for no authentication
 * @param password the password, or {@code null}; never logged
 * @param database the database name, or {@code null} for the server's default
 * @param maxPoolSize connections in the pool
 * @param acquisitionTimeout longest wait for a pooled connection
 * @param maxLifetime longest a pooled connection lives
 * @param connectTimeout longest wait to open a connection
 * @param queryTimeout longest one call waits on the server or the network once under way
 * @param healthTimeout longest a health check waits for its answer
 * @param txRetries how often a retryable failure is retried
 * @param logValues whether log lines may carry values (the driver's debug output)
 * @param encrypted whether to encrypt a plain-scheme connection
 * @param trust the trust strategy for an encrypted plain-scheme connection
 * @param trustCertificate the CA file for {@code TRUST_CUSTOM_CA_SIGNED_CERTIFICATES}, or {@code null}
 * @param autoMigrate whether pending migrations are applied when the store opens
 */
public record Neo4jSettings(
        String uri, List<String> hosts, String user, String password, String database, int maxPoolSize,
        Duration acquisitionTimeout, Duration maxLifetime, Duration connectTimeout, Duration queryTimeout,
        Duration healthTimeout, int txRetries, boolean logValues, boolean encrypted, Trust trust, Path trustCertificate, boolean autoMigrate) {

    /** Setting: database name. */
    public static final String NEO4J_DATABASE = "NEO4J_DATABASE";
    /** Setting: connect timeout, overriding {@code DB_CONNECT_TIMEOUT} (the name legacy Neo4j deployments use). */
    public static final String NEO4J_CONNECTION_TIMEOUT = "NEO4J_CONNECTION_TIMEOUT";
    /** Setting: encrypt a plain-scheme connection. */
    public static final String NEO4J_ENCRYPTED = "NEO4J_ENCRYPTED";
    /** Setting: certificate trust strategy. */
    public static final String NEO4J_TRUST = "NEO4J_TRUST";
    /** Setting: CA certificate file for the custom trust strategy. */
    public static final String NEO4J_TRUST_CERTIFICATE = "NEO4J_TRUST_CERTIFICATE";
    /** Setting: apply pending migrations on open (default true). */
    public static final String DB_AUTO_MIGRATE = "DB_AUTO_MIGRATE";

    private static final Set<String> SCHEMES = Set.of("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc");

    /** Certificate trust strategies, named as the Neo4j driver's trust settings are. */
    public enum Trust {
        /** The JVM's trusted CAs. */
        TRUST_SYSTEM_CA_SIGNED_CERTIFICATES,
        /** The CAs in {@code NEO4J_TRUST_CERTIFICATE}. */
        TRUST_CUSTOM_CA_SIGNED_CERTIFICATES,
        /** Any certificate: encryption without authentication of the server; development only. */
        TRUST_ALL_CERTIFICATES
    }

    /**
     * @param config the configuration
     * @return the checked settings
     * @throws ConfigurationException naming the first setting at fault
     */
    public static Neo4jSettings from(DalConfig config) {
        return from(config, false);
    }

    /**
     * @param config the configuration
     * @param driverGiven whether the application supplies the driver (then no URI is needed, and the
     *     pool and security settings are the driver's own)
     * @return the checked settings
     * @throws ConfigurationException naming the first setting at fault
     */
    public static Neo4jSettings from(DalConfig config, boolean driverGiven) {
        List<String> hosts = List.of();
        String uri;
        Optional<String> given = config.neo4jUri();
        if (given.isPresent()) {
            uri = checkedUri(given.get());
        } else if (driverGiven) {
            uri = null;
        } else if (!config.dbHosts().isEmpty()) {
            int port = config.dbPort().orElse(7687);
            hosts = config.dbHosts().stream().map(h -> h.contains(":") ? h : h + ":" + port).toList();
            uri = checkedUri("neo4j://" + hosts.get(0));
        } else {
            throw new ConfigurationException("The Neo4j store needs " + DalConfig.NEO4J_URI + " (e.g. neo4j://host:7687) or "
                    + DalConfig.DB_HOST);
        }
        String user = config.neo4jUser().orElse(null);
        String password = config.neo4jPassword().orElse(null);
        if (user == null && password != null) {
            throw new ConfigurationException(DalConfig.NEO4J_PASSWORD + " is set but " + DalConfig.NEO4J_USER + " is not");
        }
        if (user != null && (password == null || password.isEmpty())) {
            throw new ConfigurationException(DalConfig.NEO4J_USER + " is set but " + DalConfig.NEO4J_PASSWORD
                    + " is not; there is no default password");
        }
        String database = config.setting(NEO4J_DATABASE).or(config::dbName).orElse(null);
        if (database != null && !database.matches("[A-Za-z][A-Za-z0-9.\\-]{0,62}")) {
            throw new ConfigurationException(NEO4J_DATABASE + " must be a Neo4j database name (a letter, then letters, "
                    + "digits, dots or dashes, at most 63), got '" + database + "'");
        }
        int pool = config.setting(DalConfig.DB_MAX_CONNECTIONS).isPresent() ? config.maxConnections() : 50;
        Duration acquisition = config.setting(DalConfig.DB_CONNECTION_TIMEOUT).isPresent() ? config.connectionTimeout()
                : Duration.ofSeconds(60);
        Duration lifetime = config.setting(DalConfig.DB_MAX_LIFETIME).isPresent() ? config.maxLifetime()
                : Duration.ofSeconds(3600);
        Duration connect = duration(config, NEO4J_CONNECTION_TIMEOUT, config.connectTimeout());
        boolean encrypted = config.flag(NEO4J_ENCRYPTED, false);
        Trust trust = trust(config);
        Path certificate = config.setting(NEO4J_TRUST_CERTIFICATE).map(Paths::get).orElse(null);
        if (trust == Trust.TRUST_CUSTOM_CA_SIGNED_CERTIFICATES && (certificate == null || !Files.isReadable(certificate))) {
            throw new ConfigurationException(NEO4J_TRUST + "=" + trust + " needs " + NEO4J_TRUST_CERTIFICATE
                    + ", a readable PEM file");
        }
        if (encrypted && uri != null && uri.contains("+s")) {
            throw new ConfigurationException(NEO4J_ENCRYPTED + " applies to bolt:// and neo4j:// URIs only; the "
                    + "+s and +ssc schemes of " + DalConfig.NEO4J_URI + " choose encryption themselves");
        }
        return new Neo4jSettings(uri, hosts, user, password, database, pool, acquisition, lifetime, connect,
                config.queryTimeout(), config.healthTimeout(), config.txRetries(), config.logValues(), encrypted, trust, certificate, config.flag(DB_AUTO_MIGRATE, true));
    }

    private static String checkedUri(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!SCHEMES.contains(scheme) || uri.getHost() == null) {
                throw new ConfigurationException(DalConfig.NEO4J_URI + " must look like neo4j://host:7687 (schemes "
                        + String.join(", ", new java.util.TreeSet<>(SCHEMES)) + "), got '"
                        + DalConfig.redact(DalConfig.NEO4J_URI, value) + "'");
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigurationException(DalConfig.NEO4J_URI + " must not hold credentials; use "
                        + DalConfig.NEO4J_USER + " and " + DalConfig.NEO4J_PASSWORD);
            }
            return value;
        } catch (URISyntaxException e) {
            throw new ConfigurationException(DalConfig.NEO4J_URI + " is not a valid URI: "
                    + DalConfig.redact(DalConfig.NEO4J_URI, value));
        }
    }

    private static Trust trust(DalConfig config) {
        Optional<String> value = config.setting(NEO4J_TRUST);
        if (value.isEmpty()) {
            return Trust.TRUST_SYSTEM_CA_SIGNED_CERTIFICATES;
        }
        for (Trust t : Trust.values()) {
            if (t.name().equalsIgnoreCase(value.get())) {
                return t;
            }
        }
        throw new ConfigurationException(NEO4J_TRUST + " must be one of "
                + java.util.Arrays.toString(Trust.values()) + ", got '" + value.get() + "'");
    }

    private static Duration duration(DalConfig config, String name, Duration defaultValue) {
        Optional<String> value = config.setting(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String v = value.get();
        try {
            Duration parsed = v.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(v))
                    : Duration.parse(v);
            if (!parsed.isNegative()) {
                return parsed;
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // reported below, with the rule
        }
        throw new ConfigurationException(name + " must be whole seconds or an ISO-8601 duration, got '" + v + "'");
    }

    /** @return the settings without the password */
    @Override
    public String toString() {
        return "Neo4jSettings[" + uri + ", user=" + user + ", database=" + database + ", pool=" + maxPoolSize
                + ", acquisitionTimeout=" + acquisitionTimeout + ", maxLifetime=" + maxLifetime + ", connectTimeout="
                + connectTimeout + ", queryTimeout=" + queryTimeout + ", encrypted=" + encrypted + ", trust=" + trust + "]";
    }
}
