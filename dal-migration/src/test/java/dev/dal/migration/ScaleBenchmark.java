package dev.dal.migration;

import dev.dal.api.DataAccess;
import dev.dal.test.postgres.PostgresTestServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The migration at scale, by hand: N messages (default 10,000,000; {@link SampleData}'s records, 100 per session,
 * 10 sessions per user) in a file store, then, each step timed with its records/s and peak memory: copy file →
 * PostgreSQL A, one partition of ten of PostgreSQL A → MongoDB (the MongoDB test server, mongo-java-server, holds
 * its documents on this JVM's heap), PostgreSQL A → PostgreSQL B; verify of equal stores by range digests (A↔B,
 * file↔A) against {@link VerifyMode#FULL} (A↔B); verify by digests with 0.01 % of B's messages changed (it must name
 * exactly those); and partitioned copies of the file store into fresh PostgreSQL databases with 1, 2 and 4 worker
 * processes ({@code dal copy --partition I/N --plan FILE}), each verified equal. Peak memory is the peak resident set
 * of the process doing the step (this JVM, or the largest worker) and, in process, the peak heap in use.
 *
 * <p>Run (no {@code install} needed): build the test class path as for {@link VerifyBenchmark}, then {@code java
 * -Xmx6g -cp dal-migration/target/test-classes:dal-migration/target/classes:$(cat /tmp/mig-cp.txt)
 * dev.dal.migration.ScaleBenchmark 10000000}; a second argument lists the worker counts (default {@code 1,2,4};
 * {@code none} skips the partitioned copies). {@code -Ddal.bench.dir=DIR} puts the file store in {@code DIR} (for
 * example a tmpfs, where filling 10M messages takes minutes instead of the hour its fsyncs take on a slow disk);
 * {@code -Ddal.bench.source=DIR} reuses the file store an earlier run filled there.
 */
public final class ScaleBenchmark {
    private static final int BATCH = 1_000;
    private static final int MONGO_SHARE = 10;

    private ScaleBenchmark() {}

