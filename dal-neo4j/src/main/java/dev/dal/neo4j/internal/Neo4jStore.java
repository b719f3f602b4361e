package dev.dal.neo4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DeleteMode;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.SessionOverview;
import dev.dal.api.Timestamps;
import dev.dal.api.TransactionWork;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.Ids;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionCallback;
import org.neo4j.driver.TransactionContext;

/**
 * The Neo4j {@link DataAccess}. Outside a transaction each call runs in a transaction of its own,
 * bounded by {@code DB_QUERY_TIMEOUT} and retried after a retryable failure by Dal's one policy
 * ({@code DAL_TX_RETRIES}); inside {@link #inTransaction} every call runs in the transaction's
 * context. Writes are safe to run again:
 * ids are chosen before the first attempt and records are {@code MERGE}d on them;
 * sequence numbers are assigned inside the write transaction, under the session node's lock.
 */
public final class Neo4jStore implements DataAccess {
    static final String STORAGE_TYPE = "neo4j";
    private static final String SESSION_ORDER = "coalesce(s.last_message_at, s.created_at) DESC, s.id DESC";

    private final Neo4jConnection connection;
    private final Clock clock;
    private final TxScope scope;
    private final Neo4jBulkAccess bulk;
    private final Neo4jHealth health;

    Neo4jStore(Neo4jConnection connection, Clock clock, TxScope scope) {
        this.connection = connection;
        this.clock = clock;
        this.scope = scope;
        this.bulk = new Neo4jBulkAccess(this);
        this.health = new Neo4jHealth(connection);
    }

    /** The transaction a bound store runs in. */
    static final class TxScope {
        private final TransactionContext tx;

        TxScope(TransactionContext tx) {
            this.tx = tx;
        }
    }

    private Instant now() {
        return Timestamps.now(clock);
    }

    /** Runs read work in the running transaction, or in a bounded, retried read transaction of its own. */
    <T> T read(String operation, TransactionCallback<T> work) {
        if (scope == null) {
            return connection.call(operation, false, work);
        }
        try {
            return work.execute(scope.tx);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(operation, e); // inside inTransaction nothing has committed yet
        }
    }

    /** Runs write work in the running transaction, or in a bounded, retried write transaction of its own. */
    <T> T write(String operation, TransactionCallback<T> work) {
        if (scope == null) {
            return connection.call(operation, true, work);
        }
        try {
            return work.execute(scope.tx);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(operation, e);
        }
    }

    /**
     * Inside {@link #inTransaction}, a node a read returns is write-locked until the transaction ends
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
        return scope != null ? " SET " + variable + "._lock = true REMOVE " + variable + "._lock" : "";
    }

    private static Map<String, Object> params(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    // ---- users ----

    /**
     * Merged on the id first, so the id's index entry is locked before the tombstone is read (a replicated
     * deletion of the same id merges the same entry); a user created under a tombstoned id continues above
     * the tombstone's version and clears it. A replay of a committed attempt matches and changes nothing.
     */
    private static final String CREATE_USER = """
            MERGE (u:User {id: $props.id})
            ON CREATE SET u = $props, u.version = 0
            WITH u
            OPTIONAL MATCH (t:UserTombstone {id: $props.id})
            SET u.version = CASE WHEN u.version = 0 THEN coalesce(t.version, 0) + 1 ELSE u.version END
            FOREACH (x IN CASE WHEN t IS NULL THEN [] ELSE [t] END | DELETE x)
            RETURN u.version AS version""";

    @Override
    public User createUser(NewUser newUser) {
        User user = newUser.toUser(Ids.newId(), now());
        Map<String, Object> props = Neo4jRecords.userProps(user);
        long version = write("createUser", tx -> tx.run(CREATE_USER, params("props", props)).single()
                .get("version").asLong());
        return user.withVersion(version);
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return read("getUser", tx -> tx.run("MATCH (u:User {id: $id})" + lockInTransaction("u") + " RETURN u",
                        params("id", id.toString()))
                .list(r -> Neo4jRecords.user(r.get("u").asNode())).stream().findFirst());
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return read("getUserByExternalId", tx -> tx.run("MATCH (u:User {external_id: $externalId})"
                        + lockInTransaction("u") + " RETURN u",
                params("externalId", externalId)).list(r -> Neo4jRecords.user(r.get("u").asNode())).stream().findFirst());
    }

