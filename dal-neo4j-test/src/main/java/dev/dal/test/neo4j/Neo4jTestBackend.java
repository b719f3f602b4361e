package dev.dal.test.neo4j;

import dev.dal.test.TestBackend;
import java.util.Map;

/**
 * Neo4j as a {@link dev.dal.test.TestBackend}: the one graph of {@link Neo4jTestServer} (in-process, or the external
 * server {@code DAL_TEST_NEO4J_URI} names), cleared for every store.
 */
public final class Neo4jTestBackend implements TestBackend {
    /** Creates the backend; the server starts when a store is first asked for. */
    public Neo4jTestBackend() {}

    @Override
    public String storageType() {
        return "neo4j";
    }

    @Override
    public Map<String, String> emptyStoreSettings() {
        Neo4jTestServer server = Neo4jTestServer.get();
        server.clear();
        return server.settings();
    }

    @Override
    public String description() {
        return "Neo4j at " + Neo4jTestServer.get().uri();
    }
}
