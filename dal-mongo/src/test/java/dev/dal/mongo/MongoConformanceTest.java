package dev.dal.mongo;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.StoreProvider;

/**
 * The MongoDB store runs the whole conformance kit: on the in-process server by default (standalone,
 * so the kit skips the tests that need TRANSACTIONS), on {@code DAL_TEST_MONGO_URI} when set, or on a
 * replica set in Docker when an engine runs (then the transaction tests run too).
 */
class MongoConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new MongoStores();
    }
}
