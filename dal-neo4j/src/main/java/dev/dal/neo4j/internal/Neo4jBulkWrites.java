package dev.dal.neo4j.internal;

import static dev.dal.api.spi.VersionedBulkAccess.latestPerKey;

import dev.dal.api.ChatSession;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NotFoundException;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.neo4j.driver.Result;
import org.neo4j.driver.TransactionContext;
import org.neo4j.driver.exceptions.ClientException;

/**
 * The statements of {@link Neo4jBulkAccess}: the exact-record upserts and replicated deletions that
 * copy, verify and repair use, and the tombstone lookups. One {@code UNWIND $rows} statement per chunk
 * of rows: {@code MERGE} on the record's key, then the whole property set replaced, so replaying a
 * batch changes nothing.
 * Parents are checked first and a missing one raises {@link NotFoundException} before anything is
 * written (a parent that is missing because it was deleted, with a tombstone, is not an error: its
 * children are skipped). Labels and relationship types are constants; every value is a parameter.
 *
 * <p><b>Versions.</b> Users, sessions and memory entries are conditional in the same statement: a row
 * applies only when its version is greater than the stored record's and than its key's tombstone. Each
 * row merges its key first (two writers of an absent key serialize on its unique index entry), and the
 * condition is part of the {@code SET} expression itself, which reads the stored version: Cypher takes
 * the node's write lock before it evaluates such a direct dependency, so the comparison and the write
 * are atomic. Nothing is deleted in that statement (a delete there makes the planner add {@code Eager}
 * barriers, which it does not for these statements); a second statement per chunk, {@code CLEAR_*},
 * removes the tombstones of keys that now hold a newer record and the keys merged only to be compared
 * (a placeholder, {@code version = 0}, that did not apply because of a newer tombstone), so neither
 * commits. Duplicate keys in one batch are reduced to the newest version first, so the statement sees
 * each key once.
 */
final class Neo4jBulkWrites {
    /** Rows per statement: large enough to amortize the round trip, small enough for the server's memory. */
    static final int CHUNK = 5_000;

    static final String UPSERT_USERS = """
            UNWIND $rows AS row
            MERGE (u:User {id: row.id})
            ON CREATE SET u.version = 0
            WITH row, u
            OPTIONAL MATCH (t:UserTombstone {id: row.id})
            SET u += CASE WHEN $overwrite
                OR (coalesce(u.version, 1) < row.version AND (t IS NULL OR t.version < row.version))
              THEN row ELSE {} END""";

    /**
     * After {@link #UPSERT_USERS}, under the locks it took: clears the tombstone of a key that now holds a newer
     * (or overwritten) record, deletes a placeholder that did not apply, and returns the rows whose node is
     * gone although they should have applied: a concurrent deletion removed the node while the upsert waited
     * on its lock (the {@code SET} on a deleted node does nothing). The caller then fails the attempt as a
     * conflict, and the retry merges the key afresh against the deletion's tombstone.
     */
    static final String CLEAR_USERS = """
            UNWIND $rows AS row
            OPTIONAL MATCH (t:UserTombstone {id: row.id})
            OPTIONAL MATCH (u:User {id: row.id})
            FOREACH (x IN CASE WHEN t IS NOT NULL AND (u.version > t.version OR ($overwrite AND u.version > 0))
              THEN [t] ELSE [] END | DELETE x)
            FOREACH (x IN CASE WHEN u.version = 0 THEN [u] ELSE [] END | DETACH DELETE x)
            WITH row, u, t WHERE u IS NULL AND ($overwrite OR t IS NULL OR t.version < row.version)
            RETURN row.id AS lost""";

    /**
     * Sessions are keyed by chat id. A session of a user that is absent (deleted: the parent check let it
     * through) is skipped. The owner changes only with an applied row (the session now at the row's version).
     * A row never applies over a live session with another id under its chat id (or over a node merged by this
     * statement, {@code version = 0}, which has no id yet): such a row that would otherwise apply (newer, or
     * an overwrite) is returned, and the caller fails the call with {@link DuplicateKeyException}, so the
     * transaction rolls back; an older one is skipped silently like any older row.
     */
    static final String UPSERT_SESSIONS = """
            UNWIND $rows AS row
            WITH row WHERE row.user_id IS NULL OR EXISTS { MATCH (:User {id: row.user_id}) }
            MERGE (s:ChatSession {chat_id: row.props.chat_id})
            ON CREATE SET s.version = 0
            WITH row, s
            OPTIONAL MATCH (t:ChatSessionTombstone {chat_id: row.props.chat_id})
            WITH row, s, t, coalesce(s.version, 1) = 0 OR s.id = row.props.id AS same
            SET s += CASE WHEN same AND ($overwrite OR (coalesce(s.version, 1) < row.props.version
                AND (t IS NULL OR t.version < row.props.version))) THEN row.props ELSE {} END
            WITH s, row, same
            CALL (s, row) {
              WITH s, row WHERE s.id = row.props.id AND s.version = row.props.version
              OPTIONAL MATCH (old:User)-[r:HAS_CHAT_SESSION]->(s)
              WHERE row.user_id IS NULL OR old.id <> row.user_id
              DELETE r
            }
            WITH s, row, same
            CALL (s, row) {
              WITH s, row WHERE s.id = row.props.id AND s.version = row.props.version
              MATCH (u:User {id: row.user_id})
              MERGE (u)-[:HAS_CHAT_SESSION]->(s)
            }
            WITH s, row, same
            WHERE NOT same AND ($overwrite OR coalesce(s.version, 1) < row.props.version)
            RETURN row.props.chat_id AS duplicate""";

