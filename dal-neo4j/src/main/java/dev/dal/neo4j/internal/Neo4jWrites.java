package dev.dal.neo4j.internal;

import static dev.dal.neo4j.internal.Neo4jRecords.params;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DeleteMode;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Timestamps;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.StoreWrites;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;

/**
 * Every Neo4j write the store's {@link dev.dal.api.DataAccess} makes: creations, updates,
 * deletions with their cascades and tombstones, message appends, votes cast and cleared, token usage recorded,
 * memory entries set, deleted and purged. Each runs through {@link Neo4jStore#write}, in the store's
 * transaction when it has one, and is safe to run again: ids are chosen before the first attempt and records are {@code MERGE}d
 * on them; sequence numbers are assigned inside the write transaction, under the session node's
 * lock. Labels and property names are constants; every value is a parameter.
 */
final class Neo4jWrites implements StoreWrites {
    private final Neo4jStore store;

    /** @param store the store whose transaction and clock the writes use */
    Neo4jWrites(Neo4jStore store) {
        this.store = store;
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
        User user = newUser.toUser(Ids.newId(), store.now());
        Map<String, Object> props = Neo4jRecords.userProps(user);
        long version = store.write(
                "createUser",
                tx -> tx.run(CREATE_USER, params("props", props))
                        .single()
                        .get("version")
                        .asLong());
        return user.withVersion(version);
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
        Instant now = store.now();
        return store.write("updateUser", tx -> {
            User current = tx
                    .run(LOCK_USER, params("id", id.toString()))
                    .list(r -> Neo4jRecords.user(r.get("u").asNode()))
                    .stream()
                    .findFirst()
                    .orElseThrow(() -> NotFoundException.of("user", id));
            User updated = update.applyTo(current, now);
            List<Record> written = tx.run(
                            UPDATE_USER,
                            params(
                                    "id",
                                    id.toString(),
                                    "expected",
                                    update.expectedVersion(),
                                    "props",
                                    Neo4jRecords.userProps(updated)))
                    .list();
            if (written.isEmpty()) {
                throw conflict("user");
            }
            return updated.withVersion(written.get(0).get("version").asLong());
        });
    }

    private static ConcurrencyConflictException conflict(String kind) {
        return new ConcurrencyConflictException(
                "The " + kind + " was changed since the expected version was read;" + " read it again and retry", null);
    }