    /** Matches and write-locks a node, so a read-modify-write sees no concurrent change. */
    private static final String LOCK_USER = "MATCH (u:User {id: $id}) SET u._lock = true REMOVE u._lock RETURN u";

    /**
     * The version moves in the statement that writes the change, and an expected version is a condition of
     * that statement (the node is write-locked by {@link #LOCK_USER} already): no updated node, a conflict.
     */
    private static final String UPDATE_USER = """
            MATCH (u:User {id: $id})
            WHERE $expected IS NULL OR coalesce(u.version, 1) = $expected
            WITH u, coalesce(u.version, 1) AS v
            SET u = $props, u.version = v + 1
            RETURN u.version AS version""";

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        Instant now = now();
        return write("updateUser", tx -> {
            User current = tx.run(LOCK_USER, params("id", id.toString())).list(r -> Neo4jRecords.user(r.get("u").asNode()))
                    .stream().findFirst().orElseThrow(() -> NotFoundException.of("user", id));
            User updated = update.applyTo(current, now);
            List<Record> written = tx.run(UPDATE_USER, params("id", id.toString(), "expected", update.expectedVersion(),
                    "props", Neo4jRecords.userProps(updated))).list();
            if (written.isEmpty()) {
                throw conflict("user");
            }
            return updated.withVersion(written.get(0).get("version").asLong());
        });
    }

    private static ConcurrencyConflictException conflict(String kind) {
        return new ConcurrencyConflictException("The " + kind + " was changed since the expected version was read;"
                + " read it again and retry", null);
    }

    /**
     * Deletes the user and their memory, and purges or detaches their sessions (a detached session moves one
     * version); leaves one tombstone at the user's version plus one (their memory needs none: it names the user),
     * and with {@code PURGE} one per purged session, so late messages of those sessions are skipped.
     */
    private static final String DELETE_USER = """
            MATCH (u:User {id: $id})
            SET u._lock = true REMOVE u._lock
            WITH u
            CALL (u) {
              MATCH (u)-[:HAS_MEMORY]->(m:Memory)
              DETACH DELETE m
            }
            CALL (u) {
              MATCH (u)-[:HAS_CHAT_SESSION]->(s:ChatSession)
              WHERE $purge
              CALL (s) {
                MATCH (s)-[:HAS_MESSAGE]->(msg:Message)
                DETACH DELETE msg
              }
              WITH s, s.chat_id AS chatId, s.id AS sid, coalesce(s.version, 1) + 1 AS v
              DETACH DELETE s
              MERGE (t:ChatSessionTombstone {chat_id: chatId})
              SET t.session_id = CASE WHEN t.version >= v THEN t.session_id ELSE sid END,
                  t.version = CASE WHEN t.version >= v THEN t.version ELSE v END
            }
            CALL (u) {
              MATCH (u)-[r:HAS_CHAT_SESSION]->(s:ChatSession)
              WHERE NOT $purge
              SET s.version = coalesce(s.version, 1) + 1
              DELETE r
            }
            WITH u, u.id AS id, coalesce(u.version, 1) + 1 AS v
            DETACH DELETE u
            MERGE (t:UserTombstone {id: id})
            SET t.version = CASE WHEN t.version >= v THEN t.version ELSE v END
            RETURN count(*) AS deleted""";

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return write("deleteUser", tx -> tx.run(DELETE_USER, params("id", id.toString(), "purge", mode == DeleteMode.PURGE))
                .single().get("deleted").asLong() > 0);
    }

    // ---- sessions ----

    /** A chat id used again continues above its tombstone's version and clears it. */
    private static final String CREATE_SESSION = """
            OPTIONAL MATCH (u:User {id: $userId})
            WITH u WHERE $userId IS NULL OR u IS NOT NULL
            MERGE (s:ChatSession {id: $props.id})
            ON CREATE SET s = $props, s.version = 0
            WITH u, s
            OPTIONAL MATCH (t:ChatSessionTombstone {chat_id: $props.chat_id})
            SET s.version = CASE WHEN s.version = 0 THEN coalesce(t.version, 0) + 1 ELSE s.version END
            FOREACH (x IN CASE WHEN t IS NULL THEN [] ELSE [t] END | DELETE x)
            WITH u, s
            CALL (u, s) {
              WITH u, s WHERE u IS NOT NULL
              MERGE (u)-[:HAS_CHAT_SESSION]->(s)
            }
            RETURN s.version AS version""";

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        ChatSession session = newSession.toSession(Ids.newId(), now());
        Map<String, Object> p = params("props", Neo4jRecords.sessionProps(session),
                "userId", session.userId() == null ? null : session.userId().toString());
        long version = write("createChatSession", tx -> {
            List<Record> created = tx.run(CREATE_SESSION, p).list();
            if (created.isEmpty()) {
                throw NotFoundException.of("user", session.userId());
            }
            return created.get(0).get("version").asLong();
        });
        return session.withVersion(version);
    }

    private static final String SESSION_BY_CHAT_ID = """
            MATCH (s:ChatSession {chat_id: $chatId})
            OPTIONAL MATCH (u:User)-[:HAS_CHAT_SESSION]->(s)
            RETURN s, u.id AS user_id""";

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return read("getChatSession", tx -> sessionByChatId(tx, chatId, scope != null ? LOCK_SESSION
                : SESSION_BY_CHAT_ID));
    }

    private static Optional<ChatSession> sessionByChatId(TransactionContext tx, String chatId, String cypher) {
        return tx.run(cypher, params("chatId", chatId)).list(Neo4jStore::session).stream().findFirst();
    }

    static ChatSession session(Record r) {
        return Neo4jRecords.session(r.get("s").asNode(), r.get("user_id"));
    }

    private static final String LOCK_SESSION = """
            MATCH (s:ChatSession {chat_id: $chatId})
            SET s._lock = true REMOVE s._lock
            WITH s
            OPTIONAL MATCH (u:User)-[:HAS_CHAT_SESSION]->(s)
            RETURN s, u.id AS user_id""";

    private static final String UPDATE_SESSION = """
            MATCH (s:ChatSession {id: $props.id})
            WHERE $expected IS NULL OR coalesce(s.version, 1) = $expected
            WITH s, coalesce(s.version, 1) AS v
            SET s = $props, s.version = v + 1
            WITH s
            CALL (s) {
              OPTIONAL MATCH (old:User)-[r:HAS_CHAT_SESSION]->(s)
              WHERE $userId IS NULL OR old.id <> $userId
              DELETE r
            }
            WITH s
            CALL (s) {
              MATCH (u:User {id: $userId})
              MERGE (u)-[:HAS_CHAT_SESSION]->(s)
            }
            RETURN s.version AS version""";

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        Instant now = now();
        return write("updateChatSession", tx -> {
            ChatSession current = sessionByChatId(tx, chatId, LOCK_SESSION)
                    .orElseThrow(() -> NotFoundException.of("chat session", chatId));
            ChatSession updated = update.applyTo(current, now);
            String userId = updated.userId() == null ? null : updated.userId().toString();
            if (userId != null && !Objects.equals(updated.userId(), current.userId())
                    && !tx.run("MATCH (u:User {id: $id}) RETURN u.id", params("id", userId)).hasNext()) {
                throw NotFoundException.of("user", userId);
            }
            List<Record> written = tx.run(UPDATE_SESSION, params("props", Neo4jRecords.sessionProps(updated),
                    "userId", userId, "expected", update.expectedVersion())).list();
            if (written.isEmpty()) {
                throw conflict("chat session");
            }
            return updated.withVersion(written.get(0).get("version").asLong());
        });
    }

    /** Deletes the session with its messages; leaves a tombstone keyed by chat id, naming the session's id. */
    private static final String DELETE_SESSION = """
            MATCH (s:ChatSession {chat_id: $chatId})
            SET s._lock = true REMOVE s._lock
            WITH s
            CALL (s) {
              MATCH (s)-[:HAS_MESSAGE]->(m:Message)
              DETACH DELETE m
            }
            WITH s, s.id AS sid, coalesce(s.version, 1) + 1 AS v
            DETACH DELETE s
            MERGE (t:ChatSessionTombstone {chat_id: $chatId})
            SET t.session_id = sid, t.version = CASE WHEN t.version >= v THEN t.version ELSE v END
            RETURN count(*) AS deleted""";

    @Override
    public boolean deleteChatSession(String chatId) {
        return write("deleteChatSession", tx -> tx.run(DELETE_SESSION, params("chatId", chatId)).single()
                .get("deleted").asLong() > 0);
    }

    private static final String LIST_SESSIONS = """
            MATCH (u:User {id: $userId})-[:HAS_CHAT_SESSION]->(s:ChatSession)
            RETURN s, u.id AS user_id
            ORDER BY\s""" + SESSION_ORDER + " SKIP $offset LIMIT $limit";

    @Override
    public List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        return read("listUserSessions", tx -> tx.run(LIST_SESSIONS, params("userId", userId.toString(),
                "offset", offset, "limit", limit)).list(Neo4jStore::session));
    }

    /**
     * A user's sessions without one query per session: one statement for the page of sessions and
     * each one's newest message, found by an index seek on (session, sequence number): numbers are
     * gap-free, so the newest message is the one numbered {@code message_count}.
     */
    static final String OVERVIEW = """
            MATCH (u:User {id: $userId})-[:HAS_CHAT_SESSION]->(s:ChatSession)
            WITH u, s
            ORDER BY\s""" + SESSION_ORDER + """
             SKIP $offset LIMIT $limit
            CALL (s) {
              OPTIONAL MATCH (m:Message {session_id: s.id, sequence_number: s.message_count})
              RETURN m
            }
            RETURN s, u.id AS user_id, m""";

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, int limit, int offset) {
        return read("listUserSessionsWithLastMessage", tx -> tx.run(OVERVIEW, params("userId", userId.toString(),
                "offset", offset, "limit", limit)).list(r -> new SessionOverview(session(r),
                r.get("m").isNull() ? null : Neo4jRecords.message(r.get("m").asNode()))));
    }

    // ---- messages ----

    /**
     * Numbers the messages under the session node's write lock, taken explicitly before the count is
     * read (an increment that reads first lets concurrent writers deadlock on the lock upgrade).
     * Skipped when the first id already exists: that is a replay of a transaction that committed, so
     * the relationship can be created rather than merged (a merge would scan the session's messages).
     */
    private static final String ADD_MESSAGES = """
            MATCH (s:ChatSession {chat_id: $chatId})
            WHERE NOT EXISTS { MATCH (:Message {id: $firstId}) }
            SET s._lock = true REMOVE s._lock
            WITH s
            SET s.message_count = coalesce(s.message_count, 0) + size($rows), s.last_message_at = $now,
                s.version = coalesce(s.version, 1) + 1
            WITH s, s.message_count - size($rows) AS base
            UNWIND range(0, size($rows) - 1) AS i
            WITH s, base, i, $rows[i] AS row
            MERGE (m:Message {id: row.id})
            ON CREATE SET m += row, m.session_id = s.id, m.sequence_number = base + i + 1, m.created_at = $now
            CREATE (s)-[:HAS_MESSAGE]->(m)
            WITH s, base, count(m) AS added
            RETURN s.id AS session_id, base""";

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return addMessages(chatId, List.of(message)).get(0);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        Instant now = now();
        List<UUID> ids = new ArrayList<>(newMessages.size());
        List<Map<String, Object>> rows = new ArrayList<>(newMessages.size());
        for (NewMessage m : newMessages) {
            UUID id = m.id() != null ? m.id() : Ids.newId();
            ids.add(id);
            Map<String, Object> row = new HashMap<>();
            row.put("id", id.toString());
            row.put("role", m.role().wireName());
            row.put("content", m.content());
            row.put("metadata", JsonValues.write(JsonValues.canonicalObject(m.metadata(), "message.metadata")));
            row.put("token_count", m.tokenCount() == null ? null : m.tokenCount().longValue());
            row.put("abuse_flagged", m.abuseFlagged());
            rows.add(row);
        }
        return write("addMessages", tx -> {
            List<Record> added = tx.run(ADD_MESSAGES, params("chatId", chatId, "firstId", ids.get(0).toString(),
                    "rows", rows, "now", Neo4jRecords.time(now))).list();
            if (added.isEmpty()) {
                return replayed(tx, chatId, ids);
            }
            UUID sessionId = UUID.fromString(added.get(0).get("session_id").asString());
            long next = added.get(0).get("base").asLong() + 1;
            List<Message> messages = new ArrayList<>(newMessages.size());
            for (int i = 0; i < newMessages.size(); i++) {
                messages.add(newMessages.get(i).toMessage(ids.get(i), sessionId, next++, now));
            }
            return List.copyOf(messages);
        });
    }

    /** The messages a committed earlier attempt stored, or {@link NotFoundException} when the session is missing. */
    private static List<Message> replayed(TransactionContext tx, String chatId, List<UUID> ids) {
        List<Message> stored = tx.run("MATCH (m:Message) WHERE m.id IN $ids RETURN m ORDER BY m.sequence_number",
                params("ids", ids.stream().map(UUID::toString).toList())).list(r -> Neo4jRecords.message(r.get("m").asNode()));
        if (stored.isEmpty()) {
            throw NotFoundException.of("chat session", chatId);
        }
        return List.copyOf(stored);
    }

    private static final String HISTORY_PAGE = """
            MATCH (s:ChatSession {chat_id: $chatId})
            MATCH (m:Message)
            WHERE m.session_id = s.id AND m.sequence_number >= 0
            RETURN m ORDER BY m.sequence_number SKIP $offset LIMIT $limit""";

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return read("getChatHistory", tx -> tx.run(HISTORY_PAGE, params("chatId", chatId, "offset", offset,
                "limit", limit)).list(r -> Neo4jRecords.message(r.get("m").asNode())));
    }

    private static final String HISTORY_WINDOW = """
            MATCH (m:Message)
            WHERE m.session_id = $sessionId AND m.sequence_number >= $first AND m.sequence_number <= $last
            RETURN m ORDER BY m.sequence_number""";

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return read("getChatHistory", tx -> {
            List<Record> session = tx.run("MATCH (s:ChatSession {chat_id: $chatId}) RETURN s.id AS id, "
                    + "coalesce(s.message_count, 0) AS count", params("chatId", chatId)).list();
            if (session.isEmpty()) {
                return List.of();
            }
            long[] window = query.window(session.get(0).get("count").asLong());
            if (window[0] > window[1]) {
                return List.of();
            }
            return tx.run(HISTORY_WINDOW, params("sessionId", session.get(0).get("id").asString(),
                    "first", window[0], "last", window[1])).list(r -> Neo4jRecords.message(r.get("m").asNode()));
        });
    }

    @Override
    public long getMessageCount(String chatId) {
        return read("getMessageCount", tx -> tx.run("MATCH (s:ChatSession {chat_id: $chatId}) "
                + "RETURN coalesce(s.message_count, 0) AS count", params("chatId", chatId))
                .list(r -> r.get("count").asLong()).stream().findFirst().orElse(0L));
    }

    // ---- memory ----

    /**
     * An expired entry counts as absent, so setting it again starts a new creation time; its version still
     * moves on. A key set again after it was deleted continues above its tombstone and clears it. The key's
     * index entry is locked by the merge before the tombstone is read, and only a key just created reads its
     * tombstone. An existing entry is write-locked before anything of it is read (reading first let
     * concurrent overwrites of one key deadlock on the lock upgrade, as for {@link #ADD_MESSAGES}).
     */
    private static final String SET_MEMORY = """
            MATCH (u:User {id: $userId})
            MERGE (m:Memory {user_id: $userId, memory_type: $type, key: $key})
            ON CREATE SET m.created_at = $now, m.version = 0
            ON MATCH SET m._lock = true
            WITH u, m
            SET m.created_at = CASE WHEN m.expires_at IS NOT NULL AND m.expires_at <= $now THEN $now ELSE m.created_at END
            REMOVE m._lock
            WITH u, m
            CALL (m) {
              WITH m WHERE m.version = 0
              OPTIONAL MATCH (t:MemoryTombstone {user_id: $userId, memory_type: $type, key: $key})
              SET m.version = coalesce(t.version, 0)
              FOREACH (x IN CASE WHEN t IS NULL THEN [] ELSE [t] END | DELETE x)
            }
            SET m.version = coalesce(m.version, 1) + 1, m.value = $value, m.updated_at = $now, m.expires_at = $expires
            MERGE (u)-[:HAS_MEMORY]->(m)
            RETURN m.created_at AS created_at, m.version AS version""";

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        Instant now = now();
        Instant expires = Timestamps.truncate(expiresAt);
        JsonNode canonical = JsonValues.canonical(value);
        Map<String, Object> p = params("userId", userId.toString(), "type", memoryType, "key", key,
                "value", JsonValues.write(canonical), "now", Neo4jRecords.time(now), "expires", Neo4jRecords.time(expires));
        Record stored = write("setUserMemory", tx -> tx.run(SET_MEMORY, p).list().stream().findFirst()
                .orElseThrow(() -> NotFoundException.of("user", userId)));
        return new MemoryEntry(userId, memoryType, key, canonical, Neo4jRecords.instant(stored.get("created_at")), now,
                expires, stored.get("version").asLong());
    }

    private static final String VISIBLE = "(m.expires_at IS NULL OR m.expires_at > $now)";

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return read("getUserMemory", tx -> tx.run("MATCH (m:Memory {user_id: $userId, memory_type: $type, key: $key}) "
                        + "WHERE " + VISIBLE + lockInTransaction("m") + " RETURN m", params("userId", userId.toString(), "type", memoryType,
                        "key", key, "now", Neo4jRecords.time(now())))
                .list(r -> Neo4jRecords.memory(r.get("m").asNode())).stream().findFirst());
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return read("getUserMemory", tx -> tx.run("MATCH (m:Memory {user_id: $userId, memory_type: $type}) "
                        + "WHERE m.key IS NOT NULL AND " + VISIBLE + lockInTransaction("m") + " RETURN m ORDER BY m.key",
                params("userId", userId.toString(), "type", memoryType, "now", Neo4jRecords.time(now())))
                .list(r -> Neo4jRecords.memory(r.get("m").asNode())));
    }

    /** Every deleted key, expired or not, leaves a tombstone at its version plus one. */
    private static final String DELETE_MEMORY = """
            MATCH (m:Memory {user_id: $userId, memory_type: $type})
            WHERE $key IS NULL OR m.key = $key
            SET m._lock = true REMOVE m._lock
            WITH m, m.key AS key, coalesce(m.version, 1) + 1 AS v,
              CASE WHEN (m.expires_at IS NULL OR m.expires_at > $now) THEN 1 ELSE 0 END AS visible
            DETACH DELETE m
            MERGE (t:MemoryTombstone {user_id: $userId, memory_type: $type, key: key})
            SET t.version = CASE WHEN t.version >= v THEN t.version ELSE v END
            RETURN sum(visible) AS visible""";

    /** One tombstone per purged key. */
    private static final String PURGE_MEMORY = """
            MATCH (m:Memory) WHERE m.expires_at <= $now
            SET m._lock = true REMOVE m._lock
            WITH m, m.user_id AS userId, m.memory_type AS type, m.key AS key, coalesce(m.version, 1) + 1 AS v
            DETACH DELETE m
            MERGE (t:MemoryTombstone {user_id: userId, memory_type: type, key: key})
            SET t.version = CASE WHEN t.version >= v THEN t.version ELSE v END
            RETURN count(*) AS purged""";

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return deleteMemory(userId, memoryType, key) > 0;
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return deleteMemory(userId, memoryType, null);
    }

    private int deleteMemory(UUID userId, String memoryType, String key) {
        Map<String, Object> p = params("userId", userId.toString(), "type", memoryType, "key", key,
                "now", Neo4jRecords.time(now()));
        return write("deleteUserMemory", tx -> tx.run(DELETE_MEMORY, p).single().get("visible").asInt());
    }

    @Override
    public int purgeExpiredMemory() {
        Map<String, Object> p = params("now", Neo4jRecords.time(now()));
        return write("purgeExpiredMemory", tx -> tx.run(PURGE_MEMORY, p).single().get("purged").asInt());
    }

    // ---- transactions, health, lifecycle ----

    /**
     * Runs the work in one write transaction, bounded as a whole by {@code DB_QUERY_TIMEOUT} (Neo4j's
     * transaction timeout covers the whole transaction), and runs it again after a retryable failure
     * as {@code DAL_TX_RETRIES} says. The work's own exceptions reach the caller unchanged.
     */
    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        if (scope != null) {
            return work.run(this);
        }
        try {
            return connection.call("inTransaction", true, tx -> {
                try {
                    return work.run(new Neo4jStore(connection, clock, new TxScope(tx)));
                } catch (DataAccessException e) {
                    throw e; // Dal's own (translated) failures: retried when retryable
                } catch (RuntimeException e) {
                    throw new Neo4jConnection.Carried(e);
                }
            });
        } catch (Neo4jConnection.Carried carried) {
            throw carried.failure();
        }
    }

    @Override
    public HealthStatus healthCheck() {
        return health.check();
    }

    @Override
    public CompletionStage<HealthStatus> healthCheckAsync() {
        return health.checkAsync();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TRANSACTIONS, Capability.MULTI_PROCESS, Capability.NETWORK);
    }

    @Override
    public BulkAccess bulk() {
        return bulk;
    }

    @Override
    public void close() {
        if (scope == null) {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "Neo4jStore";
    }
}
