package dev.dal.benchmarks.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.benchmarks.spring.jdbc.JdbcChatConfig;
import dev.dal.benchmarks.spring.jdbc.JdbcChatService;
import dev.dal.benchmarks.spring.jdbc.MessageRow;
import dev.dal.test.postgres.PostgresTestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * Dal's PostgreSQL store next to Spring Data JDBC on the same server (the embedded one {@link PostgresTestServer}
 * starts, or {@code DAL_TEST_POSTGRES_URL}), the same schema (Dal's Liquibase changelog creates it; Spring Data maps
 * its tables), in one run. See this module's README.
 */
public final class SpringPostgresBenchmark {
    /** Held, so that its level sticks (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger LIQUIBASE_LOG = java.util.logging.Logger.getLogger("liquibase");

    private SpringPostgresBenchmark() {}

    /**
     * @param args none
     * @throws SQLException when the server cannot be described
     */
    public static void main(String[] args) throws SQLException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        LIQUIBASE_LOG.setLevel(java.util.logging.Level.WARNING);
        PostgresTestServer server = PostgresTestServer.get();
        Map<String, String> settings = server.settings();
        String url = settings.get("DATABASE_URL");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("this harness needs a jdbc:postgresql: URL in DAL_TEST_POSTGRES_URL");
        }
        // Dal's pool: 12 connections (the test server's settings), reWriteBatchedInserts=true (set by Dal); the same
        // for Spring's pool, so both batch INSERTs the same way.
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        if (settings.get("DB_USER") != null) {
            hikari.setUsername(settings.get("DB_USER"));
        }
        hikari.setMaximumPoolSize(12);
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        try (DataAccess dal = DataAccessFactory.create(
                        DalConfig.builder().settings(settings).build());
                HikariDataSource pool = new HikariDataSource(hikari);
                AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext()) {
            spring.registerBean("dataSource", DataSource.class, () -> pool);
            spring.register(JdbcChatConfig.class);
            spring.refresh();
            JdbcChatService service = spring.getBean(JdbcChatService.class);
            SpringWork<MessageRow> springWork = new SpringWork<>(
                    "Spring Data JDBC",
                    MessageRow::getId,
                    service::append,
                    service::latest,
                    service::pageAfter,
                    (userId, limit) -> service.overview(userId, limit).stream()
                            .map(JdbcChatService.Overview::lastMessage)
                            .toList());
            new ChatBench(System.getenv(), true).run("PostgreSQL " + describe(pool), dal, new DalWork(dal), springWork);
        }
    }

    private static String describe(DataSource pool) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = pool.getConnection();
                Statement st = c.createStatement()) {
            for (String setting : new String[] {"server_version", "synchronous_commit", "fsync", "shared_buffers"}) {
                try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                    rs.next();
                    out.append(out.length() == 0 ? "" : ", ")
                            .append(setting)
                            .append('=')
                            .append(rs.getString(1));
                }
            }
        }
        return out.toString();
    }
}