    /**
     * Deletes the user, their memory and the token usage billed to them (in every mode, also in sessions that
     * stay), and purges (with their messages and all their token usage) or detaches their sessions (a detached
     * session moves one version); token usage is looked up by the indexed {@code user_id} and {@code session_id}
     * (see {@link Neo4jRecords#TOKEN_USAGE}), after the user's lock and a session's message deletions, so a
     * usage record committed while they waited is found. Leaves one tombstone at the user's version plus one
     * (their memory needs none: it names the user), and with {@code PURGE} one per purged session, so late messages
     * of those sessions are skipped.
     */
    static final String DELETE_USER = """
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
              CALL (s) {
                MATCH (t:TokenUsage) WHERE t.session_id = s.id AND t.created_at IS NOT NULL
                DETACH DELETE t
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
            CALL (u) {
              MATCH (t:TokenUsage) WHERE t.user_id = u.id AND t.created_at IS NOT NULL
              DETACH DELETE t
            }
            WITH u, u.id AS id, coalesce(u.version, 1) + 1 AS v
            DETACH DELETE u
            MERGE (t:UserTombstone {id: id})
            SET t.version = CASE WHEN t.version >= v THEN t.version ELSE v END
            RETURN count(*) AS deleted""";

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return store.write(
                "deleteUser",
                tx -> tx.run(DELETE_USER, params("id", id.toString(), "purge", mode == DeleteMode.PURGE))
                                .single()
                                .get("deleted")
                                .asLong()
                        > 0);
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
        ChatSession session = newSession.toSession(Ids.newId(), store.now());
        Map<String, Object> p = params(
                "props",
                Neo4jRecords.sessionProps(session),
                "userId",
                session.userId() == null ? null : session.userId().toString());
        long version = store.write("createChatSession", tx -> {
            List<Record> created = tx.run(CREATE_SESSION, p).list();
            if (created.isEmpty()) {
                throw NotFoundException.of("user", session.userId());
            }
            return created.get(0).get("version").asLong();
        });
        return session.withVersion(version);
    }

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
        Instant now = store.now();
        return store.write("updateChatSession", tx -> {
            ChatSession current = Neo4jReads.sessionByChatId(tx, chatId, true)
                    .orElseThrow(() -> NotFoundException.of("chat session", chatId));
            ChatSession updated = update.applyTo(current, now);
            String userId = updated.userId() == null ? null : updated.userId().toString();
            if (userId != null
                    && !Objects.equals(updated.userId(), current.userId())
                    && !tx.run("MATCH (u:User {id: $id}) RETURN u.id", params("id", userId))
                            .hasNext()) {
                throw NotFoundException.of("user", userId);
            }
            List<Record> written = tx.run(
                            UPDATE_SESSION,
                            params(
                                    "props",
                                    Neo4jRecords.sessionProps(updated),
                                    "userId",
                                    userId,
                                    "expected",
                                    update.expectedVersion()))
                    .list();
            if (written.isEmpty()) {
                throw conflict("chat session");
            }
            return updated.withVersion(written.get(0).get("version").asLong());
        });
    }

    /**
     * Deletes the session with its messages and their token usage (by the indexed {@code session_id}, after the
     * messages, whose deletion waits for a usage record being written on one of them); leaves a tombstone keyed by
     * chat id, naming the session's id.
     */
    static final String DELETE_SESSION = """
            MATCH (s:ChatSession {chat_id: $chatId})
            SET s._lock = true REMOVE s._lock
            WITH s
            CALL (s) {
              MATCH (s)-[:HAS_MESSAGE]->(m:Message)
              DETACH DELETE m
            }
            CALL (s) {
              MATCH (t:TokenUsage) WHERE t.session_id = s.id AND t.created_at IS NOT NULL
              DETACH DELETE t
            }
            WITH s, s.id AS sid, coalesce(s.version, 1) + 1 AS v
            DETACH DELETE s
            MERGE (t:ChatSessionTombstone {chat_id: $chatId})
            SET t.session_id = sid, t.version = CASE WHEN t.version >= v THEN t.version ELSE v END
            RETURN count(*) AS deleted""";

    @Override
    public boolean deleteChatSession(String chatId) {
        return store.write(
                "deleteChatSession",
                tx -> tx.run(DELETE_SESSION, params("chatId", chatId))
                                .single()
                                .get("deleted")
                                .asLong()
                        > 0);
    }

    // ---- messages ----

    /**
     * Numbers the messages under the session node's write lock, taken explicitly before the count is
     * read (an increment that reads first lets concurrent writers deadlock on the lock upgrade).
     * Skipped when the first id already exists: that is a replay of a transaction that committed, so
     * the relationship can be created rather than merged (a merge would scan the session's messages).
     * A row holds every property the caller chose, {@link Neo4jRecords#SEARCH_WORDS} included ({@code m += row}).
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
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        Instant now = store.now();
        List<UUID> ids = new ArrayList<>(newMessages.size());
        List<Map<String, Object>> rows = new ArrayList<>(newMessages.size());
        for (NewMessage m : newMessages) {
            UUID id = m.id() != null ? m.id() : Ids.newId();
            ids.add(id);
            Map<String, Object> row = new HashMap<>();
            row.put("id", id.toString());
            row.put("role", m.role().wireName());
            row.put("content", m.content());
            row.put(Neo4jRecords.SEARCH_WORDS, Neo4jRecords.searchWords(m.content()));
            row.put("metadata", JsonValues.write(JsonValues.canonicalObject(m.metadata(), "message.metadata")));
            row.put(
                    "token_count",
                    m.tokenCount() == null ? null : m.tokenCount().longValue());
            row.put("abuse_flagged", m.abuseFlagged());
            rows.add(row);
        }
        return store.write("addMessages", tx -> {
            List<Record> added = tx.run(
                            ADD_MESSAGES,
                            params(
                                    "chatId",
                                    chatId,
                                    "firstId",
                                    ids.get(0).toString(),
                                    "rows",
                                    rows,
                                    "now",
                                    Neo4jRecords.time(now)))
                    .list();
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
        List<Message> stored = tx.run(
                        "MATCH (m:Message) WHERE m.id IN $ids RETURN m ORDER BY m.sequence_number",
                        params("ids", ids.stream().map(UUID::toString).toList()))
                .list(r -> Neo4jRecords.message(r.get("m").asNode()));
        if (stored.isEmpty()) {
            throw NotFoundException.of("chat session", chatId);
        }
        return List.copyOf(stored);
    }

    // ---- votes ----

    /**
     * One statement that finds the session, the message (by the (session, sequence) index) and the voter, and
     * votes only when both ends exist; it answers one row either way, saying which is missing. Both ends are
     * write-locked, the voter first, before the {@code MERGE} reads the votes, so two votes of one user on one
     * message serialize and the second matches the relationship the first committed, whatever plan the server
     * picks for a relationship {@code MERGE} (Cypher documents concurrency-safe {@code MERGE} only on unique node
     * properties). Both, and in this order, because it deadlocked least (each deadlock is a retried conflict;
     * counted without Dal's retries): with the message alone locked, a user voting on two messages at once
     * deadlocked about once a round of the kit's {@code concurrentVotesCountEachUserOnce}; with the user alone,
     * never there but 45 times in 300 votes of two users on the same two messages at once; with both, 0 to 5.
     * A concurrent deletion of the message or the user fails this attempt as a retryable conflict, and the re-run
     * finds it missing.
     */
    private static final String VOTE = """
            OPTIONAL MATCH (s:ChatSession {chat_id: $chatId})
            OPTIONAL MATCH (m:Message {session_id: s.id, sequence_number: $sequence})
            OPTIONAL MATCH (u:User {id: $userId})
            CALL (m, u) {
              WITH m, u WHERE m IS NOT NULL AND u IS NOT NULL
              SET u._lock = true, m._lock = true REMOVE u._lock, m._lock
              MERGE (u)-[r:VOTED]->(m)
              ON CREATE SET r.user_id = u.id, r.message_id = m.id
              SET r.vote = $vote, r.voted_at = $now
            }
            RETURN s IS NOT NULL AS session_found, s.id AS session_id, m.id AS message_id, u IS NOT NULL AS user_found""";

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        Instant now = store.now();
        Map<String, Object> p = params(
                "chatId",
                chatId,
                "sequence",
                sequenceNumber,
                "userId",
                userId.toString(),
                "vote",
                vote.wireName(),
                "now",
                Neo4jRecords.time(now));
        Record found = store.write("voteMessage", tx -> tx.run(VOTE, p).single());
        // The order of the reference store: the session, then the message, then the user.
        if (!found.get("session_found").asBoolean()) {
            throw NotFoundException.of("chat session", chatId);
        }
        if (found.get("message_id").isNull()) {
            throw NotFoundException.of("message", chatId + "#" + sequenceNumber);
        }
        if (!found.get("user_found").asBoolean()) {
            throw NotFoundException.of("user", userId);
        }
        return new MessageVote(
                UUID.fromString(found.get("message_id").asString()),
                UUID.fromString(found.get("session_id").asString()),
                sequenceNumber,
                userId,
                vote,
                now);
    }

    /** Under the locks of {@link #VOTE}, in its order, so a clear and a vote of one user on one message serialize. */
    private static final String CLEAR_VOTE = """
            MATCH (s:ChatSession {chat_id: $chatId})
            MATCH (m:Message {session_id: s.id, sequence_number: $sequence})
            MATCH (u:User {id: $userId})
            SET u._lock = true, m._lock = true REMOVE u._lock, m._lock
            WITH u, m
            MATCH (u)-[r:VOTED]->(m)
            DELETE r
            RETURN count(*) AS cleared""";

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        Map<String, Object> p = params("chatId", chatId, "sequence", sequenceNumber, "userId", userId.toString());
        return store.write(
                        "clearVote",
                        tx -> tx.run(CLEAR_VOTE, p).single().get("cleared").asLong())
                > 0;
    }

    // ---- token usage ----

    /**
     * One statement, as {@link #VOTE}: finds the session, the message (by the (session, sequence) index) and the
     * billed user, and records the usage only when all exist; its one row says which is missing and holds the
     * record stored under the id. The user's node and then the message's are write-locked first, in the vote's
     * order: a concurrent deletion of the user or of the message's session then either waits for this record to
     * commit and deletes it (its look-up by {@code user_id} or {@code session_id} runs after those locks), or has
     * deleted the node, and this attempt fails as a retryable conflict whose re-run finds it missing. The node is
     * merged on its id (the caller's, or one chosen before the first attempt) and written only when created, so a
     * re-run after a lost commit, or the caller's repeated request, finds the stored record, and other usage under a
     * taken id changes nothing ({@link #recordTokenUsage} compares).
     */
    private static final String RECORD_TOKEN_USAGE = """
            OPTIONAL MATCH (s:ChatSession {chat_id: $chatId})
            OPTIONAL MATCH (m:Message {session_id: s.id, sequence_number: $sequence})
            OPTIONAL MATCH (u:User {id: $userId})
            CALL (s, m, u) {
              WITH s, m, u WHERE m IS NOT NULL AND u IS NOT NULL
              SET u._lock = true, m._lock = true REMOVE u._lock, m._lock
              MERGE (t:TokenUsage {id: $props.id})
              ON CREATE SET t += $props, t.message_id = m.id, t.session_id = s.id
              RETURN collect(t) AS stored
            }
            RETURN s IS NOT NULL AS session_found, s.id AS session_id, m.id AS message_id, u IS NOT NULL AS user_found,
              stored""";

    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        UUID id = usage.id() != null ? usage.id() : Ids.newId();
        Instant now = store.now();
        Map<String, Object> props = params(
                "id",
                id.toString(),
                "sequence_number",
                usage.sequenceNumber(),
                "user_id",
                usage.userId().toString(),
                "model",
                usage.model(),
                Neo4jRecords.MODEL_ORDER,
                Neo4jRecords.modelOrder(usage.model()),
                "prompt_tokens",
                usage.promptTokens(),
                "completion_tokens",
                usage.completionTokens(),
                "cost_micros",
                usage.costMicros(),
                "currency",
                usage.currency(),
                "created_at",
                Neo4jRecords.time(now));
        Map<String, Object> p = params(
                "chatId",
                usage.chatId(),
                "sequence",
                usage.sequenceNumber(),
                "userId",
                usage.userId().toString(),
                "props",
                props);
        Record found = store.write(
                "recordTokenUsage", tx -> tx.run(RECORD_TOKEN_USAGE, p).single());
        // The order of voteMessage: the session, then the message, then the user.
        if (!found.get("session_found").asBoolean()) {
            throw NotFoundException.of("chat session", usage.chatId());
        }
        if (found.get("message_id").isNull()) {
            throw NotFoundException.of("message", usage.chatId() + "#" + usage.sequenceNumber());
        }
        if (!found.get("user_found").asBoolean()) {
            throw NotFoundException.of("user", usage.userId());
        }
        TokenUsage stored = Neo4jRecords.tokenUsage(found.get("stored").get(0).asNode());
        return usage.repeatedBy(UUID.fromString(found.get("session_id").asString()), stored);
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
        Instant now = store.now();
        Instant expires = Timestamps.truncate(expiresAt);
        JsonNode canonical = JsonValues.canonical(value);
        Map<String, Object> p = params(
                "userId",
                userId.toString(),
                "type",
                memoryType,
                "key",
                key,
                "value",
                JsonValues.write(canonical),
                "now",
                Neo4jRecords.time(now),
                "expires",
                Neo4jRecords.time(expires));
        Record stored = store.write(
                "setUserMemory",
                tx -> tx.run(SET_MEMORY, p).list().stream()
                        .findFirst()
                        .orElseThrow(() -> NotFoundException.of("user", userId)));
        return new MemoryEntry(
                userId,
                memoryType,
                key,
                canonical,
                Neo4jRecords.instant(stored.get("created_at")),
                now,
                expires,
                stored.get("version").asLong());
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
        Map<String, Object> p = params(
                "userId", userId.toString(), "type", memoryType, "key", key, "now", Neo4jRecords.time(store.now()));
        return store.write(
                "deleteUserMemory",
                tx -> tx.run(DELETE_MEMORY, p).single().get("visible").asInt());
    }

    @Override
    public int purgeExpiredMemory() {
        Map<String, Object> p = params("now", Neo4jRecords.time(store.now()));
        return store.write(
                "purgeExpiredMemory",
                tx -> tx.run(PURGE_MEMORY, p).single().get("purged").asInt());
    }
}
