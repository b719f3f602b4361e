package dev.dal.benchmarks;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * {@code searchMessages} latency on PostgreSQL with a million messages stored, next to raw pgjdbc running the
 * same statement (GIN index match, {@code ts_rank}, keyset order, one page) on the same server, in one run.
 *
 * <p>The messages are written server-side ({@code INSERT … SELECT} over {@code generate_series}) so the fill takes
 * seconds: {@code DAL_BENCH_SEARCH_USERS} users (100) with {@code DAL_BENCH_SEARCH_SESSIONS} sessions each (100)
 * of {@code DAL_BENCH_SEARCH_MESSAGES} messages (100). Each message holds eight words drawn from a vocabulary of
 * 5,000 ({@code w0} … {@code w4999}, picked by multiplicative hashing of the row number, which spreads them
 * unevenly: the hits per page are printed) and about one message in 20,000 also holds {@code needle}. Timed: a user's search for one vocabulary word, for two, for the rare word, and one
 * session's search, each {@code DAL_BENCH_SEARCH_CALLS} times (200) after {@code DAL_BENCH_SEARCH_WARMUP} (50),
 * Dal and raw alternating in ABBA order, over the users in turn. The server is the one {@link PostgresBenchmark}
 * uses: embedded, or {@code DAL_BENCH_POSTGRES_URL}.
 */
public final class SearchBenchmark {
    private static final int PAGE = 20;

    private final int users;
    private final int sessionsPerUser;
    private final int messagesPerSession;
    private final int warmup;
    private final int calls;
    private final List<UUID> userIds = new ArrayList<>();
    private final List<String> chatIds = new ArrayList<>();

    private SearchBenchmark(Map<String, String> env) {
        this.users = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_USERS", 100);
        this.sessionsPerUser = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_SESSIONS", 100);
        this.messagesPerSession = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_MESSAGES", 100);
        this.warmup = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_WARMUP", 50);
        this.calls = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_CALLS", 200);
    }