    /** As {@link #CLEAR_USERS}; a row of an absent owner was skipped, not lost. */
    static final String CLEAR_SESSIONS = """
            UNWIND $rows AS row
            OPTIONAL MATCH (t:ChatSessionTombstone {chat_id: row.props.chat_id})
            OPTIONAL MATCH (s:ChatSession {chat_id: row.props.chat_id})
            FOREACH (x IN CASE WHEN t IS NOT NULL AND (s.version > t.version OR ($overwrite AND s.version > 0))
              THEN [t] ELSE [] END | DELETE x)
            FOREACH (x IN CASE WHEN s.version = 0 THEN [s] ELSE [] END | DETACH DELETE x)
            WITH row, s, t WHERE s IS NULL AND ($overwrite OR t IS NULL OR t.version < row.props.version)
              AND (row.user_id IS NULL OR EXISTS { MATCH (:User {id: row.user_id}) })
            RETURN row.props.chat_id AS lost""";

    /**
     * Read only, set-wise, one id seek per row (the hint, as in {@link #DETACH_MOVED}): the rows of a chunk that must
     * be merged, with whether each hangs under a session other than its row's (it moved). Those are the ids that
     * exist, and the new ids whose (session, sequence number) a stored message holds already (merged as before, so
     * the constraint reports the duplicate as it always did). Every other row is a new id on a free slot: {@link
     * #CREATE_MESSAGES} creates it, and only a concurrent writer can make that fail. The row's session id travels as
     * {@code sid}, not {@code session_id}: a map key named like a property the statements write makes the planner
     * assume a read/set conflict and add an {@code Eager} barrier.
     */
    static final String MESSAGES_TO_MERGE = """
            UNWIND $rows AS row
            OPTIONAL MATCH (m:Message {id: row.id})
            USING INDEX SEEK m:Message(id)
            WITH row, m
            WHERE m IS NOT NULL OR EXISTS { MATCH (:Message {session_id: row.sid, sequence_number: row.seq}) }
            RETURN row.id AS id,
              m IS NOT NULL AND EXISTS { MATCH (old:ChatSession)-[:HAS_MESSAGE]->(m) WHERE old.id <> row.sid } AS moved""";

    /**
     * Messages whose id is absent and whose slot is free (by {@link #MESSAGES_TO_MERGE} in this transaction), grouped by session: each
     * session is one index seek, then node and relationship are created, not merged, with every property named in
     * the pattern ({@code SET m = row} after a {@code CREATE} adds an {@code Eager} and removes every property
     * first). That is safe: the node is new, so no relationship to it can exist. A concurrent transaction that created the same id meanwhile makes
     * the unique constraint on {@code Message.id} fail this statement; {@link #upsertMessages} turns that into a
     * retryable conflict, and the re-run finds the id and merges it.
     */
    static final String CREATE_MESSAGES = """
            UNWIND $groups AS g
            MATCH (s:ChatSession {id: g.sid})
            UNWIND g.rows AS row
            CREATE (s)-[:HAS_MESSAGE]->(:Message {id: row.id, session_id: row.session_id,
                sequence_number: row.sequence_number, role: row.role, content: row.content,
                search_words: row.search_words, metadata: row.metadata, token_count: row.token_count,
                abuse_flagged: row.abuse_flagged, created_at: row.created_at})""";

    /**
     * From this many distinct messages on, a call whose sampled ids are all absent creates every message with {@link
     * #CREATE_MESSAGES}, without {@link #MESSAGES_TO_MERGE}'s look-up of each row (the common case of a copy into a
     * new store); below it, the look-up costs little.
     */
    static final int CREATE_ALL_FROM = 200;

    /** How many of a call's ids {@link #ANY_MESSAGE_STORED} looks up before the call creates them all. */
    private static final int SAMPLE = 16;

    /** Read only: whether any of the sampled ids is stored (one id seek each). */
    private static final String ANY_MESSAGE_STORED = """
            UNWIND $ids AS id
            MATCH (m:Message {id: id})
            RETURN id LIMIT 1""";

    /**
     * Messages that exist, grouped by session, as before issue 18: merged on the id (a concurrent deletion may have
     * removed the node meanwhile), every property named (a whole-map {@code SET m = row} on a merged node makes the
     * planner assume a conflict with every read and add {@code Eager} barriers), the relationship merged. A message
     * that moves between sessions has lost its old relationship to {@link #DETACH_MOVED} first.
     */
    static final String UPSERT_MESSAGES = """
            UNWIND $groups AS g
            MATCH (s:ChatSession {id: g.sid})
            UNWIND g.rows AS row
            MERGE (m:Message {id: row.id})
            SET m.session_id = row.session_id, m.sequence_number = row.sequence_number, m.role = row.role,
                m.content = row.content, m.search_words = row.search_words, m.metadata = row.metadata,
                m.token_count = row.token_count,
                m.abuse_flagged = row.abuse_flagged, m.created_at = row.created_at
            MERGE (s)-[:HAS_MESSAGE]->(m)""";

