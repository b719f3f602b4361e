package dev.dal.postgres.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
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
import dev.dal.api.spi.TransactionRetry;
import dev.dal.api.DalConfig;
import java.sql.SQLException;
import org.jdbi.v3.core.Jdbi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The PostgreSQL {@link DataAccess}. Outside a transaction each call takes a pooled connection and,
 * when it writes more than one row, its own transaction; inside {@link #inTransaction} every call
 * runs on the transaction's connection. Every value is bound as a parameter.
 */
public final class PostgresStore implements DataAccess {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresStore.class);
    private static final String SESSION_ORDER = "COALESCE(last_message_at, created_at) DESC, id DESC";

    /** Work on a connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Handle handle);
    }

    private final PostgresConnection db;
    private final Clock clock;
    private final Handle bound;
    private final PostgresBulkAccess bulk;
    private final PostgresSchemaCheck schema;
    private final PostgresHealth health;
    private final TransactionRetry retry;
    private final Duration queryTimeout;
    /** A call whose connection broke sooner than this tries once more, still within its deadline. */
    private final long retryBudgetNanos;

    /**
     * @param db the pools
     * @param clock the clock for timestamps and expiry
     * @param schema the schema check, passed or still to run on the first connection
     */
    PostgresStore(PostgresConnection db, Clock clock, PostgresSchemaCheck schema) {
        this.db = db;
        this.clock = clock;
        this.bound = null;
        this.schema = schema;
        DalConfig config = db.config();
        this.health = new PostgresHealth(db);
        this.retry = TransactionRetry.from(config);
        this.queryTimeout = config.queryTimeout();
        this.retryBudgetNanos = Math.min(Duration.ofMillis(500).toNanos(), config.queryTimeout().toNanos() / 4);
        this.bulk = new PostgresBulkAccess(this);
    }

    /** A store bound to one transaction's connection. */
    private PostgresStore(PostgresStore parent, Handle bound) {
        this.db = parent.db;
        this.clock = parent.clock;
        this.bound = bound;
        this.schema = parent.schema;
        this.health = parent.health;
        this.retry = parent.retry;
        this.queryTimeout = parent.queryTimeout;
        this.retryBudgetNanos = parent.retryBudgetNanos;
        this.bulk = new PostgresBulkAccess(this);
    }

    private Instant now() {
        return Timestamps.now(clock);
    }

    /** Runs read work on the transaction's connection, or a pooled one. */
    <T> T read(String operation, SqlWork<T> work) {
        if (bound != null) {
            try {
                return work.run(bound);
            } catch (RuntimeException e) {
                throw PostgresErrors.translate(operation, db.explain(e), false, queryTimeout);
            }
        }
        long start = System.nanoTime();
        for (int attempt = 1;; attempt++) {
            Handle h = null;
            try {
                h = open(db.readJdbi());
                return work.run(h);
            } catch (RuntimeException e) {
                if (PostgresErrors.isBrokenConnection(e)) {
                    db.evictPooled();
                    if (attempt == 1 && System.nanoTime() - start < retryBudgetNanos) {
                        LOG.debug("{}: the pooled connection was broken ({}, {} ms); once more on a fresh one",
                                operation, PostgresErrors.stateOf(e), (System.nanoTime() - start) / 1_000_000);
                        continue; // a pooled connection a reset or the server broke: a fresh one, once
                    }
                }
                throw PostgresErrors.translate(operation, db.explain(e), false, queryTimeout);
            } finally {
                closeQuietly(h);
            }
        }
    }

    /**
     * Runs write work in the running transaction, or in a transaction of its own. A connection lost
     * before the COMMIT was sent left nothing behind (the server rolls back); one lost while the
     * COMMIT was under way leaves the outcome unknown.
     */
    <T> T write(String operation, SqlWork<T> work) {
        if (bound != null) {
            try {
                return work.run(bound);
            } catch (RuntimeException e) {
                // Nothing commits before the enclosing transaction's COMMIT.
                throw PostgresErrors.translate(operation, db.explain(e), false, queryTimeout);
            }
        }
        long start = System.nanoTime();
        try {
            return transaction(operation, work, false);
        } catch (BrokenBeforeCommit broken) {
            if (System.nanoTime() - start >= retryBudgetNanos) {
                throw PostgresErrors.translate(operation, broken.getCause(), false, queryTimeout);
            }
            LOG.debug("{}: the connection broke before the COMMIT ({}); once more on a fresh one", operation,
                    PostgresErrors.stateOf(broken.getCause()));
            // The connection broke before the COMMIT was sent, so the server rolled everything back:
            // running the write once more on a fresh connection stores it once.
            try {
                return transaction(operation, work, false);
            } catch (BrokenBeforeCommit again) {
                throw PostgresErrors.translate(operation, again.getCause(), false, queryTimeout);
            }
        }
    }

    /** A write's connection broke before its COMMIT was sent; carries the failure to {@link #write}. */
    private static final class BrokenBeforeCommit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BrokenBeforeCommit(RuntimeException cause) {
            super(null, cause, false, false);
        }
    }

    /**
     * One transaction on a pooled connection: begin, the work, commit; rolled back on failure.
     *
     * @param callerWork whether the work is the caller's: its own exceptions then pass unchanged
     */
    private <T> T transaction(String operation, SqlWork<T> work, boolean callerWork) {
        Handle h = null;
        boolean committing = false;
        try {
            h = open(db.jdbi());
            h.begin();
            T result = work.run(h);
            committing = true;
            h.commit();
            return result;
        } catch (RuntimeException e) {
            rollbackQuietly(h);
            if (PostgresErrors.isBrokenConnection(e)) {
                db.evictPooled();
            }
            if (callerWork && !committing && !PostgresErrors.isDriverFailure(e)) {
                throw e;
            }
            if (!callerWork && !committing && PostgresErrors.isBrokenConnection(e)) {
                throw new BrokenBeforeCommit(e);
            }
            throw PostgresErrors.translate(operation, db.explain(e), committing, queryTimeout);
        } finally {
            closeQuietly(h);
        }
    }

    /** @return a pooled handle, after the schema check when it has not passed yet */
    private Handle open(Jdbi jdbi) {
        Handle h = jdbi.open();
        if (!schema.isCurrent()) {
            try {
                schema.ensure(h.getConnection());
            } catch (SQLException e) {
                closeQuietly(h);
                throw PostgresErrors.carry(e);
            } catch (RuntimeException e) {
                closeQuietly(h);
                throw e;
            }
        }
        return h;
    }

    private static void rollbackQuietly(Handle h) {
        if (h != null) {
            try {
                h.rollback();
            } catch (RuntimeException ignored) {
                // The connection is broken or the transaction is gone: the server rolls back on its own.
            }
        }
    }

    private static void closeQuietly(Handle h) {
        if (h != null) {
            try {
                h.close();
            } catch (RuntimeException ignored) {
                // A broken connection fails to close cleanly; the pool evicts it either way.
            }
        }
    }

    /**
     * Inside {@link #inTransaction}, a record read is locked until the transaction ends ({@code FOR NO KEY
     * UPDATE}, which still lets other transactions insert its children): a transaction that reads a record and
     * writes what it computed from it never loses a concurrent transaction's update of it (READ COMMITTED
     * alone would). A second reader waits, then reads the committed value. Outside a transaction reads lock
     * nothing.
     */
    private String lockInTransaction() {
        return bound != null ? " FOR NO KEY UPDATE" : "";
    }

    // ---- users ----

    @Override
    public User createUser(NewUser newUser) {
        User user = newUser.toUser(Ids.newId(), now());
        // A caller-chosen id deleted before continues above its tombstone, removed in the same statement.
        return user.withVersion(write("createUser", h -> PostgresWrites.createUser(h, user)));
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return read("getUser", h -> h.createQuery("SELECT " + PostgresRows.USER_COLUMNS + " FROM users WHERE id = :id" + lockInTransaction())
                .bind("id", id).map((rs, ctx) -> PostgresRows.user(rs)).findOne());
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return read("getUserByExternalId", h -> h.createQuery("SELECT " + PostgresRows.USER_COLUMNS
                        + " FROM users WHERE clerk_id = :clerkId" + lockInTransaction())
                .bind("clerkId", externalId).map((rs, ctx) -> PostgresRows.user(rs)).findOne());
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return write("updateUser", h -> {
            User current = h.createQuery("SELECT " + PostgresRows.USER_COLUMNS + " FROM users WHERE id = :id FOR UPDATE")
                    .bind("id", id).map((rs, ctx) -> PostgresRows.user(rs)).findOne()
                    .orElseThrow(() -> NotFoundException.of("user", id));
            // Under the row lock: the expected version checked here is the one the UPDATE moves on.
            User updated = update.applyTo(current, now());
            return updated.withVersion(PostgresWrites.updateUser(h, updated));
        });
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return write("deleteUser", h -> {
            PostgresKeyLocks.request().add(PostgresKeyLocks.Space.USERS, id).exclusive(h);
            // Locked first: no session joins the user between the sessions' detaching and the deletion.
            Optional<Long> version = h.createQuery("SELECT version FROM users WHERE id = :id FOR UPDATE")
                    .bind("id", id).mapTo(Long.class).findOne();
            if (version.isEmpty()) {
                return false;
            }
            if (mode == DeleteMode.PURGE) {
                // Each purged session leaves a tombstone (its messages name only the session), under its key's
                // lock like any session deletion. No session can join the locked user meanwhile; one that leaves
                // it is simply not deleted.
                List<String> chatIds = h.createQuery("SELECT chat_id FROM chat_sessions WHERE user_id = :id")
                        .bind("id", id).mapTo(String.class).list();
                PostgresKeyLocks.request().add(PostgresKeyLocks.Space.SESSIONS, chatIds).exclusive(h);
                h.createUpdate("WITH d AS (DELETE FROM chat_sessions WHERE user_id = :id RETURNING chat_id, id, version) "
                        + "INSERT INTO session_tombstones (chat_id, session_id, version) SELECT chat_id, id, version + 1 "
                        + "FROM d ON CONFLICT (chat_id) DO UPDATE SET session_id = EXCLUDED.session_id, "
                        + "version = EXCLUDED.version WHERE session_tombstones.version < EXCLUDED.version")
                        .bind("id", id).execute();
            } else {
                // Detaching changes each session: one version more (ON DELETE SET NULL would not count it).
                h.createUpdate("UPDATE chat_sessions SET user_id = NULL, version = version + 1 WHERE user_id = :id")
                        .bind("id", id).execute();
            }
            // Memory goes by ON DELETE CASCADE; the user's tombstone covers it.
            return h.createQuery("WITH d AS (DELETE FROM users WHERE id = :id RETURNING id, version), "
                            + "t AS (INSERT INTO user_tombstones (id, version) SELECT id, version + 1 FROM d "
                            + "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version "
                            + "WHERE user_tombstones.version < EXCLUDED.version) SELECT count(*) FROM d")
                    .bind("id", id).mapTo(Long.class).one() > 0;
        });
    }

    // ---- sessions ----

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        ChatSession session = newSession.toSession(Ids.newId(), now());
        // A chat id deleted before continues above its tombstone, removed in the same statement.
        return session.withVersion(write("createChatSession", h -> PostgresWrites.createSession(h, session)));
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return read("getChatSession", h -> sessionByChatId(h, chatId, bound != null));
    }

    private static Optional<ChatSession> sessionByChatId(Handle h, String chatId, boolean forUpdate) {
        return h.createQuery("SELECT " + PostgresRows.SESSION_COLUMNS + " FROM chat_sessions WHERE chat_id = :chatId"
                        + (forUpdate ? " FOR NO KEY UPDATE" : ""))
                .bind("chatId", chatId).map((rs, ctx) -> PostgresRows.session(rs)).findOne();
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return write("updateChatSession", h -> {
            ChatSession current = sessionByChatId(h, chatId, true)
                    .orElseThrow(() -> NotFoundException.of("chat session", chatId));
            // Under the row lock: the expected version checked here is the one the UPDATE moves on.
            ChatSession updated = update.applyTo(current, now());
            return updated.withVersion(PostgresWrites.updateSession(h, updated));
        });
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        // Messages go by ON DELETE CASCADE; the tombstone keeps the session's id, which they name.
        return write("deleteChatSession", h -> {
            PostgresKeyLocks.request().add(PostgresKeyLocks.Space.SESSIONS, chatId).exclusive(h);
            return h.createQuery("WITH d AS (DELETE FROM chat_sessions WHERE chat_id = :chatId "
                        + "RETURNING chat_id, id, version), t AS (INSERT INTO session_tombstones (chat_id, session_id, version) "
                        + "SELECT chat_id, id, version + 1 FROM d ON CONFLICT (chat_id) DO UPDATE SET "
                        + "session_id = EXCLUDED.session_id, version = EXCLUDED.version "
                        + "WHERE session_tombstones.version < EXCLUDED.version) SELECT count(*) FROM d")
                .bind("chatId", chatId).mapTo(Long.class).one() > 0;
        });
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        return read("listUserSessions", h -> h.createQuery("SELECT " + PostgresRows.SESSION_COLUMNS
                        + " FROM chat_sessions WHERE user_id = :userId ORDER BY " + SESSION_ORDER
                        + " LIMIT :limit OFFSET :offset")
                .bind("userId", userId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> PostgresRows.session(rs)).list());
    }

    /** One statement: the page of sessions, each joined LATERAL to its newest message. */
    private static final String OVERVIEW = "SELECT s.id AS s_id, s.chat_id AS s_chat_id, s.user_id AS s_user_id, "
            + "s.title AS s_title, s.profile AS s_profile, s.metadata::text AS s_metadata, s.status AS s_status, "
            + "s.created_at AS s_created_at, s.updated_at AS s_updated_at, s.last_message_at AS s_last_message_at, "
            + "s.message_count AS s_message_count, s.version AS s_version, m.id AS m_id, m.chat_session_id AS m_chat_session_id, "
            + "m.sequence_number AS m_sequence_number, m.role AS m_role, m.content AS m_content, "
            + "m.metadata::text AS m_metadata, m.token_count AS m_token_count, m.abuse_flagged AS m_abuse_flagged, "
            + "m.created_at AS m_created_at "
            + "FROM (SELECT * FROM chat_sessions WHERE user_id = :userId ORDER BY " + SESSION_ORDER
            + " LIMIT :limit OFFSET :offset) s "
            + "LEFT JOIN LATERAL (SELECT * FROM messages WHERE chat_session_id = s.id "
            + "ORDER BY sequence_number DESC LIMIT 1) m ON TRUE "
            + "ORDER BY COALESCE(s.last_message_at, s.created_at) DESC, s.id DESC";

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, int limit, int offset) {
        return read("listUserSessionsWithLastMessage", h -> h.createQuery(OVERVIEW)
                .bind("userId", userId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> {
                    ChatSession session = PostgresRows.session(rs, "s_");
                    rs.getObject("m_id");
                    Message last = rs.wasNull() ? null : PostgresRows.message(rs, "m_");
                    return new SessionOverview(session, last);
                }).list());
    }

    // ---- messages ----

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return addMessages(chatId, List.of(message)).get(0);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        return write("addMessages", h -> {
            Instant now = now();
            // The row lock this UPDATE takes orders concurrent writers: numbers are distinct and gap-free.
            long[] counter = new long[1];
            UUID sessionId = h.createQuery("UPDATE chat_sessions SET message_count = message_count + :n, "
                            + "last_message_at = :now, version = version + 1 WHERE chat_id = :chatId RETURNING id, message_count")
                    .bind("n", newMessages.size()).bind("now", PostgresRows.bindable(now)).bind("chatId", chatId)
                    .map((rs, ctx) -> {
                        counter[0] = rs.getLong(2);
                        return rs.getObject(1, UUID.class);
                    })
                    .findOne().orElseThrow(() -> NotFoundException.of("chat session", chatId));
            long next = counter[0] - newMessages.size() + 1;
            List<Message> messages = new ArrayList<>(newMessages.size());
            for (NewMessage m : newMessages) {
                messages.add(m.toMessage(Ids.newId(), sessionId, next++, now));
            }
            PostgresWrites.insertMessages(h, messages);
            return List.copyOf(messages);
        });
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return read("getChatHistory", h -> h.createQuery("SELECT " + prefixed("m.", PostgresRows.MESSAGE_COLUMNS)
                        + " FROM messages m JOIN chat_sessions s ON s.id = m.chat_session_id WHERE s.chat_id = :chatId"
                        + " ORDER BY m.sequence_number LIMIT :limit OFFSET :offset")
                .bind("chatId", chatId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> PostgresRows.message(rs)).list());
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return read("getChatHistory", h -> {
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
                    .bind("id", session.get().id()).bind("first", window[0]).bind("last", window[1])
                    .map((rs, ctx) -> PostgresRows.message(rs)).list();
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
        return read("getMessageCount", h -> h.createQuery("SELECT message_count FROM chat_sessions WHERE chat_id = :chatId")
                .bind("chatId", chatId).mapTo(Long.class).findOne().orElse(0L));
    }

    // ---- memory ----

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        Instant now = now();
        Instant expires = Timestamps.truncate(expiresAt);
        return write("setUserMemory", h -> {
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
                    .bind("userId", userId).bind("type", memoryType).bind("key", key)
                    .bind("value", PostgresJson.write(value)).bind("now", PostgresRows.bindable(now))
                    .bind("expires", PostgresRows.bindable(expires))
                    .map((rs, ctx) -> {
                        version[0] = rs.getLong(2);
                        return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
                    }).one();
            return new MemoryEntry(userId, memoryType, key, value, createdAt, now, expires, version[0]);
        });
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return read("getUserMemory", h -> h.createQuery("SELECT " + PostgresRows.MEMORY_COLUMNS + " FROM user_memory "
                        + "WHERE user_id = :userId AND memory_type = :type AND key = :key "
                        + "AND (expires_at IS NULL OR expires_at > :now)" + lockInTransaction())
                .bind("userId", userId).bind("type", memoryType).bind("key", key).bind("now", PostgresRows.bindable(now()))
                .map((rs, ctx) -> PostgresRows.memory(rs)).findOne());
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return read("getUserMemory", h -> h.createQuery("SELECT " + PostgresRows.MEMORY_COLUMNS + " FROM user_memory "
                        + "WHERE user_id = :userId AND memory_type = :type AND (expires_at IS NULL OR expires_at > :now) "
                        + "ORDER BY key" + lockInTransaction())
                .bind("userId", userId).bind("type", memoryType).bind("now", PostgresRows.bindable(now()))
                .map((rs, ctx) -> PostgresRows.memory(rs)).list());
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
        return write("deleteUserMemory", h -> {
            PostgresKeyLocks.request().add(PostgresKeyLocks.Space.MEMORY, userId).exclusive(h);
            // One tombstone per deleted key, expired ones included (they were stored).
            var delete = h.createQuery("WITH d AS (DELETE FROM user_memory WHERE user_id = :userId AND memory_type = :type "
                            + keyClause + " RETURNING user_id, memory_type, key, version, "
                            + "(expires_at IS NULL OR expires_at > :now) AS visible), " + MEMORY_TOMBSTONES
                            + " SELECT count(*) FILTER (WHERE visible) FROM d")
                    .bind("userId", userId).bind("type", memoryType).bind("now", PostgresRows.bindable(now()));
            if (key != null) {
                delete.bind("key", key);
            }
            return delete.mapTo(Integer.class).one();
        });
    }

    @Override
    public int purgeExpiredMemory() {
        return write("purgeExpiredMemory", h -> {
            // Any user's keys may go: every memory bucket, for as long as the purge takes.
            PostgresKeyLocks.request().all(PostgresKeyLocks.Space.MEMORY).exclusive(h);
            return h.createQuery("WITH d AS (DELETE FROM user_memory WHERE expires_at <= :now "
                            + "RETURNING user_id, memory_type, key, version), " + MEMORY_TOMBSTONES
                            + " SELECT count(*) FROM d")
                    .bind("now", PostgresRows.bindable(now())).mapTo(Integer.class).one();
        });
    }

    // ---- transactions, health, lifecycle ----

    /**
     * {@inheritDoc}
     *
     * <p>Users, sessions and memory entries read inside the work are locked until it ends (see
     * {@link #lockInTransaction}), so read-modify-write work loses no concurrent update.
     *
     * <p>Each attempt runs on one pooled connection in one PostgreSQL transaction; a retryable failure
     * (deadlock, serialization failure, lost connection before the COMMIT, statement timeout) runs the
     * whole work again by {@link TransactionRetry} ({@code DAL_TX_RETRIES}). A connection lost while the
     * COMMIT was under way raises {@link dev.dal.api.OutcomeUnknownException} and is not retried.
     */
    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        if (bound != null) {
            return work.run(this);
        }
        return retry.run(() -> transaction("inTransaction", h -> work.run(new PostgresStore(this, h)), true));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Probes over a connection of its own (never the pool's), answering within
     * {@code DAL_HEALTH_TIMEOUT}: DOWN when the server did not answer in time or failed, DEGRADED when
     * it answered but every pooled connection is busy and callers are waiting, else UP.
     */
    @Override
    public HealthStatus healthCheck() {
        return health.check();
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
        if (bound == null) {
            health.close();
            db.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresStore";
    }
}
