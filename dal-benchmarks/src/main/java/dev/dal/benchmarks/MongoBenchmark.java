package dev.dal.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.spi.Ids;
import dev.dal.test.mongo.MongoTestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;

/**
 * Dal's MongoDB store next to the sync driver doing the same writes by hand, against the same server in one
 * run: (a) {@code addMessages} of 1,000 messages against an atomic {@code $inc} of the session's counter
 * ({@code findOneAndUpdate}, the numbers it returns) and one unordered {@code insertMany} of the documents;
 * (b) {@code bulk().upsertMessages} of 1,000 fresh records against one unordered {@code insertMany} of the
 * same documents. The raw side writes a collection of its own with the indexes Dal's messages collection has,
 * and builds its documents from the same records inside the timed region, as Dal does. Dal and raw alternate
 * in ABBA order after a warm-up of both.
 *
 * <p>The server is {@link MongoTestServer}'s: the one {@code DAL_TEST_MONGO_URI} names, else the in-process
 * mongo-java-server, whose work then runs in this JVM on the same two cores (the figures then compare the
 * clients, not a real {@code mongod}). Settings, as environment variables: {@code DAL_BENCH_MONGO_BATCH}
 * (1000), {@code DAL_BENCH_MONGO_WARMUP} (20), {@code DAL_BENCH_MONGO_BATCHES} (60).
 */
public final class MongoBenchmark {
    /** Dal's collections, whose indexes the raw side's copies get. */
    private static final String MESSAGES = "chat_messages";

    private static final String SESSIONS = "chat_sessions";
    private static final String RAW_MESSAGES = "raw_messages";
    private static final String RAW_SESSIONS = "raw_sessions";

    private final int batchSize;
    private final int warmup;
    private final int batches;
    private final String tag = "bench-" + Long.toHexString(System.nanoTime());

    private MongoBenchmark(Map<String, String> env) {
        this.batchSize = Integer.parseInt(env.getOrDefault("DAL_BENCH_MONGO_BATCH", "1000"));
        this.warmup = Integer.parseInt(env.getOrDefault("DAL_BENCH_MONGO_WARMUP", "20"));
        this.batches = Integer.parseInt(env.getOrDefault("DAL_BENCH_MONGO_BATCHES", "60"));
    }

