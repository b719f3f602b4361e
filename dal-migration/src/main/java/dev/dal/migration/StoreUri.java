package dev.dal.migration;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.spi.DataAccessProvider;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A store named by one URI, turned into the {@link DalConfig} that opens it. Each backend on the
 * class path parses the URIs of its own schemes ({@link DataAccessProvider#settingsForUri}); Dal's
 * backends accept:
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
 * size) still apply; those that do (every setting a provider declares as
 * {@link dev.dal.api.spi.Setting#locating() locating}) are replaced by the URI's. {@link #toString()}
 * and {@link #redacted()} never show a password.
 *
 * <p>A PostgreSQL URI sets {@code DB_AUTO_MIGRATE=true} unless the environment says otherwise, as an
 * application opening the store would want; the {@code dal} commands that must not change a schema
 * override it with {@link #with(String, String)}.
 */
public final class StoreUri {
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
     * @throws ConfigurationException when no backend on the class path knows the scheme, or the URI is
     *     malformed (the message lists the known schemes and never shows a password)
     */
    public static StoreUri parse(String uri, Map<String, String> environment) {
        Objects.requireNonNull(uri, "uri");
        Map<String, String> env = environment == null ? Map.of() : environment;
        String trimmed = uri.trim();
        String shown = redact(trimmed);
        List<DataAccessProvider> providers = DataAccessFactory.providers();
        for (DataAccessProvider provider : providers) {
            Optional<Map<String, String>> named = provider.settingsForUri(trimmed, env);
            if (named.isPresent()) {
                Map<String, String> settings = new TreeMap<>(env);
                settings.keySet()
                        .removeIf(name -> name.equals(DalConfig.DATA_STORAGE_TYPE)
                                || providers.stream()
                                        .flatMap(p -> p.settings().stream())
                                        .anyMatch(
                                                s -> s.isLocating() && s.name().equals(name)));
                settings.putAll(named.get());
                settings.put(DalConfig.DATA_STORAGE_TYPE, provider.name());
                return new StoreUri(shown, DalConfig.fromMap(settings));
            }
        }
        List<String> known = providers.stream()
                .sorted(Comparator.comparing(DataAccessProvider::name))
                .flatMap(p -> p.uriForms().stream())
                .toList();
        throw new ConfigurationException("Store '" + shown + "' has no known scheme; known: "
                + (known.isEmpty() ? "none (no backend on the class path)" : String.join(", ", known)));
    }

    /**
     * The store the environment names ({@code DATA_STORAGE_TYPE} and the rest), for commands run
     * without a URI.
     *
     * @param config the environment's configuration
     * @return the store, shown by its provider's {@link DataAccessProvider#location} (its type when
     *     no provider on the class path has it)
     */
    public static StoreUri fromConfig(DalConfig config) {
        String where;
        try {
            where = DataAccessFactory.provider(config.storageType()).location(config);
        } catch (ConfigurationException e) {
            // Opening the store reports the missing or misconfigured backend with the whole story.
            where = config.storageType();
        }
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
}