    /** @param args the number of messages (default 10000000), then the worker counts (default 1,2,4, or none) */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        List<Integer> workers = new ArrayList<>();
        String counts = args.length > 1 ? args[1] : "1,2,4";
        if (!counts.equals("none")) {
            for (String n : counts.split(",")) {
                workers.add(Integer.parseInt(n));
            }
        }
        long pid = ProcessHandle.current().pid();
        // The file store's directory: -Ddal.bench.dir=/dev/shm keeps its fsyncs off a slow disk (the servers stay put).
        Path dir = Files.createTempDirectory(
                Path.of(System.getProperty("dal.bench.dir", System.getProperty("java.io.tmpdir"))), "dal-scale-bench");
        // -Ddal.bench.source=DIR reuses a file store an earlier run filled (and leaves it in place).
        String reused = System.getProperty("dal.bench.source");
        String file = "file:" + (reused == null ? dir.resolve("data") : Path.of(reused));
        String pgA = Backends.postgresUri(PostgresTestServer.get().settingsForDatabase("scale_a_" + pid));
        String pgB = Backends.postgresUri(PostgresTestServer.get().settingsForDatabase("scale_b_" + pid));
        String mongo = Backends.MONGODB.freshStore();
        try (DataAccess source = Backends.open(file);
                DataAccess a = Backends.open(pgA);
                DataAccess b = Backends.open(pgB);
                DataAccess m = Backends.open(mongo)) {
            a.healthCheck();
            b.healthCheck();
            m.healthCheck();
            System.out.printf("filling %s with %,d messages%n", file, (long) Math.max(1, messages / 1_000) * 1_000);
            long records = step(reused == null ? "fill the file store" : "count the file store's records", () -> {
                if (reused == null) {
                    SampleData.fill(source, Math.max(1, messages / 1_000), 10, 100);
                }
                return StoreCopier.count(source, BATCH).values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
            });
            step("copy file -> PostgreSQL A", () -> copy(source, a));
            // The MongoDB test server keeps its documents on this JVM's heap: a tenth of the store, by partition plan.
            PartitionPlan tenths = PartitionPlan.compute(a, MONGO_SHARE, BATCH);
            step(
                    "copy PostgreSQL A -> MongoDB, 1/" + MONGO_SHARE,
                    () -> new StoreCopier(a, m, BATCH, new Partition(0, MONGO_SHARE), null, null, null)
                            .withPlan(tenths)
                            .copy()
                            .total());
            step("copy PostgreSQL A -> PostgreSQL B", () -> copy(a, b));
            verify("verify A <-> B, digest", a, b, VerifyMode.DIGEST, null);
            verify("verify A <-> B, full", a, b, VerifyMode.FULL, null);
            verify("verify file <-> A, digest", source, a, VerifyMode.DIGEST, null);
            Set<String> planted = VerifyBenchmark.plant(b, messages / 10_000);
            System.out.printf("planted %,d changed messages in B (0.01 %%)%n", planted.size());
            verify("verify A <-> B planted, digest", a, b, VerifyMode.DIGEST, planted);
            System.out.printf("(%,d records in each store)%n", records);
        }
        try {
            double single = 0;
            for (int n : workers) {
                double seconds = partitioned(file, dir, n, pid);
                single = single == 0 ? seconds : single;
                System.out.printf("  %d worker(s): %.2fx the first row's speed%n", n, single / seconds);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static long copy(DataAccess from, DataAccess to) {
        return new StoreCopier(from, to, BATCH, Partition.ALL, null, null, null)
                .copy()
                .total();
    }

    private static void verify(String what, DataAccess a, DataAccess b, VerifyMode mode, Set<String> planted) {
        VerifyReport report = step(what, () -> new StoreVerifier(a, b, BATCH, 100_000, mode).verify());
        Set<String> named = new HashSet<>();
        report.differences().stream()
                .filter(d -> d.kind() == RecordType.MESSAGES)
                .forEach(d -> named.add(d.id()));
        DigestFigures digests = report.digests();
        System.out.printf(
                "    compared %,d messages; %s; %s%n",
                report.counts().get(RecordType.MESSAGES).source(),
                digests == null
                        ? "record by record"
                        : String.format(
                                Locale.ROOT,
                                "%,d ranges digested, %,d read, %,d messages read",
                                digests.rangesDigested(),
                                digests.rangesRead(),
                                digests.messagesRead()),
                planted == null
                        ? "equal: " + report.equal()
                        : "named exactly the planted messages: " + named.equals(planted));
    }

    /** Runs a step, printing its time, records/s (when it returns a count) and this JVM's peak memory. */
    private static <T> T step(String what, Supplier<T> work) {
        MemoryPeak peak = MemoryPeak.start(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        T result = work.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        peak.stop();
        System.out.printf(
                "%-36s %8.1f s%s  peak heap %,d MiB, peak RSS %,d MiB%n",
                what,
                seconds,
                result instanceof Long n ? String.format(Locale.ROOT, "  %,.0f records/s", n / seconds) : "",
                peak.heap() >> 20,
                peak.rss() >> 20);
        return result;
    }

    /** @return the wall time of {@code n} worker processes copying the file store into a fresh PostgreSQL database */
    private static double partitioned(String source, Path dir, int n, long pid) throws Exception {
        Path plan = dir.resolve("plan-" + n + ".json");
        PartitionedCopyBenchmark.run(
                List.of("partition", "--from", source, "--count", Integer.toString(n), "--out", plan.toString()));
        String target =
                Backends.postgresUri(PostgresTestServer.get().settingsForDatabase("scale_part_" + n + "_" + pid));
        PartitionedCopyBenchmark.run(List.of("schema", "migrate", target));
        long start = System.nanoTime();
        List<Process> running = new ArrayList<>();
        List<MemoryPeak> peaks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Process p = PartitionedCopyBenchmark.start(List.of(
                    "copy",
                    "--from",
                    source,
                    "--to",
                    target,
                    "--partition",
                    i + "/" + n,
                    "--plan",
                    plan.toString(),
                    "--checkpoint-dir",
                    dir.resolve("checkpoints").toString()));
            running.add(p);
            peaks.add(MemoryPeak.start(p.pid()));
        }
        for (Process p : running) {
            if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
                throw new IllegalStateException("a worker failed");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long rss = 0;
        for (MemoryPeak peak : peaks) {
            peak.stop();
            rss = Math.max(rss, peak.rss());
        }
        boolean equal;
        long total;
        try (DataAccess src = Backends.open(source);
                DataAccess dst = Backends.open(target)) {
            total = StoreCopier.count(src, BATCH).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            equal = new StoreVerifier(src, dst, BATCH, 10).verify().equal();
        }
        System.out.printf(
                "partitioned copy, %d worker(s)        %8.1f s  %,.0f records/s  peak RSS per worker %,d MiB; "
                        + "verify equal: %s%n",
                n, seconds, total / seconds, rss >> 20, equal);
        return seconds;
    }

    /** Samples a process's resident set (and, for this JVM, its heap in use) every 200 ms until stopped. */
    private static final class MemoryPeak implements Runnable {
        private final long pid;
        private final boolean self;
        private final AtomicLong heap = new AtomicLong();
        private final AtomicLong rss = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopped;

        private MemoryPeak(long pid) {
            this.pid = pid;
            this.self = pid == ProcessHandle.current().pid();
            this.thread = new Thread(this, "memory-peak-" + pid);
            thread.setDaemon(true);
        }

        static MemoryPeak start(long pid) {
            MemoryPeak peak = new MemoryPeak(pid);
            peak.thread.start();
            return peak;
        }

        @Override
        public void run() {
            while (!stopped) {
                sample();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            if (self) {
                heap.accumulateAndGet(
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            }
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        long kib = Long.parseLong(line.replaceAll("\\D", ""));
                        rss.accumulateAndGet(kib << 10, Math::max);
                    }
                }
            } catch (Exception e) {
                // the process has ended; its last sample stands
            }
        }

        void stop() throws IllegalStateException {
            sample();
            stopped = true;
            thread.interrupt();
        }

        long heap() {
            return heap.get();
        }

        long rss() {
            return rss.get();
        }
    }
}
