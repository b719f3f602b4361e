package dev.dal.migration;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.test.postgres.PostgresTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verify by range digests against verify record by record, in the same run, on N messages (default 1,000,000;
 * 100 per session, 10 sessions per user, {@link SampleData}'s records): PostgreSQL against PostgreSQL and the file
 * store against PostgreSQL, equal stores first (two rounds, digest–full–full–digest), then with 0.01 % of the
 * messages changed in one store, where the digest verify must name exactly those. Prints times, the speed-up and
 * the messages each mode read.
 *
 * <p>Run (no {@code install} needed): build the test class path with {@code ./mvnw -B -o -q -pl dal-migration -am
 * test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/mig-cp.txt -Dmdep.includeScope=test}, then
 * {@code java -Xmx1g -cp dal-migration/target/test-classes:dal-migration/target/classes:$(cat /tmp/mig-cp.txt)
 * dev.dal.migration.VerifyBenchmark 1000000}.
 */
public final class VerifyBenchmark {
    private static final int BATCH = 1_000;

    private VerifyBenchmark() {}

    /** @param args the number of messages (default 1000000) */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int users = Math.max(1, messages / 1_000);
        long pid = ProcessHandle.current().pid();
        Path dir = Files.createTempDirectory("dal-verify-bench");
        try (DataAccess a = DataAccessFactory.create(
                        DalConfig.fromMap(PostgresTestServer.get().settingsForDatabase("verify_a_" + pid)));
                DataAccess b = DataAccessFactory.create(
                        DalConfig.fromMap(PostgresTestServer.get().settingsForDatabase("verify_b_" + pid)));
                DataAccess file = DataAccessFactory.create(DalConfig.builder()
                        .storageType("file")
                        .setting("DATA_DIR", dir.toString())
                        .build())) {
            long t0 = System.nanoTime();
            SampleData.fill(a, users, 10, 100);
            System.out.printf(
                    "filled PostgreSQL A with %,d messages in %.1f s%n", (long) users * 1_000, secondsSince(t0));
            t0 = System.nanoTime();
            new StoreCopier(a, b, BATCH, Partition.ALL, null, null, null).copy();
            System.out.printf("copied A to PostgreSQL B in %.1f s%n", secondsSince(t0));
            t0 = System.nanoTime();
            new StoreCopier(a, file, BATCH, Partition.ALL, null, null, null).copy();
            System.out.printf("copied A to the file store in %.1f s%n", secondsSince(t0));
            System.out.printf(
                    "digests inside: PostgreSQL %s, file %s%n",
                    a.bulk().digestsMessagesInStore(), file.bulk().digestsMessagesInStore());

            compare("PostgreSQL A vs PostgreSQL B", a, b);
            compare("file vs PostgreSQL A", file, a);

            Set<String> planted = plant(b, messages / 10_000);
            System.out.printf("planted %,d changed messages in B (0.01 %%)%n", planted.size());
            VerifyReport found = timed("digest, planted", a, b, VerifyMode.DIGEST);
            Set<String> named = found.differences().stream()
                    .filter(d -> d.kind() == RecordType.MESSAGES)
                    .map(Difference::id)
                    .collect(Collectors.toSet());
            System.out.printf(
                    "digest verify named %,d differing messages; exactly the planted ones: %s%n",
                    named.size(), named.equals(planted));
            timed("full, planted", a, b, VerifyMode.FULL);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static void compare(String pair, DataAccess source, DataAccess target) {
        List<Double> digest = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        for (VerifyMode mode : List.of(VerifyMode.DIGEST, VerifyMode.FULL, VerifyMode.FULL, VerifyMode.DIGEST)) {
            long t0 = System.nanoTime();
            VerifyReport report =
                    timed(pair + ", " + mode.name().toLowerCase(java.util.Locale.ROOT), source, target, mode);
            if (!report.equal()) {
                throw new IllegalStateException(pair + " differ: " + report.differences());
            }
            (mode == VerifyMode.DIGEST ? digest : full).add(secondsSince(t0));
        }
        double d = (digest.get(0) + digest.get(1)) / 2;
        double f = (full.get(0) + full.get(1)) / 2;
        System.out.printf("%s: digest %.2f s, full %.2f s (means of 2): %.1fx faster%n", pair, d, f, f / d);
    }

    private static VerifyReport timed(String what, DataAccess source, DataAccess target, VerifyMode mode) {
        long t0 = System.nanoTime();
        VerifyReport report = new StoreVerifier(source, target, BATCH, 10_000, mode).verify();
        DigestFigures digests = report.digests();
        System.out.printf(
                "  %-40s %7.2f s  messages %s%n",
                what,
                secondsSince(t0),
                digests == null
                        ? "read record by record: "
                                + report.counts().get(RecordType.MESSAGES).source() * 2
                        : String.format(
                                "%,d ranges digested, %,d read, %,d messages read",
                                digests.rangesDigested(), digests.rangesRead(), digests.messagesRead()));
        return report;
    }

    /** Changes the content of {@code count} messages spread evenly over the store; returns how verify names them. */
    static Set<String> plant(DataAccess store, int count) {
        long total = 0;
        for (ScanBatch<Message> batch = store.bulk().scanMessages(null, 10_000); ; ) {
            total += batch.items().size();
            if (!batch.hasMore()) {
                break;
            }
            batch = store.bulk().scanMessages(batch.nextCursor(), 10_000);
        }
        long step = Math.max(1, total / Math.max(1, count));
        Set<String> planted = new HashSet<>();
        List<Message> changed = new ArrayList<>();
        long seen = 0;
        for (ScanBatch<Message> batch = store.bulk().scanMessages(null, 10_000); ; ) {
            for (Message m : batch.items()) {
                if (seen++ % step == step / 2 && planted.size() < count) {
                    changed.add(new Message(
                            m.id(),
                            m.sessionId(),
                            m.sequenceNumber(),
                            m.role(),
                            m.content() + " (changed)",
                            m.metadata(),
                            m.tokenCount(),
                            m.abuseFlagged(),
                            m.createdAt()));
                    planted.add(m.id() + " (session " + m.sessionId() + " #" + m.sequenceNumber() + ")");
                }
            }
            if (!batch.hasMore()) {
                break;
            }
            batch = store.bulk().scanMessages(batch.nextCursor(), 10_000);
        }
        for (int i = 0; i < changed.size(); i += BATCH) {
            store.bulk().upsertMessages(changed.subList(i, Math.min(changed.size(), i + BATCH)));
        }
        return planted;
    }

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
