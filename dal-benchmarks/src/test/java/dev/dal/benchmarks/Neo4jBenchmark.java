package dev.dal.benchmarks;

import com.sun.management.ThreadMXBean;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NotFoundException;
import dev.dal.api.Role;
import dev.dal.api.spi.Ids;
import dev.dal.neo4j.Neo4jStoreProvider;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.TransactionContext;
import org.neo4j.driver.summary.ProfiledPlan;
import org.neo4j.driver.summary.ResultSummary;

/**
 * Issue 18, Neo4j: the bulk message upsert ({@code bulk().upsertMessages}) against one transaction per message through
 * the raw driver, and against the message upsert statements as they were before issue 18 (kept here verbatim), in one
 * run on the same server ({@link Neo4jTestServer}: an embedded Neo4j 5.26 in this JVM, or {@code DAL_TEST_NEO4J_URI}).
 *
 * <p>First it prints the {@code PROFILE} of every statement of one call (5,000 new messages over 50 sessions, then the
 * same 5,000 again as updates), before and after: operators, rows, db hits, {@code Eager} count. The statements of
 * "after" are Dal's own, run by Dal's own code ({@code Neo4jBulkWrites.upsertMessages}, reached reflectively) on a
 * transaction that prefixes {@code PROFILE}. Then it times, in interleaved rounds (ABCD, DCBA, …) after a warm-up of
 * each: (A) Dal {@code bulk().upsertMessages}, (B) the new statements run by {@code Neo4jBulkWrites} on one raw
 * explicit transaction per call (statement and commit time printed apart), (C) the old statements the same way, (D) one {@code MERGE} statement per message, each its own
 * transaction (the baseline dal-neo4j's README names). Each variant writes {@code N} new messages into 50 new sessions
 * per round, D fewer ({@code DAL_BENCH_NEO4J_BASELINE_MESSAGES}: its rate does not depend on the count, and 20,000 at
 * ~700 msg/s would take half a minute a round), so ratios are of throughput. The calling thread's CPU time and
 * allocation are measured with {@link ThreadMXBean} (the server's threads are not counted).
 *
 * <p>Environment: {@code DAL_BENCH_NEO4J_MESSAGES} (20000), {@code DAL_BENCH_NEO4J_BASELINE_MESSAGES} (5000), {@code
 * DAL_BENCH_NEO4J_SESSIONS} (50), {@code DAL_BENCH_NEO4J_CALL} (messages per bulk call, 10000), {@code DAL_BENCH_NEO4J_ROUNDS} (3), {@code
 * DAL_BENCH_NEO4J_PROFILE} (true: print the plans), {@code DAL_BENCH_NEO4J_TIMED} (true: run the timed rounds).
 */
public final class Neo4jBenchmark {
    private static final int PROFILE_MESSAGES = 5_000;
    private static final int PROFILE_SESSIONS = 50;
    private static final int CHUNK = 5_000;

    /** The baseline's statement: the message by its key, its session by its key, the relationship. */
    private static final String ONE_MESSAGE = "MATCH (s:ChatSession {id: $sid}) MERGE (m:Message {id: $props.id}) "
            + "SET m = $props MERGE (s)-[:HAS_MESSAGE]->(m)";

    // ---- the message upsert as it was before issue 18 (dal-neo4j's Neo4jBulkWrites at 5556ef6) ----

