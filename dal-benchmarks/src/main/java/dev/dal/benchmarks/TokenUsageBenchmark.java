package dev.dal.benchmarks;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * {@code getTokenUsageTotals} latency on PostgreSQL with a million usage records stored, next to raw pgjdbc running
 * the statement an application would write for the same totals ({@code GROUP BY} key and currency over the range,
 * reading every group) on the same server, in one run.
 *
 * <p>The records are written server-side ({@code INSERT … SELECT} over {@code generate_series}) so the fill takes
 * seconds: {@code DAL_BENCH_USAGE_USERS} users (100) with 10 sessions of 10 messages each, and
 * {@code DAL_BENCH_USAGE_PER_MESSAGE} records per message (100), spread evenly over the 30 days before the run, over
 * five models, billed to the session's owner, nine in ten with a cost (in USD, one in ten of those in EUR). Timed:
 * totals by model over all 30 days (every record), by user over one day, by session for one user over the 30 days,
 * and by model for one session; {@code DAL_BENCH_USAGE_CALLS} calls each (100; a fifth of that for the whole
 * range) after a tenth as many warm-up calls, Dal and raw alternating in ABBA order. The server is the one
 * {@link PostgresBenchmark} uses: embedded, or {@code DAL_BENCH_POSTGRES_URL}.
 */
public final class TokenUsageBenchmark {
    private static final int SESSIONS_PER_USER = 10;
    private static final int MESSAGES_PER_SESSION = 10;
    private static final int DAYS = 30;

