package dev.dal.benchmarks.spring.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.util.PGobject;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.data.convert.ReadingConverter;
import org.springframework.data.convert.WritingConverter;
import org.springframework.data.jdbc.repository.config.AbstractJdbcConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * Spring Data JDBC's Java configuration as its reference documentation shows it ({@code AbstractJdbcConfiguration},
 * {@code @EnableJdbcRepositories}, a {@code NamedParameterJdbcOperations} and a transaction manager over the one
 * {@code DataSource} bean), plus the two converters a {@code jsonb} column needs.
 */
@Configuration
@EnableJdbcRepositories
@EnableTransactionManagement
public class JdbcChatConfig extends AbstractJdbcConfiguration {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param dataSource the pool
     * @return the template Spring Data JDBC runs its statements through
     */
    @Bean
    public NamedParameterJdbcOperations namedParameterJdbcOperations(DataSource dataSource) {
        return new NamedParameterJdbcTemplate(dataSource);
    }

    /**
     * @param dataSource the pool
     * @return the transaction manager behind {@code @Transactional}
     */
    @Bean
    public TransactionManager transactionManager(DataSource dataSource) {
        return new DataSourceTransactionManager(dataSource);
    }

    /**
     * @param sessions the session repository
     * @param messages the message repository
     * @return the service the benchmark calls
     */
    @Bean
    public JdbcChatService jdbcChatService(SessionRepository sessions, MessageRepository messages) {
        return new JdbcChatService(sessions, messages);
    }

    @Override
    protected List<?> userConverters() {
        return List.of(JsonToJsonb.INSTANCE, JsonbToJson.INSTANCE);
    }

    /** A JSON tree to a {@code jsonb} parameter. */
    @WritingConverter
    enum JsonToJsonb implements Converter<JsonNode, PGobject> {
        INSTANCE;

        @Override
        public PGobject convert(JsonNode source) {
            PGobject value = new PGobject();
            value.setType("jsonb");
            try {
                value.setValue(JSON.writeValueAsString(source));
            } catch (JsonProcessingException | SQLException e) {
                throw new IllegalArgumentException("metadata is not writable as JSON", e);
            }
            return value;
        }
    }

    /** A {@code jsonb} column to a JSON tree. */
    @ReadingConverter
    enum JsonbToJson implements Converter<PGobject, JsonNode> {
        INSTANCE;

        @Override
        public JsonNode convert(PGobject source) {
            try {
                return JSON.readTree(source.getValue());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("jsonb column is not JSON", e);
            }
        }
    }
}
