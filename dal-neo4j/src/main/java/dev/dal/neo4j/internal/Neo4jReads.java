package dev.dal.neo4j.internal;

import static dev.dal.neo4j.internal.Neo4jRecords.params;

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
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import dev.dal.api.VoteTally;
import dev.dal.api.spi.SearchCursors;
import dev.dal.api.spi.SearchWords;
import dev.dal.api.spi.StoreReads;
import dev.dal.api.spi.TokenTotals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;

/**
 * Every Neo4j read the store's {@link dev.dal.api.DataAccess} makes: users, sessions with their
 * owners, history pages and windows, message counts, full-text search, vote tallies and a user's votes,
 * token usage totals, memory entries (past their expiry they are not returned). Each runs through
 * {@link Neo4jStore#read}, in the store's transaction when it has one. Labels and property names are constants;
 * every value is a parameter.
 */
final class Neo4jReads implements StoreReads {
    private static final String SESSION_ORDER = "coalesce(s.last_message_at, s.created_at) DESC, s.id DESC";

    private final Neo4jStore store;

    /** @param store the store whose transaction and clock the reads use */
    Neo4jReads(Neo4jStore store) {
        this.store = store;
    }

    /**
     * Inside {@link Neo4jStore#inTransaction}, a node a read returns is write-locked until the transaction ends
     * (Neo4j takes a node's write lock when a property is set; setting and removing a marker leaves the
     * node as it was): a transaction that reads a record and writes what it computed from it never
     * loses a concurrent transaction's update of it, which READ COMMITTED alone would. A second reader
     * waits, then returns the committed value, since the node is returned after the lock. Outside a
     * transaction reads lock nothing.
     *
     * @param variable the Cypher variable of the returned node
     * @return the clause to put before {@code RETURN}, or nothing outside a transaction
     */
    private String lockInTransaction(String variable) {
        return store.runsInTransaction() ? " SET " + variable + "._lock = true REMOVE " + variable + "._lock" : "";
    }

    // ---- users ----

    @Override
    public Optional<User> getUser(UUID id) {
        return store.read(
                "getUser",
                tx -> tx
                        .run(
                                "MATCH (u:User {id: $id})" + lockInTransaction("u") + " RETURN u",
                                params("id", id.toString()))
                        .list(r -> Neo4jRecords.user(r.get("u").asNode()))
                        .stream()
                        .findFirst());
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return store.read(
                "getUserByExternalId",
                tx -> tx
                        .run(
                                "MATCH (u:User {external_id: $externalId})" + lockInTransaction("u") + " RETURN u",
                                params("externalId", externalId))
                        .list(r -> Neo4jRecords.user(r.get("u").asNode()))
                        .stream()
                        .findFirst());
    }

    // ---- sessions ----

    private static final String SESSION_BY_CHAT_ID = """
            MATCH (s:ChatSession {chat_id: $chatId})
            OPTIONAL MATCH (u:User)-[:HAS_CHAT_SESSION]->(s)
            RETURN s, u.id AS user_id""";

