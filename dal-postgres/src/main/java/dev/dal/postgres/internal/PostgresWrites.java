package dev.dal.postgres.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Every write the PostgreSQL store's {@code DataAccess} makes, each run through {@link PostgresStore#write}:
 * in the running transaction, or in a transaction of its own. Each sets the version in its own statement: a
 * creation continues above a tombstone it removes, an update adds one ({@code version = version + 1}) under
 * the row lock that checks the expected version, and a deletion writes its tombstone (the deleted version
 * plus one) in the statement that deletes. Messages are appended under the sequence numbers one UPDATE of
 * their session reserves; deletions take their keys' advisory locks ({@link PostgresKeyLocks}) exclusive.
 * A vote is one upsert on {@code message_votes}' primary key; votes go with their message and their user by
 * {@code ON DELETE CASCADE}, so the deletions here need no statement for them. Token usage is one insert
 * that goes the same ways: with its message, its session and the user billed.
 */
final class PostgresWrites implements StoreWrites {
    private final PostgresStore store;

    /** @param store the store whose connection, transaction and clock the writes use */
    PostgresWrites(PostgresStore store) {
        this.store = store;
    }

    // ---- users ----

    @Override
    public User createUser(NewUser newUser) {
        User user = newUser.toUser(Ids.newId(), store.now());
        // A caller-chosen id deleted before continues above its tombstone, removed in the same statement.
        return user.withVersion(store.write("createUser", h -> insertUser(h, user)));
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return store.write("updateUser", h -> {
            User current = h.createQuery(
                            "SELECT " + PostgresRows.USER_COLUMNS + " FROM users WHERE id = :id FOR UPDATE")
                    .bind("id", id)
                    .map((rs, ctx) -> PostgresRows.user(rs))
                    .findOne()
                    .orElseThrow(() -> NotFoundException.of("user", id));
            // Under the row lock: the expected version checked here is the one the UPDATE moves on.
            User updated = update.applyTo(current, store.now());
            return updated.withVersion(writeUser(h, updated));
        });
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return store.write("deleteUser", h -> {
            PostgresKeyLocks.request().add(PostgresKeyLocks.Space.USERS, id).exclusive(h);
            // Locked first: no session joins the user between the sessions' detaching and the deletion.
            Optional<Long> version = h.createQuery("SELECT version FROM users WHERE id = :id FOR UPDATE")
                    .bind("id", id)
                    .mapTo(Long.class)
                    .findOne();
            if (version.isEmpty()) {
                return false;
            }
            if (mode == DeleteMode.PURGE) {
                // Each purged session leaves a tombstone (its messages name only the session), under its key's
                // lock like any session deletion. No session can join the locked user meanwhile; one that leaves
                // it is simply not deleted.
                List<String> chatIds = h.createQuery("SELECT chat_id FROM chat_sessions WHERE user_id = :id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .list();
                PostgresKeyLocks.request()
                        .add(PostgresKeyLocks.Space.SESSIONS, chatIds)
                        .exclusive(h);
                h.createUpdate(
                                "WITH d AS (DELETE FROM chat_sessions WHERE user_id = :id RETURNING chat_id, id, version) "
                                        + "INSERT INTO session_tombstones (chat_id, session_id, version) SELECT chat_id, id, version + 1 "
                                        + "FROM d ON CONFLICT (chat_id) DO UPDATE SET session_id = EXCLUDED.session_id, "
                                        + "version = EXCLUDED.version WHERE session_tombstones.version < EXCLUDED.version")
                        .bind("id", id)
                        .execute();
            } else {
                // Detaching changes each session: one version more (ON DELETE SET NULL would not count it).
                h.createUpdate("UPDATE chat_sessions SET user_id = NULL, version = version + 1 WHERE user_id = :id")
                        .bind("id", id)
                        .execute();
            }
            // Memory goes by ON DELETE CASCADE; the user's tombstone covers it.
            return h.createQuery("WITH d AS (DELETE FROM users WHERE id = :id RETURNING id, version), "
                                    + "t AS (INSERT INTO user_tombstones (id, version) SELECT id, version + 1 FROM d "
                                    + "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version "
                                    + "WHERE user_tombstones.version < EXCLUDED.version) SELECT count(*) FROM d")
                            .bind("id", id)
                            .mapTo(Long.class)
                            .one()
                    > 0;
        });
    }

    // ---- sessions ----

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        ChatSession session = newSession.toSession(Ids.newId(), store.now());
        // A chat id deleted before continues above its tombstone, removed in the same statement.
        return session.withVersion(store.write("createChatSession", h -> insertSession(h, session)));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return store.write("updateChatSession", h -> {
            ChatSession current = PostgresReads.sessionByChatId(h, chatId, true)
                    .orElseThrow(() -> NotFoundException.of("chat session", chatId));
            // Under the row lock: the expected version checked here is the one the UPDATE moves on.
            ChatSession updated = update.applyTo(current, store.now());
            return updated.withVersion(writeSession(h, updated));
        });
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        // Messages go by ON DELETE CASCADE; the tombstone keeps the session's id, which they name.
        return store.write("deleteChatSession", h -> {
            PostgresKeyLocks.request()
                    .add(PostgresKeyLocks.Space.SESSIONS, chatId)
                    .exclusive(h);
            return h.createQuery("WITH d AS (DELETE FROM chat_sessions WHERE chat_id = :chatId "
                                    + "RETURNING chat_id, id, version), t AS (INSERT INTO session_tombstones (chat_id, session_id, version) "
                                    + "SELECT chat_id, id, version + 1 FROM d ON CONFLICT (chat_id) DO UPDATE SET "
                                    + "session_id = EXCLUDED.session_id, version = EXCLUDED.version "
                                    + "WHERE session_tombstones.version < EXCLUDED.version) SELECT count(*) FROM d")
                            .bind("chatId", chatId)
                            .mapTo(Long.class)
                            .one()
                    > 0;
        });
    }