    private static final String OLD_MISSING_SESSIONS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (s:ChatSession {id: id})
            WITH id, s WHERE s IS NULL AND NOT EXISTS { MATCH (:ChatSessionTombstone {session_id: id}) }
            RETURN id LIMIT 1""";

    private static final String OLD_DETACH_MOVED = """
            UNWIND $rows AS row
            MATCH (m:Message {id: row.id})
            USING INDEX SEEK m:Message(id)
            MATCH (old:ChatSession)-[r:HAS_MESSAGE]->(m)
            WHERE old.id <> row.session_id
            DELETE r""";

    private static final String OLD_UPSERT_MESSAGES = """
            UNWIND $groups AS g
            MATCH (s:ChatSession {id: g.session_id})
            UNWIND g.rows AS row
            MERGE (m:Message {id: row.id})
            SET m.session_id = g.session_id, m.sequence_number = row.sequence_number, m.role = row.role,
                m.content = row.content, m.metadata = row.metadata, m.token_count = row.token_count,
                m.abuse_flagged = row.abuse_flagged, m.created_at = row.created_at
            MERGE (s)-[:HAS_MESSAGE]->(m)""";

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Neo4jTestServer server;
    private final DataAccess store;
    private final Method newUpsert;
    private int sessionsMade;
    private long statementNanos;
    private long commitNanos;

    private Neo4jBenchmark(Neo4jTestServer server, DataAccess store) throws ReflectiveOperationException {
        this.server = server;
        this.store = store;
        Class<?> writes = Class.forName("dev.dal.neo4j.internal.Neo4jBulkWrites");
        this.newUpsert = writes.getDeclaredMethod("upsertMessages", TransactionContext.class, List.class);
        this.newUpsert.setAccessible(true);
    }

    /**
     * @param args none
     * @throws Exception when the harness cannot run
     */
    public static void main(String[] args) throws Exception {
        int total = intEnv("DAL_BENCH_NEO4J_MESSAGES", 20_000);
        int sessions = intEnv("DAL_BENCH_NEO4J_SESSIONS", 50);
        int baselineTotal = intEnv("DAL_BENCH_NEO4J_BASELINE_MESSAGES", 5_000);
        int call = intEnv("DAL_BENCH_NEO4J_CALL", 10_000);
        int rounds = intEnv("DAL_BENCH_NEO4J_ROUNDS", 3);
        boolean profile = !"false".equals(System.getenv("DAL_BENCH_NEO4J_PROFILE"));
        boolean timed = !"false".equals(System.getenv("DAL_BENCH_NEO4J_TIMED"));
        Neo4jTestServer server = Neo4jTestServer.get();
        server.clear();
        System.out.printf(
                Locale.ROOT,
                "Neo4j %s, %d processors, load %s%n",
                server.run("CALL dbms.components() YIELD versions RETURN versions[0] AS v", Map.of())
                        .get(0)
                        .get("v")
                        .asString(),
                Runtime.getRuntime().availableProcessors(),
                load());
        try (DataAccess store =
                DataAccessFactory.create(server.config(Clock.systemUTC()), new Neo4jStoreProvider(server.driver()))) {
            Neo4jBenchmark bench = new Neo4jBenchmark(server, store);
            if (profile) {
                bench.profile();
            }
            if (timed) {
                bench.timed(total, baselineTotal, sessions, call, rounds);
            }
        }
        System.out.printf(Locale.ROOT, "load at the end %s%n", load());
        System.exit(0);
    }

    // ---- PROFILE ----

    private void profile() {
        for (String variant : List.of("before", "after")) {
            List<Message> batch = messages(sessions(PROFILE_SESSIONS, variant + "-profile"), PROFILE_MESSAGES);
            for (String shape : List.of("insert (new ids)", "update (the same rows again)")) {
                List<ResultSummary> summaries = new ArrayList<>();
                try (Session session = server.driver().session();
                        Transaction tx = session.beginTransaction()) {
                    TransactionContext profiling = profiling(tx, summaries);
                    if (variant.equals("before")) {
                        oldUpsert(profiling, batch);
                    } else {
                        newUpsert(profiling, batch);
                    }
                    tx.commit();
                }
                System.out.printf(
                        Locale.ROOT,
                        "%n==== PROFILE %s, %s: %d messages over %d sessions, %d statements ====%n",
                        variant,
                        shape,
                        batch.size(),
                        PROFILE_SESSIONS,
                        summaries.size());
                long hits = 0;
                int eager = 0;
                for (ResultSummary s : summaries) {
                    ProfiledPlan plan = s.profile();
                    long statementHits = dbHits(plan);
                    int statementEager = count(plan, "Eager");
                    hits += statementHits;
                    eager += statementEager;
                    System.out.printf(
                            Locale.ROOT,
                            "%n-- %s%n-- db hits %d, Eager %d, planner %s, runtime %s, server time %d ms%n",
                            s.query().text().replace("\n", "\n-- "),
                            statementHits,
                            statementEager,
                            plan.arguments().getOrDefault("planner", org.neo4j.driver.Values.NULL),
                            plan.arguments().getOrDefault("runtime", org.neo4j.driver.Values.NULL),
                            s.resultAvailableAfter(java.util.concurrent.TimeUnit.MILLISECONDS)
                                    + s.resultConsumedAfter(java.util.concurrent.TimeUnit.MILLISECONDS));
                    System.out.printf(Locale.ROOT, "%-40s %10s %10s  %s%n", "operator", "rows", "db hits", "details");
                    print(plan, 0);
                }
                System.out.printf(
                        Locale.ROOT,
                        "== total: db hits %d (%.1f per message), Eager %d%n",
                        hits,
                        hits / (double) batch.size(),
                        eager);
            }
        }
    }

    /** A transaction that profiles each statement run on it and keeps its summary. */
    private static TransactionContext profiling(Transaction tx, List<ResultSummary> summaries) {
        InvocationHandler onTx = (proxy, method, args) -> {
            if (method.getName().equals("run")
                    && args.length == 2
                    && args[0] instanceof String query
                    && args[1] instanceof Map<?, ?> parameters) {
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) parameters;
                Result result = tx.run("PROFILE " + query, typed);
                return Proxy.newProxyInstance(
                        Result.class.getClassLoader(), new Class<?>[] {Result.class}, (p, m, a) -> {
                            if (m.getName().equals("list") && (a == null || a.length == 0)) {
                                List<?> records = result.list();
                                summaries.add(result.consume());
                                return records;
                            }
                            if (m.getName().equals("consume")) {
                                ResultSummary summary = result.consume();
                                summaries.add(summary);
                                return summary;
                            }
                            if (m.getName().equals("forEachRemaining")) {
                                List<org.neo4j.driver.Record> records = result.list();
                                summaries.add(result.consume());
                                @SuppressWarnings("unchecked")
                                Consumer<org.neo4j.driver.Record> action = (Consumer<org.neo4j.driver.Record>) a[0];
                                records.forEach(action);
                                return null;
                            }
                            if (m.getName().equals("hasNext")) {
                                List<?> records = result.list();
                                summaries.add(result.consume());
                                return !records.isEmpty();
                            }
                            throw new UnsupportedOperationException("profiling: " + m.getName());
                        });
            }
            throw new UnsupportedOperationException("profiling: " + method.getName());
        };
        return (TransactionContext) Proxy.newProxyInstance(
                TransactionContext.class.getClassLoader(), new Class<?>[] {TransactionContext.class}, onTx);
    }

    private static void print(ProfiledPlan plan, int depth) {
        String details = plan.arguments().containsKey("Details")
                ? plan.arguments().get("Details").asString()
                : plan.identifiers().toString();
        System.out.printf(
                Locale.ROOT,
                "%-40s %10d %10d  %s%n",
                "  ".repeat(depth) + "+" + plan.operatorType().replace("@neo4j", ""),
                plan.records(),
                plan.dbHits(),
                details.length() > 110 ? details.substring(0, 107) + "..." : details);
        for (ProfiledPlan child : plan.children()) {
            print(child, depth + 1);
        }
    }

    private static long dbHits(ProfiledPlan plan) {
        long hits = plan.dbHits();
        for (ProfiledPlan child : plan.children()) {
            hits += dbHits(child);
        }
        return hits;
    }

    private static int count(ProfiledPlan plan, String operator) {
        int n = plan.operatorType().startsWith(operator) ? 1 : 0;
        for (ProfiledPlan child : plan.children()) {
            n += count(child, operator);
        }
        return n;
    }

    // ---- timed rounds ----

    private record Variant(String name, Consumer<List<Message>> write, int warm, int count) {}

    /** One variant's round: throughput, and calling-thread CPU and allocation per 1,000 messages. */
    private record Figure(double rate, double cpuMs, double allocMb) {}

    private void timed(int total, int baselineTotal, int sessionCount, int call, int rounds) {
        List<Variant> variants = List.of(
                new Variant(
                        "A Dal bulk().upsertMessages",
                        b -> inCalls(b, call, store.bulk()::upsertMessages),
                        call,
                        total),
                new Variant("B new statements, raw transaction", b -> inCalls(b, call, this::rawNew), call, total),
                new Variant("C old statements, raw transaction", b -> inCalls(b, call, this::rawOld), call, total),
                new Variant("D one transaction per message", this::onePerTransaction, 500, baselineTotal));
        for (Variant v : variants) {
            v.write().accept(messages(sessions(sessionCount, "warm"), v.warm()));
        }
        Map<String, List<Figure>> figures = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<Variant> order = new ArrayList<>(variants);
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            System.out.printf(Locale.ROOT, "%nround %d, load %s%n", round + 1, load());
            for (Variant v : order) {
                List<Message> batch = messages(sessions(sessionCount, "timed"), v.count());
                statementNanos = 0;
                commitNanos = 0;
                long cpu = THREADS.getCurrentThreadCpuTime();
                long alloc = THREADS.getCurrentThreadAllocatedBytes();
                long start = System.nanoTime();
                v.write().accept(batch);
                double seconds = (System.nanoTime() - start) / 1e9;
                double thousands = v.count() / 1000.0;
                Figure f = new Figure(
                        v.count() / seconds,
                        (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6 / thousands,
                        (THREADS.getCurrentThreadAllocatedBytes() - alloc) / 1e6 / thousands);
                figures.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(f);
                System.out.printf(
                        Locale.ROOT,
                        "  %-36s %6d msg %8.2f s %9.0f msg/s  client CPU %7.1f ms/1k  alloc %6.2f MB/1k%n",
                        v.name(),
                        v.count(),
                        seconds,
                        f.rate(),
                        f.cpuMs(),
                        f.allocMb());
                if (commitNanos > 0) {
                    System.out.printf(
                            Locale.ROOT,
                            "    of which in the statements %.2f s, in the commits %.2f s%n",
                            statementNanos / 1e9,
                            commitNanos / 1e9);
                }
            }
        }
        long stored = server.run("MATCH (m:Message) RETURN count(m) AS n", Map.of())
                .get(0)
                .get("n")
                .asLong();
        System.out.printf(
                Locale.ROOT,
                "%n%d messages (D: %d) into %d new sessions per variant and round, %d a bulk call; %d messages "
                        + "stored at the end; medians of %d rounds%n",
                total,
                baselineTotal,
                sessionCount,
                call,
                stored,
                rounds);
        System.out.printf(
                Locale.ROOT,
                "| variant | msg/s | × D (one tx per message) | × C (old statements) | client CPU ms/1k msg "
                        + "| alloc MB/1k msg |%n|---|---:|---:|---:|---:|---:|%n");
        double baseline = median(figures.get(variants.get(3).name()), Figure::rate);
        double old = median(figures.get(variants.get(2).name()), Figure::rate);
        for (Variant v : variants) {
            List<Figure> fs = figures.get(v.name());
            double rate = median(fs, Figure::rate);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.0f | %.1f× | %.2f× | %.1f | %.2f |%n",
                    v.name(),
                    rate,
                    rate / baseline,
                    rate / old,
                    median(fs, Figure::cpuMs),
                    median(fs, Figure::allocMb));
        }
        List<Figure> base = figures.get(variants.get(3).name());
        for (Variant v : variants.subList(0, 3)) {
            List<Figure> fs = figures.get(v.name());
            StringBuilder perRound = new StringBuilder();
            for (int i = 0; i < fs.size(); i++) {
                perRound.append(String.format(
                        Locale.ROOT, " %.1f×", fs.get(i).rate() / base.get(i).rate()));
            }
            System.out.printf(Locale.ROOT, "per round, %s vs D:%s%n", v.name(), perRound);
        }
    }

    private static void inCalls(List<Message> batch, int call, Consumer<List<Message>> write) {
        for (int from = 0; from < batch.size(); from += call) {
            write.accept(batch.subList(from, Math.min(batch.size(), from + call)));
        }
    }

    /** B and C run on an explicit transaction, so the time in the statements and in the commit can be told apart. */
    private void rawNew(List<Message> batch) {
        explicit(tx -> newUpsert(tx, batch));
    }

    private void explicit(Consumer<TransactionContext> work) {
        try (Session session = server.driver().session();
                Transaction tx = session.beginTransaction()) {
            TransactionContext context = (TransactionContext) Proxy.newProxyInstance(
                    TransactionContext.class.getClassLoader(), new Class<?>[] {TransactionContext.class}, (p, m, a) -> {
                        try {
                            return m.invoke(tx, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            long start = System.nanoTime();
            work.accept(context);
            long committing = System.nanoTime();
            tx.commit();
            statementNanos += committing - start;
            commitNanos += System.nanoTime() - committing;
        }
    }

    private void rawOld(List<Message> batch) {
        explicit(tx -> oldUpsert(tx, batch));
    }

    /** The headline baseline, what naive code does: one statement per message, each its own transaction. */
    private void onePerTransaction(List<Message> messages) {
        try (Session session = server.driver().session()) {
            for (Message m : messages) {
                Map<String, Object> params = Map.of("sid", m.sessionId().toString(), "props", props(m));
                session.executeWrite(tx -> tx.run(ONE_MESSAGE, params).consume());
            }
        }
    }

    private void newUpsert(TransactionContext tx, List<Message> batch) {
        try {
            newUpsert.invoke(null, tx, batch);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** dal-neo4j's {@code Neo4jBulkWrites.upsertMessages} as it was before issue 18. */
    private static void oldUpsert(TransactionContext tx, List<Message> messages) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(
                messages.stream().map(m -> m.sessionId().toString()).toList()));
        if (!ids.isEmpty()) {
            var missing = tx.run(OLD_MISSING_SESSIONS, Map.of("ids", ids)).list();
            if (!missing.isEmpty()) {
                throw NotFoundException.of(
                        "chat session", missing.get(0).get("id").asString());
            }
        }
        Map<UUID, Message> last = new LinkedHashMap<>();
        for (Message m : messages) {
            last.remove(m.id());
            last.put(m.id(), m);
        }
        List<Message> distinct = new ArrayList<>(last.values());
        for (int from = 0; from < distinct.size(); from += CHUNK) {
            List<Message> chunk = distinct.subList(from, Math.min(distinct.size(), from + CHUNK));
            List<Map<String, Object>> keys = new ArrayList<>(chunk.size());
            Map<String, List<Map<String, Object>>> bySession = new LinkedHashMap<>();
            for (Message m : chunk) {
                String sessionId = m.sessionId().toString();
                keys.add(Map.of("id", m.id().toString(), "session_id", sessionId));
                bySession.computeIfAbsent(sessionId, k -> new ArrayList<>()).add(props(m));
            }
            List<Map<String, Object>> groups = new ArrayList<>(bySession.size());
            bySession.forEach((sessionId, rows) -> groups.add(Map.of("session_id", sessionId, "rows", rows)));
            tx.run(OLD_DETACH_MOVED, Map.of("rows", keys)).consume();
            tx.run(OLD_UPSERT_MESSAGES, Map.of("groups", groups)).consume();
        }
    }

    /** As dal-neo4j's {@code Neo4jRecords.messageProps}. */
    private static Map<String, Object> props(Message m) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", m.id().toString());
        p.put("session_id", m.sessionId().toString());
        p.put("sequence_number", m.sequenceNumber());
        p.put("role", m.role().wireName());
        p.put("content", m.content());
        p.put("metadata", JsonValues.write(m.metadata()));
        p.put("token_count", m.tokenCount() == null ? null : m.tokenCount().longValue());
        p.put("abuse_flagged", m.abuseFlagged());
        p.put("created_at", m.createdAt().atZone(ZoneOffset.UTC));
        return p;
    }

    // ---- data ----

    private List<ChatSession> sessions(int count, String prefix) {
        List<ChatSession> sessions = new ArrayList<>(count);
        for (int s = 0; s < count; s++) {
            sessions.add(store.createChatSession(NewChatSession.of("bench-" + prefix + "-" + sessionsMade++)));
        }
        return sessions;
    }

    /** {@code total} messages spread round-robin over the sessions, sequence numbers growing per session. */
    private static List<Message> messages(List<ChatSession> sessions, int total) {
        List<Message> messages = new ArrayList<>(total);
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        int[] next = new int[sessions.size()];
        for (int i = 0; i < total; i++) {
            int s = i % sessions.size();
            int seq = ++next[s];
            messages.add(new Message(
                    Ids.newId(),
                    sessions.get(s).id(),
                    seq,
                    seq % 2 == 0 ? Role.ASSISTANT : Role.USER,
                    "message " + seq + " of a benchmark conversation, with some ordinary text in it",
                    JsonValues.emptyObject(),
                    12,
                    false,
                    now));
        }
        return messages;
    }

    // ---- helpers ----

    private static <T> double median(List<T> values, java.util.function.ToDoubleFunction<T> of) {
        double[] sorted = values.stream().mapToDouble(of).toArray();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String load() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static int intEnv(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }
}
