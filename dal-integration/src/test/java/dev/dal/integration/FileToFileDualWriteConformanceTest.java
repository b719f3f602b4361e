package dev.dal.integration;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.StoreProvider;

/**
 * The whole kit through {@code DualWriteDataAccess(file, file)}, every read compared: the decorator is
 * invisible to callers, and after every test both stores hold the same records.
 */
class FileToFileDualWriteConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new DualWriteStores(DualWriteStores.End.FILE, DualWriteStores.End.FILE, "compare");
    }
}
