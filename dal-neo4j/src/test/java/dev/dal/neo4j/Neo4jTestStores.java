package dev.dal.neo4j;

import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.testkit.StoreProvider;
import java.time.Clock;

/**
 * Opens stores on the test server, emptied before each test. The store under test shares the
 * fixture's driver (a driver per test would spend a quarter second closing its event loop); the
 * second handle of the persistence and multi-process tests creates and closes its own driver, as
 * another process would, so both wirings run the kit.
 */
final class Neo4jTestStores implements StoreProvider {
    private final Neo4jTestServer server = Neo4jTestServer.get();

    @Override
    public DataAccess openEmpty(Clock clock) {
        DataAccess store = DataAccessFactory.create(server.config(clock), server.sharedDriverProvider());
        server.clear();
        return store;
    }

    @Override
    public DataAccess reopen(Clock clock) {
        return DataAccessFactory.create(server.config(clock), new Neo4jStoreProvider());
    }
}
