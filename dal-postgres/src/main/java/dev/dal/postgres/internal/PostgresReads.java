package dev.dal.postgres.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.SearchHit;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.SessionStatus;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.spi.SearchCursors;
import dev.dal.api.spi.SearchWords;
import dev.dal.api.spi.StoreReads;
import dev.dal.api.spi.TokenTotals;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Every read the PostgreSQL store's {@code DataAccess} makes, each one statement run through
 * {@link PostgresStore#read}: on the running transaction's connection, or a pooled one (a replica's
 * when configured). A listing with last messages is one statement; memory entries past their expiry are
 * not returned.
 *
 * <p>Inside a transaction a user, session or memory entry read is locked until the transaction ends
 * ({@code FOR NO KEY UPDATE}, which still lets other transactions insert its children): a transaction that
 * reads a record and writes what it computed from it never loses a concurrent transaction's update of it
 * (READ COMMITTED alone would). A second reader waits, then reads the committed value. Outside a
 * transaction reads lock nothing. Vote reads lock nothing either: a tally is a count, and a vote is replaced
 * whole, never computed from the one before. Token usage totals lock nothing: records are never updated.
 */
final class PostgresReads implements StoreReads {
    private static final String SESSION_ORDER = "COALESCE(last_message_at, created_at) DESC, id DESC";

    /** One statement: the page of sessions, each joined LATERAL to its newest message. */
    private static final String OVERVIEW_BEFORE_FILTER =
            "SELECT s.id AS s_id, s.chat_id AS s_chat_id, s.user_id AS s_user_id, "
                    + "s.title AS s_title, s.profile AS s_profile, s.metadata::text AS s_metadata, s.status AS s_status, "
                    + "s.created_at AS s_created_at, s.updated_at AS s_updated_at, s.last_message_at AS s_last_message_at, "
                    + "s.message_count AS s_message_count, s.version AS s_version, m.id AS m_id, m.chat_session_id AS m_chat_session_id, "
                    + "m.sequence_number AS m_sequence_number, m.role AS m_role, m.content AS m_content, "
                    + "m.metadata::text AS m_metadata, m.token_count AS m_token_count, m.abuse_flagged AS m_abuse_flagged, "
                    + "m.created_at AS m_created_at "
                    + "FROM (SELECT * FROM chat_sessions WHERE user_id = :userId";

    private static final String OVERVIEW_AFTER_FILTER = " ORDER BY " + SESSION_ORDER
            + " LIMIT :limit OFFSET :offset) s "
            + "LEFT JOIN LATERAL (SELECT * FROM messages WHERE chat_session_id = s.id "
            + "ORDER BY sequence_number DESC LIMIT 1) m ON TRUE "
            + "ORDER BY COALESCE(s.last_message_at, s.created_at) DESC, s.id DESC";

    private final PostgresStore store;
    private final String searchConfig;

    /**
     * @param store the store whose connection, transaction and clock the reads use
     * @param searchConfig the text search configuration of full-text search ({@code DB_SEARCH_CONFIG})
     */
    PostgresReads(PostgresStore store, String searchConfig) {
        this.store = store;
        this.searchConfig = searchConfig;
    }

    /** @return the row lock a read takes: inside a transaction, until it ends; outside, none */
    private String lockInTransaction() {
        return store.inTransaction() ? " FOR NO KEY UPDATE" : "";
    }

    // ---- users ----

    @Override
    public Optional<User> getUser(UUID id) {
        return store.read(
                "getUser",
                h -> h.createQuery("SELECT " + PostgresRows.USER_COLUMNS + " FROM users WHERE id = :id"
                                + lockInTransaction())
                        .bind("id", id)
                        .map((rs, ctx) -> PostgresRows.user(rs))
                        .findOne());
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return store.read(
                "getUserByExternalId",
                h -> h.createQuery("SELECT " + PostgresRows.USER_COLUMNS + " FROM users WHERE clerk_id = :clerkId"
                                + lockInTransaction())
                        .bind("clerkId", externalId)
                        .map((rs, ctx) -> PostgresRows.user(rs))
                        .findOne());
    }

