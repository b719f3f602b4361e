package dev.dal.migration;

import java.util.Map;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A second Neo4j server in this JVM, for neo4j → neo4j copies: Neo4j Community has one user
 * database per server, so two stores need two servers. Unlike {@code Neo4jTestServer} it requires
 * authentication (user {@code neo4j}, password {@link #PASSWORD}), so URIs with credentials and
 * wrong passwords are tested against a server that checks them.
 */
public final class SecondNeo4j {
    /** The password of user {@code neo4j}; test-only. */
    public static final String PASSWORD = "second-s3cret";

    private static SecondNeo4j instance;

    private final Neo4j neo4j;
    private final Driver driver;

    private SecondNeo4j() {
        neo4j = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("localhost", 0))
                .withConfig(GraphDatabaseSettings.auth_enabled, true)
                .withConfig(GraphDatabaseSettings.pagecache_memory, 16L * 1024 * 1024)
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        // The initial user must change its password on first login; set it once, as an operator would.
        neo4j.databaseManagementService()
                .database("system")
                .executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", PASSWORD));
        driver = GraphDatabase.driver(neo4j.boltURI(), AuthTokens.basic("neo4j", PASSWORD));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            driver.close();
            neo4j.close();
        }));
    }

    /** @return the server of this JVM, started on first use */
    public static synchronized SecondNeo4j get() {
        if (instance == null) {
            instance = new SecondNeo4j();
        }
        return instance;
    }

    /** @return {@code host:port} of the Bolt connector */
    public String hostAndPort() {
        return neo4j.boltURI().getHost() + ":" + neo4j.boltURI().getPort();
    }

    /** Empties the graph; schema and migration records stay. */
    void clear() {
        try (Session session = driver.session()) {
            session.run("MATCH (n) WHERE NOT n:DalSchemaMigration AND NOT n:DalSchemaLock DETACH DELETE n")
                    .consume();
        }
    }
}
