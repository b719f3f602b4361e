package dev.dal.api;

import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.DeclaredSettings;
import dev.dal.api.spi.Setting;
import dev.dal.api.spi.SettingsView;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Dal's configuration: which store to use and how to reach it. Immutable and checked when built;
 * every message names the setting at fault. {@link #toString()} never shows a secret.
 *
 * <p>Read it from the environment with {@link #fromEnvironment()} (a system property of the same
 * name wins over an environment variable), from a map with {@link #fromMap(Map)}, or build it with
 * {@link #builder()}.
 *
 * <p>It holds the <em>common</em> settings, those every store or every network store reads: the store
 * type; the validation limits ({@code DAL_MAX_*}); the deadlines ({@code DB_QUERY_TIMEOUT},
 * {@code DB_CONNECT_TIMEOUT}, {@code DAL_HEALTH_TIMEOUT}); transaction retries and value logging
 * ({@code DAL_TX_RETRIES}, {@code DAL_LOG_VALUES}); the slow-call log ({@code DAL_SLOW_CALL_THRESHOLD});
 * the connection pool ({@code DB_MAX_CONNECTIONS},
 * {@code DB_IDLE_TIMEOUT}, {@code DB_CONNECTION_TIMEOUT}, {@code DB_MAX_LIFETIME}); schema changes at
 * open ({@code DB_AUTO_MIGRATE}); and whether to dual-write, to which secondary
 * ({@code MIGRATION_ENABLE_DUAL_WRITE}, {@code MIGRATION_SECONDARY_*}). The dual-write decorator's own
 * settings are declared by its {@link dev.dal.api.spi.DualWriteComposer#settings() composer}. A backend's own settings (where
 * its store is, its credentials, its options) are declared by its
 * {@link dev.dal.api.spi.DataAccessProvider#settings() provider}, which reads them through
 * {@link #view(DataAccessProvider)}; they are kept here as given and checked when the store opens.
 */
public final class DalConfig {

    /**
     * Store type: the {@link DataAccessProvider#name() name} or an alias of a provider on the class path,
     * default {@code file}.
     */
    public static final String DATA_STORAGE_TYPE = "DATA_STORAGE_TYPE";
    /** Connection pool size of a network store, default 20. */
    public static final String DB_MAX_CONNECTIONS = "DB_MAX_CONNECTIONS";
    /** Idle connection timeout of a network store's pool, in seconds (or ISO-8601), default 300 s. */
    public static final String DB_IDLE_TIMEOUT = "DB_IDLE_TIMEOUT";
    /** Longest wait for a pooled connection, in seconds (or ISO-8601), default 30 s. */
    public static final String DB_CONNECTION_TIMEOUT = "DB_CONNECTION_TIMEOUT";
    /** Maximum pooled connection lifetime, in seconds (or ISO-8601), default 1800 s. */
    public static final String DB_MAX_LIFETIME = "DB_MAX_LIFETIME";
    /** Records per batch in copy and migration work, default 1000. */
    public static final String MIGRATION_BATCH_SIZE = "MIGRATION_BATCH_SIZE";
    /** Whether the factory wraps the store in the dual-write decorator, default false. */
    public static final String MIGRATION_ENABLE_DUAL_WRITE = "MIGRATION_ENABLE_DUAL_WRITE";
    /**
     * Prefix of the dual-write secondary's own settings: the secondary store is configured by the
     * same names as any store, each prefixed, e.g. {@code MIGRATION_SECONDARY_DATABASE_URL} becomes the
     * secondary's {@code DATABASE_URL} and {@code MIGRATION_SECONDARY_DATA_DIR} its {@code DATA_DIR}.
     * {@link #MIGRATION_SECONDARY_STORAGE_TYPE} becomes its {@code DATA_STORAGE_TYPE}. The secondary
     * inherits the primary's {@code DAL_*} validation limits (so both stores accept the same input) and
     * its clock; nothing else is inherited. See {@link #secondaryConfig()}.
     */
    public static final String MIGRATION_SECONDARY_PREFIX = "MIGRATION_SECONDARY_";
    /** The dual-write secondary's store type; required when {@link #MIGRATION_ENABLE_DUAL_WRITE} is true. */
    public static final String MIGRATION_SECONDARY_STORAGE_TYPE = "MIGRATION_SECONDARY_STORAGE_TYPE";
    /** Longest message content accepted, in characters, default 100000. */
    public static final String DAL_MAX_CONTENT_LENGTH = "DAL_MAX_CONTENT_LENGTH";
    /** Deepest JSON nesting accepted, default 32. */
    public static final String DAL_MAX_JSON_DEPTH = "DAL_MAX_JSON_DEPTH";
    /** Largest JSON value accepted in any one field, in bytes of its UTF-8 JSON text, default 1 MiB. */
    public static final String DAL_MAX_JSON_BYTES = "DAL_MAX_JSON_BYTES";
    /**
     * The longest one call waits on the server, the network or a lock once it is under way, in
     * seconds or ISO-8601, default 30 s. A call that reaches it fails with a
     * {@link TransientDataAccessException}, or an {@link OutcomeUnknownException} when a write had been sent.
     */
    public static final String DB_QUERY_TIMEOUT = "DB_QUERY_TIMEOUT";
    /**
     * The longest opening one connection may take, in seconds or ISO-8601, default 5 s: a refused or
     * unroutable server fails within it with an {@link UnavailableException}.
     */
    public static final String DB_CONNECT_TIMEOUT = "DB_CONNECT_TIMEOUT";
    /**
     * The longest {@link DataAccess#healthCheck()} takes, in seconds or ISO-8601, default 2 s; a store
     * that has not answered by then is reported {@code DOWN}.
     */
    public static final String DAL_HEALTH_TIMEOUT = "DAL_HEALTH_TIMEOUT";
    /**
     * How many times {@link DataAccess#inTransaction} runs the work again after a {@link Retryable}
     * failure, default 3 (0 turns retries off), with exponential backoff and jitter between attempts.
     */
    public static final String DAL_TX_RETRIES = "DAL_TX_RETRIES";
    /**
     * Calls that take longer than this, in seconds or ISO-8601 (e.g. {@code PT0.25S}), default 1 s, are
     * logged at WARN with the operation, the store type and the time taken, never a value.
     */
    public static final String DAL_SLOW_CALL_THRESHOLD = "DAL_SLOW_CALL_THRESHOLD";
    /**
     * Whether log lines may carry user values (message text, metadata, profiles, memory values, bound
     * statement parameters), default false. Meant for debugging against test data only.
     */
    public static final String DAL_LOG_VALUES = "DAL_LOG_VALUES";
    /**
     * Whether a store applies pending schema changes when it opens. Defined once for every backend; its
     * default is the backend's own, documented by the backend (PostgreSQL false; MongoDB and Neo4j true),
     * and {@code dal schema migrate} applies them by hand.
     */
    public static final String DB_AUTO_MIGRATE = "DB_AUTO_MIGRATE";

    /**
     * Prefixes of settings Dal reads from the environment besides those the providers on the class path
     * declare: the common ones and the prefixed copies (a dual-write secondary's, a named store's).
     */
    private static final List<String> SETTING_PREFIXES = List.of(DATA_STORAGE_TYPE, "DB_", "MIGRATION_", "DAL_");

    private static final Setting<Integer> MAX_CONNECTIONS = Setting.wholeNumber(DB_MAX_CONNECTIONS, 20, 1, 10_000);
    private static final Setting<Duration> IDLE_TIMEOUT = Setting.duration(DB_IDLE_TIMEOUT, Duration.ofSeconds(300));
    private static final Setting<Duration> CONNECTION_TIMEOUT =
            Setting.duration(DB_CONNECTION_TIMEOUT, Duration.ofSeconds(30));
    private static final Setting<Duration> MAX_LIFETIME = Setting.duration(DB_MAX_LIFETIME, Duration.ofMinutes(30));
    private static final Setting<Duration> SLOW_CALL_THRESHOLD =
            Setting.positiveDuration(DAL_SLOW_CALL_THRESHOLD, Duration.ofSeconds(1));

    private final Map<String, String> settings;
    private final String storageType;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final Duration connectionTimeout;
    private final Duration maxLifetime;
    private final int migrationBatchSize;
    private final boolean dualWriteEnabled;
    private final int maxContentLength;
    private final int maxJsonDepth;
    private final int maxJsonBytes;
    private final Duration queryTimeout;
    private final Duration connectTimeout;
    private final Duration healthTimeout;
    private final int txRetries;
    private final Duration slowCallThreshold;
    private final boolean logValues;
    private final Clock clock;

    private DalConfig(Map<String, String> settings, Clock clock) {
        this.settings = Map.copyOf(settings);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.storageType =
                text(DATA_STORAGE_TYPE).map(s -> s.toLowerCase(Locale.ROOT)).orElse("file");
        this.maxConnections = MAX_CONNECTIONS.read(this.settings);
        this.idleTimeout = IDLE_TIMEOUT.read(this.settings);
        this.connectionTimeout = CONNECTION_TIMEOUT.read(this.settings);
        this.maxLifetime = MAX_LIFETIME.read(this.settings);
        this.migrationBatchSize = text(MIGRATION_BATCH_SIZE)
                .map(v -> intIn(MIGRATION_BATCH_SIZE, v, 1, 100_000))
                .orElse(1000);
        this.dualWriteEnabled = text(MIGRATION_ENABLE_DUAL_WRITE)
                .map(v -> bool(MIGRATION_ENABLE_DUAL_WRITE, v))
                .orElse(false);
        this.maxContentLength = text(DAL_MAX_CONTENT_LENGTH)
                .map(v -> intIn(DAL_MAX_CONTENT_LENGTH, v, 1, 100_000_000))
                .orElse(100_000);
        this.maxJsonDepth = text(DAL_MAX_JSON_DEPTH)
                .map(v -> intIn(DAL_MAX_JSON_DEPTH, v, 1, 1000))
                .orElse(32);
        this.maxJsonBytes = text(DAL_MAX_JSON_BYTES)
                .map(v -> intIn(DAL_MAX_JSON_BYTES, v, 16, 512 * 1024 * 1024))
                .orElse(1024 * 1024);
        this.queryTimeout = positiveDuration(DB_QUERY_TIMEOUT, Duration.ofSeconds(30));
        this.connectTimeout = positiveDuration(DB_CONNECT_TIMEOUT, Duration.ofSeconds(5));
        this.healthTimeout = positiveDuration(DAL_HEALTH_TIMEOUT, Duration.ofSeconds(2));
        this.txRetries =
                text(DAL_TX_RETRIES).map(v -> intIn(DAL_TX_RETRIES, v, 0, 100)).orElse(3);
        this.slowCallThreshold = SLOW_CALL_THRESHOLD.read(this.settings);
        this.logValues = text(DAL_LOG_VALUES).map(v -> bool(DAL_LOG_VALUES, v)).orElse(false);
    }

    /** Checks the settings dual-write needs, when the factory is about to build the decorator. */
    void checkDualWrite() {
        if (text(MIGRATION_SECONDARY_STORAGE_TYPE).isEmpty()) {
            throw new ConfigurationException(MIGRATION_ENABLE_DUAL_WRITE + "=true needs "
                    + MIGRATION_SECONDARY_STORAGE_TYPE + " (the store written second), with that store's settings"
                    + " prefixed by " + MIGRATION_SECONDARY_PREFIX);
        }
    }

    /**
     * Reads every Dal setting from the environment and system properties (a property wins).
     *
     * @return the checked configuration
     * @throws ConfigurationException naming the first malformed setting
     */
    public static DalConfig fromEnvironment() {
        Map<String, String> found = new TreeMap<>();
        System.getenv().forEach((k, v) -> keepIfDal(found, k, v));
        System.getProperties().forEach((k, v) -> keepIfDal(found, String.valueOf(k), String.valueOf(v)));
        return new DalConfig(found, Clock.systemUTC());
    }

    /**
     * @param settings setting names to values, as in the environment
     * @return the checked configuration
     * @throws ConfigurationException naming the first malformed setting
     */
    public static DalConfig fromMap(Map<String, String> settings) {
        return builder().settings(settings).build();
    }

    /** @return a builder with no settings (every default applies) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's settings and clock */
    public Builder toBuilder() {
        return builder().settings(settings).clock(clock);
    }

    private static void keepIfDal(Map<String, String> into, String name, String value) {
        if (isDalSetting(name)) {
            into.put(name, value);
        }
    }

    /**
     * Whether an environment variable or system property of this name is one {@link #fromEnvironment()} keeps:
     * one of the common prefixes ({@code DATA_STORAGE_TYPE}, {@code DB_}, {@code MIGRATION_}, {@code DAL_}) or
     * a name a provider or the dual-write decorator on the class path declares. For integrations that gather
     * settings from sources of their own and must keep the same ones.
     *
     * @param name a variable's or property's name
     * @return whether Dal reads it
     */
    public static boolean isDalSetting(String name) {
        Objects.requireNonNull(name, "name");
        return SETTING_PREFIXES.stream().anyMatch(name::startsWith) || DeclaredSettings.isDeclared(name);
    }

    // ---- typed values ----

    /** @return the store type as configured, lower case; {@code "file"} by default */
    public String storageType() {
        return storageType;
    }

    /** @return the connection pool size */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return how long an idle pooled connection is kept */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** @return how long to wait for a connection */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** @return the longest a pooled connection lives */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** @return records per batch in copy and migration work */
    public int migrationBatchSize() {
        return migrationBatchSize;
    }

    /** @return whether the factory builds the dual-write decorator */
    public boolean dualWriteEnabled() {
        return dualWriteEnabled;
    }

    /**
     * The dual-write secondary's own configuration, by the rule of {@link #MIGRATION_SECONDARY_PREFIX}:
     * each {@code MIGRATION_SECONDARY_X} setting becomes {@code X} ({@code MIGRATION_SECONDARY_STORAGE_TYPE}
     * becomes {@code DATA_STORAGE_TYPE}); settings the dual-write decorator declares under the same prefix
     * (its {@code MIGRATION_SECONDARY_FAILURE} and {@code MIGRATION_SECONDARY_TIMEOUT}) are its own and are not
     * passed on. The primary's
     * {@code DAL_*} limits and clock carry over unless the prefixed settings override them.
     *
     * @return the secondary's configuration, or empty when {@link #MIGRATION_SECONDARY_STORAGE_TYPE} is not set
     * @throws ConfigurationException naming the prefixed setting that is malformed
     */
    public Optional<DalConfig> secondaryConfig() {
        if (text(MIGRATION_SECONDARY_STORAGE_TYPE).isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> derived = new TreeMap<>();
        settings.forEach((name, value) -> {
            if (name.startsWith("DAL_")) {
                derived.put(name, value);
            }
        });
        Set<String> decoratorOwn =
                DeclaredSettings.ofDualWrite().stream().map(Setting::name).collect(Collectors.toSet());
        settings.forEach((name, value) -> {
            if (name.startsWith(MIGRATION_SECONDARY_PREFIX) && !decoratorOwn.contains(name)) {
                String own = name.substring(MIGRATION_SECONDARY_PREFIX.length());
                derived.put(own.equals("STORAGE_TYPE") ? DATA_STORAGE_TYPE : own, value);
            }
        });
        try {
            return Optional.of(new DalConfig(derived, clock));
        } catch (ConfigurationException e) {
            throw new ConfigurationException("The dual-write secondary's settings (prefixed "
                    + MIGRATION_SECONDARY_PREFIX + "): " + e.getMessage());
        }
    }

    /** @return the longest message content accepted, in characters */
    public int maxContentLength() {
        return maxContentLength;
    }

    /** @return the deepest JSON nesting accepted */
    public int maxJsonDepth() {
        return maxJsonDepth;
    }

    /** @return the largest JSON value accepted in one field, in bytes of UTF-8 JSON text */
    public int maxJsonBytes() {
        return maxJsonBytes;
    }

    /** @return the longest one call waits on the server, the network or a lock ({@link #DB_QUERY_TIMEOUT}) */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /** @return the longest opening one connection may take ({@link #DB_CONNECT_TIMEOUT}) */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return the time above which a call is logged as slow ({@link #DAL_SLOW_CALL_THRESHOLD}) */
    public Duration slowCallThreshold() {
        return slowCallThreshold;
    }

    /** @return the longest a health check takes before it reports {@code DOWN} ({@link #DAL_HEALTH_TIMEOUT}) */
    public Duration healthTimeout() {
        return healthTimeout;
    }

    /** @return how many times a transaction's work is run again after a retryable failure ({@link #DAL_TX_RETRIES}) */
    public int txRetries() {
        return txRetries;
    }

    /** @return whether log lines may carry user values ({@link #DAL_LOG_VALUES}); false unless the user opts in */
    public boolean logValues() {
        return logValues;
    }

    /**
     * Whether the store applies pending schema changes when it opens ({@link #DB_AUTO_MIGRATE}).
     *
     * @param backendDefault the backend's default when the setting is not given
     * @return the setting's value, or the backend's default
     * @throws ConfigurationException when the value is not {@code true}/{@code false}
     */
    public boolean autoMigrate(boolean backendDefault) {
        return Setting.flag(DB_AUTO_MIGRATE, backendDefault).read(settings);
    }

    /** @return the clock Dal reads for timestamps and expiry; tests may supply their own */
    public Clock clock() {
        return clock;
    }

    /**
     * A raw setting, as given.
     *
     * @param name the setting's name, e.g. {@code "DB_AUTO_MIGRATE"}
     * @return its trimmed value, if set and not blank
     */
    public Optional<String> setting(String name) {
        return text(name);
    }

    /**
     * A provider's view of this configuration: the settings it declares, read by their declarations,
     * and the common ones.
     *
     * @param provider the provider whose store is opened
     * @return the view
     */
    public SettingsView view(DataAccessProvider provider) {
        return SettingsView.of(this, provider.settings());
    }

    /** @return every setting as given, for building derived configurations; holds secrets, never log it */
    public Map<String, String> settings() {
        return settings;
    }

    /** @return the settings with secrets and URL credentials masked */
    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        new TreeMap<>(settings).forEach((name, value) -> shown.put(name, redact(name, value)));
        return "DalConfig" + shown;
    }

    /**
     * Masks a setting's value for display: a secret that a provider on the class path declares, or
     * whose name holds {@code PASSWORD}, {@code SECRET} or {@code TOKEN}, is masked whole; a URL a provider
     * declares, or whose name ends with {@code _URL} or {@code _URI}, has its password masked. A
     * declaration also applies under a prefix (a dual-write secondary's {@code MIGRATION_SECONDARY_X}).
     *
     * @param name the setting's name
     * @param value its value
     * @return {@code "****"} for secrets, a URL with its password masked, or the value
     */
    public static String redact(String name, String value) {
        if (value == null) {
            return null;
        }
        String upper = name.toUpperCase(Locale.ROOT);
        Setting.Shown declared = DeclaredSettings.shown(upper).orElse(Setting.Shown.AS_IS);
        if (declared == Setting.Shown.MASKED
                || upper.contains("PASSWORD")
                || upper.contains("SECRET")
                || upper.contains("TOKEN")) {
            return Setting.Shown.MASKED.display(value);
        }
        if (declared == Setting.Shown.CREDENTIALS_MASKED || upper.endsWith("_URL") || upper.endsWith("_URI")) {
            return Setting.Shown.CREDENTIALS_MASKED.display(value);
        }
        return value;
    }

    // ---- parsing ----

    private Optional<String> raw(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    private Optional<String> text(String name) {
        return raw(name).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static int intIn(String name, String value, int min, int max) {
        return Setting.wholeNumber(name, min, min, max).read(Map.of(name, value));
    }

    private static boolean bool(String name, String value) {
        return Setting.flag(name, false).read(Map.of(name, value));
    }

    private Duration positiveDuration(String name, Duration defaultValue) {
        return Setting.positiveDuration(name, defaultValue).read(settings);
    }

    /** Builds a {@link DalConfig}; {@link #build()} checks every value. */
    public static final class Builder {
        private final Map<String, String> settings = new TreeMap<>();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * @param name a setting's name, as in the environment
         * @param value its value; {@code null} removes it
         * @return this builder
         */
        public Builder setting(String name, String value) {
            Objects.requireNonNull(name, "name");
            if (value == null) {
                settings.remove(name);
            } else {
                settings.put(name, value);
            }
            return this;
        }

        /**
         * @param values settings to add
         * @return this builder
         */
        public Builder settings(Map<String, String> values) {
            values.forEach(this::setting);
            return this;
        }

        /**
         * @param type the store type
         * @return this builder
         */
        public Builder storageType(String type) {
            return setting(DATA_STORAGE_TYPE, type);
        }

        /**
         * @param value the clock for timestamps and expiry
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * @return the configuration
         * @throws ConfigurationException naming the first malformed setting
         */
        public DalConfig build() {
            return new DalConfig(settings, clock);
        }
    }
}