    private final int users;
    private final int perMessage;
    private final int calls;
    private final List<UUID> userIds = new ArrayList<>();
    private final List<String> chatIds = new ArrayList<>();
    private final Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS);
    private final Instant start = end.minus(Duration.ofDays(DAYS));

    private TokenUsageBenchmark(Map<String, String> env) {
        this.users = PostgresBenchmark.intSetting(env, "DAL_BENCH_USAGE_USERS", 100);
        this.perMessage = PostgresBenchmark.intSetting(env, "DAL_BENCH_USAGE_PER_MESSAGE", 100);
        this.calls = PostgresBenchmark.intSetting(env, "DAL_BENCH_USAGE_CALLS", 100);
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
        new TokenUsageBenchmark(env).run(PostgresBenchmark.Server.from(env));
    }

    private void run(PostgresBenchmark.Server server) throws SQLException {
        try (DataAccess store = DataAccessFactory.create(
                        DalConfig.builder().settings(server.dalSettings()).build());
                Connection raw = server.connect()) {
            raw.setAutoCommit(false);
            System.out.printf(
                    Locale.ROOT,
                    "Dal token usage benchmark: java %s, %d cores; server: %s%n",
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    PostgresBenchmark.describe(raw));
            fill(store, raw);
            System.out.printf(Locale.ROOT, "%-48s %8s %8s %8s%n", "totals, ms per call", "mean", "p50", "p90");
            Instant lastDay = end.minus(Duration.ofDays(1));
            compare(
                    store,
                    raw,
                    "by model, 30 days (every record)",
                    Math.max(1, calls / 5),
                    i -> TokenUsageQuery.by(TokenUsageGrouping.MODEL, start, end));
            compare(
                    store,
                    raw,
                    "by user, one day",
                    calls,
                    i -> TokenUsageQuery.by(TokenUsageGrouping.USER, lastDay, end));
            compare(
                    store,
                    raw,
                    "by session, one user, 30 days",
                    calls,
                    i -> TokenUsageQuery.by(TokenUsageGrouping.SESSION, start, end)
                            .forUser(userIds.get(i % userIds.size())));
            compare(
                    store,
                    raw,
                    "by model, one session, 30 days",
                    calls,
                    i -> TokenUsageQuery.by(TokenUsageGrouping.MODEL, start, end)
                            .inSession(chatIds.get(i * 31 % chatIds.size())));
        }
    }

    private void fill(DataAccess store, Connection raw) throws SQLException {
        long began = System.nanoTime();
        String run = Long.toString(System.nanoTime(), 36);
        String prefix = "usage-bench-" + run + "-";
        for (int u = 0; u < users; u++) {
            User user = store.createUser(NewUser.withExternalId(prefix + u));
            userIds.add(user.id());
            for (int s = 0; s < SESSIONS_PER_USER; s++) {
                chatIds.add(store.createChatSession(NewChatSession.of(prefix + u + "-" + s, user.id()))
                        .chatId());
            }
        }
        try (PreparedStatement st = raw.prepareStatement(
                "INSERT INTO messages (chat_session_id, sequence_number, role, content, metadata, created_at) "
                        + "SELECT s.id, g, 'assistant', 'reply ' || g, '{}'::jsonb, now() FROM chat_sessions s "
                        + "CROSS JOIN generate_series(1, ?) g WHERE s.chat_id LIKE ?")) {
            st.setInt(1, MESSAGES_PER_SESSION);
            st.setString(2, prefix + "%");
            st.executeUpdate();
        }
        try (PreparedStatement st = raw.prepareStatement(
                "UPDATE chat_sessions SET message_count = ?, last_message_at = now() WHERE chat_id LIKE ?")) {
            st.setInt(1, MESSAGES_PER_SESSION);
            st.setString(2, prefix + "%");
            st.executeUpdate();
        }
        // Record n of a message: model n % 5, a cost unless n % 10 = 0 (EUR when n % 10 = 1), a time spread evenly
        // over the 30 days by multiplicative hashing of the message's row and n.
        try (PreparedStatement st = raw.prepareStatement(
                "INSERT INTO token_usage (id, message_id, session_id, sequence_number, user_id, model, prompt_tokens, "
                        + "completion_tokens, cost_micros, currency, created_at) "
                        + "SELECT gen_random_uuid(), m.id, m.chat_session_id, m.sequence_number, s.user_id, "
                        + "'model-' || (g % 5), 100 + g % 900, 10 + g % 90, "
                        + "CASE WHEN g % 10 = 0 THEN NULL ELSE 1000 + g END, "
                        + "CASE WHEN g % 10 = 0 THEN NULL WHEN g % 10 = 1 THEN 'EUR' ELSE 'USD' END, "
                        + "?::timestamptz + (((hashtext(m.id::text) & 1048575)::bigint * 7919 + g * 104729) % ?) "
                        + "* interval '1 millisecond' "
                        + "FROM messages m JOIN chat_sessions s ON s.id = m.chat_session_id "
                        + "CROSS JOIN generate_series(1, ?) g WHERE s.chat_id LIKE ?")) {
            st.setTimestamp(1, Timestamp.from(start));
            st.setLong(2, Duration.ofDays(DAYS).toMillis());
            st.setInt(3, perMessage);
            st.setString(4, prefix + "%");
            st.executeUpdate();
        }
        raw.commit();
        try (Statement st = raw.createStatement()) {
            st.execute("ANALYZE messages");
            st.execute("ANALYZE token_usage");
        }
        raw.commit();
        long total;
        try (Statement st = raw.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM token_usage")) {
            rs.next();
            total = rs.getLong(1);
        }
        raw.commit();
        System.out.printf(
                Locale.ROOT,
                "filled %,d usage records (%,d in this run) in %.1f s%n",
                total,
                (long) users * SESSIONS_PER_USER * MESSAGES_PER_SESSION * perMessage,
                (System.nanoTime() - began) / 1e9);
    }

    /** The statement an application would write for the same totals, reading every group. */
    private static String rawSql(TokenUsageQuery query) {
        String key = switch (query.groupBy()) {
            case USER -> "t.user_id";
            case SESSION -> "t.session_id";
            case MODEL -> "t.model";
        };
        return "SELECT " + key + " AS k, t.currency, sum(t.prompt_tokens), sum(t.completion_tokens), count(*), "
                + "sum(t.cost_micros) FROM token_usage t "
                + (query.chatId() == null ? "" : "JOIN chat_sessions s ON s.id = t.session_id AND s.chat_id = ? ")
                + "WHERE t.created_at >= ? AND t.created_at < ?"
                + (query.userId() == null ? "" : " AND t.user_id = ?")
                + " GROUP BY k, t.currency ORDER BY k";
    }

    private void compare(
            DataAccess store, Connection raw, String label, int timedCalls, IntFunction<TokenUsageQuery> queries)
            throws SQLException {
        int warmup = Math.max(1, timedCalls / 10);
        Timings dal = new Timings(warmup, timedCalls);
        Timings plain = new Timings(warmup, timedCalls);
        raw.setAutoCommit(true);
        long dalRecords = 0;
        long rawRecords = 0;
        for (int round = 0; round < warmup + timedCalls; round++) {
            TokenUsageQuery query = queries.apply(round);
            boolean dalFirst = round % 4 == 0 || round % 4 == 3;
            for (int side = 0; side < 2; side++) {
                if ((side == 0) == dalFirst) {
                    long[] t = Timings.start();
                    List<TokenUsageTotal> totals = store.getTokenUsageTotals(query);
                    dal.stop(round, t);
                    dalRecords +=
                            totals.stream().mapToLong(TokenUsageTotal::records).sum();
                } else {
                    long[] t = Timings.start();
                    rawRecords += rawTotals(raw, query);
                    plain.stop(round, t);
                }
            }
        }
        if (dalRecords != rawRecords) {
            throw new IllegalStateException(label + ": Dal counted " + dalRecords + " records, raw " + rawRecords);
        }
        Stats d = dal.wall();
        Stats r = plain.wall();
        System.out.println(d.readRow("Dal  " + label));
        System.out.println(r.readRow("raw  " + label));
        System.out.printf(
                Locale.ROOT,
                "%-48s %8.2f %8.2f    (Dal / raw latency; %,.0f records per call)%n",
                "ratio",
                d.mean() / r.mean(),
                d.p50() / r.p50(),
                (double) dalRecords / (warmup + timedCalls));
    }

    private static long rawTotals(Connection raw, TokenUsageQuery query) throws SQLException {
        try (PreparedStatement st = raw.prepareStatement(rawSql(query))) {
            int p = 1;
            if (query.chatId() != null) {
                st.setString(p++, query.chatId());
            }
            st.setTimestamp(p++, Timestamp.from(query.from()));
            st.setTimestamp(p++, Timestamp.from(query.to()));
            if (query.userId() != null) {
                st.setObject(p, query.userId());
            }
            long records = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rs.getString(1);
                    rs.getString(2);
                    rs.getLong(3);
                    rs.getLong(4);
                    records += rs.getLong(5);
                    rs.getLong(6);
                }
            }
            return records;
        }
    }
}
