package dev.dal.mongo.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.SchemaMigrator;

/** Opens MongoDB stores and migrators: client, topology, schema check or migration, store. */
public final class MongoStores {
    private MongoStores() {}

    /**
     * Opens a store. Pending migrations run first unless {@code DB_AUTO_MIGRATE=false}; then a schema
     * that is not current is refused, naming what to run.
     *
     * @param config the configuration
     * @return an open store
     */
    public static DataAccess open(DalConfig config) {
        MongoSettings settings = MongoSettings.from(config);
        MongoConnection connection = connect(config, settings);
        try {
            MongoSchemaMigrator migrator = new MongoSchemaMigrator(connection, false);
            boolean current = guarded("open", migrator::isCurrent);
            if (!current) {
                if (!settings.autoMigrate()) {
                    throw new ConfigurationException("The MongoDB schema of database " + settings.database()
                            + " is not current; run `dal schema migrate` or set " + DalConfig.DB_AUTO_MIGRATE
                            + "=true");
                }
                migrator.migrate();
            }
            return new MongoStore(
                    connection,
                    config.clock(),
                    config.migrationBatchSize(),
                    dev.dal.api.spi.TransactionRetry.from(config));
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * @param config the configuration
     * @return a migrator on its own connection, which it closes
     */
    public static SchemaMigrator migrator(DalConfig config) {
        MongoSettings settings = MongoSettings.from(config);
        return new MongoSchemaMigrator(connect(config, settings), true);
    }

    private static MongoConnection connect(DalConfig config, MongoSettings settings) {
        MongoConnection connection = new MongoConnection(config, settings);
        try {
            connection.connect();
            return connection;
        } catch (RuntimeException e) {
            connection.close();
            throw MongoErrors.translate("open", e);
        }
    }

    private static <T> T guarded(String operation, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw MongoErrors.translate(operation, e);
        }
    }
}
