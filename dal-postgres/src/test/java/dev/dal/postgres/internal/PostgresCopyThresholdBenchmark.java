package dev.dal.postgres.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.spi.Ids;
import dev.dal.postgres.PostgresStoreProvider;
import dev.dal.test.postgres.PostgresTestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Where {@code COPY} starts to beat the batched INSERT for new messages, and what the look-up before it costs a
 * batch of stored ones: the write statements alone (no tombstone checks or key locks, which the two share), one transaction per batch, at
 * several batch sizes, interleaved, three rounds; prints microseconds per message, the median of the rounds.
 * {@code -Ddal.bench=true}. Not part of the normal run.
 */
@EnabledIfSystemProperty(named = "dal.bench", matches = "true")
class PostgresCopyThresholdBenchmark {
    private static final int[] SIZES = {10, 50, 100, 200, 500, 1000, 5000};
    private static final int MESSAGES_PER_MEASURE = 10_000;
    private static final int ROUNDS = 3;
    private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void insertAgainstCopyByBatchSize() throws Exception {
        Map<String, String> settings = PostgresTestServer.get()
                .settingsForDatabase(
                        "dal_copy_threshold_" + ProcessHandle.current().pid());
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider())) {
            store.healthCheck(); // the schema
        }
        Properties props = new Properties();
        props.setProperty("user", settings.getOrDefault("DB_USER", "postgres"));
        if (settings.get("DB_PASSWORD") != null) {
            props.setProperty("password", settings.get("DB_PASSWORD"));
        }
        props.setProperty("reWriteBatchedInserts", "true"); // as the store's connections have it
        Jdbi jdbi = Jdbi.create(settings.get("DATABASE_URL"), props);
        try (Handle h = jdbi.open()) {
            measure(h, 1, 1000); // warm-up of both paths
            double[][][] us = new double[4][SIZES.length][ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                for (int s = 0; s < SIZES.length; s++) {
                    double[] all = measure(h, MESSAGES_PER_MEASURE / SIZES[s], SIZES[s]);
                    for (int k = 0; k < 4; k++) {
                        us[k][s][r] = all[k];
                    }
                }
            }
            System.out.println("microseconds per message, median of " + ROUNDS + " rounds");
            System.out.println("batch  new:insert  new:copy  ratio  stored:insert  stored:upsert  ratio");
            for (int s = 0; s < SIZES.length; s++) {
                double[] m = new double[4];
                for (int k = 0; k < 4; k++) {
                    m[k] = median(us[k][s]);
                }
                System.out.printf(
                        "%5d  %10.1f  %8.1f  %5.2f  %13.1f  %13.1f  %5.2f%n",
                        SIZES[s], m[0], m[1], m[1] / m[0], m[2], m[3], m[3] / m[2]);
            }
        }
    }

    /**
     * @return microseconds per message over {@code batches} batches each: new messages through the INSERT, then
     *     by COPY; then the same batches again, all stored: through the INSERT, and through the upsert's choice
     *     (the sampled look-up, then the INSERT)
     */
    private static double[] measure(Handle h, int batches, int size) {
        long[] nanos = new long[4];
        for (int b = 0; b < batches; b++) {
            List<Message> inserted = batch(h, size);
            List<Message> copied = batch(h, size);
            long t0 = System.nanoTime();
            h.useTransaction(tx -> PostgresBulkWrites.insertMessages(tx, inserted));
            long t1 = System.nanoTime();
            h.useTransaction(tx -> PostgresCopyWrites.copyNewMessages(tx, copied));
            long t2 = System.nanoTime();
            h.useTransaction(tx -> PostgresBulkWrites.insertMessages(tx, inserted));
            long t3 = System.nanoTime();
            h.useTransaction(tx -> PostgresBulkWrites.upsertMessages(tx, copied));
            long t4 = System.nanoTime();
            nanos[0] += t1 - t0;
            nanos[1] += t2 - t1;
            nanos[2] += t3 - t2;
            nanos[3] += t4 - t3;
        }
        double messages = (double) batches * size;
        double[] us = new double[4];
        for (int k = 0; k < 4; k++) {
            us[k] = nanos[k] / messages / 1e3;
        }
        return us;
    }

    /** @return {@code size} new messages of a new session, stored first */
    private static List<Message> batch(Handle h, int size) {
        UUID session = Ids.newId();
        h.createUpdate("INSERT INTO chat_sessions (id, chat_id, title, status, created_at, updated_at) "
                        + "VALUES (:id, :chat, 't', 'active', now(), now())")
                .bind("id", session)
                .bind("chat", "threshold-" + session)
                .execute();
        List<Message> messages = new ArrayList<>(size);
        for (int m = 1; m <= size; m++) {
            messages.add(new Message(
                    Ids.newId(),
                    session,
                    m,
                    m % 2 == 1 ? Role.USER : Role.ASSISTANT,
                    "message number " + m + " with some ordinary chat text in it",
                    JsonNodeFactory.instance.objectNode(),
                    null,
                    false,
                    BASE.plusSeconds(m)));
        }
        return messages;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
