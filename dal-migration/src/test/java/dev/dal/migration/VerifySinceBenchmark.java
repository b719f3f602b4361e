package dev.dal.migration;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.Ids;
import dev.dal.test.postgres.PostgresTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cut-over check after a dual-write phase, timed: a PostgreSQL store of N messages ({@link SampleData}'s, all
 * older than the instant; default 1,000,000) copied to a file store, then a dual-write phase written to both — 1 %
 * more sessions with their messages, and one more message in 1 % of the old sessions — and one message changed in
 * the target among the new ones and one among the old untouched ones. Verify without an instant (digest mode) is
 * timed against verify since the instant in digest and full mode; the latter two must name the new change only.
 *
 * <p>Run as {@link VerifyBenchmark} is run, with {@code dev.dal.migration.VerifySinceBenchmark 1000000}.
 */
public final class VerifySinceBenchmark {
    private static final int BATCH = 1_000;
    private static final int PER_SESSION = 100;
    private static final Instant SINCE = Instant.parse("2025-01-01T00:00:00Z");

    private VerifySinceBenchmark() {}

    /** @param args the number of messages before the dual-write phase (default 1000000) */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int users = Math.max(1, messages / 1_000);
        long pid = ProcessHandle.current().pid();
        Path dir = Files.createTempDirectory("dal-verify-since-bench");
        try (DataAccess a = DataAccessFactory.create(
                        DalConfig.fromMap(PostgresTestServer.get().settingsForDatabase("since_a_" + pid)));
                DataAccess b = DataAccessFactory.create(DalConfig.builder()
                        .storageType("file")
                        .setting("DATA_DIR", dir.toString())
                        .build())) {
            long t0 = System.nanoTime();
            SampleData.fill(a, users, 10, PER_SESSION);
            new StoreCopier(a, b, BATCH, Partition.ALL, null, null, null).copy();
            System.out.printf(
                    "filled PostgreSQL with %,d messages and copied them in %.1f s%n",
                    (long) users * 10 * PER_SESSION, secondsSince(t0));

            List<ChatSession> old = sessions(a);
            Message changedOld = firstMessage(a, old.get(old.size() / 2 + 1));
            dualWritePhase(a, b, old);
            List<ChatSession> all = sessions(a);
            Message changedNew = firstMessage(a, all.get(all.size() - 1));
            b.bulk().upsertMessages(List.of(retold(changedOld)));
            b.bulk().upsertMessages(List.of(retold(changedNew)));
            System.out.printf(
                    "dual-write phase: %,d sessions added, %,d given one more message; one message"
                            + " changed in an old session, one in a new one%n",
                    all.size() - old.size(), old.size() / 100);

            timed("whole store, digest", new StoreVerifier(a, b, BATCH, 100, VerifyMode.DIGEST));
            timed("since, digest", new StoreVerifier(a, b, BATCH, 100, VerifyMode.DIGEST).since(SINCE));
            timed("since, full", new StoreVerifier(a, b, BATCH, 100, VerifyMode.FULL).since(SINCE));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /** Writes to both stores what a dual-write phase after the instant leaves: new sessions, new messages. */
    private static void dualWritePhase(DataAccess a, DataAccess b, List<ChatSession> old) {
        Instant now = SINCE.plusSeconds(3_600);
        List<ChatSession> touched = new ArrayList<>();
        List<Message> added = new ArrayList<>();
        for (int i = 0; i < old.size(); i += 100) {
            ChatSession s = old.get(i);
            touched.add(s.withMessages(s.messageCount() + 1, now));
            added.add(message(s.id(), s.messageCount() + 1, now));
        }
        ChatSession template = old.get(0);
        List<ChatSession> fresh = new ArrayList<>();
        for (int i = 0; i < old.size() / 100; i++) {
            fresh.add(new ChatSession(
                    Ids.newId(),
                    "dual-write-" + i,
                    template.userId(),
                    "New " + i,
                    "general",
                    JsonNodeFactory.instance.objectNode(),
                    template.status(),
                    now,
                    now,
                    now,
                    PER_SESSION));
        }
        for (ChatSession s : fresh) {
            for (int n = 1; n <= PER_SESSION; n++) {
                added.add(message(s.id(), n, now));
            }
        }
        // Each record made once and written to both stores, as dual-write does: the same ids on both sides.
        for (DataAccess store : List.of(a, b)) {
            store.bulk().upsertSessions(touched);
            store.bulk().upsertSessions(fresh);
            for (int i = 0; i < added.size(); i += BATCH) {
                store.bulk().upsertMessages(added.subList(i, Math.min(added.size(), i + BATCH)));
            }
        }
    }

    private static void timed(String what, StoreVerifier verifier) {
        long t0 = System.nanoTime();
        VerifyReport report = verifier.verify();
        DigestFigures digests = report.digests();
        KindCounts m = report.counts().get(RecordType.MESSAGES);
        System.out.printf(
                "  %-22s %7.2f s  sessions checked %,d, messages checked %,d (%s); differences %s%n",
                what,
                secondsSince(t0),
                report.counts().get(RecordType.SESSIONS).source(),
                m.source(),
                digests == null
                        ? "read record by record"
                        : String.format(
                                "%,d ranges digested, %,d read, %,d messages read",
                                digests.rangesDigested(), digests.rangesRead(), digests.messagesRead()),
                report.differences().stream().map(Difference::toString).toList());
    }

    private static List<ChatSession> sessions(DataAccess store) {
        List<ChatSession> all = new ArrayList<>();
        for (ScanBatch<ChatSession> batch = store.bulk().scanSessions(null, 10_000); ; ) {
            all.addAll(batch.items());
            if (!batch.hasMore()) {
                return all;
            }
            batch = store.bulk().scanSessions(batch.nextCursor(), 10_000);
        }
    }

    private static Message firstMessage(DataAccess store, ChatSession s) {
        String cursor = dev.dal.api.spi.ScanCursors.beforeMessagesOf(s.id());
        return store.bulk().scanMessages(cursor, 1).items().get(0);
    }

    private static Message message(java.util.UUID session, long n, Instant at) {
        return new Message(
                Ids.newId(),
                session,
                n,
                Role.USER,
                "dual-written " + n,
                JsonNodeFactory.instance.objectNode(),
                null,
                false,
                at);
    }

    private static Message retold(Message m) {
        return new Message(
                m.id(),
                m.sessionId(),
                m.sequenceNumber(),
                m.role(),
                m.content() + " (changed)",
                m.metadata(),
                m.tokenCount(),
                m.abuseFlagged(),
                m.createdAt());
    }

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
