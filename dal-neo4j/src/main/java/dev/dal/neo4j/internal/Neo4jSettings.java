package dev.dal.neo4j.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.spi.ServerSettings;
import dev.dal.api.spi.ServerUris;
import dev.dal.api.spi.Setting;
import dev.dal.api.spi.SettingsView;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where and how the Neo4j store connects:
 *
 * <ul>
 *   <li>{@code NEO4J_URI} ({@code bolt://}, {@code neo4j://} and their {@code +s}/{@code +ssc} forms), or
 *       else {@code DB_HOST} (first host; all of them for routing discovery) and {@code DB_PORT} (7687) as a
 *       {@code neo4j://} URI;
 *   <li>{@code NEO4J_USER} and {@code NEO4J_PASSWORD} (both or neither; no default password);
 *   <li>{@code NEO4J_DATABASE}, else {@code DB_NAME}, else the server's default database;
 *   <li>the common pool settings: size {@code DB_MAX_CONNECTIONS} (20), acquisition wait
 *       {@code DB_CONNECTION_TIMEOUT} (30 s), connection lifetime {@code DB_MAX_LIFETIME} (1800 s);
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
        String uri,
        List<String> hosts,
        String user,
        String password,
        String database,
        int maxPoolSize,
        Duration acquisitionTimeout,
        Duration maxLifetime,
        Duration connectTimeout,
        Duration queryTimeout,
        Duration healthTimeout,
        int txRetries,
        boolean logValues,
        boolean encrypted,
        Trust trust,
        Path trustCertificate,
        boolean autoMigrate) {

    /** The server URI: {@code bolt://}, {@code neo4j://} or their {@code +s}/{@code +ssc} forms, no credentials. */
    public static final Setting<Optional<String>> NEO4J_URI =
            Setting.credentialUrl("NEO4J_URI").locating();
    /** The user; with {@link #NEO4J_PASSWORD} or neither. */
    public static final Setting<Optional<String>> NEO4J_USER =
            Setting.text("NEO4J_USER").locating();
    /** The password (secret); no default. */
    public static final Setting<Optional<String>> NEO4J_PASSWORD =
            Setting.secret("NEO4J_PASSWORD").locating();
    /** Database name, default {@code DB_NAME}, else the server's default database. */
    public static final Setting<Optional<String>> NEO4J_DATABASE =
            Setting.text("NEO4J_DATABASE").locating();
    /** Hosts when {@link #NEO4J_URI} is absent: the first is connected to, all are used for routing discovery. */
    public static final Setting<List<String>> DB_HOST = ServerSettings.DB_HOST;
    /** Connect timeout, overriding {@code DB_CONNECT_TIMEOUT} when set (the driver's own name for it). */
    public static final Setting<Optional<Duration>> NEO4J_CONNECTION_TIMEOUT = Setting.of(
            "NEO4J_CONNECTION_TIMEOUT",
            null,
            v -> Optional.of(Setting.duration("NEO4J_CONNECTION_TIMEOUT", Duration.ZERO)
                    .read(Map.of("NEO4J_CONNECTION_TIMEOUT", v))),
            Optional.empty());
    /** Encrypt a plain-scheme connection, default false. */
    public static final Setting<Boolean> NEO4J_ENCRYPTED = Setting.flag("NEO4J_ENCRYPTED", false);
    /** Certificate trust strategy, default {@link Trust#TRUST_SYSTEM_CA_SIGNED_CERTIFICATES}. */
    public static final Setting<Trust> NEO4J_TRUST = Setting.of(
            "NEO4J_TRUST",
            Trust.TRUST_SYSTEM_CA_SIGNED_CERTIFICATES.name(),
            Neo4jSettings::trust,
            Trust.TRUST_SYSTEM_CA_SIGNED_CERTIFICATES);
    /** CA certificate file (PEM) for {@link Trust#TRUST_CUSTOM_CA_SIGNED_CERTIFICATES}. */
    public static final Setting<Path> NEO4J_TRUST_CERTIFICATE = Setting.path("NEO4J_TRUST_CERTIFICATE", null);
    /** Whether pending schema changes are applied when the store opens: Neo4j's default for {@code DB_AUTO_MIGRATE}. */
    public static final boolean AUTO_MIGRATE_BY_DEFAULT = true;

    private static final int DEFAULT_PORT = 7687;

    private static final Set<String> SCHEMES = Set.of("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc");

    /** Certificate trust strategies, named as in the Neo4j driver's configuration. */
    public enum Trust {
        /** The JVM's trusted CAs. */
        TRUST_SYSTEM_CA_SIGNED_CERTIFICATES,
        /** The CAs in {@code NEO4J_TRUST_CERTIFICATE}. */
        TRUST_CUSTOM_CA_SIGNED_CERTIFICATES,
        /** Any certificate: encryption without authentication of the server; development only. */
        TRUST_ALL_CERTIFICATES
    }

    /** @return the settings the Neo4j store declares */
    public static List<Setting<?>> declared() {
        return List.of(
                NEO4J_URI,
                NEO4J_USER,
                NEO4J_PASSWORD,
                NEO4J_DATABASE,
                DB_HOST,
                ServerSettings.DB_PORT,
                ServerSettings.DB_NAME,
                NEO4J_CONNECTION_TIMEOUT,
                NEO4J_ENCRYPTED,
                NEO4J_TRUST,
                NEO4J_TRUST_CERTIFICATE);
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
        SettingsView view = SettingsView.of(config, declared());
        List<String> hosts = List.of();
        String uri;
        Optional<String> given = view.get(NEO4J_URI);
        List<String> dbHosts = view.get(DB_HOST);
        if (given.isPresent()) {
            uri = checkedUri(given.get());
        } else if (driverGiven) {
            uri = null;
        } else if (!dbHosts.isEmpty()) {
            hosts = ServerSettings.withPorts(view, dbHosts, DEFAULT_PORT);
            uri = checkedUri("neo4j://" + hosts.get(0));
        } else {
            throw new ConfigurationException(
                    "The Neo4j store needs " + NEO4J_URI.name() + " (e.g. neo4j://host:7687) or " + DB_HOST.name());
        }
        String user = view.get(NEO4J_USER).orElse(null);
        String password = view.get(NEO4J_PASSWORD).orElse(null);
        if (user == null && password != null) {
            throw new ConfigurationException(NEO4J_PASSWORD.name() + " is set but " + NEO4J_USER.name() + " is not");
        }
        if (user != null && (password == null || password.isEmpty())) {
            throw new ConfigurationException(NEO4J_USER.name() + " is set but " + NEO4J_PASSWORD.name()
                    + " is not; there is no default password");
        }
        String database = view.get(NEO4J_DATABASE)
                .or(() -> view.get(ServerSettings.DB_NAME))
                .orElse(null);
        if (database != null && !database.matches("[A-Za-z][A-Za-z0-9.\\-]{0,62}")) {
            throw new ConfigurationException(NEO4J_DATABASE + " must be a Neo4j database name (a letter, then letters, "
                    + "digits, dots or dashes, at most 63), got '" + database + "'");
        }
        int pool = config.maxConnections();
        Duration acquisition = config.connectionTimeout();
        Duration lifetime = config.maxLifetime();
        Duration connect = view.get(NEO4J_CONNECTION_TIMEOUT).orElse(config.connectTimeout());
        boolean encrypted = view.get(NEO4J_ENCRYPTED);
        Trust trust = view.get(NEO4J_TRUST);
        Path certificate = view.get(NEO4J_TRUST_CERTIFICATE);
        if (trust == Trust.TRUST_CUSTOM_CA_SIGNED_CERTIFICATES
                && (certificate == null || !Files.isReadable(certificate))) {
            throw new ConfigurationException(NEO4J_TRUST.name() + "=" + trust + " needs "
                    + NEO4J_TRUST_CERTIFICATE.name() + ", a readable PEM file");
        }
        if (encrypted && uri != null && uri.contains("+s")) {
            throw new ConfigurationException(NEO4J_ENCRYPTED.name() + " applies to bolt:// and neo4j:// URIs only;"
                    + " the +s and +ssc schemes of " + NEO4J_URI.name() + " choose encryption themselves");
        }
        return new Neo4jSettings(
                uri,
                hosts,
                user,
                password,
                database,
                pool,
                acquisition,
                lifetime,
                connect,
                config.queryTimeout(),
                config.healthTimeout(),
                config.txRetries(),
                config.logValues(),
                encrypted,
                trust,
                certificate,
                config.autoMigrate(AUTO_MIGRATE_BY_DEFAULT));
    }

    private static String checkedUri(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!SCHEMES.contains(scheme) || uri.getHost() == null) {
                throw new ConfigurationException(NEO4J_URI.name() + " must look like neo4j://host:7687 (schemes "
                        + String.join(", ", new java.util.TreeSet<>(SCHEMES)) + "), got '"
                        + NEO4J_URI.display(value) + "'");
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigurationException(NEO4J_URI.name() + " must not hold credentials; use "
                        + NEO4J_USER.name() + " and " + NEO4J_PASSWORD.name());
            }
            return value;
        } catch (URISyntaxException e) {
            throw new ConfigurationException(NEO4J_URI.name() + " is not a valid URI: " + NEO4J_URI.display(value));
        }
    }

    private static Trust trust(String value) {
        for (Trust t : Trust.values()) {
            if (t.name().equalsIgnoreCase(value)) {
                return t;
            }
        }
        throw new ConfigurationException(NEO4J_TRUST.name() + " must be one of "
                + java.util.Arrays.toString(Trust.values()) + ", got '" + value + "'");
    }

    /**
     * The settings a {@code neo4j://[user[:password]@]host[:port][/database]} URI (or {@code bolt://},
     * {@code neo4j+s://}, {@code bolt+s://} and the {@code +ssc} forms) names: {@code NEO4J_URI} (scheme,
     * host, port), {@code NEO4J_USER} and {@code NEO4J_PASSWORD} (from the URI, else the environment), and
     * {@code NEO4J_DATABASE} (the path; none: the server's default database).
     *
     * @param uri the URI
     * @param environment the environment's settings
     * @return the settings, or empty when the scheme is not Neo4j's
     * @throws ConfigurationException when the URI is malformed; the message never shows the password
     */
    public static Optional<Map<String, String>> forUri(String uri, Map<String, String> environment) {
        int colon = uri.indexOf(':');
        if (colon < 0 || !SCHEMES.contains(uri.substring(0, colon).toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        String shown = NEO4J_URI.display(uri);
        URI parsed = ServerUris.parse(uri, shown);
        Map<String, String> settings = new java.util.TreeMap<>();
        settings.put(
                NEO4J_URI.name(),
                parsed.getScheme() + "://" + parsed.getHost() + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort()));
        String info = parsed.getRawUserInfo();
        String user = info == null ? null : decode(info.split(":", 2)[0]);
        String password = info == null || !info.contains(":") ? null : decode(info.substring(info.indexOf(':') + 1));
        putOr(settings, NEO4J_USER.name(), user, environment);
        putOr(settings, NEO4J_PASSWORD.name(), password, environment);
        String database = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
        if (!database.isEmpty()) {
            settings.put(NEO4J_DATABASE.name(), database);
        }
        return Optional.of(settings);
    }

    /**
     * @param config the configuration
     * @return where the store is (its URI holds no credentials)
     */
    public static String location(DalConfig config) {
        return SettingsView.of(config, declared())
                .get(NEO4J_URI)
                .map(NEO4J_URI::display)
                .orElse("neo4j");
    }

    private static void putOr(
            Map<String, String> settings, String name, String fromUri, Map<String, String> environment) {
        String value = fromUri != null && !fromUri.isEmpty() ? fromUri : environment.get(name);
        if (value != null && !value.isEmpty()) {
            settings.put(name, value);
        }
    }

    private static String decode(String text) {
        return java.net.URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** @return the settings without the password */
    @Override
    public String toString() {
        return "Neo4jSettings[" + uri + ", user=" + user + ", database=" + database + ", pool=" + maxPoolSize
                + ", acquisitionTimeout=" + acquisitionTimeout + ", maxLifetime=" + maxLifetime + ", connectTimeout="
                + connectTimeout + ", queryTimeout=" + queryTimeout + ", encrypted=" + encrypted + ", trust=" + trust
                + "]";
    }
}
