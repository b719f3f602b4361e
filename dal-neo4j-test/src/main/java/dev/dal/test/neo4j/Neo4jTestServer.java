package dev.dal.test.neo4j;

import dev.dal.api.DalConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A Neo4j server for tests: a real one, started in the test JVM once from {@code neo4j-harness} (Bolt on, HTTP
 * off, Netty's shutdown quiet period 0), or an external server named by {@code DAL_TEST_NEO4J_URI} with
 * {@code DAL_TEST_NEO4J_USER} and {@code DAL_TEST_NEO4J_PASSWORD}. Never skipped: if no server can be had, the
 * tests fail.
 *
 * <p>Neo4j Community has one user database, so stores share it: {@link #clear()} empties the graph between tests
 * (schema and migration records stay).
 */
public final class Neo4jTestServer {
    private static final String EXTERNAL_URI = "DAL_TEST_NEO4J_URI";
    private static final String EXTERNAL_USER = "DAL_TEST_NEO4J_USER";
    private static final String EXTERNAL_PASSWORD = "DAL_TEST_NEO4J_PASSWORD";
    private static Neo4jTestServer instance;

    private final String uri;
    private final String user;
    private final String password;
    private final Driver driver;

    private Neo4jTestServer(String uri, String user, String password) {
        this.uri = uri;
        this.user = user;
        this.password = password;
        this.driver = GraphDatabase.driver(
                uri,
                user == null ? AuthTokens.none() : AuthTokens.basic(user, password),
                Config.builder()
                        .withDriverMetrics()
                        .withLogging(Logging.slf4j())
                        .withMaxConnectionPoolSize(32)
                        .build());
    }

    /** @return the server of this JVM, started (or reached) on first use */
    public static synchronized Neo4jTestServer get() {
        if (instance == null) {
            String external = System.getenv(EXTERNAL_URI);
            if (external != null && !external.isBlank()) {
                instance =
                        new Neo4jTestServer(external, System.getenv(EXTERNAL_USER), System.getenv(EXTERNAL_PASSWORD));
            } else {
                instance = startEmbedded();
            }
        }
        return instance;
    }

    private static Neo4jTestServer startEmbedded() {
        Neo4j neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("localhost", 0))
                // Netty otherwise waits 2 s per event loop on shutdown.
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        Neo4jTestServer server = new Neo4jTestServer(neo4j.boltURI().toString(), null, null);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.driver.close();
            neo4j.close();
        }));
        return server;
    }

    /** @return the Bolt URI */
    public String uri() {
        return uri;
    }

    /** @return settings that reach this server; pending schema changes apply on open */
    public Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("DATA_STORAGE_TYPE", "neo4j");
        settings.put("NEO4J_URI", uri);
        settings.put("DB_MAX_CONNECTIONS", "16");
        if (user != null) {
            settings.put("NEO4J_USER", user);
            settings.put("NEO4J_PASSWORD", password == null ? "" : password);
        }
        return Map.copyOf(settings);
    }

    /**
     * @param clock the clock the store uses
     * @return a configuration that reaches this server
     */
    public DalConfig config(Clock clock) {
        return DalConfig.builder().settings(settings()).clock(clock).build();
    }

    /** Deletes every node and relationship except the schema migration records: records and tombstones alike. */
    public void clear() {
        run(
                "MATCH (n) WHERE NOT n:DalSchemaMigration AND NOT n:DalSchemaLock "
                        + "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
                Map.of());
    }

    /** Drops Dal's constraints, indexes and migration records, as on a server Dal never touched, and clears the graph. */
    public void dropSchema() {
        clear();
        for (Record r : run("SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'dal_' RETURN name", Map.of())) {
            run("DROP CONSTRAINT " + r.get("name").asString() + " IF EXISTS", Map.of());
        }
        for (Record r : run("SHOW INDEXES YIELD name WHERE name STARTS WITH 'dal_' RETURN name", Map.of())) {
            run("DROP INDEX " + r.get("name").asString() + " IF EXISTS", Map.of());
        }
        run("MATCH (n) WHERE n:DalSchemaMigration OR n:DalSchemaLock DETACH DELETE n", Map.of());
    }

    /**
     * Runs Cypher directly in an auto-commit transaction, as an operator would, for tests that look
     * under the store.
     *
     * @param cypher the statement (test code only: never built from user values)
     * @param parameters its parameters
     * @return every record
     */
    public List<Record> run(String cypher, Map<String, Object> parameters) {
        try (Session session = driver.session()) {
            return session.run(cypher, parameters).list();
        }
    }

    /** @return a driver on this server, shared by the tests' stores and raw driver work; do not close it */
    public Driver driver() {
        return driver;
    }
}