    /**
     * Set-wise: drops the relationships of messages that now belong to another session (only the rows {@link
     * #MESSAGES_TO_MERGE} found moved, so usually the statement does not run). The hint pins the plan to one id
     * seek per row: on young statistics the planner otherwise scans the whole id index for every row, or starts
     * from the sessions (measured: 9 to 30 s instead of 50 ms for 5000 rows).
     */
    static final String DETACH_MOVED = """
            UNWIND $rows AS row
            MATCH (m:Message {id: row.id})
            USING INDEX SEEK m:Message(id)
            MATCH (old:ChatSession)-[r:HAS_MESSAGE]->(m)
            WHERE old.id <> row.sid
            DELETE r""";

    /** Entries of a user that is absent (deleted: the parent check let them through) are skipped by the match. */
    static final String UPSERT_MEMORY = """
            UNWIND $rows AS row
            MATCH (u:User {id: row.user_id})
            MERGE (m:Memory {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            ON CREATE SET m.version = 0
            WITH row, u, m
            OPTIONAL MATCH (t:MemoryTombstone {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            SET m += CASE WHEN $overwrite
                OR (coalesce(m.version, 1) < row.version AND (t IS NULL OR t.version < row.version))
              THEN row ELSE {} END
            MERGE (u)-[:HAS_MEMORY]->(m)""";

    /** As {@link #CLEAR_USERS}; an entry of an absent user was skipped, not lost. */
    static final String CLEAR_MEMORY = """
            UNWIND $rows AS row
            OPTIONAL MATCH (t:MemoryTombstone {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            OPTIONAL MATCH (m:Memory {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            FOREACH (x IN CASE WHEN t IS NOT NULL AND (m.version > t.version OR ($overwrite AND m.version > 0))
              THEN [t] ELSE [] END | DELETE x)
            FOREACH (x IN CASE WHEN m.version = 0 THEN [m] ELSE [] END | DETACH DELETE x)
            WITH row, m, t WHERE m IS NULL AND ($overwrite OR t IS NULL OR t.version < row.version)
              AND EXISTS { MATCH (:User {id: row.user_id}) }
            RETURN row.user_id AS lost""";

    /** Users that are missing and were never deleted (a deleted one has a tombstone). */
    private static final String MISSING_USERS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (u:User {id: id})
            WITH id, u WHERE u IS NULL AND NOT EXISTS { MATCH (:UserTombstone {id: id}) }
            RETURN id LIMIT 1""";

    /** Sessions that are missing and were never deleted (a deleted one's tombstone names its id). */
    private static final String MISSING_SESSIONS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (s:ChatSession {id: id})
            WITH id, s WHERE s IS NULL AND NOT EXISTS { MATCH (:ChatSessionTombstone {session_id: id}) }
            RETURN id LIMIT 1""";

    // ---- replicated deletions: the same merge-and-lock as the upserts, then the delete DataAccess does ----

    static final String TOMBSTONE_USERS = """
            UNWIND $rows AS row
            MERGE (u:User {id: row.id})
            ON CREATE SET u.version = 0
            SET u._lock = true REMOVE u._lock
            WITH row, u
            OPTIONAL MATCH (t:UserTombstone {id: row.id})
            WITH row, u, coalesce(u.version, 1) < row.version AND (t IS NULL OR t.version < row.version) AS apply
            FOREACH (x IN CASE WHEN u.version = 0 AND NOT apply THEN [u] ELSE [] END | DELETE x)
            WITH row, u WHERE apply
            CALL (u) {
              MATCH (u)-[:HAS_MEMORY]->(m:Memory)
              DETACH DELETE m
            }
            CALL (u) {
              MATCH (u)-[r:HAS_CHAT_SESSION]->(s:ChatSession)
              SET s.version = coalesce(s.version, 1) + 1
              DELETE r
            }
            CALL (u) {
              MATCH (tu:TokenUsage) WHERE tu.user_id = u.id AND tu.created_at IS NOT NULL
              DETACH DELETE tu
            }
            DETACH DELETE u
            MERGE (t:UserTombstone {id: row.id})
            SET t.version = row.version""";

    static final String TOMBSTONE_SESSIONS = """
            UNWIND $rows AS row
            MERGE (s:ChatSession {chat_id: row.chat_id})
            ON CREATE SET s.version = 0
            SET s._lock = true REMOVE s._lock
            WITH row, s
            OPTIONAL MATCH (t:ChatSessionTombstone {chat_id: row.chat_id})
            WITH row, s, coalesce(s.version, 1) < row.version AND (t IS NULL OR t.version < row.version) AS apply
            FOREACH (x IN CASE WHEN s.version = 0 AND NOT apply THEN [s] ELSE [] END | DELETE x)
            WITH row, s WHERE apply
            CALL (s) {
              MATCH (s)-[:HAS_MESSAGE]->(m:Message)
              DETACH DELETE m
            }
            CALL (s) {
              MATCH (tu:TokenUsage) WHERE tu.session_id = s.id AND tu.created_at IS NOT NULL
              DETACH DELETE tu
            }
            DETACH DELETE s
            MERGE (t:ChatSessionTombstone {chat_id: row.chat_id})
            SET t.session_id = row.session_id, t.version = row.version""";