    // ---- messages ----

    private static final String COUNT_MESSAGES = "UPDATE chat_sessions SET message_count = message_count + ?, "
            + "last_message_at = ?, version = version + 1 WHERE chat_id = ? RETURNING id, message_count";

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        return store.write("addMessages", h -> {
            Instant now = store.now();
            // The row lock this UPDATE takes orders concurrent writers: numbers are distinct and gap-free. Plain
            // JDBC: through Jdbi, binding by name and mapping the one row cost as much as the statement itself.
            UUID sessionId;
            long counter;
            try (PreparedStatement ps = h.getConnection().prepareStatement(COUNT_MESSAGES)) {
                ps.setInt(1, newMessages.size());
                ps.setObject(2, PostgresRows.bindable(now));
                ps.setString(3, chatId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw NotFoundException.of("chat session", chatId);
                    }
                    sessionId = rs.getObject(1, UUID.class);
                    counter = rs.getLong(2);
                }
            } catch (SQLException e) {
                throw PostgresErrors.carry(e);
            }
            long next = counter - newMessages.size() + 1;
            List<Message> messages = new ArrayList<>(newMessages.size());
            for (NewMessage m : newMessages) {
                messages.add(m.toMessage(Ids.newId(), sessionId, next++, now));
            }
            insertMessages(h, messages);
            return List.copyOf(messages);
        });
    }

    // ---- votes ----

    /**
     * A vote in one statement: the message found by its session's chat id and its number, the voter among the
     * users, and the row inserted or, for a second vote, replaced through the primary key ({@code ON CONFLICT}),
     * so concurrent votes of one user leave one row and never fail on the key. No row returned: the session, the
     * message or the user is missing. The user is joined, not left to the foreign key, so that a vote of an
     * unknown user does not abort a running transaction.
     */
    private static final String CAST_VOTE = "INSERT INTO message_votes (message_id, user_id, vote, voted_at) "
            + "SELECT m.id, u.id, :vote, CAST(:now AS timestamptz) FROM chat_sessions s "
            + "JOIN messages m ON m.chat_session_id = s.id AND m.sequence_number = :sequenceNumber "
            + "JOIN users u ON u.id = :userId WHERE s.chat_id = :chatId "
            + "ON CONFLICT (message_id, user_id) DO UPDATE SET vote = EXCLUDED.vote, voted_at = EXCLUDED.voted_at "
            + "RETURNING message_id, (SELECT chat_session_id FROM messages WHERE id = message_id)";

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        Instant now = store.now();
        return store.write("voteMessage", h -> {
            Optional<MessageVote> cast;
            try {
                cast = h.createQuery(CAST_VOTE)
                        .bind("vote", vote.wireName())
                        .bind("now", PostgresRows.bindable(now))
                        .bind("sequenceNumber", sequenceNumber)
                        .bind("userId", userId)
                        .bind("chatId", chatId)
                        .map((rs, ctx) -> new MessageVote(
                                rs.getObject(1, UUID.class),
                                rs.getObject(2, UUID.class),
                                sequenceNumber,
                                userId,
                                vote,
                                now))
                        .findOne();
            } catch (RuntimeException e) {
                // Found by the statement, then deleted by a transaction that committed before the key's check.
                if (PostgresErrors.violatesForeignKey(e, "message_votes_user_id_fkey")) {
                    throw NotFoundException.of("user", userId);
                }
                if (PostgresErrors.violatesForeignKey(e, "message_votes_message_id_fkey")) {
                    throw NotFoundException.of("message", chatId + "#" + sequenceNumber);
                }
                throw e;
            }
            return cast.orElseThrow(() -> missingMessageOrUser(h, chatId, sequenceNumber, userId));
        });
    }

    /**
     * @return what a vote or a usage record that stored nothing lacked, looked for in the contract's order:
     *     session, message, user
     */
    private static NotFoundException missingMessageOrUser(Handle h, String chatId, long sequenceNumber, UUID userId) {
        NotFoundException missing = missingParent(h, chatId, sequenceNumber, userId);
        return missing != null ? missing : NotFoundException.of("user", userId);
    }

    /**
     * @return what of session, message and user is missing, looked for in the contract's order, or {@code null}
     *     when all three are stored
     */
    private static NotFoundException missingParent(Handle h, String chatId, long sequenceNumber, UUID userId) {
        boolean[] found = h.createQuery("SELECT EXISTS (SELECT 1 FROM chat_sessions WHERE chat_id = :chatId), "
                        + "EXISTS (SELECT 1 FROM chat_sessions s JOIN messages m ON m.chat_session_id = s.id "
                        + "WHERE s.chat_id = :chatId AND m.sequence_number = :sequenceNumber), "
                        + "EXISTS (SELECT 1 FROM users WHERE id = :userId)")
                .bind("chatId", chatId)
                .bind("sequenceNumber", sequenceNumber)
                .bind("userId", userId)
                .map((rs, ctx) -> new boolean[] {rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3)})
                .one();
        if (!found[0]) {
            return NotFoundException.of("chat session", chatId);
        }
        if (!found[1]) {
            return NotFoundException.of("message", chatId + "#" + sequenceNumber);
        }
        return found[2] ? null : NotFoundException.of("user", userId);
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        // An unknown session, message or user matches no row, as does a message without this user's vote.
        return store.write(
                "clearVote",
                h -> h.createUpdate("DELETE FROM message_votes v USING chat_sessions s, messages m "
                                        + "WHERE s.chat_id = :chatId AND m.chat_session_id = s.id "
                                        + "AND m.sequence_number = :sequenceNumber AND v.message_id = m.id "
                                        + "AND v.user_id = :userId")
                                .bind("chatId", chatId)
                                .bind("sequenceNumber", sequenceNumber)
                                .bind("userId", userId)
                                .execute()
                        > 0);
    }

    // ---- token usage ----

    /**
     * A usage record in one statement: the message found by its session's chat id and its number, the user billed
     * among the users, and the row inserted under a new id. No row returned: the session, the message or the user
     * is missing. The user is joined, not left to the foreign key, so that usage billed to an unknown user does
     * not abort a running transaction.
     */
    private static final String RECORD_USAGE = "INSERT INTO token_usage (id, message_id, session_id, "
            + "sequence_number, user_id, model, prompt_tokens, completion_tokens, cost_micros, currency, created_at) "
            + "SELECT :id, m.id, s.id, m.sequence_number, u.id, :model, :promptTokens, :completionTokens, "
            + "CAST(:costMicros AS bigint), CAST(:currency AS text), CAST(:now AS timestamptz) FROM chat_sessions s "
            + "JOIN messages m ON m.chat_session_id = s.id AND m.sequence_number = :sequenceNumber "
            + "JOIN users u ON u.id = :userId WHERE s.chat_id = :chatId ON CONFLICT (id) DO NOTHING "
            + "RETURNING message_id, session_id";

    /**
     * The record stored under a caller's id, with the id of the session the request's chat id names (NULL for
     * none), to tell a repeated request from other usage under a taken id.
     */
    private static final String STORED_USAGE = "SELECT " + PostgresRows.TOKEN_USAGE_COLUMNS
            + ", (SELECT id FROM chat_sessions WHERE chat_id = :chatId) AS requested_session_id "
            + "FROM token_usage WHERE id = :id";

    /**
     * A record under a new id, or under the caller's: {@code ON CONFLICT (id) DO NOTHING} leaves a taken id's record
     * alone (a concurrent insert of it is waited for) and the transaction running, and when nothing was inserted
     * one more query says why: a missing parent first, as a vote's, then a stored record, returned when the
     * request asks for exactly that usage and refused as {@link DuplicateKeyException.Key#TOKEN_USAGE_ID} when not.
     */
    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        UUID id = usage.id() != null ? usage.id() : Ids.newId();
        Instant now = store.now();
        String chatId = usage.chatId();
        long sequenceNumber = usage.sequenceNumber();
        UUID userId = usage.userId();
        return store.write("recordTokenUsage", h -> {
            Optional<TokenUsage> recorded;
            try {
                recorded = h.createQuery(RECORD_USAGE)
                        .bind("id", id)
                        .bind("model", usage.model())
                        .bind("promptTokens", usage.promptTokens())
                        .bind("completionTokens", usage.completionTokens())
                        .bind("costMicros", usage.costMicros())
                        .bind("currency", usage.currency())
                        .bind("now", PostgresRows.bindable(now))
                        .bind("sequenceNumber", sequenceNumber)
                        .bind("userId", userId)
                        .bind("chatId", chatId)
                        .map((rs, ctx) -> new TokenUsage(
                                id,
                                rs.getObject(1, UUID.class),
                                rs.getObject(2, UUID.class),
                                sequenceNumber,
                                userId,
                                usage.model(),
                                usage.promptTokens(),
                                usage.completionTokens(),
                                usage.costMicros(),
                                usage.currency(),
                                now))
                        .findOne();
            } catch (RuntimeException e) {
                // Found by the statement, then deleted by a transaction that committed before the key's check.
                if (PostgresErrors.violatesForeignKey(e, "token_usage_user_id_fkey")) {
                    throw NotFoundException.of("user", userId);
                }
                if (PostgresErrors.violatesForeignKey(e, "token_usage_session_id_fkey")) {
                    throw NotFoundException.of("chat session", chatId);
                }
                if (PostgresErrors.violatesForeignKey(e, "token_usage_message_id_fkey")) {
                    throw NotFoundException.of("message", chatId + "#" + sequenceNumber);
                }
                throw e;
            }
            if (recorded.isPresent()) {
                return recorded.get();
            }
            NotFoundException missing = missingParent(h, chatId, sequenceNumber, userId);
            if (missing != null) {
                throw missing;
            }
            return storedUnderTheCallersId(h, usage, id);
        });
    }

    /**
     * @return the record stored under the request's id when it records exactly this usage
     * @throws DuplicateKeyException when the id holds other usage
     */
    private static TokenUsage storedUnderTheCallersId(Handle h, NewTokenUsage usage, UUID id) {
        UUID[] requestedSession = new UUID[1];
        Optional<TokenUsage> stored = h.createQuery(STORED_USAGE)
                .bind("id", id)
                .bind("chatId", usage.chatId())
                .map((rs, ctx) -> {
                    requestedSession[0] = rs.getObject("requested_session_id", UUID.class);
                    return PostgresRows.tokenUsage(rs);
                })
                .findOne();
        if (stored.isPresent() && requestedSession[0] != null) {
            return usage.repeatedBy(requestedSession[0], stored.get());
        }
        // Stored under the id with other usage, or (after the parents' check) deleted again meanwhile by a
        // transaction that committed: the id was taken when the insert ran either way.
        throw new DuplicateKeyException(DuplicateKeyException.Key.TOKEN_USAGE_ID);
    }

    // ---- memory ----

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        Instant now = store.now();
        Instant expires = Timestamps.truncate(expiresAt);
        return store.write("setUserMemory", h -> {
            // An expired entry counts as absent, so setting it again starts a new creation time; its version
            // still moves on (+1). A key deleted before continues above its tombstone, removed in this statement.
            long[] version = new long[1];
            Instant createdAt = h.createQuery("WITH t AS (DELETE FROM memory_tombstones WHERE user_id = :userId "
                            + "AND memory_type = :type AND key = :key RETURNING version) "
                            + "INSERT INTO user_memory (user_id, memory_type, key, value, created_at, updated_at, expires_at, "
                            + "version) VALUES (:userId, :type, :key, CAST(:value AS jsonb), :now, :now, "
                            + "CAST(:expires AS timestamptz), COALESCE((SELECT version FROM t), 0) + 1) "
                            + "ON CONFLICT (user_id, memory_type, key) DO UPDATE SET value = EXCLUDED.value, "
                            + "updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at, created_at = CASE "
                            + "WHEN user_memory.expires_at IS NOT NULL AND user_memory.expires_at <= EXCLUDED.updated_at "
                            + "THEN EXCLUDED.created_at ELSE user_memory.created_at END, version = user_memory.version + 1 "
                            + "RETURNING created_at, version")
                    .bind("userId", userId)
                    .bind("type", memoryType)
                    .bind("key", key)
                    .bind("value", PostgresJson.write(value))
                    .bind("now", PostgresRows.bindable(now))
                    .bind("expires", PostgresRows.bindable(expires))
                    .map((rs, ctx) -> {
                        version[0] = rs.getLong(2);
                        return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
                    })
                    .one();
            return new MemoryEntry(userId, memoryType, key, value, createdAt, now, expires, version[0]);
        });
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return deleteMemory("AND key = :key", userId, memoryType, key) > 0;
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return deleteMemory("", userId, memoryType, null);
    }

    /** The tombstones of the entries a {@code WITH d AS (DELETE ... RETURNING ...)} deleted, at version + 1. */
    private static final String MEMORY_TOMBSTONES = "t AS (INSERT INTO memory_tombstones (user_id, memory_type, key, "
            + "version) SELECT user_id, memory_type, key, version + 1 FROM d ON CONFLICT (user_id, memory_type, key) "
            + "DO UPDATE SET version = EXCLUDED.version WHERE memory_tombstones.version < EXCLUDED.version)";

    /**
     * Deletes matching entries, leaving their tombstones.
     *
     * @return how many of them were visible (unexpired)
     */
    private int deleteMemory(String keyClause, UUID userId, String memoryType, String key) {
        return store.write("deleteUserMemory", h -> {
            PostgresKeyLocks.request()
                    .add(PostgresKeyLocks.Space.MEMORY, userId)
                    .exclusive(h);
            // One tombstone per deleted key, expired ones included (they were stored).
            var delete = h.createQuery(
                            "WITH d AS (DELETE FROM user_memory WHERE user_id = :userId AND memory_type = :type "
                                    + keyClause + " RETURNING user_id, memory_type, key, version, "
                                    + "(expires_at IS NULL OR expires_at > :now) AS visible), " + MEMORY_TOMBSTONES
                                    + " SELECT count(*) FILTER (WHERE visible) FROM d")
                    .bind("userId", userId)
                    .bind("type", memoryType)
                    .bind("now", PostgresRows.bindable(store.now()));
            if (key != null) {
                delete.bind("key", key);
            }
            return delete.mapTo(Integer.class).one();
        });
    }

    @Override
    public int purgeExpiredMemory() {
        return store.write("purgeExpiredMemory", h -> {
            // Any user's keys may go: every memory bucket, for as long as the purge takes.
            PostgresKeyLocks.request().all(PostgresKeyLocks.Space.MEMORY).exclusive(h);
            return h.createQuery("WITH d AS (DELETE FROM user_memory WHERE expires_at <= :now "
                            + "RETURNING user_id, memory_type, key, version), " + MEMORY_TOMBSTONES
                            + " SELECT count(*) FROM d")
                    .bind("now", PostgresRows.bindable(store.now()))
                    .mapTo(Integer.class)
                    .one();
        });
    }

    // ---- statements ----

    /**
     * Creates a user; a tombstone left under its id by an earlier deletion is removed in the same statement
     * and the user continues above it.
     *
     * @return the version stored: 1, or the tombstone's version plus one
     */
    private static long insertUser(Handle h, User u) {
        return PostgresRows.bindUser(
                        h.createQuery("WITH t AS (DELETE FROM user_tombstones WHERE id = :id RETURNING version) "
                                + "INSERT INTO users (id, clerk_id, email, name, profile, preferences, status, created_at, updated_at, "
                                + "last_active_at, version) VALUES " + PostgresRows.USER_VALUES
                                + ", COALESCE((SELECT version FROM t), 0) + 1) "
                                + "RETURNING version"),
                        u)
                .mapTo(Long.class)
                .one();
    }

    /**
     * Writes a user's fields over the stored row, one version later, in one statement.
     *
     * @return the version stored
     */
    private static long writeUser(Handle h, User u) {
        return PostgresRows.bindUser(
                        h.createQuery("UPDATE users SET clerk_id = :clerkId, email = :email, name = :name, "
                                + "profile = CAST(:profile AS jsonb), preferences = CAST(:preferences AS jsonb), status = :status, "
                                + "created_at = :createdAt, updated_at = :updatedAt, last_active_at = CAST(:lastActiveAt AS timestamptz), version = version + 1 "
                                + "WHERE id = :id RETURNING version"),
                        u)
                .mapTo(Long.class)
                .one();
    }

    /**
     * Creates a session; a tombstone left under its chat id is removed in the same statement and the session
     * continues above it.
     *
     * @return the version stored: 1, or the tombstone's version plus one
     */
    private static long insertSession(Handle h, ChatSession s) {
        return PostgresRows.bindSession(
                        h.createQuery("WITH t AS (DELETE FROM session_tombstones WHERE chat_id = :chatId "
                                + "RETURNING version) INSERT INTO chat_sessions (id, chat_id, user_id, title, profile, metadata, status, "
                                + "created_at, updated_at, last_message_at, message_count, version) VALUES "
                                + PostgresRows.SESSION_VALUES
                                + ", COALESCE((SELECT version FROM t), 0) + 1) RETURNING version"),
                        s)
                .mapTo(Long.class)
                .one();
    }

    /**
     * Writes a session's own fields over the stored row, one version later, in one statement (its counters
     * are left as stored).
     *
     * @return the version stored
     */
    private static long writeSession(Handle h, ChatSession s) {
        return h.createQuery("UPDATE chat_sessions SET user_id = CAST(:userId AS uuid), title = :title, "
                        + "profile = :profile, metadata = CAST(:metadata AS jsonb), status = :status, "
                        + "updated_at = :updatedAt, version = version + 1 WHERE id = :id RETURNING version")
                .bind("id", s.id())
                .bind("userId", s.userId())
                .bind("title", s.title())
                .bind("profile", s.profile())
                .bind("metadata", PostgresJson.writeStored(s.metadata()))
                .bind("status", s.status().wireName())
                .bind("updatedAt", PostgresRows.bindable(s.updatedAt()))
                .mapTo(Long.class)
                .one();
    }

    /** Inserts new messages, under the sequence numbers the caller reserved. */
    private static void insertMessages(Handle h, List<Message> messages) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(PostgresRows.MESSAGE_INSERT)) {
            PostgresRows.addMessages(ps, messages);
            ps.executeBatch();
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }
}
