package dev.dal.mongo;

import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.testkit.StoreProvider;
import java.time.Clock;

/** Opens stores on the test server's default database, emptied before each test. */
final class MongoStores implements StoreProvider {
    private final MongoTestServer server = MongoTestServer.get();

    @Override
    public DataAccess openEmpty(Clock clock) {
        DataAccess store = DataAccessFactory.create(server.config(clock), new MongoStoreProvider());
        server.truncate();
        return store;
    }

    @Override
    public DataAccess reopen(Clock clock) {
        return DataAccessFactory.create(server.config(clock), new MongoStoreProvider());
    }
}
