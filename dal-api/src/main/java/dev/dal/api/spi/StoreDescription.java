package dev.dal.api.spi;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What a backend says about its store, for a {@link DescribedProvider}: its store type and the other names
 * accepted for it, the settings it reads, the store URIs it opens, where a configured store is, and how a
 * store and its schema migrator are opened. Immutable; built with {@link #named(String)}.
 */
public final class StoreDescription {

    /** Turns a store URI of the backend's scheme into its settings, as {@link DataAccessProvider#settingsForUri}. */
    @FunctionalInterface
    public interface UriSettings {
        /**
         * Reads a store URI.
         *
         * @param uri the URI as given, trimmed
         * @param environment the environment's settings
         * @return the settings the URI names, or empty when its scheme is not the backend's
         * @throws ConfigurationException when the scheme is the backend's but the URI is malformed; the
         *     message never shows a password
         */
        Optional<Map<String, String>> read(String uri, Map<String, String> environment);
    }

    private final String name;
    private final Set<String> aliases;
    private final List<Setting<?>> settings;
    private final List<String> uriForms;
    private final UriSettings uriSettings;
    private final Function<DalConfig, String> location;
    private final Function<DalConfig, DataAccess> opener;
    private final Function<DalConfig, SchemaMigrator> migrator;

    private StoreDescription(Builder builder) {
        this.name = builder.name;
        this.aliases = builder.aliases;
        this.settings = builder.settings;
        this.uriForms = builder.uriForms;
        this.uriSettings = builder.uriSettings;
        this.location = builder.location;
        this.opener = Objects.requireNonNull(builder.opener, "opens: a store description needs its store's opener");
        this.migrator = builder.migrator;
    }

    /**
     * Starts a description.
     *
     * @param name the canonical store type, lower case, e.g. {@code "postgresql"}
     * @return a builder; {@link Builder#opens} is the one required step
     * @throws IllegalArgumentException when the name is blank or not lower case
     */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /** @return the canonical store type, as {@link DataAccessProvider#name()} */
    public String name() {
        return name;
    }

    /** @return the other names accepted for {@code DATA_STORAGE_TYPE}; lower case */
    public Set<String> aliases() {
        return aliases;
    }

    /** @return the settings the backend declares, in the order they are documented */
    public List<Setting<?>> settings() {
        return settings;
    }

    /** @return the URI forms the backend opens, for help and error messages */
    public List<String> uriForms() {
        return uriForms;
    }

    /**
     * @param uri the store URI as given, trimmed
     * @param environment the environment's settings
     * @return the settings the URI names, or empty when its scheme is not the backend's
     * @throws ConfigurationException when the scheme is the backend's but the URI is malformed
     */
    public Optional<Map<String, String>> settingsForUri(String uri, Map<String, String> environment) {
        return uriSettings.read(uri, environment);
    }

    /**
     * @param config the configuration
     * @return where the configured store is, without secrets
     */
    public String location(DalConfig config) {
        return location.apply(config);
    }

    /**
     * @param config the configuration
     * @return an open store
     */
    public DataAccess open(DalConfig config) {
        return opener.apply(config);
    }

    /**
     * @param config the configuration
     * @return the store's schema migrator, which the caller closes
     * @throws ConfigurationException when the backend offers no schema migrations
     */
    public SchemaMigrator migrator(DalConfig config) {
        return migrator.apply(config);
    }

    @Override
    public String toString() {
        return "StoreDescription[" + name + "]";
    }

    /** Builds a {@link StoreDescription}; every step but {@link #opens} is optional. */
    public static final class Builder {
        private final String name;
        private Set<String> aliases = Set.of();
        private List<Setting<?>> settings = List.of();
        private List<String> uriForms = List.of();
        private UriSettings uriSettings = (uri, environment) -> Optional.empty();
        private Function<DalConfig, String> location;
        private Function<DalConfig, DataAccess> opener;
        private Function<DalConfig, SchemaMigrator> migrator;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || !name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("A store type is a non-blank lower-case name");
            }
            this.name = name;
            this.location = config -> name;
            this.migrator = config -> {
                throw new ConfigurationException("The " + name + " store offers no schema migrations");
            };
        }

        /**
         * @param names other names accepted for {@code DATA_STORAGE_TYPE}, lower case; none by default
         * @return this builder
         */
        public Builder aliases(String... names) {
            this.aliases = Set.of(names);
            return this;
        }

        /**
         * @param declared the settings the backend reads beyond the common ones; none by default
         * @return this builder
         */
        public Builder settings(List<Setting<?>> declared) {
            this.settings = List.copyOf(declared);
            return this;
        }

        /**
         * @param reader turns a URI of the backend's scheme into its settings
         * @param forms the URI forms it accepts, for help and error messages, e.g. {@code "postgresql://"}
         * @return this builder; without this step the backend recognizes no URI
         */
        public Builder uris(UriSettings reader, String... forms) {
            this.uriSettings = Objects.requireNonNull(reader, "reader");
            this.uriForms = List.of(forms);
            return this;
        }

        /**
         * @param where says where a configured store is, for command output, with any password masked; the
         *     store type by default
         * @return this builder
         */
        public Builder location(Function<DalConfig, String> where) {
            this.location = Objects.requireNonNull(where, "where");
            return this;
        }

        /**
         * @param open opens a store from the configuration (see {@link DataAccessProvider#create})
         * @return this builder
         */
        public Builder opens(Function<DalConfig, DataAccess> open) {
            this.opener = Objects.requireNonNull(open, "open");
            return this;
        }

        /**
         * @param open opens the store's schema migrator without opening the store (see
         *     {@link DataAccessProvider#schemaMigrator}); by default the backend offers none
         * @return this builder
         */
        public Builder migrates(Function<DalConfig, SchemaMigrator> open) {
            this.migrator = Objects.requireNonNull(open, "open");
            return this;
        }

        /**
         * @return the description
         * @throws NullPointerException when {@link #opens} was not given
         */
        public StoreDescription build() {
            return new StoreDescription(this);
        }
    }
}
