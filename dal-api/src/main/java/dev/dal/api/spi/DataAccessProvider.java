package dev.dal.api.spi;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import java.util.Set;

/**
 * A store implementation. Backends register one in
 * {@code META-INF/services/dev.dal.api.spi.DataAccessProvider}; applications rarely see it.
 *
 * <p>The {@link DataAccess} a provider creates may assume its arguments were validated:
 * {@link dev.dal.api.DataAccessFactory} wraps it in Dal's validation before handing it out.
 */
public interface DataAccessProvider {

    /** @return the canonical store type, e.g. {@code "postgresql"} */
    String name();

    /** @return other names accepted for {@code DATA_STORAGE_TYPE}, e.g. {@code "pg"}; lower case */
    default Set<String> aliases() {
        return Set.of();
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