    /**
     * Runs the benchmark and prints its table.
     *
     * @param args none
     */
    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        String database = "dal_bench_" + Long.toHexString(System.nanoTime());
        MongoTestServer server = MongoTestServer.get();
        try {
            new MongoBenchmark(System.getenv()).run(server, database);
        } finally {
            server.drop(database);
            MongoTestServer.shutdown();
        }
    }

    private void run(MongoTestServer server, String database) {
        try (DataAccess store = DataAccessFactory.create(DalConfig.builder()
                        .settings(server.settingsForDatabase(database))
                        .build());
                MongoClient raw = MongoClients.create(server.uri())) {
            MongoDatabase db = raw.getDatabase(database);
            MongoCollection<BsonDocument> messages = db.getCollection(RAW_MESSAGES, BsonDocument.class);
            copyIndexes(db.getCollection(MESSAGES), db.getCollection(RAW_MESSAGES));
            copyIndexes(db.getCollection(SESSIONS), db.getCollection(RAW_SESSIONS));
            MongoCollection<BsonDocument> sessions = db.getCollection(RAW_SESSIONS, BsonDocument.class);
            System.out.printf(
                    Locale.ROOT,
                    "Dal MongoDB benchmark: java %s, %d cores; server: %s; batches of %,d messages: %d warm-up and %d"
                            + " timed per side%n%n",
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    server.kind(),
                    batchSize,
                    warmup,
                    batches);
            Result a = addMessages(store, sessions, messages);
            Result b = bulkUpsert(store, messages, db.getCollection(MESSAGES, BsonDocument.class));
            System.out.println(Timings.header(batchSize));
            System.out.println(a.dal.row("(a) Dal addMessages", batchSize));
            System.out.println(a.raw.row("(a) raw findOneAndUpdate $inc + insertMany", batchSize));
            System.out.println(b.dal.row("(b) Dal bulk().upsertMessages", batchSize));
            System.out.println(b.raw.row("(b) raw insertMany", batchSize));
            System.out.println();
            ratio("(a) addMessages, Dal / raw throughput", a);
            ratio("(b) bulk upsert, Dal / raw throughput", b);
        }
    }

    private static void ratio(String label, Result r) {
        System.out.printf(
                Locale.ROOT,
                "%-40s mean %6.2f×, p50 %6.2f×%n",
                label,
                r.raw.wall().mean() / r.dal.wall().mean(),
                r.raw.wall().p50() / r.dal.wall().p50());
    }

    private static void copyIndexes(MongoCollection<Document> from, MongoCollection<Document> to) {
        for (Document index : from.listIndexes()) {
            if ("_id_".equals(index.getString("name"))) {
                continue;
            }
            IndexOptions options = new IndexOptions().name(index.getString("name"));
            if (Boolean.TRUE.equals(index.getBoolean("unique"))) {
                options.unique(true);
            }
            to.createIndex(index.get("key", Document.class), options);
        }
    }

    // ---- (a) addMessages ----

    private Result addMessages(
            DataAccess store, MongoCollection<BsonDocument> sessions, MongoCollection<BsonDocument> messages) {
        String dalChat = tag + "-add-dal";
        String rawChat = tag + "-add-raw";
        store.createChatSession(NewChatSession.of(dalChat));
        UUID rawSession = Ids.newId();
        sessions.insertOne(new BsonDocument("_id", new BsonString(rawSession.toString()))
                .append("chat_id", new BsonString(rawChat))
                .append("message_count", new BsonInt64(0)));
        Timings dal = new Timings(warmup, batches);
        Timings rawTimes = new Timings(warmup, batches);
        for (int i = 0; i < warmup + batches; i++) {
            List<NewMessage> dalInput = ChatWorkload.newMessages(i, batchSize);
            List<NewMessage> rawInput = ChatWorkload.newMessages(i, batchSize);
            for (int side : ChatWorkload.order(i)) {
                long[] start = Timings.start();
                if (side == 0) {
                    store.addMessages(dalChat, dalInput);
                    dal.stop(i, start);
                } else {
                    rawAddMessages(sessions, messages, rawChat, rawInput);
                    rawTimes.stop(i, start);
                }
            }
        }
        long expected = (long) (warmup + batches) * batchSize;
        if (store.getMessageCount(dalChat) != expected) {
            throw new IllegalStateException("expected " + expected + " messages in " + dalChat);
        }
        return new Result(dal, rawTimes);
    }

    private static void rawAddMessages(
            MongoCollection<BsonDocument> sessions,
            MongoCollection<BsonDocument> messages,
            String chatId,
            List<NewMessage> input) {
        Instant now = Instant.now();
        BsonDocument before = sessions.findOneAndUpdate(
                Filters.eq("chat_id", chatId),
                Updates.combine(
                        Updates.inc("message_count", (long) input.size()),
                        Updates.set("last_message_at", new BsonDateTime(now.toEpochMilli()))),
                new FindOneAndUpdateOptions()
                        .returnDocument(ReturnDocument.BEFORE)
                        .projection(Projections.include("_id", "message_count")));
        if (before == null) {
            throw new IllegalStateException("no session " + chatId);
        }
        BsonString sessionId = before.getString("_id");
        long next = before.getNumber("message_count").longValue() + 1;
        List<BsonDocument> docs = new ArrayList<>(input.size());
        for (NewMessage m : input) {
            docs.add(document(
                    Ids.newId(),
                    sessionId,
                    next++,
                    m.role().wireName(),
                    m.content(),
                    m.metadata(),
                    m.tokenCount(),
                    m.abuseFlagged(),
                    now));
        }
        messages.insertMany(docs, new InsertManyOptions().ordered(false));
    }

    // ---- (b) bulk upsert ----

    private Result bulkUpsert(
            DataAccess store, MongoCollection<BsonDocument> messages, MongoCollection<BsonDocument> dalMessages) {
        ChatSession dalSession = store.createChatSession(NewChatSession.of(tag + "-bulk-dal"));
        UUID rawSession = Ids.newId();
        Timings dal = new Timings(warmup, batches);
        Timings rawTimes = new Timings(warmup, batches);
        for (int i = 0; i < warmup + batches; i++) {
            List<Message> dalInput = ChatWorkload.records(dalSession.id(), i, batchSize);
            List<Message> rawInput = ChatWorkload.records(rawSession, i, batchSize);
            for (int side : ChatWorkload.order(i)) {
                long[] start = Timings.start();
                if (side == 0) {
                    store.bulk().upsertMessages(dalInput);
                    dal.stop(i, start);
                } else {
                    List<BsonDocument> docs = new ArrayList<>(rawInput.size());
                    for (Message m : rawInput) {
                        docs.add(document(
                                m.id(),
                                new BsonString(m.sessionId().toString()),
                                m.sequenceNumber(),
                                m.role().wireName(),
                                m.content(),
                                m.metadata(),
                                m.tokenCount(),
                                m.abuseFlagged(),
                                m.createdAt()));
                    }
                    messages.insertMany(docs, new InsertManyOptions().ordered(false));
                    rawTimes.stop(i, start);
                }
            }
        }
        long expected = (long) (warmup + batches) * batchSize;
        // A bulk upsert leaves the session's counters alone: count the stored documents on both sides.
        long rawCount = messages.countDocuments(Filters.eq("session_id", rawSession.toString()));
        long dalCount = dalMessages.countDocuments(
                Filters.eq("session_id", dalSession.id().toString()));
        if (rawCount != expected || dalCount != expected) {
            throw new IllegalStateException("expected " + expected + " upserted messages on each side, found "
                    + rawCount + " raw and " + dalCount + " through Dal");
        }
        return new Result(dal, rawTimes);
    }

    /** The document a hand-written application would store: the fields of Dal's, the id as a string. */
    private static BsonDocument document(
            UUID id,
            BsonString sessionId,
            long sequenceNumber,
            String role,
            String content,
            JsonNode metadata,
            Integer tokenCount,
            boolean abuseFlagged,
            Instant createdAt) {
        BsonString key = new BsonString(id.toString());
        return new BsonDocument("_id", key)
                .append("id", key)
                .append("session_id", sessionId)
                .append("sequence_number", new BsonInt64(sequenceNumber))
                .append("role", new BsonString(role))
                .append("content", new BsonString(content))
                .append(
                        "metadata",
                        metadata == null ? new BsonDocument() : bson(metadata).asDocument())
                .append("token_count", tokenCount == null ? BsonNull.VALUE : new BsonInt32(tokenCount))
                .append("abuse_flagged", BsonBoolean.valueOf(abuseFlagged))
                .append("created_at", new BsonDateTime(createdAt.toEpochMilli()));
    }

    private static BsonValue bson(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                BsonDocument doc = new BsonDocument();
                node.properties().forEach(e -> doc.append(e.getKey(), bson(e.getValue())));
                return doc;
            }
            case ARRAY -> {
                BsonArray array = new BsonArray(node.size());
                node.forEach(e -> array.add(bson(e)));
                return array;
            }
            case STRING -> {
                return new BsonString(node.textValue());
            }
            case BOOLEAN -> {
                return BsonBoolean.valueOf(node.booleanValue());
            }
            case NUMBER -> {
                if (node.isInt()) {
                    return new BsonInt32(node.intValue());
                }
                if (node.isIntegralNumber()) {
                    return new BsonInt64(node.longValue());
                }
                return new BsonDouble(node.doubleValue());
            }
            default -> {
                return BsonNull.VALUE;
            }
        }
    }

    private record Result(Timings dal, Timings raw) {}
}
