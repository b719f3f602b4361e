package dev.dal.migration;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A store named by one URI, turned into the {@link DalConfig} that opens it:
 * <ul>
 * <li>{@code file:PATH} ({@code file:./data}, {@code file:/var/dal}) — the file store in PATH;</li>
 * <li>{@code postgresql://user[:password]@host[:port]/db} (or {@code postgres://}) — PostgreSQL;</li>
 * <li>{@code mongodb://[user[:password]@]host[:port]/db} (or {@code mongodb+srv://}) — MongoDB,
 * the database taken from the path;</li>
 * <li>{@code neo4j://[user[:password]@]host[:port][/database]} (or {@code bolt://}, {@code neo4j+s://},
 * {@code bolt+s://}) — Neo4j, on the server's default database unless the path names one.</li>
 * </ul>
 * Passwords come from the URI or from the environment ({@code DB_PASSWORD}, {@code NEO4J_PASSWORD}).
 * Settings of the environment that do not say where the store is (pool sizes, timeouts, batch
 * size) still apply. {@link #toString()} and {@link #redacted()} never show a password.
 *
 * <p>A PostgreSQL URI sets {@code DB_AUTO_MIGRATE=true} unless the environment says otherwise, as an
 * application opening the store would want; the {@code dal} commands that must not change a schema
 * override it with {@link #with(String, String)}.
 */
public final class StoreUri {
    /** dal-neo4j's setting for a database other than the server's default. */
    private static final String NEO4J_DATABASE = "NEO4J_DATABASE";
    /** Settings that say where a store is; a URI replaces them all. */
    private static final Set<String> LOCATION = Set.of(DalConfig.DATA_STORAGE_TYPE, DalConfig.DATA_DIR,
            DalConfig.DATABASE_URL, DalConfig.DB_HOST, DalConfig.DB_PORT, DalConfig.DB_NAME, DalConfig.DB_USER,
            DalConfig.DB_PASSWORD, DalConfig.MONGODB_URL, DalConfig.MONGODB_DATABASE, DalConfig.NEO4J_URI,
            DalConfig.NEO4J_USER, DalConfig.NEO4J_PASSWORD, NEO4J_DATABASE, "DB_READ_HOSTS");
    private static final List<String> KNOWN = List.of("file:PATH", "postgresql://", "postgres://", "mongodb://",
            "mongodb+srv://", "neo4j://", "neo4j+s://", "bolt://", "bolt+s://");

    private final String redacted;
    private final DalConfig config;

    private StoreUri(String redacted, DalConfig config) {
        this.redacted = redacted;
        this.config = config;
    }

    /**
     * Parses a store URI.
     *
     * @param uri the URI, e.g. {@code postgresql://dal@db:5432/chat}
     * @param environment the environment's Dal settings (for passwords and tuning), e.g.
     *     {@code DalConfig.fromEnvironment().settings()}
     * @return the store
     * @throws ConfigurationException when the scheme is unknown or the URI malformed (the message
     *     lists the known schemes and never shows a password)
     */
    public static StoreUri parse(String uri, Map<String, String> environment) {
        Objects.requireNonNull(uri, "uri");
        Map<String, String> env = environment == null ? Map.of() : environment;
        Map<String, String> settings = new TreeMap<>(env);
        settings.keySet().removeAll(LOCATION);
        String trimmed = uri.trim();
        String scheme = trimmed.contains(":") ? trimmed.substring(0, trimmed.indexOf(':')).toLowerCase(Locale.ROOT) : "";
        String shown = redact(trimmed);
        switch (scheme) {
            case "file" -> {
                String path = trimmed.substring("file:".length());
                if (path.startsWith("//")) {
                    path = URI.create(trimmed).getPath();
                }
                if (path.isBlank()) {
                    throw new ConfigurationException("Store " + shown + ": file: needs a directory, e.g. file:./data");
                }
                settings.put(DalConfig.DATA_STORAGE_TYPE, "file");
                settings.put(DalConfig.DATA_DIR, path);
            }
            case "postgresql", "postgres" -> {
                URI parsed = uri(trimmed, shown);
                settings.put(DalConfig.DATA_STORAGE_TYPE, "postgresql");
                settings.put(DalConfig.DATABASE_URL, trimmed);
                if (password(parsed) == null) {
                    copyIfSet(env, settings, DalConfig.DB_PASSWORD);
                }
                settings.putIfAbsent("DB_AUTO_MIGRATE", env.getOrDefault("DB_AUTO_MIGRATE", "true"));
            }
            case "mongodb", "mongodb+srv" -> {
                URI parsed = uri(trimmed, shown);
                String path = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
                if (path.isBlank()) {
                    throw new ConfigurationException("Store " + shown
                            + ": a MongoDB URI must name the database, e.g. mongodb://host:27017/chat");
                }
                settings.put(DalConfig.DATA_STORAGE_TYPE, "mongodb");
                settings.put(DalConfig.MONGODB_URL, trimmed);
                settings.put(DalConfig.MONGODB_DATABASE, path);
            }
            case "neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc" -> {
                URI parsed = uri(trimmed, shown);
                settings.put(DalConfig.DATA_STORAGE_TYPE, "neo4j");
                String info = parsed.getRawUserInfo();
                String user = info == null ? null : decode(info.split(":", 2)[0]);
                String password = password(parsed);
                settings.put(DalConfig.NEO4J_URI, parsed.getScheme() + "://" + parsed.getHost()
                        + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort()));
                if (user != null && !user.isEmpty()) {
                    settings.put(DalConfig.NEO4J_USER, user);
                } else {
                    copyIfSet(env, settings, DalConfig.NEO4J_USER);
                }
                if (password != null) {
                    settings.put(DalConfig.NEO4J_PASSWORD, password);
                } else {
                    copyIfSet(env, settings, DalConfig.NEO4J_PASSWORD);
                }
                String database = parsed.getPath() == null ? "" : parsed.getPath().replaceFirst("^/", "");
                if (!database.isEmpty()) {
                    settings.put(NEO4J_DATABASE, database);
                }
            }
            default -> throw new ConfigurationException("Store '" + shown + "' has no known scheme; known: "
                    + String.join(", ", KNOWN));
        }
        return new StoreUri(shown, DalConfig.fromMap(settings));
    }

    /**
     * The store the environment names ({@code DATA_STORAGE_TYPE} and the rest), for commands run
     * without a URI.
     *
     * @param config the environment's configuration
     * @return the store
     */
    public static StoreUri fromConfig(DalConfig config) {
        String where = switch (config.storageType()) {
            case "file", "json", "files" -> "file:" + config.dataDir();
            case "postgresql", "postgres", "pg" -> config.databaseUrl().map(u -> DalConfig.redact(DalConfig.DATABASE_URL, u))
                    .orElse("postgresql://" + String.join(",", config.dbHosts()) + "/" + config.dbName().orElse(""));
            case "mongodb", "mongo" -> config.mongodbUrl().map(u -> DalConfig.redact(DalConfig.MONGODB_URL, u))
                    .orElse("mongodb");
            case "neo4j" -> config.neo4jUri().orElse("neo4j");
            default -> config.storageType();
        };
        return new StoreUri(where, config);
    }

    /**
     * The same store with one setting changed, e.g. {@code DB_AUTO_MIGRATE=false} for a command that
     * must not change a schema, or a timeout given on the command line.
     *
     * @param name the setting's name
     * @param value its value
     * @return a store URI whose configuration has that setting
     * @throws ConfigurationException when the value is malformed (the message names the setting)
     */
    public StoreUri with(String name, String value) {
        return new StoreUri(redacted, config.toBuilder().setting(name, value).build());
    }

    /** @return the configuration that opens this store; it may hold secrets, never log it */
    public DalConfig config() {
        return config;
    }

    /** @return the URI with any password masked */
    public String redacted() {
        return redacted;
    }

    @Override
    public String toString() {
        return redacted;
    }

    /**
     * @param uri any URI
     * @return it with the password of its user-info and any {@code password=} parameter masked
     */
    public static String redact(String uri) {
        return DalConfig.redact("STORE_URI", uri);
    }

    private static void copyIfSet(Map<String, String> from, Map<String, String> into, String name) {
        String value = from.get(name);
        if (value != null && !value.isEmpty()) {
            into.put(name, value);
        }
    }

    private static URI uri(String text, String shown) {
        try {
            URI parsed = new URI(text);
            if (parsed.getHost() == null) {
                throw new ConfigurationException("Store " + shown + " names no host");
            }
            return parsed;
        } catch (URISyntaxException e) {
            throw new ConfigurationException("Store " + shown + " is not a valid URI: " + e.getReason());
        }
    }

    private static String password(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null || !info.contains(":")) {
            return null;
        }
        return decode(info.substring(info.indexOf(':') + 1));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
