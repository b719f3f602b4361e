package dev.dal.postgres;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.test.postgres.PostgresTestServer;
import dev.dal.testkit.StoreProvider;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Opens stores on the test server, emptied before each test; directly or through a fault proxy. */
final class PostgresStores implements StoreProvider {
    private final PostgresTestServer server = PostgresTestServer.get();
    private final PostgresTarget target = PostgresTarget.get();

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

    @Override
    public Optional<InetSocketAddress> serverAddress() {
        return Optional.of(new InetSocketAddress(target.host(), target.port()));
    }

    @Override
    public DataAccess openEmpty(Clock clock, Map<String, String> settings, InetSocketAddress via) {
        Map<String, String> all = new LinkedHashMap<>(server.settings());
        if (via != null) {
            all.put("DATABASE_URL", PostgresTarget.urlVia(all.get("DATABASE_URL"), via));
        }
        all.putAll(settings);
        DataAccess store = DataAccessFactory.create(
                DalConfig.builder().settings(all).clock(clock).build(), new PostgresStoreProvider());
        server.truncate();
        return store;
    }
}
