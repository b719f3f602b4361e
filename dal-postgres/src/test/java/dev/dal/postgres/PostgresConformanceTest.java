package dev.dal.postgres;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.StoreProvider;

/** The PostgreSQL store runs the whole conformance kit against a real server. */
class PostgresConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new PostgresStores();
    }
}
