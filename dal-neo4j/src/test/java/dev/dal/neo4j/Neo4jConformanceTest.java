package dev.dal.neo4j;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.OptOut;
import dev.dal.testkit.StoreProvider;

/** The Neo4j store runs the whole conformance kit against a real server. */
@OptOut(test = "concurrentReadModifyWriteTransactionsLoseNoUpdate", reason = "Neo4j transactions take no read locks: concurrent read-then-write"
        + " transactions lose updates (80 committed increments ended at 14-18); needs serializable isolation or"
        + " locking reads retried through TransactionRetry, not yet built")
class Neo4jConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new Neo4jTestStores();
    }
}
