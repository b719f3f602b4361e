package dev.dal.migration.bench;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.migration.CopyResult;
import dev.dal.migration.Partition;
import dev.dal.migration.StoreCopier;
import dev.dal.test.postgres.PostgresTestServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Copy of N messages (default 1,000,000; 100 per session, 10 sessions per user) from the file store
 * into PostgreSQL with {@link StoreCopier}, next to raw {@code COPY} of the same rows (read through
 * the same scans) into a second fresh database on the same server, in the same run: a warm-up round,
 * then several rounds (default 3), each into two fresh databases, alternating which side goes first.
 * Both sides open their database and create its schema before the clock starts. Reports each round's
 * records/s, ratio and load average, their medians, and the copy's heap: peak used, and peak live
 * (old generation after GC).
 *
 * <p>Run (see the module README for a class path built without {@code install}): {@code java -Xmx512m -cp …
 * dev.dal.migration.bench.CopyBenchmark 1000000 3}
 */
public final class CopyBenchmark {
    private static final int BATCH = BenchSupport.BATCH;

    private CopyBenchmark() {}

    /**
     * @param args the number of messages (default 1000000), the number of measured rounds (default 3), the number
     *     of warm-up rounds before them (default 1)
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int warmUps = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path dir = BenchSupport.directory("dal-copy-bench");
        DalConfig fileConfig = DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .build();
        long t0 = System.nanoTime();
        try (DataAccess source = DataAccessFactory.create(fileConfig)) {
            BenchSupport.fill(source, messages);
            System.out.printf(
                    "filled the file store with %,d messages in %.1f s%n", messages, (System.nanoTime() - t0) / 1e9);

            long pid = ProcessHandle.current().pid();
            for (int w = 0; w < warmUps; w++) {
                // Both sides once, not counted: the JIT, the server's caches and the file store's pages warm up.
                double[] dal = dalCopy(source, "bench_dal_" + pid + "_w");
                double[] raw = rawCopy(source, "bench_raw_" + pid + "_w");
                System.out.printf(
                        "warm-up (load %s): dal copy %.1f s, raw COPY %.1f s, not counted%n",
                        BenchSupport.load(), dal[1], raw[1]);
                dropDatabase("bench_dal_" + pid + "_w");
                dropDatabase("bench_raw_" + pid + "_w");
            }
            peakUsed = 0;
            peakLive = 0;
            double[] dalRates = new double[rounds];
            double[] rawRates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                // Each round copies into two fresh databases; the order alternates, so neither side always runs
                // on a warmer JIT, cache or server.
                String dalName = "bench_dal_" + pid + "_" + r;
                String rawName = "bench_raw_" + pid + "_" + r;
                boolean dalFirst = r % 2 == 0;
                double[] first = dalFirst ? dalCopy(source, dalName) : rawCopy(source, rawName);
                double[] second = dalFirst ? rawCopy(source, rawName) : dalCopy(source, dalName);
                double[] dal = dalFirst ? first : second;
                double[] raw = dalFirst ? second : first;
                dalRates[r] = dal[0] / dal[1];
                rawRates[r] = raw[0] / raw[1];
                System.out.printf(
                        "round %d (%s first, load %s): dal copy %,.0f records in %.1f s (client thread CPU %.1f s) = "
                                + "%,.0f records/s; raw COPY %,.0f in %.1f s (CPU %.1f s) = %,.0f records/s; ratio %.2f%n",
                        r + 1,
                        dalFirst ? "dal" : "raw",
                        BenchSupport.load(),
                        dal[0],
                        dal[1],
                        dal[2],
                        dalRates[r],
                        raw[0],
                        raw[1],
                        raw[2],
                        rawRates[r],
                        dalRates[r] / rawRates[r]);
                dropDatabase(dalName);
                dropDatabase(rawName);
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = dalRates[r] / rawRates[r];
            }
            System.out.printf(
                    "dal copy : median %,.0f records/s over %d rounds%n", BenchSupport.median(dalRates), rounds);
            System.out.printf(
                    "raw COPY : median %,.0f records/s over %d rounds%n", BenchSupport.median(rawRates), rounds);
            System.out.printf("ratio    : median %.2f x raw COPY (target >= 0.8)%n", BenchSupport.median(ratios));
            System.out.printf(
                    "heap     : peak used %,d MB, peak live after GC %,d MB (max heap %,d MB), dal copy rounds%n",
                    peakUsed >> 20, peakLive >> 20, Runtime.getRuntime().maxMemory() >> 20);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        // Exit here, while exec:java's class loader is still open, so the embedded server's shutdown
        // hook can run; after Maven closes the loader the hook fails and the server is orphaned.
        System.exit(0);
    }

    private static long peakUsed;
    private static long peakLive;

    /** @return records and seconds of {@code dal copy} ({@link StoreCopier}) into a fresh database */
    private static double[] dalCopy(DataAccess source, String database) throws Exception {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase(database);
        try (DataAccess target = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            target.healthCheck(); // opened, schema migrated and the pool filled untimed, as the raw side's schema is
            MemorySampler sampler = new MemorySampler();
            System.gc();
            sampler.start();
            long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            long start = System.nanoTime();
            CopyResult result = new StoreCopier(source, target, BATCH, Partition.ALL, null, null, null).copy();
            double seconds = (System.nanoTime() - start) / 1e9;
            cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu;
            sampler.stop();
            peakUsed = Math.max(peakUsed, sampler.peakUsed);
            peakLive = Math.max(peakLive, sampler.peakLive);
            return new double[] {result.total(), seconds, cpu / 1e9};
        }
    }

