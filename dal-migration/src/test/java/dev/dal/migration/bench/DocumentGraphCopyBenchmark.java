package dev.dal.migration.bench;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.migration.CopyResult;
import dev.dal.migration.Partition;
import dev.dal.migration.StoreCopier;
import dev.dal.test.mongo.MongoTestServer;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Copy of N messages (default 1,000,000; 100 per session, 10 sessions per user) from the file store into MongoDB and
 * into Neo4j with {@link StoreCopier}, each next to its raw driver's bulk path for the same records read through the
 * same scans, in the same run: for MongoDB unordered {@code insertMany} of 1,000 documents of Dal's shape ({@link
 * MongoRawCopy}), for Neo4j {@code UNWIND $rows AS r CREATE ...} of Dal's nodes and relationships, one transaction per
 * 1,000 ({@link Neo4jRawCopy}). Per target: a warm-up round, then several rounds (default 3) alternating which side
 * goes first, each side into a fresh store whose schema and indexes a Dal store made before the clock starts (MongoDB:
 * a database of its own; Neo4j: the server's one database, emptied). Reports each round's records/s, ratio and load
 * average, and their medians.
 *
 * <p>The servers are the test servers: {@code DAL_TEST_MONGO_URI} (else Docker, else the in-process {@code
 * mongo-java-server}) and {@code DAL_TEST_NEO4J_URI} (else neo4j-harness in this JVM). Run (see the module README for
 * a class path built without {@code install}): {@code java -Xmx6g -cp … dev.dal.migration.bench.DocumentGraphCopyBenchmark
 * 1000000 3 1 mongodb,neo4j}
 */
public final class DocumentGraphCopyBenchmark {
    private DocumentGraphCopyBenchmark() {}

    /**
     * @param args the number of messages (default 1000000), the number of measured rounds (default 3), the number of
     *     warm-up rounds before them (default 1), the targets, comma-separated (default {@code mongodb,neo4j})
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int warmUps = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        List<String> targets = List.of((args.length > 3 ? args[3] : "mongodb,neo4j").split(","));
        Path dir = BenchSupport.directory("dal-docgraph-bench");
        DalConfig fileConfig = DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .build();
        long t0 = System.nanoTime();
        try (DataAccess source = DataAccessFactory.create(fileConfig)) {
            BenchSupport.fill(source, messages);
            System.out.printf(
                    "filled the file store with %,d messages in %.1f s%n", messages, (System.nanoTime() - t0) / 1e9);
            for (String name : targets) {
                Target target = switch (name.trim()) {
                    case "mongodb" -> new MongoTarget();
                    case "neo4j" -> new Neo4jTarget();
                    default -> throw new IllegalArgumentException("targets must be mongodb or neo4j: " + name);
                };
                measure(source, target, rounds, warmUps);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        MongoTestServer.shutdown();
        // The embedded Neo4j stops in its shutdown hook.
        System.exit(0);
    }

    private static void measure(DataAccess source, Target target, int rounds, int warmUps) throws Exception {
        System.out.printf("%s: %s%n", target.name(), target.server());
        for (int w = 0; w < warmUps; w++) {
            // Both sides once, not counted: the JIT, the server's caches and the file store's pages warm up.
            double[] dal = dalCopy(source, target, "w" + w);
            double[] raw = rawCopy(source, target, "w" + w);
            System.out.printf(
                    "%s warm-up (load %s): dal copy %.1f s, %s %.1f s, not counted%n",
                    target.name(), BenchSupport.load(), dal[1], target.rawName(), raw[1]);
        }
        double[] dalRates = new double[rounds];
        double[] rawRates = new double[rounds];
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // The order alternates, so neither side always runs on a warmer JIT, cache or server.
            boolean dalFirst = r % 2 == 0;
            String tag = "r" + r;
            double[] first = dalFirst ? dalCopy(source, target, tag) : rawCopy(source, target, tag);
            double[] second = dalFirst ? rawCopy(source, target, tag) : dalCopy(source, target, tag);
            double[] dal = dalFirst ? first : second;
            double[] raw = dalFirst ? second : first;
            dalRates[r] = dal[0] / dal[1];
            rawRates[r] = raw[0] / raw[1];
            ratios[r] = dalRates[r] / rawRates[r];
            System.out.printf(
                    "%s round %d (%s first, load %s): dal copy %,.0f records in %.1f s = %,.0f records/s; "
                            + "%s %,.0f in %.1f s = %,.0f records/s; ratio %.2f%n",
                    target.name(),
                    r + 1,
                    dalFirst ? "dal" : "raw",
                    BenchSupport.load(),
                    dal[0],
                    dal[1],
                    dalRates[r],
                    target.rawName(),
                    raw[0],
                    raw[1],
                    rawRates[r],
                    ratios[r]);
        }
        System.out.printf(
                "%s dal copy : median %,.0f records/s over %d rounds%n",
                target.name(), BenchSupport.median(dalRates), rounds);
        System.out.printf(
                "%s %s : median %,.0f records/s%n", target.name(), target.rawName(), BenchSupport.median(rawRates));
        System.out.printf(
                "%s ratio    : median %.2f x %s (target >= 0.9), load %s%n",
                target.name(), BenchSupport.median(ratios), target.rawName(), BenchSupport.load());
    }

    /** @return records and seconds of {@code dal copy} ({@link StoreCopier}) into a fresh store */
    private static double[] dalCopy(DataAccess source, Target target, String tag) throws Exception {
        Map<String, String> settings = target.fresh("dal_" + tag);
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            store.healthCheck(); // opened, schema made and the pool filled untimed, as the raw side's schema is
            long start = System.nanoTime();
            CopyResult result =
                    new StoreCopier(source, store, BenchSupport.BATCH, Partition.ALL, null, null, null).copy();
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {result.total(), seconds};
        } finally {
            target.discard(settings);
        }
    }

    /** @return records and seconds of the raw driver's bulk path into a fresh store */
    private static double[] rawCopy(DataAccess source, Target target, String tag) throws Exception {
        Map<String, String> settings = target.fresh("raw_" + tag);
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            store.healthCheck(); // the schema and indexes the raw writes fill, made by Dal
        }
        try {
            long start = System.nanoTime();
            long records = target.raw(source, settings);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {records, seconds};
        } finally {
            target.discard(settings);
        }
    }

    /** A copy target: where fresh stores come from, and its raw bulk path. */
    private interface Target {
        String name();

        String rawName();

        /** @return which server serves, for the report */
        String server();

        /** @return the settings of a new, empty store (its schema not made yet) */
        Map<String, String> fresh(String tag);

        /** @return how many records the raw bulk path wrote into the store {@code settings} name */
        long raw(DataAccess source, Map<String, String> settings);

        /** Frees what the store holds (its records stay in the server's memory otherwise). */
        void discard(Map<String, String> settings);
    }

    private static final class MongoTarget implements Target {
        private final long pid = ProcessHandle.current().pid();

        @Override
        public String name() {
            return "mongodb";
        }

        @Override
        public String rawName() {
            return "raw insertMany";
        }

        @Override
        public String server() {
            return MongoTestServer.get().kind();
        }

        @Override
        public Map<String, String> fresh(String tag) {
            return MongoTestServer.get().settingsForDatabase("bench_" + pid + "_" + tag);
        }

        @Override
        public long raw(DataAccess source, Map<String, String> settings) {
            return MongoRawCopy.copy(source, MongoTestServer.get().database(settings.get("MONGODB_DATABASE")));
        }

        @Override
        public void discard(Map<String, String> settings) {
            MongoTestServer.get().drop(settings.get("MONGODB_DATABASE"));
        }
    }

    private static final class Neo4jTarget implements Target {
        @Override
        public String name() {
            return "neo4j";
        }

        @Override
        public String rawName() {
            return "raw UNWIND CREATE";
        }

        @Override
        public String server() {
            String external = System.getenv("DAL_TEST_NEO4J_URI");
            return external == null || external.isBlank() ? "neo4j-harness in this JVM" : "external";
        }

        @Override
        public Map<String, String> fresh(String tag) {
            // Neo4j Community has one database: emptied, schema and migration records kept.
            Neo4jTestServer.get().clear();
            return Neo4jTestServer.get().settings();
        }

        @Override
        public long raw(DataAccess source, Map<String, String> settings) {
            return Neo4jRawCopy.copy(source, Neo4jTestServer.get().driver());
        }

        @Override
        public void discard(Map<String, String> settings) {
            Neo4jTestServer.get().clear();
        }
    }
}
