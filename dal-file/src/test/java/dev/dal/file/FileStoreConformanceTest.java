package dev.dal.file;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.StoreProvider;

/** The file store runs the whole conformance kit. */
class FileStoreConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new TempFileStores();
    }
}
