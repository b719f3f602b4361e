package dev.dal.test.mongo;

import dev.dal.test.TestBackend;
import java.util.Map;

/**
 * MongoDB as a {@link dev.dal.test.TestBackend}: the default test database of {@link MongoTestServer} (the server
 * {@value MongoTestServer#EXTERNAL} names, a Docker replica set, or the in-process server), emptied for every store.
 */
public final class MongoTestBackend implements TestBackend {
    /** Creates the backend; the server starts when a store is first asked for. */
    public MongoTestBackend() {}

    @Override
    public String storageType() {
        return "mongodb";
    }

    @Override
    public Map<String, String> emptyStoreSettings() {
        MongoTestServer server = MongoTestServer.get();
        server.truncate();
        return server.settings();
    }

    @Override
    public String description() {
        return "MongoDB (" + MongoTestServer.get().kind() + ")";
    }
}
