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
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Retryable;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link DataAccess}. Outside a transaction each call takes a pooled connection and,
 * when it writes more than one row, its own transaction; inside {@link #inTransaction} every call
 * runs on the transaction's connection. Every value is bound as a parameter.
 */
public final class PgStore implements DataAccess {
    private static final Logger LOG = LoggerFactory.getLogger(PgStore.class);
    private static final int TRANSACTION_ATTEMPTS = 3;
    private static final String SESSION_ORDER = "COALESCE(last_message_at, created_at) DESC, id DESC";

    /** Work on a connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Handle handle);
    }

    private final PgDatabase db;
    private final Clock clock;
    private final Handle bound;
    private final PgBulkAccess bulk;

    PgStore(PgDatabase db, Clock clock, Handle bound) {
        this.db = db;
        this.clock = clock;
        this.bound = bound;
        this.bulk = new PgBulkAccess(this);
    }

    private Instant now() {
        return Timestamps.now(clock);
    }

    /** Runs read work on the transaction's connection, or a pooled one. */
    <T> T read(String operation, SqlWork<T> work) {
        try {
            return bound != null ? work.run(bound) : db.readJdbi().withHandle(work::run);
        } catch (RuntimeException e) {
            throw PgErrors.translate(operation, e);
        }
    }

    /** Runs write work in the running transaction, or in a transaction of its own. */
    <T> T write(String operation, SqlWork<T> work) {
        try {
            return bound != null ? work.run(bound) : db.jdbi().inTransaction(work::run);
        } catch (RuntimeException e) {
            throw PgErrors.translate(operation, e);
        }
    }

    // ---- users ----

    @Override
    public User createUser(NewUser newUser) {
        User user = newUser.toUser(Ids.newId(), now());
        write("createUser", h -> PgWrites.upsertUsers(h, List.of(user), false));
        return user;
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return read("getUser", h -> h.createQuery("SELECT " + PgRows.USER_COLUMNS + " FROM users WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> PgRows.user(rs)).findOne());
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return read("getUserByExternalId", h -> h.createQuery("SELECT " + PgRows.USER_COLUMNS
                        + " FROM users WHERE clerk_id = :clerkId")
                .bind("clerkId", externalId).map((rs, ctx) -> PgRows.user(rs)).findOne());
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return write("updateUser", h -> {
            User current = h.createQuery("SELECT " + PgRows.USER_COLUMNS + " FROM users WHERE id = :id FOR UPDATE")
                    .bind("id", id).map((rs, ctx) -> PgRows.user(rs)).findOne()
                    .orElseThrow(() -> NotFoundException.of("user", id));
            User updated = update.applyTo(current, now());
            PgWrites.upsertUsers(h, List.of(updated), true);
            return updated;
        });
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return write("deleteUser", h -> {
            if (mode == DeleteMode.PURGE) {
                h.createUpdate("DELETE FROM chat_sessions WHERE user_id = :id").bind("id", id).execute();
            }
            // Memory goes by ON DELETE CASCADE, remaining sessions lose their user by ON DELETE SET NULL.
            return h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", id).execute() > 0;
        });
    }

    // ---- sessions ----

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        ChatSession session = newSession.toSession(Ids.newId(), now());
        write("createChatSession", h -> PgWrites.upsertSessions(h, List.of(session), false));
        return session;
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return read("getChatSession", h -> sessionByChatId(h, chatId, false));
    }

    private static Optional<ChatSession> sessionByChatId(Handle h, String chatId, boolean forUpdate) {
        return h.createQuery("SELECT " + PgRows.SESSION_COLUMNS + " FROM chat_sessions WHERE chat_id = :chatId"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .bind("chatId", chatId).map((rs, ctx) -> PgRows.session(rs)).findOne();
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return write("updateChatSession", h -> {
            ChatSession current = sessionByChatId(h, chatId, true)
                    .orElseThrow(() -> NotFoundException.of("chat session", chatId));
            ChatSession updated = update.applyTo(current, now());
            PgWrites.upsertSessions(h, List.of(updated), true);
            return updated;
        });
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return write("deleteChatSession", h -> h.createUpdate("DELETE FROM chat_sessions WHERE chat_id = :chatId")
                .bind("chatId", chatId).execute() > 0);
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        return read("listUserSessions", h -> h.createQuery("SELECT " + PgRows.SESSION_COLUMNS
                        + " FROM chat_sessions WHERE user_id = :userId ORDER BY " + SESSION_ORDER
                        + " LIMIT :limit OFFSET :offset")
                .bind("userId", userId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> PgRows.session(rs)).list());
    }

    /** One statement: the page of sessions, each joined LATERAL to its newest message. */
    private static final String OVERVIEW = "SELECT s.id AS s_id, s.chat_id AS s_chat_id, s.user_id AS s_user_id, "
            + "s.title AS s_title, s.profile AS s_profile, s.metadata::text AS s_metadata, s.status AS s_status, "
            + "s.created_at AS s_created_at, s.updated_at AS s_updated_at, s.last_message_at AS s_last_message_at, "
            + "s.message_count AS s_message_count, m.id AS m_id, m.chat_session_id AS m_chat_session_id, "
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
                    ChatSession session = PgRows.session(rs, "s_");
                    rs.getObject("m_id");
                    Message last = rs.wasNull() ? null : PgRows.message(rs, "m_");
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
                            + "last_message_at = :now WHERE chat_id = :chatId RETURNING id, message_count")
                    .bind("n", newMessages.size()).bind("now", PgRows.bindable(now)).bind("chatId", chatId)
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
            PgWrites.upsertMessages(h, messages, false);
            return List.copyOf(messages);
        });
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return read("getChatHistory", h -> h.createQuery("SELECT " + prefixed("m.", PgRows.MESSAGE_COLUMNS)
                        + " FROM messages m JOIN chat_sessions s ON s.id = m.chat_session_id WHERE s.chat_id = :chatId"
                        + " ORDER BY m.sequence_number LIMIT :limit OFFSET :offset")
                .bind("chatId", chatId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> PgRows.message(rs)).list());
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
            return h.createQuery("SELECT " + PgRows.MESSAGE_COLUMNS + " FROM messages WHERE chat_session_id = :id"
                            + " AND sequence_number BETWEEN :first AND :last ORDER BY sequence_number")
                    .bind("id", session.get().id()).bind("first", window[0]).bind("last", window[1])
                    .map((rs, ctx) -> PgRows.message(rs)).list();
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
            // An expired entry counts as absent, so setting it again starts a new creation time.
            Instant createdAt = h.createQuery("INSERT INTO user_memory (user_id, memory_type, key, value, created_at, "
                            + "updated_at, expires_at) VALUES (:userId, :type, :key, CAST(:value AS jsonb), :now, :now, CAST(:expires AS timestamptz)) "
                            + "ON CONFLICT (user_id, memory_type, key) DO UPDATE SET value = EXCLUDED.value, "
                            + "updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at, created_at = CASE "
                            + "WHEN user_memory.expires_at IS NOT NULL AND user_memory.expires_at <= EXCLUDED.updated_at "
                            + "THEN EXCLUDED.created_at ELSE user_memory.created_at END RETURNING created_at")
                    .bind("userId", userId).bind("type", memoryType).bind("key", key)
                    .bind("value", PgJson.write(value)).bind("now", PgRows.bindable(now))
                    .bind("expires", PgRows.bindable(expires))
                    .map((rs, ctx) -> rs.getObject(1, java.time.OffsetDateTime.class).toInstant()).one();
            return new MemoryEntry(userId, memoryType, key, value, createdAt, now, expires);
        });
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return read("getUserMemory", h -> h.createQuery("SELECT " + PgRows.MEMORY_COLUMNS + " FROM user_memory "
                        + "WHERE user_id = :userId AND memory_type = :type AND key = :key "
                        + "AND (expires_at IS NULL OR expires_at > :now)")
                .bind("userId", userId).bind("type", memoryType).bind("key", key).bind("now", PgRows.bindable(now()))
                .map((rs, ctx) -> PgRows.memory(rs)).findOne());
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return read("getUserMemory", h -> h.createQuery("SELECT " + PgRows.MEMORY_COLUMNS + " FROM user_memory "
                        + "WHERE user_id = :userId AND memory_type = :type AND (expires_at IS NULL OR expires_at > :now) "
                        + "ORDER BY key")
                .bind("userId", userId).bind("type", memoryType).bind("now", PgRows.bindable(now()))
                .map((rs, ctx) -> PgRows.memory(rs)).list());
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return deleteMemory("AND key = :key", userId, memoryType, key) > 0;
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return deleteMemory("", userId, memoryType, null);
    }

    /** Deletes matching entries; @return how many of them were visible (unexpired) */
    private int deleteMemory(String keyClause, UUID userId, String memoryType, String key) {
        return write("deleteUserMemory", h -> {
            var delete = h.createQuery("DELETE FROM user_memory WHERE user_id = :userId AND memory_type = :type "
                            + keyClause + " RETURNING (expires_at IS NULL OR expires_at > :now) AS visible")
                    .bind("userId", userId).bind("type", memoryType).bind("now", PgRows.bindable(now()));
            if (key != null) {
                delete.bind("key", key);
            }
            return (int) delete.mapTo(Boolean.class).list().stream().filter(Boolean::booleanValue).count();
        });
    }

    @Override
    public int purgeExpiredMemory() {
        return write("purgeExpiredMemory", h -> h.createUpdate("DELETE FROM user_memory WHERE expires_at <= :now")
                .bind("now", PgRows.bindable(now())).execute());
    }

    // ---- transactions, health, lifecycle ----

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        if (bound != null) {
            return work.run(this);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return db.jdbi().inTransaction(h -> {
                    try {
                        return work.run(new PgStore(db, clock, h));
                    } catch (RuntimeException failure) {
                        throw new WorkFailure(failure);
                    }
                });
            } catch (RuntimeException thrown) {
                RuntimeException e = thrown;
                if (thrown instanceof WorkFailure carrier) {
                    // Jdbi attaches a failed rollback to the carrier as suppressed; log it, never pass it on.
                    for (Throwable s : carrier.getSuppressed()) {
                        LOG.debug("Rollback failed after the transaction's work failed", s);
                    }
                    e = (RuntimeException) carrier.getCause();
                }
                RuntimeException failure = e instanceof dev.dal.api.DataAccessException || !(isSql(e)) ? e
                        : PgErrors.translate("inTransaction", e);
                if (!(failure instanceof Retryable) || attempt == TRANSACTION_ATTEMPTS) {
                    throw failure;
                }
                LOG.debug("Retrying a transaction after {} (attempt {})", failure.getMessage(), attempt);
                backoff(attempt);
            }
        }
    }

    /** Carries the work's own exception through Jdbi, so that nothing is attached to it. */
    private static final class WorkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WorkFailure(RuntimeException cause) {
            super(null, cause, true, false);
        }
    }

    private static boolean isSql(RuntimeException e) {
        return e instanceof org.jdbi.v3.core.JdbiException;
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(10L * (1L << attempt) + (long) (Math.random() * 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDataAccessException("Interrupted while waiting to retry a transaction", e);
        }
    }

    @Override
    public HealthStatus healthCheck() {
        long start = System.nanoTime();
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            String version = db.jdbi().withHandle(h -> h.createQuery("SHOW server_version").mapTo(String.class).one());
            details.put("serverVersion", version);
            details.putAll(db.poolFigures());
            return new HealthStatus(HealthStatus.Status.UP, "postgresql", Duration.ofNanos(System.nanoTime() - start),
                    details, null, Instant.now());
        } catch (RuntimeException e) {
            details.putAll(db.poolFigures());
            return new HealthStatus(HealthStatus.Status.DOWN, "postgresql", Duration.ofNanos(System.nanoTime() - start),
                    details, PgErrors.translate("healthCheck", e).getMessage(), Instant.now());
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TRANSACTIONS, Capability.MULTI_PROCESS);
    }

    @Override
    public BulkAccess bulk() {
        return bulk;
    }

    @Override
    public void close() {
        if (bound == null) {
            db.close();
        }
    }

    @Override
    public String toString() {
        return "PgStore";
    }
}
