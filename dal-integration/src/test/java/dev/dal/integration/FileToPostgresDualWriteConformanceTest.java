package dev.dal.integration;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.StoreProvider;

/**
 * The whole kit through {@code DualWriteDataAccess(file, postgresql)}: two different backends, the file store
 * the source of truth (phases 1 and 2 of a migration to PostgreSQL). After every test both hold the same records.
 */
class FileToPostgresDualWriteConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new DualWriteStores(DualWriteStores.End.FILE, DualWriteStores.End.POSTGRESQL, "primary");
    }
}