    static final String TOMBSTONE_MEMORY = """
            UNWIND $rows AS row
            MERGE (m:Memory {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            ON CREATE SET m.version = 0
            SET m._lock = true REMOVE m._lock
            WITH row, m
            OPTIONAL MATCH (t:MemoryTombstone {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            WITH row, m, coalesce(m.version, 1) < row.version AND (t IS NULL OR t.version < row.version) AS apply
            FOREACH (x IN CASE WHEN m.version = 0 OR apply THEN [m] ELSE [] END | DETACH DELETE x)
            WITH row WHERE apply
            MERGE (t:MemoryTombstone {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            SET t.version = row.version""";

    static final String FIND_USER_TOMBSTONES = """
            UNWIND $ids AS id
            MATCH (t:UserTombstone {id: id})
            RETURN t.id AS id, t.version AS version""";

    static final String FIND_SESSION_TOMBSTONES = """
            UNWIND $chatIds AS chatId
            MATCH (t:ChatSessionTombstone {chat_id: chatId})
            RETURN t.chat_id AS chat_id, t.session_id AS session_id, t.version AS version""";

    /** A key without {@code key} names the whole type. */
    static final String FIND_MEMORY_TOMBSTONES = """
            UNWIND $keys AS k
            MATCH (t:MemoryTombstone {user_id: k.user_id, memory_type: k.memory_type})
            WHERE k.key IS NULL OR t.key = k.key
            RETURN DISTINCT t.user_id AS user_id, t.memory_type AS memory_type, t.key AS key, t.version AS version""";

    /**
     * The locks of {@code Neo4jWrites.voteMessage}, taken for a whole batch: first every voter of it, then every
     * message of it, each list sorted on the client ({@link #votesUnderLocks}), before any vote is read or written. A
     * vote locks its user and then its message, so every transaction that votes takes user locks before message
     * locks and each kind in one order, and neither a single vote nor another batch can hold a lock this batch
     * waits for while waiting for one it holds. Each subquery runs to its end (its {@code count}) before the
     * next starts; absent nodes are not locked (their votes are skipped).
     */
    private static final String LOCK_VOTE_ENDS = """
            CALL () {
              UNWIND $users AS id
              MATCH (u:User {id: id})
              SET u._lock = true REMOVE u._lock
              RETURN count(*) AS users
            }
            CALL () {
              UNWIND $messages AS k
              MATCH (m:Message {session_id: k.sid, sequence_number: k.seq})
              SET m._lock = true REMOVE m._lock
              RETURN count(*) AS messages
            }
            """;

    /**
     * Under {@link #LOCK_VOTE_ENDS}: a row votes only when its user and its message (that place of that session,
     * holding that id) exist, as {@code voteMessage} merges, with the given verdict and time. Row keys are not
     * named like the properties set ({@link #MESSAGES_TO_MERGE} says why).
     */
    static final String UPSERT_VOTES = LOCK_VOTE_ENDS + """
            UNWIND $rows AS row
            MATCH (u:User {id: row.uid})
            MATCH (m:Message {session_id: row.sid, sequence_number: row.seq})
            WHERE m.id = row.mid
            MERGE (u)-[r:VOTED]->(m)
            ON CREATE SET r.user_id = u.id, r.message_id = m.id
            SET r.vote = row.verdict, r.voted_at = row.at""";

    /**
     * Under {@link #LOCK_VOTE_ENDS}, as {@code clearVote}: the user's vote on the message at that place, looked up
     * between the two bound nodes ({@code Expand(Into)}, as in {@code Neo4jReads.USER_VOTES}).
     */
    static final String DELETE_VOTES = LOCK_VOTE_ENDS + """
            UNWIND $rows AS row
            MATCH (u:User {id: row.uid})
            MATCH (m:Message {session_id: row.sid, sequence_number: row.seq})
            CALL (u, m) {
              MATCH (u)-[r:VOTED]->(m)
              DELETE r
            }""";

    /**
     * Under {@link #LOCK_VOTE_ENDS} (the ends of a usage record are its billed user and its message, locked as
     * {@code Neo4jWrites.recordTokenUsage} locks them): a row is stored only when its user and its message (that
     * place of that session, holding that id) exist, replacing a record of the same id wholesale (a missing cost
     * removes the stored one). Row keys are not named like the properties set ({@link #MESSAGES_TO_MERGE} says why).
     */
    static final String UPSERT_TOKEN_USAGE = LOCK_VOTE_ENDS + """
            UNWIND $rows AS row
            MATCH (u:User {id: row.uid})
            MATCH (m:Message {session_id: row.sid, sequence_number: row.seq})
            WHERE m.id = row.mid
            MERGE (t:TokenUsage {id: row.tid})
            SET t.message_id = m.id, t.session_id = m.session_id, t.sequence_number = m.sequence_number,
                t.user_id = u.id, t.model = row.name, t.model_order = row.name_order, t.prompt_tokens = row.prompt,
                t.completion_tokens = row.completion, t.cost_micros = row.cost, t.currency = row.cur,
                t.created_at = row.at""";

