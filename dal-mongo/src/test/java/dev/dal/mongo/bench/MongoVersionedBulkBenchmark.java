package dev.dal.mongo.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.mongo.MongoStoreProvider;
import dev.dal.test.mongo.MongoTestServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;

/**
 * Bulk upsert of versioned records: 50,000 memory entries (100 users × 500 keys) through Dal's
 * {@code bulk().upsertMemory} into an empty store (the copy: per batch one {@code $in} for tombstones, one for
 * stored versions, then {@code insertMany}) against the raw driver's unordered {@code insertMany} of the same
 * documents; then the same entries again one version newer (every record replaced through the conditional
 * {@code bulkWrite}) and once more at the same version (every record skipped). Same server, same run, rounds
 * alternating which side goes first. Runs by hand (see the module README), never in the test phase.
 */
public final class MongoVersionedBulkBenchmark {
    private static final int USERS = 100;
    private static final int KEYS = Integer.getInteger("bench.keys", 500);
    private static final int BATCH = 1_000;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    /**
     * Whether to time the replace and skip passes too ({@code -Dbench.replace=false} leaves them out: on
     * mongo-java-server, which scans instead of using secondary indexes, each replace by (user, type, key) reads
     * the whole collection, and they take minutes).
     */
    private static final boolean REPLACE = Boolean.parseBoolean(System.getProperty("bench.replace", "true"));

    private MongoVersionedBulkBenchmark() {}

    /** @param args none */
    public static void main(String[] args) {
        try {
            run(MongoTestServer.get());
        } finally {
            MongoTestServer.shutdown();
        }
    }

    private static void run(MongoTestServer server) {
        int count = USERS * KEYS;
        System.out.printf(
                "server: %s, %d memory entries in batches of %d, %d rounds after a warm-up%n",
                server.kind(), count, BATCH, ROUNDS);
        round(server, false);
        double[][] all = new double[4][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            double[] result = round(server, r % 2 == 1);
            for (int i = 0; i < 4; i++) {
                all[i][r] = result[i];
            }
            System.out.printf(
                    "round %d: dal insert %,.0f/s, raw insertMany %,.0f/s (ratio %.2f); dal newer %,.0f/s;"
                            + " dal same version (skipped) %,.0f/s%n",
                    r + 1, result[0], result[1], result[0] / result[1], result[2], result[3]);
        }
        server.drop("dal_vbench_dal");
        server.drop("dal_vbench_raw");
        System.out.printf(
                "median: dal insert %,.0f/s, raw insertMany %,.0f/s, ratio %.2f; dal newer %,.0f/s;"
                        + " dal skipped %,.0f/s%n",
                median(all[0]), median(all[1]), median(all[0]) / median(all[1]), median(all[2]), median(all[3]));
    }

    /** @return {dal insert/s, raw insertMany/s, dal newer-version replace/s, dal same-version skip/s} */
    private static double[] round(MongoTestServer server, boolean rawFirst) {
        double[] result = new double[4];
        if (rawFirst) {
            result[1] = rawSide(server);
        }
        try (DataAccess store = fresh(server, "dal_vbench_dal")) {
            List<MemoryEntry> entries = entries(store, 1);
            result[0] = timed(store, entries);
            if (REPLACE) {
                result[2] =
                        timed(store, entries.stream().map(e -> e.withVersion(2)).toList());
                result[3] =
                        timed(store, entries.stream().map(e -> e.withVersion(2)).toList());
            }
        }
        if (!rawFirst) {
            result[1] = rawSide(server);
        }
        return result;
    }

    private static double timed(DataAccess store, List<MemoryEntry> entries) {
        long start = System.nanoTime();
        for (int from = 0; from < entries.size(); from += BATCH) {
            store.bulk().upsertMemory(entries.subList(from, Math.min(entries.size(), from + BATCH)));
        }
        return entries.size() / ((System.nanoTime() - start) / 1e9);
    }

    private static double rawSide(MongoTestServer server) {
        try (DataAccess store = fresh(server, "dal_vbench_raw")) {
            List<MemoryEntry> entries = entries(store, 1);
            MongoCollection<BsonDocument> collection =
                    server.database("dal_vbench_raw").getCollection("user_memory", BsonDocument.class);
            long start = System.nanoTime();
            for (int from = 0; from < entries.size(); from += BATCH) {
                List<BsonDocument> docs = new ArrayList<>(BATCH);
                for (MemoryEntry e : entries.subList(from, Math.min(entries.size(), from + BATCH))) {
                    docs.add(document(e));
                }
                collection.insertMany(docs, new InsertManyOptions().ordered(false));
            }
            return entries.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static DataAccess fresh(MongoTestServer server, String database) {
        server.drop(database);
        return DataAccessFactory.create(
                DalConfig.fromMap(server.settingsForDatabase(database)), new MongoStoreProvider());
    }

    private static List<MemoryEntry> entries(DataAccess store, long version) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<MemoryEntry> entries = new ArrayList<>(USERS * KEYS);
        for (int u = 0; u < USERS; u++) {
            User user = store.createUser(NewUser.builder().name("bench").build());
            for (int k = 0; k < KEYS; k++) {
                entries.add(new MemoryEntry(
                        user.id(),
                        "context",
                        "key-" + k,
                        JsonNodeFactory.instance.numberNode(k),
                        now,
                        now,
                        null,
                        version));
            }
        }
        return entries;
    }

    /** The document Dal writes for a memory entry, built by hand as an application on the raw driver would. */
    private static BsonDocument document(MemoryEntry e) {
        return new BsonDocument("user_id", new BsonString(e.userId().toString()))
                .append("memory_type", new BsonString(e.memoryType()))
                .append("key", new BsonString(e.key()))
                .append("value", new BsonInt64(e.value().asLong()))
                .append("created_at", new BsonDateTime(e.createdAt().toEpochMilli()))
                .append("updated_at", new BsonDateTime(e.updatedAt().toEpochMilli()))
                .append("expires_at", BsonNull.VALUE)
                .append("version", new BsonInt64(e.version()))
                .append("_schema_version", new BsonString("1.0.0"));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
