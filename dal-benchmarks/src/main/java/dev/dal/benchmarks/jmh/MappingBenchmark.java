package dev.dal.benchmarks.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Message;
import dev.dal.mongo.internal.MongoBenchAccess;
import dev.dal.neo4j.internal.Neo4jBenchAccess;
import dev.dal.postgres.internal.PostgresBenchAccess;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.neo4j.driver.Values;
import org.neo4j.driver.types.MapAccessor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Each store's mapping of one message, both ways, with no server: PostgreSQL's {@code jsonb} text and its row
 * mapper, MongoDB's document and back, Neo4j's parameter map and node properties back. The inputs on the read side
 * hold what the driver hands Dal (Java values, a decoded document, a map of driver values), so each figure is Dal's
 * share of a read or a write, without the driver's encoding or the round trip.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class MappingBenchmark {
    /** How PostgreSQL prints a {@code jsonb} value back: keys by length, then bytes; a space after {@code :} and {@code ,}. */
    private static final String JSONB_TEXT =
            "{\"n\": 1, \"tags\": [\"greeting\", \"en\"], \"source\": \"bench\", " + "\"temperature\": 0.7}";

    private Message message;
    private ResultSet row;
    private BsonDocument document;
    private MapAccessor node;
    private JsonNode canonicalMetadata;

    /** Builds the record and what each driver returns for it. */
    @Setup
    public void setUp() {
        message = BenchData.message(1);
        canonicalMetadata = message.metadata();
        row = new MessageRow(
                message.id(),
                message.sessionId(),
                message.sequenceNumber(),
                message.role().wireName(),
                message.content(),
                JSONB_TEXT,
                message.tokenCount(),
                message.abuseFlagged(),
                message.createdAt().atOffset(ZoneOffset.UTC));
        document = MongoBenchAccess.document(message);
        Map<String, Object> properties = new HashMap<>(Neo4jBenchAccess.properties(message));
        node = Values.value(properties);
    }

    /** @return {@code PostgresJson.write} of the metadata (canonical copy, then text): the by-name binding path */
    @Benchmark
    public String postgresWriteJson() {
        return PostgresBenchAccess.writeJson(message.metadata());
    }

    /**
     * @return the metadata parameter of a message INSERT, as {@code PostgresRows.addMessage} binds it:
     *     {@code PostgresJson.writeStored(m.metadata())}, which includes the accessor's copy
     */
    @Benchmark
    public String postgresMessageMetadataParameter() {
        return PostgresBenchAccess.writeStoredJson(message.metadata());
    }

    /**
     * @return {@code PostgresRows.message}: a row of {@code messages} to the record (parse of the {@code jsonb}
     *     text included)
     * @throws SQLException never: the row has every column
     */
    @Benchmark
    public Message postgresRowToMessage() throws SQLException {
        return PostgresBenchAccess.message(row);
    }

    /**
     * @return {@code PostgresJson.writeStored} of a canonical metadata tree held once: the parameter without the
     *     accessor's copy; against {@link #postgresMessageMetadataParameter()}, the cost of {@code
     *     Message.metadata()}'s copy on the write path
     */
    @Benchmark
    public String postgresWriteStoredNoCopy() {
        return PostgresBenchAccess.writeStoredJson(canonicalMetadata);
    }

    /** @return {@code MongoDocuments.message}: the record to the document {@code insertMany} sends */
    @Benchmark
    public BsonDocument mongoMessageToDocument() {
        return MongoBenchAccess.document(message);
    }

    /** @return {@code MongoDocuments.toMessage}: a decoded document to the record */
    @Benchmark
    public Message mongoDocumentToMessage() {
        return MongoBenchAccess.message(document);
    }

    /** @return {@code Neo4jRecords.messageProps}: the record to the parameter map of its {@code UNWIND} row */
    @Benchmark
    public Map<String, Object> neo4jMessageToProperties() {
        return Neo4jBenchAccess.properties(message);
    }

    /** @return {@code Neo4jRecords.message}: a node's properties to the record (parse of the metadata text included) */
    @Benchmark
    public Message neo4jPropertiesToMessage() {
        return Neo4jBenchAccess.message(node);
    }
}