    /** By id; absent ones are ignored. */
    static final String DELETE_TOKEN_USAGE = """
            UNWIND $rows AS id
            MATCH (t:TokenUsage {id: id})
            DETACH DELETE t""";

    /** Users by id, then messages by (session id, sequence number), as {@link #LOCK_VOTE_ENDS} locks them. */
    private static final Comparator<VoteKey> LOCK_ORDER = Comparator.<VoteKey, String>comparing(
                    k -> k.userId().toString())
            .thenComparing(k -> k.sessionId().toString())
            .thenComparingLong(VoteKey::sequenceNumber);

    private Neo4jBulkWrites() {}

    /**
     * @param overwrite whether the rows apply whatever version the store holds ({@code overwrite*}: repair) or
     *     only over an older one ({@code upsert*})
     */
    static void upsertUsers(TransactionContext tx, List<User> users, boolean overwrite) {
        chunked(latestPerKey(users, User::id, User::version), chunk -> {
            tx.run(UPSERT_USERS, Map.of("rows", rows(chunk, Neo4jRecords::userProps), "overwrite", overwrite))
                    .consume();
            // The key and version only: the second statement needs no more, and the whole row would travel twice.
            List<Map<String, Object>> keys = rows(chunk, u -> Map.of("id", u.id().toString(), "version", u.version()));
            failIfLost(
                    tx.run(CLEAR_USERS, Map.of("rows", keys, "overwrite", overwrite)),
                    overwrite ? "overwriteUsers" : "upsertUsers");
        });
    }

    /** @param overwrite as for {@link #upsertUsers} */
    static void upsertSessions(TransactionContext tx, List<ChatSession> sessions, boolean overwrite) {
        requireAll(
                tx,
                MISSING_USERS,
                "user",
                sessions.stream()
                        .filter(s -> s.userId() != null)
                        .map(s -> s.userId().toString())
                        .toList());
        chunked(latestPerKey(sessions, ChatSession::chatId, ChatSession::version), chunk -> {
            List<Map<String, Object>> rows = rows(chunk, s -> {
                Map<String, Object> row = new HashMap<>();
                row.put("props", Neo4jRecords.sessionProps(s));
                row.put("user_id", s.userId() == null ? null : s.userId().toString());
                return row;
            });
            if (tx.run(UPSERT_SESSIONS, Map.of("rows", rows, "overwrite", overwrite))
                    .hasNext()) {
                // Thrown inside the transaction: it rolls back, whatever other rows applied.
                throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
            }
            List<Map<String, Object>> keys = rows(chunk, s -> {
                Map<String, Object> key = new HashMap<>();
                key.put("props", Map.of("chat_id", s.chatId(), "id", s.id().toString(), "version", s.version()));
                key.put("user_id", s.userId() == null ? null : s.userId().toString());
                return key;
            });
            failIfLost(
                    tx.run(CLEAR_SESSIONS, Map.of("rows", keys, "overwrite", overwrite)),
                    overwrite ? "overwriteSessions" : "upsertSessions");
        });
    }

    /**
     * Upserts messages by id, each under its session.
     *
     * @param mayCreateAll whether a call of at least {@link #CREATE_ALL_FROM} distinct ids on distinct slots whose
     *     sampled ids are all absent may create every message without looking each up. A stored id (or taken slot)
     *     the sample missed then fails the {@code CREATE} on its unique constraint, as a retryable conflict, and the
     *     caller must run the call again with {@code false}: only outside {@code inTransaction}, where nothing else
     *     rides on this transaction
     */
    static void upsertMessages(TransactionContext tx, List<Message> messages, boolean mayCreateAll) {
        requireAll(
                tx,
                MISSING_SESSIONS,
                "chat session",
                messages.stream().map(m -> m.sessionId().toString()).toList());
        // The last occurrence of an id wins, as if the batch ran row by row; grouping then cannot reorder a move.
        Map<UUID, Message> last = new LinkedHashMap<>();
        for (Message m : messages) {
            last.remove(m.id());
            last.put(m.id(), m);
        }
        List<Message> distinct = new ArrayList<>(last.values());
        // Two ids of this call on one slot: every row is merged, so the constraint reports it as it always did.
        boolean mergeAll = !distinctSlots(distinct);
        if (mayCreateAll && !mergeAll && distinct.size() >= CREATE_ALL_FROM && !anyStored(tx, distinct)) {
            for (int from = 0; from < distinct.size(); from += CHUNK) {
                createMessages(
                        tx, bySession(distinct.subList(from, Math.min(distinct.size(), from + CHUNK)), m -> true));
            }
            return;
        }
        for (int from = 0; from < distinct.size(); from += CHUNK) {
            List<Message> chunk = distinct.subList(from, Math.min(distinct.size(), from + CHUNK));
            Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
            for (Message m : chunk) {
                String id = m.id().toString();
                keys.put(id, Map.of("id", id, "sid", m.sessionId().toString(), "seq", m.sequenceNumber()));
            }
            Set<String> merged = new HashSet<>();
            List<Map<String, Object>> moved = new ArrayList<>();
            tx.run(MESSAGES_TO_MERGE, Map.of("rows", new ArrayList<>(keys.values())))
                    .forEachRemaining(r -> {
                        String id = r.get("id").asString();
                        merged.add(id);
                        if (r.get("moved").asBoolean()) {
                            moved.add(keys.get(id));
                        }
                    });
            if (!moved.isEmpty()) {
                tx.run(DETACH_MOVED, Map.of("rows", moved)).consume();
            }
            Predicate<Message> merge = mergeAll ? m -> true : m -> merged.contains(m.id().toString());
            // Merged rows first: a message that leaves a (session, sequence number) frees it before a new one takes it.
            List<Map<String, Object>> toMerge = bySession(chunk, merge);
            if (!toMerge.isEmpty()) {
                tx.run(UPSERT_MESSAGES, Map.of("groups", toMerge)).consume();
            }
            List<Map<String, Object>> toCreate = bySession(chunk, merge.negate());
            if (!toCreate.isEmpty()) {
                createMessages(tx, toCreate);
            }
        }
    }

