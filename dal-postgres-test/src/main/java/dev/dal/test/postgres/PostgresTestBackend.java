package dev.dal.test.postgres;

import dev.dal.test.TestBackend;
import java.util.Map;

/**
 * PostgreSQL as a {@link dev.dal.test.TestBackend}: the default database of {@link PostgresTestServer}, embedded or
 * the external server {@value PostgresTestServer#EXTERNAL} names, emptied for every store.
 */
public final class PostgresTestBackend implements TestBackend {
    /** Creates the backend; the server starts when a store is first asked for. */
    public PostgresTestBackend() {}

    @Override
    public String storageType() {
        return "postgresql";
    }

    @Override
    public Map<String, String> emptyStoreSettings() {
        PostgresTestServer server = PostgresTestServer.get();
        server.truncate();
        return server.settings();
    }

    @Override
    public String description() {
        return System.getenv(PostgresTestServer.EXTERNAL) == null
                ? "embedded PostgreSQL"
                : "the PostgreSQL server " + PostgresTestServer.EXTERNAL + " names";
    }
}