    private static final String LOCK_SESSION = """
            MATCH (s:ChatSession {chat_id: $chatId})
            SET s._lock = true REMOVE s._lock
            WITH s
            OPTIONAL MATCH (u:User)-[:HAS_CHAT_SESSION]->(s)
            RETURN s, u.id AS user_id""";

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return store.read("getChatSession", tx -> sessionByChatId(tx, chatId, store.runsInTransaction()));
    }

    /**
     * The session of a chat id, with its owner's id.
     *
     * @param tx the transaction to read in
     * @param chatId the session's chat id
     * @param lock whether to write-lock the session's node until the transaction ends, as a
     *     read-modify-write needs
     * @return the session, or empty when there is none
     */
    static Optional<ChatSession> sessionByChatId(TransactionContext tx, String chatId, boolean lock) {
        return tx
                .run(lock ? LOCK_SESSION : SESSION_BY_CHAT_ID, params("chatId", chatId))
                .list(Neo4jRecords::session)
                .stream()
                .findFirst();
    }

    /**
     * The listing filter, one fixed text with parameters. The user's sessions are reached through the
     * user's relationships, so the filter reads only their sessions. Nodes written without a status or
     * profile read as active and {@value ChatSession#DEFAULT_PROFILE}, and filter the same way.
     */
    private static final String LISTING_FILTER = """
            WHERE ($activeOnly = false OR coalesce(s.status, 'active') = 'active')
              AND ($profile IS NULL OR coalesce(s.profile, '""" + ChatSession.DEFAULT_PROFILE + """
            ') = $profile)
            """;

    private static final String LIST_SESSIONS =
            """
            MATCH (u:User {id: $userId})-[:HAS_CHAT_SESSION]->(s:ChatSession)
            """ + LISTING_FILTER + """
            RETURN s, u.id AS user_id
            ORDER BY\s""" + SESSION_ORDER + " SKIP $offset LIMIT $limit";

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return store.read(
                "listUserSessions",
                tx -> tx.run(LIST_SESSIONS, listingParameters(userId, filter, limit, offset))
                        .list(Neo4jRecords::session));
    }

    private static Map<String, Object> listingParameters(UUID userId, SessionFilter filter, int limit, int offset) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("userId", userId.toString());
        parameters.put("activeOnly", filter.filtersStatus());
        parameters.put("profile", filter.profile());
        parameters.put("offset", offset);
        parameters.put("limit", limit);
        return parameters;
    }

    /**
     * A user's sessions without one query per session: one statement for the page of sessions and
     * each one's newest message, found by an index seek on (session, sequence number): numbers are
     * gap-free, so the newest message is the one numbered {@code message_count}.
     */
    static final String OVERVIEW = """
            MATCH (u:User {id: $userId})-[:HAS_CHAT_SESSION]->(s:ChatSession)
            """ + LISTING_FILTER + """
            WITH u, s
            ORDER BY\s""" + SESSION_ORDER + """
             SKIP $offset LIMIT $limit
            CALL (s) {
              OPTIONAL MATCH (m:Message {session_id: s.id, sequence_number: s.message_count})
              RETURN m
            }
            RETURN s, u.id AS user_id, m""";

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        return store.read(
                "listUserSessionsWithLastMessage",
                tx -> tx.run(OVERVIEW, listingParameters(userId, filter, limit, offset))
                        .list(r -> new SessionOverview(
                                Neo4jRecords.session(r),
                                r.get("m").isNull()
                                        ? null
                                        : Neo4jRecords.message(r.get("m").asNode()))));
    }

    // ---- messages ----

    private static final String HISTORY_PAGE = """
            MATCH (s:ChatSession {chat_id: $chatId})
            MATCH (m:Message)
            WHERE m.session_id = s.id AND m.sequence_number >= 0
            RETURN m ORDER BY m.sequence_number SKIP $offset LIMIT $limit""";

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return store.read(
                "getChatHistory",
                tx -> tx.run(HISTORY_PAGE, params("chatId", chatId, "offset", offset, "limit", limit))
                        .list(r -> Neo4jRecords.message(r.get("m").asNode())));
    }

    private static final String HISTORY_WINDOW = """
            MATCH (m:Message)
            WHERE m.session_id = $sessionId AND m.sequence_number >= $first AND m.sequence_number <= $last
            RETURN m ORDER BY m.sequence_number""";

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return store.read("getChatHistory", tx -> {
            List<Record> session = tx.run(
                            "MATCH (s:ChatSession {chat_id: $chatId}) RETURN s.id AS id, "
                                    + "coalesce(s.message_count, 0) AS count",
                            params("chatId", chatId))
                    .list();
            if (session.isEmpty()) {
                return List.of();
            }
            long[] window = query.window(session.get(0).get("count").asLong());
            if (window[0] > window[1]) {
                return List.of();
            }
            return tx.run(
                            HISTORY_WINDOW,
                            params(
                                    "sessionId",
                                    session.get(0).get("id").asString(),
                                    "first",
                                    window[0],
                                    "last",
                                    window[1]))
                    .list(r -> Neo4jRecords.message(r.get("m").asNode()));
        });
    }

    @Override
    public long getMessageCount(String chatId) {
        return store.read(
                "getMessageCount",
                tx -> tx
                        .run(
                                "MATCH (s:ChatSession {chat_id: $chatId}) "
                                        + "RETURN coalesce(s.message_count, 0) AS count",
                                params("chatId", chatId))
                        .list(r -> r.get("count").asLong())
                        .stream()
                        .findFirst()
                        .orElse(0L));
    }

    // ---- votes ----

    /** The session's messages of a range, by an index seek on (session, sequence number), as the history reads. */
    private static final String MESSAGES_IN_RANGE = """
            MATCH (s:ChatSession {chat_id: $chatId})
            MATCH (m:Message)
            WHERE m.session_id = s.id AND m.sequence_number >= $from AND m.sequence_number <= $to
            """;

    /**
     * Each voted message's votes, expanded from the message and counted in the statement: one row per message, not
     * per vote. Only users vote, so the other end's label is not read.
     */
    private static final String TALLIES = MESSAGES_IN_RANGE + """
            MATCH (m)<-[r:VOTED]-()
            WITH m.sequence_number AS seq, count(CASE WHEN r.vote = 'up' THEN 1 END) AS up,
              count(CASE WHEN r.vote = 'down' THEN 1 END) AS down
            RETURN seq, up, down ORDER BY seq""";

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        return store.read(
                "getVoteTallies",
                tx -> tx.run(TALLIES, params("chatId", chatId, "from", fromSequence, "to", toSequence))
                        .list(r -> new VoteTally(
                                r.get("seq").asLong(),
                                r.get("up").asLong(),
                                r.get("down").asLong())));
    }

    /**
     * The user's votes on the range's messages. The subquery looks the relationship up between two bound nodes, once
     * per message of the range ({@code Expand(Into)}, from the end with fewer relationships); matched in one
     * pattern (or after a {@code WITH}), the planner expanded every vote of the user and filtered them.
     */
    private static final String USER_VOTES = "MATCH (u:User {id: $userId})\n" + MESSAGES_IN_RANGE + """
            CALL (u, m) {
              MATCH (u)-[r:VOTED]->(m)
              RETURN r
            }
            RETURN m.id AS message_id, m.session_id AS session_id, m.sequence_number AS sequence_number, u.id AS user_id, r.vote AS vote,
              r.voted_at AS voted_at
            ORDER BY sequence_number""";

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        return store.read(
                "getUserVotes",
                tx -> tx.run(
                                USER_VOTES,
                                params(
                                        "chatId",
                                        chatId,
                                        "userId",
                                        userId.toString(),
                                        "from",
                                        fromSequence,
                                        "to",
                                        toSequence))
                        .list(Neo4jRecords::vote));
    }

    // ---- token usage ----

    /**
     * One statement: the counted records by an index seek (the billed user's, the session's, or every record's
     * over the time range; the planner picks among the indexes of schema change 007), summed per key and currency,
     * then the currency groups collected per key so that the page is cut on keys: the first {@code limit} keys in
     * ascending order, each with all its currency rows. A session is resolved from its chat id in the same
     * statement (an unknown one matches nothing: no totals). Nothing is locked inside a transaction.
     *
     * <p>Keys are compared by code point. User and session ids are ASCII, and an ASCII key orders against any
     * string alike by code point and by UTF-16 unit, so they are compared as they are; a model is compared by its
     * {@link Neo4jRecords#modelOrder} (stored beside it; the page's {@code afterKey} encoded in Java), since
     * Neo4j compares strings by UTF-8 bytes or by UTF-16 units depending on where each value comes from. The key's
     * properties come from a fixed switch; every value is a parameter.
     */
    private static String tokenUsageTotals(TokenUsageQuery q) {
        String key = switch (q.groupBy()) {
            case USER -> "t.user_id";
            case SESSION -> "t.session_id";
            case MODEL -> "t.model";
        };
        String order = q.groupBy() == TokenUsageGrouping.MODEL ? "t." + Neo4jRecords.MODEL_ORDER : key;
        StringBuilder cypher = new StringBuilder();
        if (q.chatId() != null) {
            cypher.append("MATCH (s:ChatSession {chat_id: $chatId})\n");
        }
        cypher.append("MATCH (t:TokenUsage)\nWHERE t.created_at >= $from AND t.created_at < $to");
        if (q.userId() != null) {
            cypher.append(" AND t.user_id = $userId");
        }
        if (q.chatId() != null) {
            cypher.append(" AND t.session_id = s.id");
        }
        if (q.afterKey() != null) {
            cypher.append(" AND ").append(order).append(" > $after");
        }
        cypher.append("\nWITH ")
                .append(order)
                .append(" AS sort_key, ")
                .append(key)
                .append(" AS key,");
        cypher.append("""
                 t.currency AS currency,
                  sum(t.prompt_tokens) AS prompt, sum(t.completion_tokens) AS completion, count(*) AS records,
                  sum(t.cost_micros) AS cost
                WITH sort_key, key, collect({currency: currency, prompt: prompt, completion: completion,
                  records: records, cost: cost}) AS groups
                ORDER BY sort_key
                LIMIT $limit
                UNWIND groups AS g
                RETURN key, g.currency AS currency, g.prompt AS prompt, g.completion AS completion,
                  g.records AS records, g.cost AS cost
                ORDER BY sort_key""");
        return cypher.toString();
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery q) {
        String after = q.afterKey() == null
                ? null
                : q.groupBy() == TokenUsageGrouping.MODEL ? Neo4jRecords.modelOrder(q.afterKey()) : q.afterKey();
        Map<String, Object> p = params(
                "from",
                Neo4jRecords.time(q.from()),
                "to",
                Neo4jRecords.time(q.to()),
                "userId",
                q.userId() == null ? null : q.userId().toString(),
                "chatId",
                q.chatId(),
                "after",
                after,
                "limit",
                (long) q.limit());
        List<TokenTotals.CurrencyRow> rows = store.read(
                "getTokenUsageTotals",
                tx -> tx.run(tokenUsageTotals(q), p)
                        .list(r -> new TokenTotals.CurrencyRow(
                                r.get("key").asString(),
                                r.get("currency").isNull()
                                        ? null
                                        : r.get("currency").asString(),
                                r.get("prompt").asLong(),
                                r.get("completion").asLong(),
                                r.get("records").asLong(),
                                r.get("cost").asLong(0))));
        return TokenTotals.fromRows(rows);
    }

    // ---- search ----

    /**
     * The full-text index's hits after the position, best first. The index answers every message of the
     * database holding the words; the scope is applied to each hit through its session
     * ({@code s.id = m.session_id}). The session, or the user, is matched first, so an unknown scope does not
     * query the index.
     */
    private static final String QUERY_INDEX = "CALL db.index.fulltext.queryNodes('"
            + Neo4jMigrations.MESSAGE_SEARCH_INDEX + "', $query) YIELD node AS m, score\n"
            + "WHERE ($afterScore IS NULL OR score < $afterScore OR (score = $afterScore AND m.id < $afterId))\n";

    private static final String SEARCH_ORDER = """
            RETURN m, s.chat_id AS chat_id, score
            ORDER BY score DESC, m.id DESC
            LIMIT $limit""";

    private static final String SEARCH_IN_SESSION =
            "MATCH (s:ChatSession {chat_id: $chatId})\n" + QUERY_INDEX + "  AND m.session_id = s.id\n" + SEARCH_ORDER;

    private static final String SEARCH_FOR_USER = "MATCH (u:User {id: $userId})\n" + QUERY_INDEX
            + "MATCH (s:ChatSession {id: m.session_id})\n"
            + "WHERE EXISTS { (u)-[:HAS_CHAT_SESSION]->(s) }\n" + SEARCH_ORDER;

    /** The most candidates one round trip of a search asks for, when mismatches made a page short. */
    private static final int MAX_SEARCH_BATCH = 10_000;

    /**
     * Lucene's query for the words: each a required phrase, {@code +"w1" +"w2"}. The words are runs of letters,
     * digits and marks, so nothing in them is query syntax; quotes and backslashes are escaped all the same.
     *
     * @param words the search's words, as {@link SearchWords#of} returns them
     * @return the query for {@code db.index.fulltext.queryNodes}
     */
    static String luceneQuery(List<String> words) {
        StringBuilder query = new StringBuilder();
        for (String word : words) {
            if (query.length() > 0) {
                query.append(' ');
            }
            query.append("+\"")
                    .append(word.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return query.toString();
    }

    /**
     * The index holds each message's words by the kit's rule ({@link Neo4jRecords#SEARCH_WORDS}), split at spaces
     * only, and the query asks for the same lower-cased words, so a message holds every word exactly when the
     * index returns it, with one exception: Lucene's whitespace tokenizer cuts a term after 255 characters, so a
     * longer word is indexed, and queried, as a phrase of its pieces, which also matches those pieces written as
     * separate consecutive words. For that case alone each candidate is still checked with {@link
     * SearchWords#allIn} and dropped when it fails; a page left short by a drop asks again after the last candidate
     * read, so a page holds {@code limit} hits whenever there are that many and the cursor (the last hit's score
     * and id) resumes exactly where the page ended.
     */
    @Override
    public SearchPage searchMessages(SearchQuery query) {
        List<String> words = SearchWords.of(query.text());
        SearchCursors.Position start = query.cursor() == null ? null : SearchCursors.decode(query.cursor());
        int wanted = query.limit() + 1;
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("query", luceneQuery(words));
        parameters.put("userId", query.userId() == null ? null : query.userId().toString());
        parameters.put("chatId", query.chatId());
        String statement = query.chatId() != null ? SEARCH_IN_SESSION : SEARCH_FOR_USER;
        return store.read("searchMessages", tx -> {
            List<SearchHit> hits = new ArrayList<>();
            SearchCursors.Position after = start;
            int batch = wanted;
            while (hits.size() < wanted) {
                parameters.put("afterScore", after == null ? null : after.score());
                parameters.put(
                        "afterId", after == null ? null : after.messageId().toString());
                parameters.put("limit", batch);
                List<Record> rows = tx.run(statement, parameters).list();
                for (Record row : rows) {
                    Message message = Neo4jRecords.message(row.get("m").asNode());
                    double score = row.get("score").asDouble();
                    after = new SearchCursors.Position(score, message.id());
                    if (SearchWords.allIn(words, message.content())) {
                        hits.add(new SearchHit(message, row.get("chat_id").asString(), score));
                        if (hits.size() == wanted) {
                            break;
                        }
                    }
                }
                if (rows.size() < batch) {
                    break;
                }
                batch = Math.min(batch * 2, Math.max(MAX_SEARCH_BATCH, wanted));
            }
            return SearchCursors.page(hits, query.limit());
        });
    }

    // ---- memory ----

    private static final String VISIBLE = "(m.expires_at IS NULL OR m.expires_at > $now)";

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return store.read(
                "getUserMemory",
                tx -> tx
                        .run(
                                "MATCH (m:Memory {user_id: $userId, memory_type: $type, key: $key}) " + "WHERE "
                                        + VISIBLE + lockInTransaction("m") + " RETURN m",
                                params(
                                        "userId",
                                        userId.toString(),
                                        "type",
                                        memoryType,
                                        "key",
                                        key,
                                        "now",
                                        Neo4jRecords.time(store.now())))
                        .list(r -> Neo4jRecords.memory(r.get("m").asNode()))
                        .stream()
                        .findFirst());
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return store.read(
                "getUserMemory",
                tx -> tx.run(
                                "MATCH (m:Memory {user_id: $userId, memory_type: $type}) "
                                        + "WHERE m.key IS NOT NULL AND " + VISIBLE + lockInTransaction("m")
                                        + " RETURN m ORDER BY m.key",
                                params(
                                        "userId",
                                        userId.toString(),
                                        "type",
                                        memoryType,
                                        "now",
                                        Neo4jRecords.time(store.now())))
                        .list(r -> Neo4jRecords.memory(r.get("m").asNode())));
    }
}