    /** @return whether any of {@link #SAMPLE} ids spread over the messages is stored */
    private static boolean anyStored(TransactionContext tx, List<Message> messages) {
        int step = Math.max(1, messages.size() / SAMPLE);
        List<String> ids = new ArrayList<>(SAMPLE + 1);
        for (int i = 0; i < messages.size(); i += step) {
            ids.add(messages.get(i).id().toString());
        }
        ids.add(messages.get(messages.size() - 1).id().toString());
        return tx.run(ANY_MESSAGE_STORED, Map.of("ids", ids)).hasNext();
    }

    /** @return whether no two messages of the call share a (session, sequence number) */
    private static boolean distinctSlots(List<Message> messages) {
        Set<List<Object>> slots = new HashSet<>();
        for (Message m : messages) {
            if (!slots.add(List.of(m.sessionId(), m.sequenceNumber()))) {
                return false;
            }
        }
        return true;
    }

    /** The messages of a chunk that {@code include} accepts, as {@code [{sid, rows}]} in the chunk's order. */
    private static List<Map<String, Object>> bySession(List<Message> chunk, Predicate<Message> include) {
        Map<String, List<Map<String, Object>>> bySession = new LinkedHashMap<>();
        for (Message m : chunk) {
            if (include.test(m)) {
                bySession
                        .computeIfAbsent(m.sessionId().toString(), k -> new ArrayList<>())
                        .add(Neo4jRecords.messageProps(m));
            }
        }
        List<Map<String, Object>> groups = new ArrayList<>(bySession.size());
        bySession.forEach((sessionId, rows) -> groups.add(Map.of("sid", sessionId, "rows", rows)));
        return groups;
    }

    /**
     * {@link #CREATE_MESSAGES}. Its rows are new ids on free slots, checked in this transaction, so a unique
     * constraint can only fail because a concurrent transaction created one of the ids or took one of the slots
     * since: a retryable conflict (thrown inside the transaction, which the failed statement has ended: nothing
     * commits), not a duplicate key. The re-run finds the id or the slot and merges the row, as a {@code MERGE}
     * would have waited for the other writer; a slot another id holds is then the {@link DuplicateKeyException} it
     * always was.
     */
    private static void createMessages(TransactionContext tx, List<Map<String, Object>> groups) {
        try {
            tx.run(CREATE_MESSAGES, Map.of("groups", groups)).consume();
        } catch (ClientException e) {
            if (Neo4jErrors.translate("upsertMessages", e) instanceof DuplicateKeyException) {
                throw Neo4jErrors.FAILURES.conflict("upsertMessages", e);
            }
            throw e;
        }
    }

    /** @param overwrite as for {@link #upsertUsers} */
    static void upsertMemory(TransactionContext tx, List<MemoryEntry> entries, boolean overwrite) {
        requireAll(
                tx,
                MISSING_USERS,
                "user",
                entries.stream().map(e -> e.userId().toString()).toList());
        chunked(
                latestPerKey(entries, e -> List.of(e.userId(), e.memoryType(), e.key()), MemoryEntry::version),
                chunk -> {
                    List<Map<String, Object>> rows = rows(chunk, Neo4jRecords::memoryProps);
                    tx.run(UPSERT_MEMORY, Map.of("rows", rows, "overwrite", overwrite))
                            .consume();
                    List<Map<String, Object>> keys = rows(
                            chunk,
                            e -> Map.of(
                                    "user_id",
                                    e.userId().toString(),
                                    "memory_type",
                                    e.memoryType(),
                                    "key",
                                    e.key(),
                                    "version",
                                    e.version()));
                    failIfLost(
                            tx.run(CLEAR_MEMORY, Map.of("rows", keys, "overwrite", overwrite)),
                            overwrite ? "overwriteMemory" : "upsertMemory");
                });
    }

