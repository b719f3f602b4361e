package dev.dal.postgres.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens PostgreSQL stores: pool, migration or schema check, store. */
public final class PostgresStores {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStores.class);

    private PostgresStores() {}

    /**
     * Opens a store. With {@code DB_AUTO_MIGRATE=true} pending changesets are applied first; otherwise
     * (the default) one query checks that every changeset is applied, and a database that is behind,
     * an empty one included, is refused with a {@link ConfigurationException} naming
     * {@code DB_AUTO_MIGRATE} and {@code dal schema migrate}. Rejected credentials and an unknown
     * database are refused the same way. A server that cannot be reached does not stop the open: the
     * store reports DOWN, recovers by itself, and runs the schema check on its first connection.
     *
     * @param config the configuration
     * @return an open store
     */
    public static DataAccess open(DalConfig config) {
        PostgresSettings settings = PostgresSettings.from(config);
        PostgresConnection db = new PostgresConnection(config, settings);
        try {
            if (config.autoMigrate(PostgresSettings.AUTO_MIGRATE_BY_DEFAULT)) {
                new PostgresLiquibase(db).migrate();
                return new PostgresStore(db, config.clock(), PostgresSchemaCheck.passed());
            }
            return new PostgresStore(db, config.clock(), checkAtOpen(db, config, settings));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Runs the schema check over a connection of its own, bounded by the store's deadlines. */
    private static PostgresSchemaCheck checkAtOpen(PostgresConnection db, DalConfig config, PostgresSettings settings) {
        PostgresSchemaCheck check = PostgresSchemaCheck.pending(settings.searchConfig());
        PostgresConnector connector = PostgresConnection.connector(config, settings.jdbcUrl(), settings, "dal-open");
        try (Connection c = connector.getConnection()) {
            check.ensure(c);
        } catch (SQLException e) {
            DataAccessException failure = PostgresErrors.connecting("open", e);
            if (failure instanceof ConfigurationException) {
                throw failure;
            }
            if (failure instanceof dev.dal.api.UnavailableException) {
                db.markUnreachable();
            }
            LOG.info(
                    "PostgreSQL could not be reached when the store opened ({}); the schema is checked on the"
                            + " first connection",
                    failure.getClass().getSimpleName());
        }
        return check;
    }
}
