package dev.dal.integration;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.file.FileStoreProvider;

/**
 * {@code DATA_STORAGE_TYPE=broken-file}: a real file store (at {@code DATA_DIR}) whose every write fails with
 * {@link dev.dal.api.UnavailableException}; reads work. A secondary that is down, for a child JVM configured by
 * settings alone; opening the same directory as {@code file} afterwards is the secondary coming back.
 */
public final class BrokenFileStoreProvider implements dev.dal.api.spi.DataAccessProvider {
    /** The store type this provider answers to. */
    public static final String NAME = "broken-file";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DataAccess create(DalConfig config) {
        FlakySecondary store = new FlakySecondary(new FileStoreProvider().create(config));
        store.failFromWrite(1);
        return store;
    }
}
