package dev.dal.api.spi;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A store implementation. Backends register one in
 * {@code META-INF/services/dev.dal.api.spi.DataAccessProvider}; applications rarely see it.
 *
 * <p>The {@link DataAccess} a provider creates may assume its arguments were validated:
 * {@link dev.dal.api.DataAccessFactory} wraps it in Dal's validation before handing it out.
 *
 * <p>A provider declares the settings it reads beyond the common ones of {@link DalConfig}
 * ({@link #settings()}: names, defaults, parsing, which are secret) and reads them through
 * {@link DalConfig#view(DataAccessProvider)}; it turns a store URI of its own scheme into those
 * settings ({@link #settingsForUri}). Adding a backend therefore needs no change outside its module.
 */
public interface DataAccessProvider {

    /** @return the canonical store type, e.g. {@code "postgresql"} */
    String name();

    /** @return other names accepted for {@code DATA_STORAGE_TYPE}, e.g. {@code "pg"}; lower case */
    default Set<String> aliases() {
        return Set.of();
    }

    /**
     * The settings this backend reads beyond the common ones of {@link DalConfig}. Configuration
     * masks the declared secrets wherever it shows settings, and reads the declared names from the
     * environment. The default declares none.
     *
     * @return the declared settings, in the order they are documented
     */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Turns a store URI into the settings that open this backend's store, when the URI's scheme is
     * this backend's. The result holds only the settings that say where the store is (those marked
     * {@link Setting#locating()}), plus any the backend sets for a URI-named store; the caller
     * removes every locating setting of the environment, adds these, and sets
     * {@code DATA_STORAGE_TYPE} to {@link #name()}. The default recognizes no URI.
     *
     * @param uri the URI as given, trimmed, e.g. {@code postgresql://dal@db:5432/chat}
     * @param environment the environment's settings, e.g. for a password the URI leaves out
     * @return the settings, or empty when the scheme is not this backend's
     * @throws dev.dal.api.ConfigurationException when the scheme is this backend's but the URI is
     *     malformed; the message never shows a password
     */
    default Optional<Map<String, String>> settingsForUri(String uri, Map<String, String> environment) {
        return Optional.empty();
    }

    /** @return the URI forms {@link #settingsForUri} accepts, for help and error messages; none by default */
    default List<String> uriForms() {
        return List.of();
    }

    /**
     * Says where a configured store is, for command output: a URI or path without secrets.
     *
     * @param config the configuration
     * @return the store's location with any password masked; {@link #name()} by default
     */
    default String location(DalConfig config) {
        return name();
    }

    /**
     * Opens a store.
     *
     * @param config the configuration; the provider reads the settings it needs
     * @return an open store
     * @throws dev.dal.api.ConfigurationException when a setting the store needs is missing or wrong
     * @throws dev.dal.api.UnavailableException when the store cannot be reached
     */
    DataAccess create(DalConfig config);

    /**
     * Opens the store's schema migrations, without opening a {@link DataAccess} (and so without
     * auto-migrating).
     *
     * @param config the configuration; the provider reads the settings it needs
     * @return a migrator the caller closes
     * @throws dev.dal.api.ConfigurationException when the backend offers no schema migrations or a
     *     setting is wrong
     * @throws dev.dal.api.UnavailableException when the store cannot be reached
     */
    default SchemaMigrator schemaMigrator(DalConfig config) {
        throw new dev.dal.api.ConfigurationException("The " + name() + " store offers no schema migrations");
    }
}