    /**
     * Stores exact votes, skipping those whose user or message (with that id at that place) is absent. Repeats of
     * one vote in the call are reduced to the last, as if the batch ran row by row.
     */
    static void upsertVotes(TransactionContext tx, List<MessageVote> votes) {
        Map<List<Object>, MessageVote> last = new LinkedHashMap<>();
        for (MessageVote v : votes) {
            // With the message id: of two rows naming one place with different ids, the one that holds applies.
            List<Object> key = List.of(VoteKey.of(v), v.messageId());
            last.remove(key);
            last.put(key, v);
        }
        votesUnderLocks(tx, UPSERT_VOTES, new ArrayList<>(last.values()), VoteKey::of, v -> {
            Map<String, Object> row = voteRow(VoteKey.of(v));
            row.put("mid", v.messageId().toString());
            row.put("verdict", v.vote().wireName());
            row.put("at", Neo4jRecords.time(v.votedAt()));
            return row;
        });
    }

    /** Removes the votes the keys name; absent ones are ignored. */
    static void deleteVotes(TransactionContext tx, List<VoteKey> keys) {
        votesUnderLocks(tx, DELETE_VOTES, new ArrayList<>(new LinkedHashSet<>(keys)), k -> k, Neo4jBulkWrites::voteRow);
    }

    /**
     * Stores the records whose user and message exist (the last of one id wins), under the locks of their ends taken
     * in the votes' order, so a record cannot outlive a concurrent deletion of its session or user.
     */
    static void upsertTokenUsage(TransactionContext tx, List<TokenUsage> usage) {
        Map<UUID, TokenUsage> last = new LinkedHashMap<>();
        usage.forEach(u -> {
            last.remove(u.id());
            last.put(u.id(), u);
        });
        votesUnderLocks(
                tx,
                UPSERT_TOKEN_USAGE,
                new ArrayList<>(last.values()),
                u -> new VoteKey(u.sessionId(), u.sequenceNumber(), u.userId()),
                u -> {
                    Map<String, Object> row = voteRow(new VoteKey(u.sessionId(), u.sequenceNumber(), u.userId()));
                    row.put("tid", u.id().toString());
                    row.put("mid", u.messageId().toString());
                    row.put("name", u.model());
                    row.put("name_order", Neo4jRecords.modelOrder(u.model()));
                    row.put("prompt", u.promptTokens());
                    row.put("completion", u.completionTokens());
                    row.put("cost", u.costMicros());
                    row.put("cur", u.currency());
                    row.put("at", Neo4jRecords.time(u.createdAt()));
                    return row;
                });
    }

    /** Removes the records of the ids; absent ones are ignored. */
    static void deleteTokenUsage(TransactionContext tx, List<UUID> ids) {
        chunked(
                new ArrayList<>(new LinkedHashSet<>(ids)),
                chunk -> tx.run(
                                DELETE_TOKEN_USAGE,
                                Map.of(
                                        "rows",
                                        chunk.stream().map(UUID::toString).toList()))
                        .consume());
    }

    /** @return a mutable row naming a vote's voter and place: {@code uid}, {@code sid}, {@code seq} */
    private static Map<String, Object> voteRow(VoteKey key) {
        Map<String, Object> row = new HashMap<>();
        row.put("uid", key.userId().toString());
        row.put("sid", key.sessionId().toString());
        row.put("seq", key.sequenceNumber());
        return row;
    }

    /**
     * Runs a vote statement ({@link #LOCK_VOTE_ENDS}, then its rows) over distinct items: one statement when the
     * call's voters, messages and rows each fit in a {@link #CHUNK}; otherwise every voter is locked first, then
     * every message, a chunk a statement, and only then the rows, a chunk a statement (with nothing left to
     * lock), so a large call keeps the order of a small one.
     */
    private static <T> void votesUnderLocks(
            TransactionContext tx,
            String cypher,
            List<T> items,
            Function<T, VoteKey> keyOf,
            Function<T, Map<String, Object>> toRow) {
        if (items.isEmpty()) {
            return;
        }
        items.sort(Comparator.comparing(keyOf, LOCK_ORDER));
        List<VoteKey> keys = items.stream().map(keyOf).toList();
        List<String> users = keys.stream()
                .map(k -> k.userId().toString())
                .distinct()
                .sorted()
                .toList();
        List<Map<String, Object>> messages = keys.stream()
                .sorted(Comparator.<VoteKey, String>comparing(k -> k.sessionId().toString())
                        .thenComparingLong(VoteKey::sequenceNumber))
                .map(k -> List.<Object>of(k.sessionId().toString(), k.sequenceNumber()))
                .distinct()
                .map(k -> Map.<String, Object>of("sid", k.get(0), "seq", k.get(1)))
                .toList();
        List<Map<String, Object>> rows = rows(items, toRow);
        if (users.size() <= CHUNK && messages.size() <= CHUNK && rows.size() <= CHUNK) {
            tx.run(cypher, Map.of("users", users, "messages", messages, "rows", rows))
                    .consume();
            return;
        }
        chunked(
                users,
                chunk -> tx.run(cypher, Map.of("users", chunk, "messages", List.of(), "rows", List.of()))
                        .consume());
        chunked(
                messages,
                chunk -> tx.run(cypher, Map.of("users", List.of(), "messages", chunk, "rows", List.of()))
                        .consume());
        chunked(
                rows,
                chunk -> tx.run(cypher, Map.of("users", List.of(), "messages", List.of(), "rows", chunk))
                        .consume());
    }

