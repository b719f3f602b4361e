package dev.dal.postgres.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;

/** Opens PostgreSQL stores: pool, optional migration, store. */
public final class PgStores {
    private PgStores() {
    }

    /**
     * @param config the configuration
     * @return an open store
     */
    public static DataAccess open(DalConfig config) {
        PgDatabase db = new PgDatabase(config, PgSettings.from(config));
        try {
            if (config.flag(PgSettings.DB_AUTO_MIGRATE, false)) {
                new PgSchema(db.dataSource()).migrate();
            }
            return new PgStore(db, config.clock(), null);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }
}
