package dev.dal.examples.memory;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.StoreProvider;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/** Runs the whole kit against the in-memory store, opened by its type as applications open it. */
class MemoryStoreConformanceTest implements DataAccessConformance {

    @Override
    public StoreProvider storeProvider() {
        return new StoreProvider() {
            private String last;

            @Override
            public DataAccess openEmpty(Clock clock) {
                return openEmpty(clock, Map.of(), null);
            }

            @Override
            public DataAccess openEmpty(Clock clock, Map<String, String> settings, InetSocketAddress via) {
                last = "kit-" + UUID.randomUUID();
                return open(clock, settings);
            }

            @Override
            public DataAccess reopen(Clock clock) {
                return open(clock, Map.of());
            }

            private DataAccess open(Clock clock, Map<String, String> settings) {
                return DataAccessFactory.create(DalConfig.builder()
                        .settings(settings)
                        .setting(DalConfig.DATA_STORAGE_TYPE, "memory")
                        .setting("MEMORY_STORE_NAME", last)
                        .clock(clock)
                        .build());
            }
        };
    }
}