    // ---- sessions ----

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return store.read("getChatSession", h -> sessionByChatId(h, chatId, store.inTransaction()));
    }

    /**
     * @param forUpdate whether to lock the session's row until the transaction ends
     * @return the session under the chat id, if one is stored
     */
    static Optional<ChatSession> sessionByChatId(Handle h, String chatId, boolean forUpdate) {
        return h.createQuery("SELECT " + PostgresRows.SESSION_COLUMNS + " FROM chat_sessions WHERE chat_id = :chatId"
                        + (forUpdate ? " FOR NO KEY UPDATE" : ""))
                .bind("chatId", chatId)
                .map((rs, ctx) -> PostgresRows.session(rs))
                .findOne();
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return store.read(
                "listUserSessions",
                h -> bindFilter(h.createQuery(listingSql(filter)), filter)
                        .bind("userId", userId)
                        .bind("limit", limit)
                        .bind("offset", offset)
                        .map((rs, ctx) -> PostgresRows.session(rs))
                        .list());
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        return store.read(
                "listUserSessionsWithLastMessage",
                h -> bindFilter(h.createQuery(overviewSql(filter)), filter)
                        .bind("userId", userId)
                        .bind("limit", limit)
                        .bind("offset", offset)
                        .map((rs, ctx) -> {
                            ChatSession session = PostgresRows.session(rs, "s_");
                            rs.getObject("m_id");
                            Message last = rs.wasNull() ? null : PostgresRows.message(rs, "m_");
                            return new SessionOverview(session, last);
                        })
                        .list());
    }

    /**
     * The indexed expression of {@code idx_messages_content_fts} for a text search configuration: the content
     * with every run of characters that are neither letters, digits nor common combining marks replaced by a
     * space, so PostgreSQL's parser sees only Dal's words (it would keep {@code don't}, {@code example.com} or
     * {@code 3.14} as one token), then read by the configuration. The configuration is a literal, as in the
     * index, because the planner matches an index expression only against a constant; its name is a checked
     * identifier ({@code DB_SEARCH_CONFIG}), never caller input.
     */
    static String searchVector(String config) {
        return "to_tsvector(" + configLiteral(config) + ", regexp_replace(m.content, "
                + "'[^[:alnum:]\\u0300-\\u036f]+', ' ', 'g'))";
    }

    private static String configLiteral(String config) {
        return "'" + config + "'::regconfig";
    }

    /**
     * One statement per page: the matching messages in scope with their session's key and rank, best first,
     * after the cursor. The tsquery is built by {@code plainto_tsquery} from Dal's own words of the text
     * (letters and digits only, space-separated), so nothing the caller typed is read as tsquery syntax.
     */
    static String searchSql(String config, boolean bySession, boolean afterCursor) {
        String vector = searchVector(config);
        return "SELECT " + prefixed("m.", PostgresRows.MESSAGE_COLUMNS)
                + ", s.chat_id AS hit_chat_id, r.score AS hit_score"
                + " FROM messages m JOIN chat_sessions s ON s.id = m.chat_session_id"
                + " CROSS JOIN plainto_tsquery(" + configLiteral(config) + ", :words) q"
                + " CROSS JOIN LATERAL (SELECT ts_rank(" + vector + ", q) AS score) r"
                + " WHERE " + (bySession ? "s.chat_id = :chatId" : "s.user_id = :userId")
                + " AND " + vector + " @@ q"
                + (afterCursor ? " AND (r.score < :score OR (r.score = :score AND m.id < :afterId))" : "")
                + " ORDER BY r.score DESC, m.id DESC LIMIT :limit";
    }

    @Override
    public SearchPage searchMessages(SearchQuery query) {
        SearchCursors.Position after = query.cursor() == null ? null : SearchCursors.decode(query.cursor());
        boolean bySession = query.chatId() != null;
        List<SearchHit> hits = store.read("searchMessages", h -> {
            Query statement = h.createQuery(searchSql(searchConfig, bySession, after != null))
                    .bind("words", String.join(" ", SearchWords.of(query.text())))
                    .bind("limit", query.limit() + 1);
            if (bySession) {
                statement.bind("chatId", query.chatId());
            } else {
                statement.bind("userId", query.userId());
            }
            if (after != null) {
                // ts_rank is a real: the cursor's double came from one, so the cast back is exact.
                statement.bind("score", (float) after.score()).bind("afterId", after.messageId());
            }
            return statement
                    .map((rs, ctx) -> new SearchHit(
                            PostgresRows.message(rs), rs.getString("hit_chat_id"), rs.getFloat("hit_score")))
                    .list();
        });
        return SearchCursors.page(hits, query.limit());
    }

    /**
     * The listing statement for a filter. Its conditions are fixed text only (the profile is a bound parameter),
     * and its order is the order of {@code idx_chat_sessions_user_status_activity} and
     * {@code idx_chat_sessions_user_profile_activity}, so a filtered page is read from an index in order.
     *
     * @param filter the listing's filter
     * @return the statement, with parameters {@code userId}, {@code limit}, {@code offset} and the filter's
     */
    static String listingSql(SessionFilter filter) {
        return "SELECT " + PostgresRows.SESSION_COLUMNS + " FROM chat_sessions WHERE user_id = :userId"
                + filterConditions(filter) + " ORDER BY " + SESSION_ORDER + " LIMIT :limit OFFSET :offset";
    }

    /** @return the overview statement for a filter: the filtered page, each session joined to its newest message */
    static String overviewSql(SessionFilter filter) {
        return OVERVIEW_BEFORE_FILTER + filterConditions(filter) + OVERVIEW_AFTER_FILTER;
    }

    private static String filterConditions(SessionFilter filter) {
        return (filter.filtersStatus() ? " AND status = :activeStatus" : "")
                + (filter.profile() != null ? " AND profile = :profile" : "");
    }

    static Query bindFilter(Query query, SessionFilter filter) {
        if (filter.filtersStatus()) {
            query.bind("activeStatus", SessionStatus.ACTIVE.wireName());
        }
        if (filter.profile() != null) {
            query.bind("profile", filter.profile());
        }
        return query;
    }

    // ---- messages ----

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return store.read(
                "getChatHistory",
                h -> h.createQuery("SELECT " + prefixed("m.", PostgresRows.MESSAGE_COLUMNS)
                                + " FROM messages m JOIN chat_sessions s ON s.id = m.chat_session_id WHERE s.chat_id = :chatId"
                                + " ORDER BY m.sequence_number LIMIT :limit OFFSET :offset")
                        .bind("chatId", chatId)
                        .bind("limit", limit)
                        .bind("offset", offset)
                        .map((rs, ctx) -> PostgresRows.message(rs))
                        .list());
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return store.read("getChatHistory", h -> {
            Optional<ChatSession> session = sessionByChatId(h, chatId, false);
            if (session.isEmpty()) {
                return List.of();
            }
            long[] window = query.window(session.get().messageCount());
            if (window[0] > window[1]) {
                return List.of();
            }
            return h.createQuery("SELECT " + PostgresRows.MESSAGE_COLUMNS + " FROM messages WHERE chat_session_id = :id"
                            + " AND sequence_number BETWEEN :first AND :last ORDER BY sequence_number")
                    .bind("id", session.get().id())
                    .bind("first", window[0])
                    .bind("last", window[1])
                    .map((rs, ctx) -> PostgresRows.message(rs))
                    .list();
        });
    }

    private static String prefixed(String prefix, String columns) {
        StringBuilder out = new StringBuilder();
        for (String column : columns.split(", ")) {
            out.append(out.length() == 0 ? "" : ", ").append(prefix).append(column);
        }
        return out.toString();
    }

    @Override
    public long getMessageCount(String chatId) {
        return store.read(
                "getMessageCount",
                h -> h.createQuery("SELECT message_count FROM chat_sessions WHERE chat_id = :chatId")
                        .bind("chatId", chatId)
                        .mapTo(Long.class)
                        .findOne()
                        .orElse(0L));
    }

    // ---- votes ----

    /**
     * The votes on a session's messages: the session by its chat id, its messages of the range by
     * {@code idx_messages_sequence}, their votes by {@code message_votes}' primary key.
     */
    private static final String VOTED_RANGE = " FROM chat_sessions s JOIN messages m ON m.chat_session_id = s.id "
            + "JOIN message_votes v ON v.message_id = m.id";

    private static final String IN_RANGE = " WHERE s.chat_id = :chatId AND m.sequence_number BETWEEN :from AND :to";

    /** A range's tallies in one statement, counted by verdict; the inner join leaves out messages nobody voted on. */
    static final String TALLIES_SQL = "SELECT m.sequence_number, count(*) FILTER (WHERE v.vote = :up) AS up, "
            + "count(*) FILTER (WHERE v.vote = :down) AS down" + VOTED_RANGE + IN_RANGE
            + " GROUP BY m.sequence_number ORDER BY m.sequence_number";

    /** A user's votes of a range in one statement, each looked up by the whole primary key (message, user). */
    static final String USER_VOTES_SQL = "SELECT " + PostgresRows.VOTE_COLUMNS + VOTED_RANGE
            + " AND v.user_id = :userId" + IN_RANGE + " ORDER BY m.sequence_number";

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        return store.read(
                "getVoteTallies",
                h -> h.createQuery(TALLIES_SQL)
                        .bind("up", Vote.UP.wireName())
                        .bind("down", Vote.DOWN.wireName())
                        .bind("chatId", chatId)
                        .bind("from", fromSequence)
                        .bind("to", toSequence)
                        .map((rs, ctx) -> new VoteTally(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                        .list());
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        return store.read(
                "getUserVotes",
                h -> h.createQuery(USER_VOTES_SQL)
                        .bind("userId", userId)
                        .bind("chatId", chatId)
                        .bind("from", fromSequence)
                        .bind("to", toSequence)
                        .map((rs, ctx) -> PostgresRows.vote(rs))
                        .list());
    }

    // ---- token usage ----

    /**
     * A grouping's key as text: user and session ids in their canonical lower-case form (in "C" order their text
     * sorts as the UUIDs do), the model as stored. A fixed expression per grouping, never caller input.
     */
    private static String usageKey(TokenUsageGrouping groupBy) {
        return switch (groupBy) {
            case USER -> "t.user_id::text";
            case SESSION -> "t.session_id::text";
            case MODEL -> "t.model";
        };
    }

    /**
     * The totals statement: one round trip. {@code g} sums the range's records by key and currency (the records
     * without cost form the currency-NULL group), {@code k} takes the page's keys (at most {@code :limit}, after
     * the cursor), and every currency group of those keys comes back ordered by key, as {@link TokenTotals#fromRows}
     * merges them. The key is collated "C" in {@code g}, so the cursor's comparison and every sort go by code
     * point. A session is resolved from its chat id inside the statement (an
     * unknown one matches nothing). The conditions are fixed text; every value is a bound parameter.
     */
    static String totalsSql(TokenUsageGrouping groupBy, boolean byUser, boolean bySession, boolean afterKey) {
        String key = usageKey(groupBy);
        return "WITH g AS (SELECT " + key + " COLLATE \"C\" AS key, t.currency, sum(t.prompt_tokens) AS prompt_tokens, "
                + "sum(t.completion_tokens) AS completion_tokens, count(*) AS records, "
                + "sum(t.cost_micros) AS cost_micros FROM token_usage t "
                + "WHERE t.created_at >= :from AND t.created_at < :to"
                + (byUser ? " AND t.user_id = :userId" : "")
                + (bySession ? " AND t.session_id = (SELECT id FROM chat_sessions WHERE chat_id = :chatId)" : "")
                + (afterKey ? " AND " + key + " COLLATE \"C\" > :afterKey" : "")
                + " GROUP BY 1, 2), "
                + "k AS (SELECT DISTINCT key FROM g ORDER BY key LIMIT :limit) "
                + "SELECT g.key, g.currency, g.prompt_tokens, g.completion_tokens, g.records, g.cost_micros "
                + "FROM g JOIN k USING (key) ORDER BY g.key, g.currency";
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        boolean byUser = query.userId() != null;
        boolean bySession = query.chatId() != null;
        boolean afterKey = query.afterKey() != null;
        List<TokenTotals.CurrencyRow> rows = store.read("getTokenUsageTotals", h -> {
            Query statement = h.createQuery(totalsSql(query.groupBy(), byUser, bySession, afterKey))
                    .bind("from", PostgresRows.bindable(query.from()))
                    .bind("to", PostgresRows.bindable(query.to()))
                    .bind("limit", query.limit());
            if (byUser) {
                statement.bind("userId", query.userId());
            }
            if (bySession) {
                statement.bind("chatId", query.chatId());
            }
            if (afterKey) {
                statement.bind("afterKey", query.afterKey());
            }
            return statement
                    .map((rs, ctx) -> new TokenTotals.CurrencyRow(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6)))
                    .list();
        });
        return TokenTotals.fromRows(rows);
    }

    // ---- memory ----

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return store.read(
                "getUserMemory",
                h -> h.createQuery("SELECT " + PostgresRows.MEMORY_COLUMNS + " FROM user_memory "
                                + "WHERE user_id = :userId AND memory_type = :type AND key = :key "
                                + "AND (expires_at IS NULL OR expires_at > :now)" + lockInTransaction())
                        .bind("userId", userId)
                        .bind("type", memoryType)
                        .bind("key", key)
                        .bind("now", PostgresRows.bindable(store.now()))
                        .map((rs, ctx) -> PostgresRows.memory(rs))
                        .findOne());
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return store.read(
                "getUserMemory",
                h -> h.createQuery("SELECT " + PostgresRows.MEMORY_COLUMNS + " FROM user_memory "
                                + "WHERE user_id = :userId AND memory_type = :type AND (expires_at IS NULL OR expires_at > :now) "
                                + "ORDER BY key" + lockInTransaction())
                        .bind("userId", userId)
                        .bind("type", memoryType)
                        .bind("now", PostgresRows.bindable(store.now()))
                        .map((rs, ctx) -> PostgresRows.memory(rs))
                        .list());
    }
}
