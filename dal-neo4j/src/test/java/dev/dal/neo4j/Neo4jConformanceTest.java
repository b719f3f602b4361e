package dev.dal.neo4j;

import dev.dal.testkit.DataAccessConformance;
import dev.dal.testkit.StoreProvider;

/** The Neo4j store runs the whole conformance kit against a real server. */
class Neo4jConformanceTest implements DataAccessConformance {
    @Override
    public StoreProvider storeProvider() {
        return new Neo4jTestStores();
    }
}
