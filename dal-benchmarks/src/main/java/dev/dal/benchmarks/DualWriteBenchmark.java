package dev.dal.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.dualwrite.DualWriteSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What the dual-write decorator costs a write. For each pair (file → file, file → PostgreSQL) and each write
 * ({@code addMessage}, {@code updateUser}), in one run:
 * <ul>
 * <li><b>primary alone</b>: the file store, no dual-write;</li>
 * <li><b>decorator</b>: {@code MIGRATION_ENABLE_DUAL_WRITE=true} through {@link DataAccessFactory}, reads from the
 *     primary, policy {@code fail};</li>
 * <li><b>by hand</b>: the primary's write, then the secondary's {@code bulk().upsertX} of the record it returned,
 *     in sequence on the calling thread (what an application would write without the decorator);</li>
 * <li>for {@code addMessage}, <b>by hand + session</b>: as by hand, then the primary's session re-read and upserted
 *     into the secondary too, which is the work the decorator does to keep the session's counters equal.</li>
 * </ul>
 * Each variant has its own stores. After a warm-up of every variant, the variants take turns in rounds (the order
 * rotating each round) so machine drift hits all alike. Settings (environment): {@code DAL_BENCH_DW_WARMUP} (300
 * writes per variant and kind), {@code DAL_BENCH_DW_WRITES} (2000 timed), {@code DAL_BENCH_DW_ROUNDS} (10),
 * {@code DAL_BENCH_DW_PAIRS} ({@code file,postgresql}).
 */
public final class DualWriteBenchmark {
    private static final java.util.logging.Logger LIQUIBASE_LOG = java.util.logging.Logger.getLogger("liquibase");
    private static final String CONTENT = "The quick brown fox jumps over the lazy dog; Grüße, 你好, 👋. ";

    private final int warmup;
    private final int writes;
    private final int rounds;
    private final Path base;
    private String postgresUrl;

    private DualWriteBenchmark(Map<String, String> env) throws IOException {
        this.warmup = Integer.parseInt(env.getOrDefault("DAL_BENCH_DW_WARMUP", "300"));
        this.writes = Integer.parseInt(env.getOrDefault("DAL_BENCH_DW_WRITES", "2000"));
        this.rounds = Integer.parseInt(env.getOrDefault("DAL_BENCH_DW_ROUNDS", "10"));
        this.base = Files.createTempDirectory("dal-bench-dual-write");
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        LIQUIBASE_LOG.setLevel(java.util.logging.Level.WARNING);
        DualWriteBenchmark bench = new DualWriteBenchmark(System.getenv());
        try {
            System.out.printf(
                    Locale.ROOT,
                    "Dal dual-write benchmark: java %s, %d cores; %d warm-up + %d timed writes"
                            + " per variant and kind, %d rounds%n",
                    System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(),
                    bench.warmup,
                    bench.writes,
                    bench.rounds);
            for (String pair : System.getenv()
                    .getOrDefault("DAL_BENCH_DW_PAIRS", "file,postgresql")
                    .split(",")) {
                bench.run(pair.trim());
            }
        } finally {
            bench.deleteFiles();
        }
    }

    /** One variant: its store(s) and how it performs each kind of write. */
    private interface Variant extends AutoCloseable {
        Message addMessage(NewMessage message);

        User updateUser(UserUpdate update);

        @Override
        void close();
    }

    private void run(String secondaryType) throws SQLException {
        System.out.printf(Locale.ROOT, "%nfile -> %s%n", secondaryType);
        List<String> names =
                List.of("primary alone", "decorator", "by hand", "by hand + session", "decorator + intent journal");
        List<Variant> variants = List.of(
                alone(),
                decorator(secondaryType, false),
                byHand(secondaryType, false),
                byHand(secondaryType, true),
                decorator(secondaryType, true));
        try {
            table("addMessage", names, variants, v -> v.addMessage(NewMessage.user(CONTENT + System.nanoTime())));
            List<Integer> userKinds = List.of(0, 1, 2, 4);
            table(
                    "updateUser",
                    userKinds.stream().map(names::get).toList(),
                    userKinds.stream().map(variants::get).toList(),
                    v -> v.updateUser(UserUpdate.builder()
                            .name("name " + System.nanoTime())
                            .profile(JsonNodeFactory.instance.objectNode().put("n", 1))
                            .build()));
        } finally {
            variants.forEach(Variant::close);
        }
    }

