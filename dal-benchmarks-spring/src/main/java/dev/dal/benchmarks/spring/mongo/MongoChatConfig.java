package dev.dal.benchmarks.spring.mongo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import java.util.List;
import org.bson.Document;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.data.convert.ReadingConverter;
import org.springframework.data.convert.WritingConverter;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.config.AbstractMongoClientConfiguration;
import org.springframework.data.mongodb.core.MongoOperations;
import org.springframework.data.mongodb.core.convert.DefaultMongoTypeMapper;
import org.springframework.data.mongodb.core.convert.MappingMongoConverter;
import org.springframework.data.mongodb.core.convert.MongoCustomConversions;
import org.springframework.data.mongodb.core.mapping.MongoMappingContext;
import org.springframework.data.mongodb.repository.config.EnableMongoRepositories;

/**
 * Spring Data MongoDB's Java configuration as its reference documentation shows it
 * ({@code AbstractMongoClientConfiguration}, {@code @EnableMongoRepositories}), with no {@code _class} type key (the
 * documents keep Dal's shape) and the two converters a JSON-tree property needs.
 */
@Configuration
@EnableMongoRepositories
public class MongoChatConfig extends AbstractMongoClientConfiguration {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MongoTarget target;

    /** @param target where the server and the database are */
    public MongoChatConfig(MongoTarget target) {
        this.target = target;
    }

    @Override
    protected String getDatabaseName() {
        return target.database();
    }

    @Override
    protected void configureClientSettings(MongoClientSettings.Builder builder) {
        builder.applyConnectionString(new ConnectionString(target.uri()));
    }

    @Override
    protected boolean autoIndexCreation() {
        return false;
    }

    @Override
    protected void configureConverters(MongoCustomConversions.MongoConverterConfigurationAdapter adapter) {
        adapter.registerConverters(List.of(JsonToDocument.INSTANCE, DocumentToJson.INSTANCE));
    }

    @Bean
    @Override
    public MappingMongoConverter mappingMongoConverter(
            MongoDatabaseFactory databaseFactory,
            MongoCustomConversions customConversions,
            MongoMappingContext mappingContext) {
        MappingMongoConverter converter =
                super.mappingMongoConverter(databaseFactory, customConversions, mappingContext);
        converter.setTypeMapper(new DefaultMongoTypeMapper(null));
        return converter;
    }

    /**
     * @param mongo the template
     * @param sessions the session repository
     * @param messages the message repository
     * @return the service the benchmark calls
     */
    @Bean
    public MongoChatService mongoChatService(
            MongoOperations mongo, SessionDocRepository sessions, MessageDocRepository messages) {
        return new MongoChatService(mongo, sessions, messages);
    }

    /**
     * Where Spring Data connects.
     *
     * @param uri the {@code mongodb://} URI
     * @param database the database (Dal's)
     */
    public record MongoTarget(String uri, String database) {}

    /** A JSON tree to a BSON document. */
    @WritingConverter
    enum JsonToDocument implements Converter<JsonNode, Document> {
        INSTANCE;

        @Override
        public Document convert(JsonNode source) {
            try {
                return Document.parse(JSON.writeValueAsString(source));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("metadata is not writable as JSON", e);
            }
        }
    }

    /** A BSON document to a JSON tree. */
    @ReadingConverter
    enum DocumentToJson implements Converter<Document, JsonNode> {
        INSTANCE;

        @Override
        public JsonNode convert(Document source) {
            try {
                return JSON.readTree(source.toJson());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("document is not JSON", e);
            }
        }
    }
}