    /** @return records and seconds of the raw {@code COPY} into a fresh database, its schema made first (untimed) */
    private static double[] rawCopy(DataAccess source, String database) throws Exception {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase(database);
        try (DataAccess migrated = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            migrated.healthCheck(); // DB_AUTO_MIGRATE creates the schema the raw COPY fills
        }
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long rows = rawCopy(source, settings);
        double seconds = (System.nanoTime() - start) / 1e9;
        cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu;
        return new double[] {rows, seconds, cpu / 1e9};
    }

    private static void dropDatabase(String database) throws Exception {
        try (Connection c = PostgresTestServer.get().connect();
                java.sql.Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** The baseline: the same rows, read through the same scans, streamed by one COPY per table. */
    private static long rawCopy(DataAccess source, Map<String, String> settings) throws Exception {
        long rows = 0;
        try (Connection c = DriverManager.getConnection(
                settings.get("DATABASE_URL"), settings.getOrDefault("DB_USER", "postgres"), null)) {
            PGConnection pg = c.unwrap(PGConnection.class);
            rows += copy(
                    pg,
                    "users(id, clerk_id, email, name, profile, preferences, created_at, updated_at, "
                            + "last_active_at, status)",
                    cursor -> source.bulk().scanUsers(cursor, BATCH),
                    (User u) -> csv(
                            u.id(),
                            u.externalId(),
                            u.email(),
                            u.name(),
                            JsonValues.write(u.profile()),
                            JsonValues.write(u.preferences()),
                            u.createdAt(),
                            u.updatedAt(),
                            u.lastActiveAt(),
                            u.status().wireName()));
            rows += copy(
                    pg,
                    "chat_sessions(id, chat_id, user_id, title, profile, metadata, created_at, updated_at, "
                            + "last_message_at, message_count, status)",
                    cursor -> source.bulk().scanSessions(cursor, BATCH),
                    (ChatSession s) -> csv(
                            s.id(),
                            s.chatId(),
                            s.userId(),
                            s.title(),
                            s.profile(),
                            JsonValues.write(s.metadata()),
                            s.createdAt(),
                            s.updatedAt(),
                            s.lastMessageAt(),
                            s.messageCount(),
                            s.status().wireName()));
            rows += copy(
                    pg,
                    "messages(id, chat_session_id, role, content, metadata, created_at, sequence_number, "
                            + "token_count, abuse_flagged)",
                    cursor -> source.bulk().scanMessages(cursor, BATCH),
                    (Message m) -> csv(
                            m.id(),
                            m.sessionId(),
                            m.role().wireName(),
                            m.content(),
                            JsonValues.write(m.metadata()),
                            m.createdAt(),
                            m.sequenceNumber(),
                            m.tokenCount(),
                            m.abuseFlagged()));
            rows += copy(
                    pg,
                    "user_memory(user_id, memory_type, key, value, created_at, updated_at, expires_at)",
                    cursor -> source.bulk().scanMemory(cursor, BATCH),
                    (MemoryEntry e) -> csv(
                            e.userId(),
                            e.memoryType(),
                            e.key(),
                            JsonValues.write(e.value()),
                            e.createdAt(),
                            e.updatedAt(),
                            e.expiresAt()));
        }
        return rows;
    }

    private static <T> long copy(
            PGConnection pg, String table, Function<String, ScanBatch<T>> scan, Function<T, String> row)
            throws Exception {
        CopyIn in = pg.getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT csv)");
        long rows = 0;
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor);
            StringBuilder text = new StringBuilder();
            for (T record : batch.items()) {
                text.append(row.apply(record));
                rows++;
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(bytes, 0, bytes.length);
            cursor = batch.nextCursor();
        } while (cursor != null);
        in.endCopy();
        return rows;
    }

    private static String csv(Object... values) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append(',');
            }
            if (values[i] != null) {
                line.append('"')
                        .append(values[i].toString().replace("\"", "\"\""))
                        .append('"');
            }
        }
        return line.append('\n').toString();
    }

    /** Samples heap use every 20 ms: the peak used, and the peak of old-generation use after GC. */
    private static final class MemorySampler implements Runnable {
        private volatile boolean running = true;
        private volatile long peakUsed;
        private volatile long peakLive;
        private Thread thread;

        void start() {
            thread = new Thread(this, "memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        @Override
        public void run() {
            while (running) {
                peakUsed = Math.max(
                        peakUsed,
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                long live = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP
                            && pool.getCollectionUsage() != null
                            && pool.getName().matches("(?i).*(old|tenured).*")) {
                        live += pool.getCollectionUsage().getUsed();
                    }
                }
                peakLive = Math.max(peakLive, live);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
