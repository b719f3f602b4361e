package dev.dal.migration.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.Ids;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Copy of N messages (default 1,000,000; 100 per session, 10 sessions per user) from the file store
 * into PostgreSQL with {@link StoreCopier}, next to raw {@code COPY} of the same rows (read through
 * the same scans) into a second fresh database on the same server, in the same run. Reports
 * records/s, the ratio, and the copy's heap: peak used, and peak live (old generation after GC).
 *
 * <p>Run: {@code ./mvnw -q -B -pl dal-migration test-compile exec:java -Dexec.args="1000000"}
 */
public final class CopyBenchmark {
    private static final int BATCH = 1000;

    private CopyBenchmark() {}

    /** @param args the number of messages (default 1000000) */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("dal-copy-bench");
        DalConfig fileConfig = DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .build();
        long t0 = System.nanoTime();
        try (DataAccess source = DataAccessFactory.create(fileConfig)) {
            fill(source, messages);
            System.out.printf(
                    "filled the file store with %,d messages in %.1f s%n", messages, (System.nanoTime() - t0) / 1e9);

            long pid = ProcessHandle.current().pid();
            Map<String, String> dalDb = PostgresTestServer.get().settingsForDatabase("bench_dal_" + pid);
            Map<String, String> rawDb = PostgresTestServer.get().settingsForDatabase("bench_raw_" + pid);
            try (DataAccess migrated = DataAccessFactory.create(DalConfig.fromMap(rawDb))) {
                migrated.healthCheck(); // DB_AUTO_MIGRATE creates the schema the raw COPY fills
            }
            MemorySampler sampler = new MemorySampler();
            System.gc();
            sampler.start();
            long copyStart = System.nanoTime();
            CopyResult result;
            try (DataAccess target = DataAccessFactory.create(DalConfig.fromMap(dalDb))) {
                result = new StoreCopier(source, target, BATCH, Partition.ALL, null, null, null).copy();
            }
            double copySeconds = (System.nanoTime() - copyStart) / 1e9;
            sampler.stop();

            long rawStart = System.nanoTime();
            long rawRows = rawCopy(source, rawDb);
            double rawSeconds = (System.nanoTime() - rawStart) / 1e9;

            double dalRate = result.total() / copySeconds;
            double rawRate = rawRows / rawSeconds;
            System.out.printf(
                    "dal copy : %,d records in %.1f s = %,.0f records/s%n", result.total(), copySeconds, dalRate);
            System.out.printf("raw COPY : %,d records in %.1f s = %,.0f records/s%n", rawRows, rawSeconds, rawRate);
            System.out.printf("ratio    : %.2f x raw COPY (target >= 0.5)%n", dalRate / rawRate);
            System.out.printf(
                    "heap     : peak used %,d MB, peak live after GC %,d MB (max heap %,d MB)%n",
                    sampler.peakUsed >> 20,
                    sampler.peakLive >> 20,
                    Runtime.getRuntime().maxMemory() >> 20);
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

    private static void fill(DataAccess store, int messageCount) {
        Instant base = Instant.parse("2024-01-01T00:00:00Z");
        int perSession = 100;
        int sessionsPerUser = 10;
        List<Message> messages = new ArrayList<>(BATCH);
        int written = 0;
        while (written < messageCount) {
            User user = new User(
                    Ids.newId(),
                    "bench-" + written,
                    "u@example.org",
                    "Bench",
                    null,
                    null,
                    UserStatus.ACTIVE,
                    base,
                    base,
                    null);
            store.bulk().upsertUsers(List.of(user));
            store.bulk()
                    .upsertMemory(List.of(new MemoryEntry(
                            user.id(), "context", "k", JsonNodeFactory.instance.textNode("v"), base, base, null)));
            for (int s = 0; s < sessionsPerUser && written < messageCount; s++) {
                int n = Math.min(perSession, messageCount - written);
                UUID sid = Ids.newId();
                store.bulk()
                        .upsertSessions(List.of(new ChatSession(
                                sid,
                                "bench-" + sid,
                                user.id(),
                                "t",
                                null,
                                null,
                                SessionStatus.ACTIVE,
                                base,
                                base,
                                base.plusSeconds(n),
                                n)));
                for (int m = 1; m <= n; m++) {
                    messages.add(new Message(
                            Ids.newId(),
                            sid,
                            m,
                            m % 2 == 1 ? Role.USER : Role.ASSISTANT,
                            "message number " + m + " with some ordinary chat text in it",
                            null,
                            null,
                            false,
                            base.plusSeconds(m)));
                    if (messages.size() == BATCH) {
                        store.bulk().upsertMessages(messages);
                        messages.clear();
                    }
                }
                written += n;
            }
        }
        if (!messages.isEmpty()) {
            store.bulk().upsertMessages(messages);
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