    static void upsertTombstones(TransactionContext tx, List<Tombstone> tombstones) {
        List<Tombstone> distinct = latestPerKey(tombstones, Tombstone::key, Tombstone::version);
        run(
                tx,
                TOMBSTONE_USERS,
                ofKind(distinct, RecordKey.Kind.USER),
                t -> Map.of("id", t.key().userId().toString(), "version", t.version()));
        run(
                tx,
                TOMBSTONE_SESSIONS,
                ofKind(distinct, RecordKey.Kind.SESSION),
                t -> Map.of(
                        "chat_id", t.key().chatId(), "session_id", t.sessionId().toString(), "version", t.version()));
        run(
                tx,
                TOMBSTONE_MEMORY,
                ofKind(distinct, RecordKey.Kind.MEMORY),
                t -> Map.of(
                        "user_id",
                        t.key().userId().toString(),
                        "memory_type",
                        t.key().memoryType(),
                        "key",
                        t.key().key(),
                        "version",
                        t.version()));
    }

    static List<Tombstone> findTombstones(TransactionContext tx, Collection<RecordKey> keys) {
        Set<String> users = new LinkedHashSet<>();
        Set<String> chatIds = new LinkedHashSet<>();
        Set<Map<String, Object>> memory = new LinkedHashSet<>();
        for (RecordKey key : keys) {
            switch (key.kind()) {
                case USER -> users.add(key.userId().toString());
                case SESSION -> chatIds.add(key.chatId());
                case MEMORY -> {
                    Map<String, Object> k = new HashMap<>();
                    k.put("user_id", key.userId().toString());
                    k.put("memory_type", key.memoryType());
                    k.put("key", key.key());
                    memory.add(k);
                }
            }
        }
        Set<Tombstone> found = new LinkedHashSet<>();
        if (!users.isEmpty()) {
            tx.run(FIND_USER_TOMBSTONES, Map.of("ids", List.copyOf(users)))
                    .forEachRemaining(r -> found.add(Tombstone.ofUser(
                            UUID.fromString(r.get("id").asString()),
                            r.get("version").asLong())));
        }
        if (!chatIds.isEmpty()) {
            tx.run(FIND_SESSION_TOMBSTONES, Map.of("chatIds", List.copyOf(chatIds)))
                    .forEachRemaining(r -> found.add(Tombstone.ofSession(
                            r.get("chat_id").asString(),
                            UUID.fromString(r.get("session_id").asString()),
                            r.get("version").asLong())));
        }
        if (!memory.isEmpty()) {
            tx.run(FIND_MEMORY_TOMBSTONES, Map.of("keys", List.copyOf(memory)))
                    .forEachRemaining(r -> found.add(Tombstone.ofMemory(
                            UUID.fromString(r.get("user_id").asString()),
                            r.get("memory_type").asString(),
                            r.get("key").asString(),
                            r.get("version").asLong())));
        }
        return List.copyOf(found);
    }

    /**
     * A row that should have applied but whose node a concurrent deletion removed while this call waited on its
     * lock: the attempt fails as a conflict (retryable; thrown inside the transaction, so it rolls back), and
     * Dal's retry runs the call again against the deletion's tombstone.
     */
    private static void failIfLost(Result lost, String operation) {
        if (lost.hasNext()) {
            throw Neo4jErrors.FAILURES.conflict(operation, null);
        }
    }

    private static List<Tombstone> ofKind(List<Tombstone> tombstones, RecordKey.Kind kind) {
        return tombstones.stream().filter(t -> t.key().kind() == kind).toList();
    }

    private static <T> void run(
            TransactionContext tx, String cypher, List<T> records, Function<T, Map<String, Object>> toRow) {
        chunked(
                records,
                chunk -> tx.run(cypher, Map.of("rows", rows(chunk, toRow))).consume());
    }

    private static <T> void chunked(List<T> records, java.util.function.Consumer<List<T>> work) {
        for (int from = 0; from < records.size(); from += CHUNK) {
            work.accept(records.subList(from, Math.min(records.size(), from + CHUNK)));
        }
    }

    private static <T> List<Map<String, Object>> rows(List<T> chunk, Function<T, Map<String, Object>> toRow) {
        List<Map<String, Object>> rows = new ArrayList<>(chunk.size());
        for (T record : chunk) {
            rows.add(toRow.apply(record));
        }
        return rows;
    }

    private static void requireAll(TransactionContext tx, String cypher, String kind, List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        Set<String> distinct = new LinkedHashSet<>(ids);
        var missing = tx.run(cypher, Map.of("ids", new ArrayList<>(distinct))).list();
        if (!missing.isEmpty()) {
            throw NotFoundException.of(kind, missing.get(0).get("id").asString());
        }
    }
}
