package dev.dal.migration;

import dev.dal.api.DataAccess;
import dev.dal.migration.cli.DalCli;
import dev.dal.test.postgres.PostgresTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Partitioned copy with 1, 2 and 4 worker processes on one machine: fills a file store with N messages (default
 * 1,000,000; {@link SampleData}'s records, 100 per session), plans the partitions with {@code dal partition}, then
 * starts the workers as separate JVMs running {@code dal copy --partition I/N --plan FILE} into a fresh PostgreSQL
 * database each round, all at once, and reports the wall time, records/s and speed-up over one worker; each
 * round's target is then verified equal to the source.
 *
 * <p>Run (no {@code install} needed): build the test class path as for {@link VerifyBenchmark}, then {@code java
 * -Xmx1g -cp dal-migration/target/test-classes:dal-migration/target/classes:$(cat /tmp/mig-cp.txt)
 * dev.dal.migration.PartitionedCopyBenchmark 1000000}.
 */
public final class PartitionedCopyBenchmark {
    private PartitionedCopyBenchmark() {}

    /** @param args the number of messages (default 1000000), then the worker counts (default 1 2 4) */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<Integer> workers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            workers.add(Integer.parseInt(args[i]));
        }
        if (workers.isEmpty()) {
            workers.addAll(List.of(1, 2, 4));
        }
        Path dir = Files.createTempDirectory("dal-partition-bench");
        Path data = dir.resolve("data");
        String source = "file:" + data;
        try {
            long total;
            long t0 = System.nanoTime();
            try (DataAccess src = Backends.open(source)) {
                SampleData.fill(src, Math.max(1, messages / 1_000), 10, 100);
                total = StoreCopier.count(src, 1_000).values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
            }
            System.out.printf("filled %s with %,d records in %.1f s%n", source, total, (System.nanoTime() - t0) / 1e9);
            double single = 0;
            long pid = ProcessHandle.current().pid();
            for (int n : workers) {
                Path plan = dir.resolve("plan-" + n + ".json");
                run(List.of("partition", "--from", source, "--count", Integer.toString(n), "--out", plan.toString()));
                String target = Backends.postgresUri(
                        PostgresTestServer.get().settingsForDatabase("partitioned_" + n + "_" + pid));
                run(List.of("schema", "migrate", target));
                long start = System.nanoTime();
                List<Process> running = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    running.add(start(List.of(
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
                            dir.resolve("checkpoints").toString(),
                            "--json")));
                }
                for (Process p : running) {
                    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                        throw new IllegalStateException("a worker failed: exit " + p.exitValue());
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (n == workers.get(0)) {
                    single = seconds;
                }
                boolean equal;
                try (DataAccess src = Backends.open(source);
                        DataAccess dst = Backends.open(target)) {
                    equal = new StoreVerifier(src, dst, 1_000, 10).verify().equal();
                }
                System.out.printf(
                        "%d worker(s): %.1f s, %,.0f records/s, %.2fx the first row's speed; verify equal: %s%n",
                        n, seconds, total / seconds, single / seconds, equal);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /** Runs one {@code dal} command in a child JVM on this class path, failing unless it exits 0. */
    static void run(List<String> args) throws Exception {
        Process p = start(args);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("dal " + args.get(0) + " failed: exit " + p.exitValue());
        }
    }

    /** Starts one {@code dal} command in a child JVM on this class path, its output on this one's. */
    static Process start(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                DalCli.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }
}