    /**
     * @param args none
     * @throws SQLException when the raw side fails
     */
    public static void main(String[] args) throws SQLException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        java.util.logging.Logger.getLogger("liquibase").setLevel(java.util.logging.Level.WARNING);
        Map<String, String> env = System.getenv();
        new SearchBenchmark(env).run(PostgresBenchmark.Server.from(env));
    }

    private void run(PostgresBenchmark.Server server) throws SQLException {
        try (DataAccess store = DataAccessFactory.create(
                        DalConfig.builder().settings(server.dalSettings()).build());
                Connection raw = server.connect()) {
            raw.setAutoCommit(false);
            System.out.printf(
                    Locale.ROOT,
                    "Dal search benchmark: java %s, %d cores; server: %s%n",
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    PostgresBenchmark.describe(raw));
            fill(store, raw);
            System.out.printf(
                    Locale.ROOT, "%-48s %8s %8s %8s%n", "search, ms per page of " + PAGE, "mean", "p50", "p90");
            compare(store, raw, "a user's search, one vocabulary word", i -> "w" + (i * 7 % 5000), false);
            compare(
                    store,
                    raw,
                    "a user's search, two vocabulary words",
                    i -> "w" + (i * 7 % 5000) + " w" + (i * 13 % 5000),
                    false);
            compare(store, raw, "a user's search, a rare word", i -> "needle", false);
            compare(store, raw, "a session's search, one vocabulary word", i -> "w" + (i * 7 % 5000), true);
        }
    }

    private void fill(DataAccess store, Connection raw) throws SQLException {
        long start = System.nanoTime();
        String run = Long.toString(System.nanoTime(), 36);
        for (int u = 0; u < users; u++) {
            User user = store.createUser(NewUser.withExternalId("search-bench-" + run + "-" + u));
            userIds.add(user.id());
            for (int s = 0; s < sessionsPerUser; s++) {
                chatIds.add(
                        store.createChatSession(NewChatSession.of("search-bench-" + run + "-" + u + "-" + s, user.id()))
                                .chatId());
            }
        }
        // Eight words per message from a 5,000-word vocabulary by multiplicative hashing of the row number; one row
        // in 20,000 also carries "needle". The session counters follow, as Dal's own writes would leave them.
        String words = "'w' || ((g.n * 7919 + %d) %% 5000)";
        StringBuilder content = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            content.append(k == 0 ? "" : " || ' ' || ").append(String.format(Locale.ROOT, words, k * 104729));
        }
        String insert = "INSERT INTO messages (chat_session_id, sequence_number, role, content, metadata, created_at) "
                + "SELECT s.id, g.seq, 'user', " + content
                + " || CASE WHEN g.n % 20000 = 7 THEN ' needle' ELSE '' END, "
                + "'{}'::jsonb, now() FROM chat_sessions s "
                + "CROSS JOIN LATERAL (SELECT seq, (hashtext(s.id::text) & 1048575)::bigint * 1000 + seq AS n "
                + "FROM generate_series(1, ?) seq) g WHERE s.chat_id LIKE ?";
        try (PreparedStatement st = raw.prepareStatement(insert)) {
            st.setInt(1, messagesPerSession);
            st.setString(2, "search-bench-" + run + "-%");
            st.executeUpdate();
        }
        try (PreparedStatement st = raw.prepareStatement(
                "UPDATE chat_sessions SET message_count = ?, last_message_at = now() WHERE chat_id LIKE ?")) {
            st.setInt(1, messagesPerSession);
            st.setString(2, "search-bench-" + run + "-%");
            st.executeUpdate();
        }
        raw.commit();
        try (Statement st = raw.createStatement()) {
            st.execute("ANALYZE messages");
            st.execute("ANALYZE chat_sessions");
        }
        raw.commit();
        long total;
        try (Statement st = raw.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM messages")) {
            rs.next();
            total = rs.getLong(1);
        }
        raw.commit();
        System.out.printf(
                Locale.ROOT,
                "filled %,d messages (%,d in this run) in %.1f s%n",
                total,
                (long) users * sessionsPerUser * messagesPerSession,
                (System.nanoTime() - start) / 1e9);
    }

    /** The indexed expression, as an application querying seed 004's index with Dal's word rule would write it. */
    private static final String VECTOR =
            "to_tsvector('simple'::regconfig, regexp_replace(m.content, '[^[:alnum:]\\u0300-\\u036f]+', ' ', 'g'))";

    /** The statement Dal runs, written out by hand as an application would, with the same words. */
    private static String rawSql(boolean bySession) {
        return "SELECT m.id, m.chat_session_id, m.sequence_number, m.role, m.content, m.metadata::text, "
                + "m.token_count, m.abuse_flagged, m.created_at, s.chat_id, "
                + "ts_rank(" + VECTOR + ", q) AS score "
                + "FROM messages m JOIN chat_sessions s ON s.id = m.chat_session_id, "
                + "plainto_tsquery('simple'::regconfig, ?) q "
                + "WHERE " + (bySession ? "s.chat_id = ?" : "s.user_id = ?")
                + " AND " + VECTOR + " @@ q ORDER BY score DESC, m.id DESC LIMIT ?";
    }

    private void compare(DataAccess store, Connection raw, String label, IntFunction<String> text, boolean bySession)
            throws SQLException {
        Timings dal = new Timings(warmup, calls);
        Timings plain = new Timings(warmup, calls);
        raw.setAutoCommit(true);
        long dalHits = 0;
        long rawHits = 0;
        try (PreparedStatement st = raw.prepareStatement(rawSql(bySession))) {
            for (int round = 0; round < warmup + calls; round++) {
                UUID user = userIds.get(round % userIds.size());
                String chat = chatIds.get(round * 31 % chatIds.size());
                String words = text.apply(round);
                SearchQuery query =
                        bySession ? SearchQuery.inSession(chat, words, PAGE) : SearchQuery.forUser(user, words, PAGE);
                boolean dalFirst = round % 4 == 0 || round % 4 == 3;
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == dalFirst) {
                        long[] t = Timings.start();
                        SearchPage page = store.searchMessages(query);
                        dal.stop(round, t);
                        dalHits += page.hits().size();
                    } else {
                        long[] t = Timings.start();
                        st.setString(1, words);
                        if (bySession) {
                            st.setString(2, chat);
                        } else {
                            st.setObject(2, user);
                        }
                        st.setInt(3, PAGE + 1);
                        int rows = 0;
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next() && rows < PAGE) {
                                rs.getObject(1, UUID.class);
                                rs.getString(5);
                                rs.getString(6);
                                rs.getFloat(11);
                                rows++;
                            }
                        }
                        plain.stop(round, t);
                        rawHits += rows;
                    }
                }
            }
        }
        if (dalHits != rawHits) {
            throw new IllegalStateException(label + ": Dal found " + dalHits + " hits, raw " + rawHits);
        }
        Stats d = dal.wall();
        Stats r = plain.wall();
        System.out.println(d.readRow("Dal  " + label));
        System.out.println(r.readRow("raw  " + label));
        System.out.printf(
                Locale.ROOT,
                "%-48s %8.2f %8.2f    (Dal / raw latency; %.1f hits per page)%n",
                "ratio",
                d.mean() / r.mean(),
                d.p50() / r.p50(),
                (double) dalHits / (warmup + calls));
    }
}
