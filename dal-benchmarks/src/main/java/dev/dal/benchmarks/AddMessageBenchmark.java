package dev.dal.benchmarks;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.Role;
import dev.dal.api.spi.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Does {@code addMessage} on the file store cost the same with 1,000 messages stored as with
 * 1,000,000? Builds both stores (the large one through the bulk upsert, in batches of 10,000),
 * warms up, then times single {@code addMessage} calls on each, in alternating rounds so that
 * drift of the machine hits both alike, next to a raw baseline: appending one line to a file and
 * fsyncing it with plain {@code java.nio}, the least durable work one acknowledged write can do.
 * Finally times reopening the large store and reading pages of 50 from it.
 *
 * <p>Settings, as environment variables: {@code DAL_BENCH_SMALL} (1000), {@code DAL_BENCH_LARGE}
 * (1000000), {@code DAL_BENCH_WARMUP} (1000 writes per store), {@code DAL_BENCH_WRITES} (5000 timed
 * writes per store), {@code DAL_BENCH_ROUNDS} (10), {@code DAL_BENCH_DIR} (a new temporary
 * directory, deleted at the end unless {@code DAL_BENCH_KEEP=true}).
 */
public final class AddMessageBenchmark {
    private static final int BULK_BATCH = 10_000;
    private static final String CHAT = "bench";
    private static final String FILLER = "The quick brown fox jumps over the lazy dog; Grüße, 你好, 👋. ";

