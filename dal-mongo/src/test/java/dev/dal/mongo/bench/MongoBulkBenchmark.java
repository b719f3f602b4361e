package dev.dal.mongo.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.Role;
import dev.dal.api.spi.Ids;
import dev.dal.mongo.MongoStoreProvider;
import dev.dal.test.mongo.MongoTestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;

/**
 * Bulk upsert of 100,000 messages through Dal's {@code bulk().upsertMessages} against the raw
 * driver's {@code insertMany} of the same documents, in the same run, on the same server, into
 * databases with the same indexes. Both sides start from the same {@link Message} records and build
 * their documents inside the timed region; both write in batches of 1,000, unordered. Runs by hand
 * (see the module README), never in the test phase. The server is {@code DAL_TEST_MONGO_URI} when
 * set, else the in-process {@code mongo-java-server}.
 */
public final class MongoBulkBenchmark {
    private static final int MESSAGES = Integer.getInteger("bench.messages", 100_000);
    private static final int SESSIONS = 100;
    private static final int BATCH = 1_000;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);

    private MongoBulkBenchmark() {}

    /** @param args none */
    public static void main(String[] args) {
        try {
            run(MongoTestServer.get());
        } finally {
            MongoTestServer.shutdown();
        }
    }

    private static void run(MongoTestServer server) {
        System.out.printf(
                "server: %s (%s), %d messages in batches of %d, %d rounds after a warm-up%n",
                server.kind(), server.uri().replaceAll("//[^@/]*@", "//****@"), MESSAGES, BATCH, ROUNDS);
        runRound(server, MESSAGES / 10, false);
        double[] dal = new double[ROUNDS];
        double[] raw = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            double[] result = runRound(server, MESSAGES, round % 2 == 1);
            dal[round] = result[0];
            raw[round] = result[1];
            System.out.printf(
                    "round %d: dal upsert %,.0f msg/s, raw insertMany %,.0f msg/s, ratio %.2f%n",
                    round + 1, dal[round], raw[round], dal[round] / raw[round]);
        }
        server.drop("dal_bench_dal");
        server.drop("dal_bench_raw");
        double dalMedian = median(dal);
        double rawMedian = median(raw);
        System.out.printf(
                "median: dal upsert %,.0f msg/s, raw insertMany %,.0f msg/s, ratio %.2f (target >= 0.85)%n",
                dalMedian, rawMedian, dalMedian / rawMedian);
    }

    /** @return {dal msg/s, raw msg/s}; the raw side goes first on odd rounds, so order does not favour one */
    private static double[] runRound(MongoTestServer server, int count, boolean rawFirst) {
        double[] result = new double[2];
        if (rawFirst) {
            result[1] = rawSide(server, count);
            result[0] = dalSide(server, count);
        } else {
            result[0] = dalSide(server, count);
            result[1] = rawSide(server, count);
        }
        return result;
    }

    private static DataAccess freshStore(MongoTestServer server, String database) {
        server.drop(database);
        Map<String, String> settings = server.settingsForDatabase(database);
        return DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider());
    }

    private static List<Message> messages(DataAccess store, int count) {
        List<ChatSession> sessions = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            sessions.add(store.createChatSession(NewChatSession.of("bench-" + s)));
        }
        ObjectNode metadata = JsonNodeFactory.instance
                .objectNode()
                .put("model", "gpt")
                .put("latency_ms", 123)
                .put("score", 0.75);
        Instant now = Instant.now();
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ChatSession session = sessions.get(i % SESSIONS);
            messages.add(new Message(
                    Ids.newId(),
                    session.id(),
                    i / SESSIONS + 1,
                    i % 2 == 0 ? Role.USER : Role.ASSISTANT,
                    "message number " + i + " with some ordinary text in it",
                    metadata,
                    42,
                    false,
                    now));
        }
        return messages;
    }

    private static double dalSide(MongoTestServer server, int count) {
        try (DataAccess store = freshStore(server, "dal_bench_dal")) {
            List<Message> messages = messages(store, count);
            long start = System.nanoTime();
            for (int from = 0; from < count; from += BATCH) {
                store.bulk().upsertMessages(messages.subList(from, Math.min(count, from + BATCH)));
            }
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double rawSide(MongoTestServer server, int count) {
        try (DataAccess store = freshStore(server, "dal_bench_raw")) {
            List<Message> messages = messages(store, count);
            MongoCollection<BsonDocument> collection =
                    server.database("dal_bench_raw").getCollection("chat_messages", BsonDocument.class);
            long start = System.nanoTime();
            for (int from = 0; from < count; from += BATCH) {
                List<BsonDocument> docs = new ArrayList<>(BATCH);
                for (Message m : messages.subList(from, Math.min(count, from + BATCH))) {
                    docs.add(document(m));
                }
                collection.insertMany(docs, new InsertManyOptions().ordered(false));
            }
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The document Dal writes for a message, built by hand as an application on the raw driver would. */
    private static BsonDocument document(Message m) {
        BsonDocument metadata = new BsonDocument();
        m.metadata()
                .properties()
                .forEach(e -> metadata.append(
                        e.getKey(),
                        e.getValue().isInt()
                                ? new BsonInt32(e.getValue().intValue())
                                : e.getValue().isDouble()
                                        ? new org.bson.BsonDouble(e.getValue().doubleValue())
                                        : new BsonString(e.getValue().asText())));
        String id = m.id().toString();
        return new BsonDocument("_id", new BsonString(id))
                .append("id", new BsonString(id))
                .append("session_id", new BsonString(m.sessionId().toString()))
                .append("sequence_number", new BsonInt64(m.sequenceNumber()))
                .append("role", new BsonString(m.role().wireName()))
                .append("content", new BsonString(m.content()))
                .append("metadata", metadata)
                .append("token_count", m.tokenCount() == null ? BsonNull.VALUE : new BsonInt32(m.tokenCount()))
                .append("abuse_flagged", BsonBoolean.valueOf(m.abuseFlagged()))
                .append("created_at", new BsonDateTime(m.createdAt().toEpochMilli()))
                .append("_schema_version", new BsonString("1.0.0"));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
