package dev.dal.neo4j.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.SchemaMigrator;
import java.util.List;

/** Opens Neo4j stores and their schema migrators. */
public final class Neo4jStores {
    private Neo4jStores() {}

    /**
     * Opens a store; with {@code DB_AUTO_MIGRATE} (default true) pending schema changes are applied
     * first, without it a pending change is a {@link ConfigurationException} naming
     * {@code DB_AUTO_MIGRATE} and {@code dal schema migrate}: the constraints are what keeps keys unique.
     *
     * @param config the configuration
     * @return an open store
     */
    public static DataAccess open(DalConfig config) {
        return open(config, null);
    }

    /**
     * @param config the configuration
     * @param driver the application's driver, left open when the store closes; {@code null} to
     *     create one from the settings
     * @return an open store
     */
    public static DataAccess open(DalConfig config, org.neo4j.driver.Driver driver) {
        Neo4jSettings settings = Neo4jSettings.from(config, driver != null);
        Neo4jConnection connection =
                driver == null ? new Neo4jConnection(settings) : new Neo4jConnection(settings, driver, false);
        try {
            Neo4jSchemaMigrator schema = new Neo4jSchemaMigrator(connection, false);
            List<String> pending;
            try {
                pending = schema.pending();
            } catch (RuntimeException e) {
                // The first contact with the server: name the open, not the internal read that failed.
                throw Neo4jErrors.openFailure(settings.uri(), e);
            }
            if (!pending.isEmpty()) {
                if (!settings.autoMigrate()) {
                    throw Neo4jErrors.FAILURES.schemaNotCurrent(
                            (pending.size() == schema.migrationCount() ? "no schema: " : "") + "changes " + pending
                                    + " not applied");
                }
                schema.migrate();
            }
            return new Neo4jStore(connection, config.clock(), null);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * @param config the configuration
     * @return a migrator with a driver of its own, closed with it
     */
    public static SchemaMigrator migrator(DalConfig config) {
        return migrator(config, null);
    }

    /**
     * @param config the configuration
     * @param driver the application's driver, left open; {@code null} to create one, closed with the migrator
     * @return a migrator
     */
    public static SchemaMigrator migrator(DalConfig config, org.neo4j.driver.Driver driver) {
        Neo4jSettings settings = Neo4jSettings.from(config, driver != null);
        return driver == null
                ? new Neo4jSchemaMigrator(new Neo4jConnection(settings), true)
                : new Neo4jSchemaMigrator(new Neo4jConnection(settings, driver, false), false);
    }
}
