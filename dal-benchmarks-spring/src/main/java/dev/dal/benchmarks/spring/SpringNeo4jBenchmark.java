package dev.dal.benchmarks.spring;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.benchmarks.spring.neo4j.MessageNode;
import dev.dal.benchmarks.spring.neo4j.Neo4jChatConfig;
import dev.dal.benchmarks.spring.neo4j.Neo4jChatService;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * Dal's Neo4j store next to Spring Data Neo4j on the same server ({@link Neo4jTestServer}: the embedded harness, or
 * {@code DAL_TEST_NEO4J_URI}), the same graph (Dal's labels, relationship types and properties), in one run. See this
 * module's README.
 */
public final class SpringNeo4jBenchmark {
    private SpringNeo4jBenchmark() {}

    /** @param args none */
    public static void main(String[] args) {
        // The embedded server's threads are not daemons; it stops in its shutdown hook, which exit runs.
        try {
            run();
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run() {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Neo4jTestServer server = Neo4jTestServer.get();
        Map<String, String> settings = server.settings();
        try (DataAccess dal = DataAccessFactory.create(
                        DalConfig.builder().settings(settings).build());
                AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext()) {
            spring.registerBean(
                    Neo4jChatConfig.Neo4jTarget.class,
                    () -> new Neo4jChatConfig.Neo4jTarget(
                            settings.get("NEO4J_URI"), settings.get("NEO4J_USER"), settings.get("NEO4J_PASSWORD")));
            spring.register(Neo4jChatConfig.class);
            spring.refresh();
            Neo4jChatService service = spring.getBean(Neo4jChatService.class);
            SpringWork<MessageNode> springWork = new SpringWork<>(
                    "Spring Data Neo4j",
                    m -> UUID.fromString(m.getId()),
                    service::append,
                    service::latest,
                    service::pageAfter,
                    (userId, limit) -> service.overview(userId.toString(), limit).stream()
                            .map(Neo4jChatService.Overview::lastMessage)
                            .toList());
            // Dal's Neo4j store has no bulk SPI series here: operation 5 compares addMessages with saveAll.
            new ChatBench(System.getenv(), false).run("Neo4j " + server.uri(), dal, new DalWork(dal), springWork);
        }
    }
}
