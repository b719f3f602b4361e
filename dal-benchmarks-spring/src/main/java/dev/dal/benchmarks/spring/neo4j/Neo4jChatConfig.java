package dev.dal.benchmarks.spring.neo4j;

import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.neo4j.config.AbstractNeo4jConfig;
import org.springframework.data.neo4j.repository.config.EnableNeo4jRepositories;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * Spring Data Neo4j's Java configuration as its reference documentation shows it ({@code AbstractNeo4jConfig}, which
 * also declares the {@code Neo4jTransactionManager}, {@code @EnableNeo4jRepositories},
 * {@code @EnableTransactionManagement}), with a driver of its own on the same server.
 */
@Configuration
@EnableNeo4jRepositories
@EnableTransactionManagement
public class Neo4jChatConfig extends AbstractNeo4jConfig {
    private final Neo4jTarget target;

    /** @param target where the server is */
    public Neo4jChatConfig(Neo4jTarget target) {
        this.target = target;
    }

    @Bean
    @Override
    public Driver driver() {
        return GraphDatabase.driver(
                target.uri(),
                target.user() == null ? AuthTokens.none() : AuthTokens.basic(target.user(), target.password()));
    }

    /**
     * @param sessions the session repository
     * @param messages the message repository
     * @return the service the benchmark calls
     */
    @Bean
    public Neo4jChatService neo4jChatService(SessionNodeRepository sessions, MessageNodeRepository messages) {
        return new Neo4jChatService(sessions, messages);
    }

    /**
     * Where Spring Data connects.
     *
     * @param uri the Bolt URI
     * @param user the user, or {@code null} for no authentication
     * @param password the password
     */
    public record Neo4jTarget(String uri, String user, String password) {}
}
