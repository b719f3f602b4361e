package dev.dal.mongo;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.test.mongo.MongoTestServer;
import dev.dal.testkit.StoreProvider;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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

    @Override
    public Optional<InetSocketAddress> serverAddress() {
        return Optional.of(server.address());
    }

    @Override
    public DataAccess openEmpty(Clock clock, Map<String, String> settings, InetSocketAddress via) {
        Map<String, String> all = new HashMap<>(server.settings());
        all.putAll(settings);
        if (via != null) {
            all.put("MONGODB_URL", server.uriVia(via));
        }
        server.truncate();
        return DataAccessFactory.create(
                DalConfig.builder().settings(all).clock(clock).build(), new MongoStoreProvider());
    }
}