    private void table(String kind, List<String> names, List<Variant> variants, Function<Variant, Object> write) {
        for (Variant v : variants) {
            for (int i = 0; i < warmup; i++) {
                write.apply(v);
            }
        }
        long[][] ns = new long[variants.size()][writes];
        int perRound = writes / rounds;
        int at = 0;
        for (int round = 0; round < rounds; round++) {
            int count = round == rounds - 1 ? writes - at : perRound;
            for (int k = 0; k < variants.size(); k++) {
                int v = (round + k) % variants.size();
                for (int i = 0; i < count; i++) {
                    long start = System.nanoTime();
                    write.apply(variants.get(v));
                    ns[v][at + i] = System.nanoTime() - start;
                }
            }
            at += count;
        }
        System.out.printf(
                Locale.ROOT, "%-28s %9s %9s %9s %9s%n", kind + ", µs per write", "mean", "p50", "p99", "mean/alone");
        double aloneMean = Arrays.stream(ns[0]).average().orElse(1);
        for (int v = 0; v < variants.size(); v++) {
            long[] sorted = ns[v].clone();
            Arrays.sort(sorted);
            double mean = Arrays.stream(sorted).average().orElse(0);
            System.out.printf(
                    Locale.ROOT,
                    "%-28s %9.0f %9.0f %9.0f %8.2fx%n",
                    names.get(v),
                    mean / 1e3,
                    at(sorted, 0.50) / 1e3,
                    at(sorted, 0.99) / 1e3,
                    mean / aloneMean);
        }
        double decorator = Arrays.stream(ns[1]).average().orElse(0);
        int withJournal = names.indexOf("decorator + intent journal");
        if (withJournal > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "decorator + intent journal / decorator (mean): %.2fx%n",
                    Arrays.stream(ns[withJournal]).average().orElse(0) / decorator);
        }
        for (int v = 2; v < variants.size(); v++) {
            if (!names.get(v).startsWith("by hand")) {
                continue;
            }
            System.out.printf(
                    Locale.ROOT,
                    "decorator / %s (mean): %.2fx%n",
                    names.get(v),
                    decorator / Arrays.stream(ns[v]).average().orElse(1));
        }
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    // ---- the variants ----

    private Map<String, String> fileStore(String name) {
        return Map.of(
                "DATA_STORAGE_TYPE", "file", "DATA_DIR", base.resolve(name).toString());
    }

    private Map<String, String> store(String type, String name) throws SQLException {
        return type.equals("file") ? fileStore(name) : postgres(name);
    }

    private static DataAccess open(Map<String, String> settings) {
        return DataAccessFactory.create(DalConfig.fromMap(settings));
    }

    private Variant alone() {
        return over(open(fileStore("alone-" + System.nanoTime())), null, false);
    }

    /** @param journal whether the decorator keeps the durable journal, and so records every write's intent first */
    private Variant decorator(String secondaryType, boolean journal) throws SQLException {
        String tag = journal ? "dual-journal-" : "dual-";
        Map<String, String> settings = new TreeMap<>(fileStore(tag + "primary-" + secondaryType));
        store(secondaryType, tag.replace('-', '_') + "secondary_" + secondaryType)
                .forEach((name, value) -> settings.put(
                        name.equals(DalConfig.DATA_STORAGE_TYPE)
                                ? DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE
                                : DalConfig.MIGRATION_SECONDARY_PREFIX + name,
                        value));
        settings.put(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true");
        settings.put(DualWriteSettings.SECONDARY_FAILURE.name(), "fail");
        settings.put(DualWriteSettings.SECONDARY_TIMEOUT.name(), "PT30S");
        if (journal) {
            settings.put(
                    DualWriteSettings.REPAIR_JOURNAL_DIR.name(),
                    base.resolve(tag + "journal-" + secondaryType).toString());
        }
        return over(open(settings), null, false);
    }

    private Variant byHand(String secondaryType, boolean session) throws SQLException {
        String name = (session ? "hand_session_" : "hand_") + secondaryType;
        return over(open(fileStore(name + "-primary")), open(store(secondaryType, name + "_secondary")), session);
    }

    /** A store with one user and one session to write to; with a secondary, each write is upserted into it after. */
    private static Variant over(DataAccess primary, DataAccess secondary, boolean withSession) {
        User user = primary.createUser(NewUser.withExternalId("bench-" + System.nanoTime()));
        ChatSession session = primary.createChatSession(NewChatSession.of("bench-" + System.nanoTime(), user.id()));
        if (secondary != null) {
            secondary.bulk().upsertUsers(List.of(user));
            secondary.bulk().upsertSessions(List.of(session));
        }
        return new Variant() {
            @Override
            public Message addMessage(NewMessage message) {
                Message stored = primary.addMessage(session.chatId(), message);
                if (secondary != null) {
                    secondary.bulk().upsertMessages(List.of(stored));
                    if (withSession) {
                        secondary
                                .bulk()
                                .upsertSessions(List.of(
                                        primary.getChatSession(session.chatId()).orElseThrow()));
                    }
                }
                return stored;
            }

            @Override
            public User updateUser(UserUpdate update) {
                User updated = primary.updateUser(user.id(), update);
                if (secondary != null) {
                    secondary.bulk().upsertUsers(List.of(updated));
                }
                return updated;
            }

            @Override
            public void close() {
                primary.close();
                if (secondary != null) {
                    secondary.close();
                }
            }
        };
    }

    // ---- PostgreSQL ----

    /** Settings for a fresh database of the embedded server, started on first use. */
    private Map<String, String> postgres(String database) throws SQLException {
        if (postgresUrl == null) {
            try {
                long start = System.nanoTime();
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (IOException e) {
                        // the JVM is ending; the server's directory is temporary
                    }
                }));
                postgresUrl = "jdbc:postgresql://localhost:" + pg.getPort() + "/";
                System.out.printf(
                        Locale.ROOT,
                        "started embedded PostgreSQL on port %d in %.1f s%n",
                        pg.getPort(),
                        (System.nanoTime() - start) / 1e9);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the embedded PostgreSQL server", e);
            }
        }
        try (Connection c = DriverManager.getConnection(postgresUrl + "postgres", "postgres", null);
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database); // a fixed name from this class, never user input
        }
        return Map.of(
                "DATA_STORAGE_TYPE",
                "postgresql",
                "DATABASE_URL",
                postgresUrl + database,
                "DB_USER",
                "postgres",
                "DB_AUTO_MIGRATE",
                "true");
    }

    private void deleteFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(base)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
