package dev.dal.postgres.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.spi.ServerSettings;
import dev.dal.api.spi.ServerUris;
import dev.dal.api.spi.Setting;
import dev.dal.api.spi.SettingsView;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where the PostgreSQL store connects, from {@code DATABASE_URL} (a {@code jdbc:postgresql:} or
 * {@code postgresql://user:password@host:port/db} URL) or from {@code DB_HOST} (one host or a
 * comma-separated list, tried in order, writes only to the primary), {@code DB_PORT} (5432) and
 * {@code DB_NAME}. {@code DB_USER} and {@code DB_PASSWORD} win over credentials in the URL.
 *
 * <p>{@code DB_READ_HOSTS} (comma-separated, optional) names replicas: reads outside a transaction
 * then go to a second pool that prefers them ({@code targetServerType=preferSecondary}, load
 * balanced), and falls back to the primary's hosts when none answers. Such reads may lag the primary;
 * while a replica is down or lags more than {@code DB_MAX_REPLICA_LAG}, they go to the primary.
 *
 * @param jdbcUrl the URL for the driver, without credentials
 * @param user the user, or {@code null}
 * @param password the password, or {@code null}; never logged
 * @param readJdbcUrl the URL of the read pool (the replicas, then the primary's hosts), or {@code null}
 *     when reads go to the primary
 * @param replicaUrls one URL per replica, for watching each one's state and lag (an unmodifiable list); empty
 *     without replicas
 * @param maxReplicaLag how far behind the primary a replica may fall before reads leave the replicas
 * @param searchConfig the text search configuration of full-text search ({@code DB_SEARCH_CONFIG})
 */
public record PostgresSettings(
        String jdbcUrl,
        String user,
        String password,
        String readJdbcUrl,
        List<String> replicaUrls,
        java.time.Duration maxReplicaLag,
        String searchConfig) {

    private static final java.time.Duration DEFAULT_MAX_REPLICA_LAG = java.time.Duration.ofSeconds(30);

    /** A full database URL; may hold credentials (shown with the password masked). */
    public static final Setting<Optional<String>> DATABASE_URL =
            Setting.credentialUrl("DATABASE_URL").locating();
    /** Database host, or a comma-separated list for failover, default {@code localhost}. */
    public static final Setting<List<String>> DB_HOST = ServerSettings.DB_HOST;
    /** Database name. */
    public static final Setting<Optional<String>> DB_NAME = ServerSettings.DB_NAME;
    /** Database user. */
    public static final Setting<Optional<String>> DB_USER =
            Setting.text("DB_USER").locating();
    /** Database password (secret). */
    public static final Setting<Optional<String>> DB_PASSWORD =
            Setting.secret("DB_PASSWORD").locating();
    /** Replica hosts for reads outside transactions, comma-separated (optional). */
    public static final Setting<List<String>> DB_READ_HOSTS =
            Setting.list("DB_READ_HOSTS", "host").locating();
    /** How far behind the primary a replica may fall before reads go to the primary, default 30 s. */
    public static final Setting<java.time.Duration> DB_MAX_REPLICA_LAG =
            Setting.positiveDuration("DB_MAX_REPLICA_LAG", DEFAULT_MAX_REPLICA_LAG);
    /** The text search configuration of full-text search, unless {@code DB_SEARCH_CONFIG} names another. */
    public static final String DEFAULT_SEARCH_CONFIG = "simple";
    /**
     * The text search configuration full-text search uses and {@code idx_messages_content_fts} is built for,
     * default {@code simple} (lower-cased words, no stemming, no stop words). Another one, such as
     * {@code english}, stems words and drops stop words, so whole-word matching no longer holds; changing it
     * rebuilds the index at the next migration.
     */
    public static final Setting<String> DB_SEARCH_CONFIG = Setting.of(
            "DB_SEARCH_CONFIG", DEFAULT_SEARCH_CONFIG, PostgresSettings::searchConfig, DEFAULT_SEARCH_CONFIG);
    /** Whether the Liquibase changelog runs when the store opens: PostgreSQL's default for {@code DB_AUTO_MIGRATE}. */
    public static final boolean AUTO_MIGRATE_BY_DEFAULT = false;

    private static final int DEFAULT_PORT = 5432;

    /** @return the settings the PostgreSQL store declares */
    public static List<Setting<?>> declared() {
        return List.of(
                DATABASE_URL,
                DB_HOST,
                ServerSettings.DB_PORT,
                DB_NAME,
                DB_USER,
                DB_PASSWORD,
                DB_READ_HOSTS,
                DB_MAX_REPLICA_LAG,
                DB_SEARCH_CONFIG);
    }

    /**
     * Reads a text search configuration's name. It is written into statements and the index definition as a
     * literal (the planner matches an index expression only against a constant), so only a plain lower-case
     * identifier is taken.
     */
    private static String searchConfig(String value) {
        if (!value.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ConfigurationException(DB_SEARCH_CONFIG.name()
                    + " must name a PostgreSQL text search configuration: lower-case letters, digits and"
                    + " underscores, at most 63, such as simple or english");
        }
        return value;
    }

    /**
     * @param config the configuration
     * @return the checked settings
     * @throws ConfigurationException naming the setting at fault
     */
    public static PostgresSettings from(DalConfig config) {
        return from(SettingsView.of(config, declared()));
    }

    static PostgresSettings from(SettingsView view) {
        PostgresSettings located = located(view);
        return new PostgresSettings(
                located.jdbcUrl(),
                located.user(),
                located.password(),
                located.readJdbcUrl(),
                located.replicaUrls(),
                located.maxReplicaLag(),
                view.get(DB_SEARCH_CONFIG));
    }

    private static PostgresSettings located(SettingsView view) {
        PostgresSettings primary = primary(view);
        List<String> readHosts = view.get(DB_READ_HOSTS);
        if (readHosts.isEmpty()) {
            return primary;
        }
        List<String> replicas = ServerSettings.withPorts(view, readHosts, DEFAULT_PORT);
        String primaryHosts = primary.jdbcUrl().replaceFirst("^jdbc:postgresql://([^/]*).*$", "$1");
        String path = primary.jdbcUrl().replaceFirst("^jdbc:postgresql://[^/]*", "");
        String database = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        // The primary's hosts last: preferSecondary takes a replica while one answers, else any host.
        return new PostgresSettings(
                primary.jdbcUrl(),
                primary.user(),
                primary.password(),
                "jdbc:postgresql://" + String.join(",", replicas) + "," + primaryHosts + database
                        + "?targetServerType=preferSecondary&loadBalanceHosts=true",
                replicas.stream().map(r -> "jdbc:postgresql://" + r + database).toList(),
                view.get(DB_MAX_REPLICA_LAG),
                DEFAULT_SEARCH_CONFIG);
    }

    private static PostgresSettings primary(SettingsView view) {
        Optional<String> url = view.get(DATABASE_URL);
        String user = view.get(DB_USER).orElse(null);
        String password = view.get(DB_PASSWORD).orElse(null);
        if (url.isPresent()) {
            return fromUrl(url.get(), user, password);
        }
        String db = view.get(DB_NAME)
                .orElseThrow(() -> new ConfigurationException("The PostgreSQL store needs " + DATABASE_URL.name()
                        + " or " + DB_NAME.name() + " (with " + DB_HOST.name() + ", default localhost)"));
        List<String> hosts = view.get(DB_HOST).isEmpty() ? List.of("localhost") : view.get(DB_HOST);
        String hostList = String.join(",", ServerSettings.withPorts(view, hosts, DEFAULT_PORT));
        String jdbc =
                "jdbc:postgresql://" + hostList + "/" + db + (hosts.size() > 1 ? "?targetServerType=primary" : "");
        return new PostgresSettings(
                jdbc, user, password, null, List.of(), DEFAULT_MAX_REPLICA_LAG, DEFAULT_SEARCH_CONFIG);
    }

    private static PostgresSettings fromUrl(String url, String user, String password) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new PostgresSettings(
                    url, user, password, null, List.of(), DEFAULT_MAX_REPLICA_LAG, DEFAULT_SEARCH_CONFIG);
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new ConfigurationException(
                    DATABASE_URL.name() + " must start with jdbc:postgresql:, postgresql:// or postgres://");
        }
        try {
            URI uri = new URI(url);
            String authority = uri.getRawAuthority();
            // Several hosts make the authority "registry based": URI then reports no user info itself.
            String userInfo = authority.contains("@") ? authority.substring(0, authority.lastIndexOf('@')) : null;
            if (userInfo != null) {
                String[] parts = userInfo.split(":", 2);
                user = user != null ? user : decode(parts[0]);
                password = password != null ? password : parts.length > 1 ? decode(parts[1]) : null;
            }
            String hosts = authority.substring(authority.lastIndexOf('@') + 1);
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new PostgresSettings(
                    "jdbc:postgresql://" + hosts + uri.getRawPath() + query,
                    user,
                    password,
                    null,
                    List.of(),
                    DEFAULT_MAX_REPLICA_LAG,
                    DEFAULT_SEARCH_CONFIG);
        } catch (URISyntaxException | RuntimeException e) {
            throw new ConfigurationException(
                    DATABASE_URL.name() + " is not a valid PostgreSQL URL: " + DATABASE_URL.display(url));
        }
    }

    /**
     * The settings a {@code postgresql://user[:password]@host[:port]/db} URI (or {@code postgres://})
     * names: {@code DATABASE_URL}, {@code DB_PASSWORD} from the environment when the URI has none, and
     * {@code DB_AUTO_MIGRATE=true} unless the environment says otherwise, as an application opening the
     * store would want.
     *
     * @param uri the URI
     * @param environment the environment's settings
     * @return the settings, or empty when the scheme is not PostgreSQL's
     * @throws ConfigurationException when the URI is malformed; the message never shows the password
     */
    public static Optional<Map<String, String>> forUri(String uri, Map<String, String> environment) {
        String lower = uri.toLowerCase(java.util.Locale.ROOT);
        if (!lower.startsWith("postgresql:") && !lower.startsWith("postgres:")) {
            return Optional.empty();
        }
        String shown = DATABASE_URL.display(uri);
        URI parsed = ServerUris.parse(uri, shown);
        Map<String, String> settings = new TreeMap<>();
        settings.put(DATABASE_URL.name(), uri);
        String info = parsed.getRawUserInfo();
        String password = environment.get(DB_PASSWORD.name());
        if ((info == null || !info.contains(":")) && password != null && !password.isEmpty()) {
            settings.put(DB_PASSWORD.name(), password);
        }
        settings.put(DalConfig.DB_AUTO_MIGRATE, environment.getOrDefault(DalConfig.DB_AUTO_MIGRATE, "true"));
        return Optional.of(settings);
    }

    /**
     * @param config the configuration
     * @return where the store is, with any password masked
     */
    public static String location(DalConfig config) {
        SettingsView view = SettingsView.of(config, declared());
        return view.get(DATABASE_URL)
                .map(DATABASE_URL::display)
                .orElse("postgresql://" + String.join(",", view.get(DB_HOST)) + "/"
                        + view.get(DB_NAME).orElse(""));
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PostgresSettings[" + DATABASE_URL.display(jdbcUrl) + ", user=" + user
                + (readJdbcUrl == null ? "" : ", reads=" + readJdbcUrl) + "]";
    }
}