    private AddMessageBenchmark() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("--reopen")) {
            System.out.print("in a new JVM: ");
            reopen(Path.of(args[1]), Long.parseLong(args[2]));
            return;
        }
        Map<String, String> env = System.getenv();
        int small = Integer.parseInt(env.getOrDefault("DAL_BENCH_SMALL", "1000"));
        int large = Integer.parseInt(env.getOrDefault("DAL_BENCH_LARGE", "1000000"));
        int warmup = Integer.parseInt(env.getOrDefault("DAL_BENCH_WARMUP", "1000"));
        int writes = Integer.parseInt(env.getOrDefault("DAL_BENCH_WRITES", "5000"));
        int rounds = Integer.parseInt(env.getOrDefault("DAL_BENCH_ROUNDS", "10"));
        boolean keep = Boolean.parseBoolean(env.getOrDefault("DAL_BENCH_KEEP", "false"));
        Path base = env.containsKey("DAL_BENCH_DIR")
                ? Path.of(env.get("DAL_BENCH_DIR"))
                : Files.createTempDirectory("dal-bench-");
        Files.createDirectories(base);

        System.out.printf(
                Locale.ROOT,
                "Dal addMessage benchmark: java %s, %d cores, %s; data in %s%n",
                Runtime.version(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                base);
        System.out.printf(
                Locale.ROOT,
                "stores of %,d and %,d messages; %,d warm-up and %,d timed writes each, in %d rounds%n%n",
                small,
                large,
                warmup,
                writes,
                rounds);
        try {
            run(base, small, large, warmup, writes, rounds);
        } finally {
            if (!keep) {
                deleteTree(base);
            }
        }
    }

    private static void run(Path base, int small, int large, int warmup, int writes, int rounds) throws IOException {
        Path smallDir = base.resolve("store-small");
        Path largeDir = base.resolve("store-large");
        Path rawFile = base.resolve("raw").resolve("raw.ndjson");
        Files.createDirectories(rawFile.getParent());

        try (DataAccess smallStore = open(smallDir);
                DataAccess largeStore = open(largeDir);
                FileChannel raw = FileChannel.open(rawFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            populate(smallStore, small, "small");
            populate(largeStore, large, "large");
            settle();

            long[] smallNs = new long[writes];
            long[] largeNs = new long[writes];
            long[] rawNs = new long[writes];
            timeAdds(smallStore, new long[warmup], 0, warmup);
            timeAdds(largeStore, new long[warmup], 0, warmup);
            timeRaw(raw, new long[warmup], 0, warmup);
            int perRound = writes / rounds;
            for (int r = 0; r < rounds; r++) {
                int from = r * perRound;
                int count = r == rounds - 1 ? writes - from : perRound;
                timeAdds(smallStore, smallNs, from, count);
                timeAdds(largeStore, largeNs, from, count);
                timeRaw(raw, rawNs, from, count);
            }
            check(smallStore, small + warmup + writes);
            check(largeStore, large + warmup + writes);

            Stats s = Stats.of(smallNs);
            Stats l = Stats.of(largeNs);
            Stats w = Stats.of(rawNs);
            System.out.println();
            System.out.println("addMessage, µs per write   mean      p50      p90      p99      max");
            System.out.println(s.row(String.format(Locale.ROOT, "Dal, %,9d stored", small)));
            System.out.println(l.row(String.format(Locale.ROOT, "Dal, %,9d stored", large)));
            System.out.println(w.row("raw append + fsync"));
            System.out.printf(
                    Locale.ROOT,
                    "%nlarge / small: mean %.2f×, p50 %.2f×, p99 %.2f×  (the goal: at most 2×)%n",
                    l.mean / s.mean,
                    l.p50 / s.p50,
                    l.p99 / s.p99);
            System.out.printf(
                    Locale.ROOT,
                    "Dal / raw:     mean %.1f× (small store), %.1f× (large store)%n",
                    s.mean / w.mean,
                    l.mean / w.mean);
        }
        System.out.printf(Locale.ROOT, "%nlarge store on disk: %,d MB%n", sizeOf(largeDir) / (1024 * 1024));
        reopen(largeDir, large + warmup + writes);
        reopenInNewJvm(largeDir, large + warmup + writes);
    }

    /** Lets the kernel write back what populating left dirty, so that it does not land in the timings. */
    private static void settle() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Thread.sleep(2000);
        } catch (IOException e) {
            // no sync command: timings may be noisier
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The same, in a new JVM: what a process that starts on a large store pays (page cache still warm). */
    private static void reopenInNewJvm(Path dir, long expected) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        long start = System.nanoTime();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        AddMessageBenchmark.class.getName(),
                        "--reopen",
                        dir.toString(),
                        Long.toString(expected))
                .inheritIO()
                .start();
        try {
            int exit = child.waitFor();
            System.out.printf(
                    Locale.ROOT,
                    "  (that new JVM ran for %.0f ms in all, exit code %d)%n",
                    (System.nanoTime() - start) / 1e6,
                    exit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static DataAccess open(Path dir) {
        return DataAccessFactory.create(DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .build());
    }

    /** Fills a store's one session with {@code count} messages through the bulk upsert. */
    private static void populate(DataAccess store, int count, String name) {
        long start = System.nanoTime();
        ChatSession session = store.createChatSession(NewChatSession.of(CHAT));
        Instant first = session.createdAt().minusSeconds(count);
        Instant last = first;
        List<Message> batch = new ArrayList<>(BULK_BATCH);
        for (long seq = 1; seq <= count; seq++) {
            last = first.plusMillis(seq);
            Role role = seq % 2 == 1 ? Role.USER : Role.ASSISTANT;
            batch.add(new Message(Ids.newId(), session.id(), seq, role, text(seq), null, 20, false, last));
            if (batch.size() == BULK_BATCH || seq == count) {
                store.bulk().upsertMessages(batch);
                batch.clear();
            }
        }
        store.bulk().upsertSessions(List.of(session.withMessages(count, last)));
        if (store.getMessageCount(CHAT) != count) {
            throw new IllegalStateException("populating the " + name + " store went wrong");
        }
        System.out.printf(
                Locale.ROOT,
                "populated the %s store: %,d messages in %.1f s%n",
                name,
                count,
                (System.nanoTime() - start) / 1e9);
    }

    private static String text(long n) {
        return "message " + n + ": " + FILLER + FILLER;
    }

    private static void timeAdds(DataAccess store, long[] into, int from, int count) {
        for (int i = from; i < from + count; i++) {
            NewMessage message = NewMessage.user(text(i));
            long start = System.nanoTime();
            store.addMessage(CHAT, message);
            into[i] = System.nanoTime() - start;
        }
    }

    /** The floor: one line of about the same size appended and fsynced, by hand. */
    private static void timeRaw(FileChannel raw, long[] into, int from, int count) throws IOException {
        for (int i = from; i < from + count; i++) {
            byte[] line = ("{\"id\":\"" + Ids.newId() + "\",\"sequenceNumber\":" + i
                            + ",\"role\":\"user\",\"content\":\"" + text(i) + "\",\"createdAt\":\"" + Instant.now()
                            + "\"}\n")
                    .getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            ByteBuffer buffer = ByteBuffer.wrap(line);
            long at = raw.size();
            while (buffer.hasRemaining()) {
                at += raw.write(buffer, at);
            }
            raw.force(false);
            into[i] = System.nanoTime() - start;
        }
    }

    private static void check(DataAccess store, long expected) {
        List<Message> latest = store.getChatHistory(CHAT, HistoryQuery.latest(1));
        if (store.getMessageCount(CHAT) != expected
                || latest.size() != 1
                || latest.get(0).sequenceNumber() != expected) {
            throw new IllegalStateException("expected " + expected + " messages, found " + store.getMessageCount(CHAT));
        }
    }

    /** Opening the large store (page cache warm) and reading pages of 50 from it. */
    private static void reopen(Path dir, long expected) {
        long t0 = System.nanoTime();
        try (DataAccess store = open(dir)) {
            long t1 = System.nanoTime();
            List<Message> latest = store.getChatHistory(CHAT, HistoryQuery.latest(50));
            long t2 = System.nanoTime();
            List<Message> middle = store.getChatHistory(CHAT, HistoryQuery.after(expected / 2, 50));
            long t3 = System.nanoTime();
            List<Message> offset = store.getChatHistory(CHAT, 50, (int) (expected - 50));
            long t4 = System.nanoTime();
            if (latest.size() != 50
                    || middle.size() != 50
                    || offset.size() != 50
                    || latest.get(49).sequenceNumber() != expected
                    || !latest.equals(offset)) {
                throw new IllegalStateException("pages of the large store are wrong");
            }
            System.out.printf(
                    Locale.ROOT,
                    "reopening the %,d-message store: %.1f ms; first page of 50 (latest): %.1f ms; "
                            + "page of 50 after #%,d: %.1f ms; page of 50 by offset %,d: %.1f ms%n",
                    expected,
                    (t1 - t0) / 1e6,
                    (t2 - t1) / 1e6,
                    expected / 2,
                    (t3 - t2) / 1e6,
                    expected - 50,
                    (t4 - t3) / 1e6);
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sum();
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Mean and percentiles of one series, in microseconds. */
    private record Stats(double mean, double p50, double p90, double p99, double max) {
        static Stats of(long[] ns) {
            long[] sorted = ns.clone();
            Arrays.sort(sorted);
            return new Stats(
                    Arrays.stream(sorted).average().orElse(0) / 1e3,
                    at(sorted, 0.50),
                    at(sorted, 0.90),
                    at(sorted, 0.99),
                    sorted[sorted.length - 1] / 1e3);
        }

        private static double at(long[] sorted, double q) {
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e3;
        }

        String row(String label) {
            return String.format(Locale.ROOT, "%-24s %8.0f %8.0f %8.0f %8.0f %8.0f", label, mean, p50, p90, p99, max);
        }
    }
}
