package dev.dal.neo4j;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.test.neo4j.Neo4jTestServer;
import dev.dal.testkit.StoreProvider;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Opens stores on the test server, emptied before each test. The store under test shares the
 * fixture's driver (a driver per test would spend a quarter second closing its event loop); the
 * second handle of the persistence and multi-process tests creates and closes its own driver, as
 * another process would, so both wirings run the kit. A store opened with settings, or through a
 * fault proxy, has a driver of its own (its deadlines are the driver's configuration), closed with
 * the store.
 */
final class Neo4jTestStores implements StoreProvider {
    private final Neo4jTestServer server = Neo4jTestServer.get();

    @Override
    public DataAccess openEmpty(Clock clock) {
        DataAccess store = DataAccessFactory.create(server.config(clock), new Neo4jStoreProvider(server.driver()));
        server.clear();
        return store;
    }

    @Override
    public DataAccess reopen(Clock clock) {
        return DataAccessFactory.create(server.config(clock), new Neo4jStoreProvider());
    }

    @Override
    public Optional<InetSocketAddress> serverAddress() {
        URI uri = URI.create(server.uri());
        return Optional.of(new InetSocketAddress(uri.getHost(), uri.getPort()));
    }

    @Override
    public DataAccess openEmpty(Clock clock, Map<String, String> settings, InetSocketAddress via) {
        Map<String, String> all = new HashMap<>(server.settings());
        all.putAll(settings);
        if (via != null) {
            all.put("NEO4J_URI", "bolt://" + via.getHostString() + ":" + via.getPort());
        }
        server.clear();
        return DataAccessFactory.create(
                DalConfig.builder().settings(all).clock(clock).build(), new Neo4jStoreProvider());
    }
}
