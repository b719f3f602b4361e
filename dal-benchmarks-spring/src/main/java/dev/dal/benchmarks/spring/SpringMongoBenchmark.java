package dev.dal.benchmarks.spring;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.benchmarks.spring.mongo.MessageDoc;
import dev.dal.benchmarks.spring.mongo.MongoChatConfig;
import dev.dal.benchmarks.spring.mongo.MongoChatService;
import dev.dal.test.mongo.MongoTestServer;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * Dal's MongoDB store next to Spring Data MongoDB on the same server ({@link MongoTestServer}: the in-process
 * mongo-java-server, or {@code DAL_TEST_MONGO_URI}), the same database and collections, in one run. See this
 * module's README.
 */
public final class SpringMongoBenchmark {
    private SpringMongoBenchmark() {}

    /** @param args none */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        MongoTestServer server = MongoTestServer.get();
        Map<String, String> settings = server.settingsForDatabase("dal_spring_bench");
        try (DataAccess dal = DataAccessFactory.create(
                        DalConfig.builder().settings(settings).build());
                AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext()) {
            spring.registerBean(
                    MongoChatConfig.MongoTarget.class,
                    () -> new MongoChatConfig.MongoTarget(
                            settings.get("MONGODB_URL"), settings.get("MONGODB_DATABASE")));
            spring.register(MongoChatConfig.class);
            spring.refresh();
            MongoChatService service = spring.getBean(MongoChatService.class);
            SpringWork<MessageDoc> springWork = new SpringWork<>(
                    "Spring Data MongoDB",
                    m -> UUID.fromString(m.getId()),
                    service::append,
                    service::latest,
                    service::pageAfter,
                    (userId, limit) -> service.overview(userId.toString(), limit).stream()
                            .map(MongoChatService.Overview::lastMessage)
                            .toList());
            new ChatBench(System.getenv(), true)
                    .run("MongoDB (" + server.kind() + ")", dal, new DalWork(dal), springWork);
        } finally {
            // The in-process server's Netty threads are not daemons: without this the JVM never ends.
            MongoTestServer.shutdown();
        }
    }
}
