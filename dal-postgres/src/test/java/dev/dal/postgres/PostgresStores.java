package dev.dal.postgres;

import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.testkit.StoreProvider;
import java.time.Clock;

/** Opens stores on the test server, emptied before each test. */
final class PostgresStores implements StoreProvider {
    private final PostgresTestServer server = PostgresTestServer.get();

    @Override
    public DataAccess openEmpty(Clock clock) {
        DataAccess store = DataAccessFactory.create(server.config(clock), new PostgresStoreProvider());
        server.truncate();
        return store;
    }

    @Override
    public DataAccess reopen(Clock clock) {
        return DataAccessFactory.create(server.config(clock), new PostgresStoreProvider());
    }
}
