package dev.dal.neo4j.internal;

import static dev.dal.neo4j.internal.Neo4jRecords.params;

import dev.dal.api.ChatSession;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.User;
import dev.dal.api.spi.StoreReads;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;

/**
 * Every Neo4j read the store's {@link dev.dal.api.DataAccess} makes: users, sessions with their
 * owners, history pages and windows, message counts, memory entries (past their expiry they are not
 * returned). Each runs through {@link Neo4jStore#read}, in the store's transaction when it has one.
 * Labels and property names are constants; every value is a parameter.
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
