package dev.dal.postgres.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The INSERT and UPDATE statements the write paths share. Bulk upserts go as batches (the driver rewrites a
 * batch into multi-row INSERTs) and replace a stored record only at a newer version, in the same statement.
 * Creations and updates set the version in their own statement: a creation continues above a tombstone it
 * removes, an update adds one ({@code version = version + 1}).
 */
final class PostgresWrites {
    private PostgresWrites() {
    }

    private static final String USER_VALUES = "(:id, :clerkId, :email, :name, CAST(:profile AS jsonb), "
            + "CAST(:preferences AS jsonb), :status, :createdAt, :updatedAt, CAST(:lastActiveAt AS timestamptz)";

    private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindUser(T statement, User u) {
        return statement.bind("id", u.id()).bind("clerkId", u.externalId()).bind("email", u.email())
                .bind("name", u.name()).bind("profile", PostgresJson.writeStored(u.profile()))
                .bind("preferences", PostgresJson.writeStored(u.preferences())).bind("status", u.status().wireName())
                .bind("createdAt", PostgresRows.bindable(u.createdAt())).bind("updatedAt", PostgresRows.bindable(u.updatedAt()))
                .bind("lastActiveAt", PostgresRows.bindable(u.lastActiveAt()));
    }

    /**
     * Creates a user; a tombstone left under its id by an earlier deletion is removed in the same statement
     * and the user continues above it.
     *
     * @return the version stored: 1, or the tombstone's version plus one
     */
    static long createUser(Handle h, User u) {
        return bindUser(h.createQuery("WITH t AS (DELETE FROM user_tombstones WHERE id = :id RETURNING version) "
                + "INSERT INTO users (id, clerk_id, email, name, profile, preferences, status, created_at, updated_at, "
                + "last_active_at, version) VALUES " + USER_VALUES + ", COALESCE((SELECT version FROM t), 0) + 1) "
                + "RETURNING version"), u).mapTo(Long.class).one();
    }

    /**
     * Writes a user's fields over the stored row, one version later, in one statement.
     *
     * @return the version stored
     */
    static long updateUser(Handle h, User u) {
        return bindUser(h.createQuery("UPDATE users SET clerk_id = :clerkId, email = :email, name = :name, "
                + "profile = CAST(:profile AS jsonb), preferences = CAST(:preferences AS jsonb), status = :status, "
                + "created_at = :createdAt, updated_at = :updatedAt, last_active_at = CAST(:lastActiveAt AS timestamptz), version = version + 1 "
                + "WHERE id = :id RETURNING version"), u).mapTo(Long.class).one();
    }

    /**
     * Bulk upsert: inserts, or replaces the stored user only when the given version is newer, in the
     * same statement ({@code ON CONFLICT ... DO UPDATE ... WHERE}); tombstones are the caller's.
     *
     * @param overwrite replace the stored user whatever its version (a repair)
     */
    static int upsertUsers(Handle h, List<User> users, boolean overwrite) {
        if (users.isEmpty()) {
            return 0;
        }
        PreparedBatch batch = h.prepareBatch("INSERT INTO users (id, clerk_id, email, name, profile, preferences, status, "
                + "created_at, updated_at, last_active_at, version) VALUES " + USER_VALUES + ", :version)"
                + " ON CONFLICT (id) DO UPDATE SET clerk_id = EXCLUDED.clerk_id, email = EXCLUDED.email, "
                + "name = EXCLUDED.name, profile = EXCLUDED.profile, preferences = EXCLUDED.preferences, "
                + "status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
                + "last_active_at = EXCLUDED.last_active_at, version = EXCLUDED.version"
                + (overwrite ? "" : " WHERE users.version < EXCLUDED.version"));
        for (User u : users) {
            bindUser(batch, u).bind("version", u.version()).add();
        }
        return sum(batch.execute());
    }

    private static final String SESSION_VALUES = "(:id, :chatId, CAST(:userId AS uuid), :title, :profile, "
            + "CAST(:metadata AS jsonb), :status, :createdAt, :updatedAt, CAST(:lastMessageAt AS timestamptz), "
            + ":messageCount";

    private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindSession(T statement, ChatSession s) {
        return statement.bind("id", s.id()).bind("chatId", s.chatId()).bind("userId", s.userId())
                .bind("title", s.title()).bind("profile", s.profile()).bind("metadata", PostgresJson.writeStored(s.metadata()))
                .bind("status", s.status().wireName()).bind("createdAt", PostgresRows.bindable(s.createdAt()))
                .bind("updatedAt", PostgresRows.bindable(s.updatedAt()))
                .bind("lastMessageAt", PostgresRows.bindable(s.lastMessageAt())).bind("messageCount", s.messageCount());
    }

    /**
     * Creates a session; a tombstone left under its chat id is removed in the same statement and the session
     * continues above it.
     *
     * @return the version stored: 1, or the tombstone's version plus one
     */
    static long createSession(Handle h, ChatSession s) {
        return bindSession(h.createQuery("WITH t AS (DELETE FROM session_tombstones WHERE chat_id = :chatId "
                + "RETURNING version) INSERT INTO chat_sessions (id, chat_id, user_id, title, profile, metadata, status, "
                + "created_at, updated_at, last_message_at, message_count, version) VALUES " + SESSION_VALUES
                + ", COALESCE((SELECT version FROM t), 0) + 1) RETURNING version"), s).mapTo(Long.class).one();
    }

    /**
     * Writes a session's own fields over the stored row, one version later, in one statement (its counters
     * are left as stored).
     *
     * @return the version stored
     */
    static long updateSession(Handle h, ChatSession s) {
        return h.createQuery("UPDATE chat_sessions SET user_id = CAST(:userId AS uuid), title = :title, "
                        + "profile = :profile, metadata = CAST(:metadata AS jsonb), status = :status, "
                        + "updated_at = :updatedAt, version = version + 1 WHERE id = :id RETURNING version")
                .bind("id", s.id()).bind("userId", s.userId()).bind("title", s.title()).bind("profile", s.profile())
                .bind("metadata", PostgresJson.writeStored(s.metadata())).bind("status", s.status().wireName())
                .bind("updatedAt", PostgresRows.bindable(s.updatedAt())).mapTo(Long.class).one();
    }

    /**
     * Bulk upsert by chat id: inserts, or replaces the stored session only when the given version is newer,
     * in the same statement; tombstones and refusing a stored session under another id are the caller's (a
     * stored session under another id that slipped past the caller's check is left as it is, never merged).
     *
     * @param overwrite replace the stored session whatever its version (a repair)
     */
    static int upsertSessions(Handle h, List<ChatSession> sessions, boolean overwrite) {
        if (sessions.isEmpty()) {
            return 0;
        }
        PreparedBatch batch = h.prepareBatch("INSERT INTO chat_sessions (id, chat_id, user_id, title, profile, metadata, "
                + "status, created_at, updated_at, last_message_at, message_count, version) VALUES " + SESSION_VALUES
                + ", :version) ON CONFLICT (chat_id) DO UPDATE SET user_id = EXCLUDED.user_id, "
                + "title = EXCLUDED.title, profile = EXCLUDED.profile, metadata = EXCLUDED.metadata, "
                + "status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
                + "last_message_at = EXCLUDED.last_message_at, message_count = EXCLUDED.message_count, "
                + "version = EXCLUDED.version WHERE chat_sessions.id = EXCLUDED.id"
                + (overwrite ? "" : " AND chat_sessions.version < EXCLUDED.version"));
        for (ChatSession s : sessions) {
            bindSession(batch, s).bind("version", s.version()).add();
        }
        return sum(batch.execute());
    }

    /**
     * Messages are the hot path (every chat turn, every bulk copy), so they skip Jdbi's by-name
     * binding and go straight to a positional {@code PreparedStatement} on the handle's connection.
     */
    static int upsertMessages(Handle h, List<Message> messages, boolean replace) {
        String sql = "INSERT INTO messages (id, chat_session_id, sequence_number, role, content, metadata, token_count, "
                + "abuse_flagged, created_at) VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)"
                + (replace ? " ON CONFLICT (id) DO UPDATE SET chat_session_id = EXCLUDED.chat_session_id, "
                        + "sequence_number = EXCLUDED.sequence_number, role = EXCLUDED.role, content = EXCLUDED.content, "
                        + "metadata = EXCLUDED.metadata, token_count = EXCLUDED.token_count, "
                        + "abuse_flagged = EXCLUDED.abuse_flagged, created_at = EXCLUDED.created_at" : "");
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql)) {
            for (Message m : messages) {
                ps.setObject(1, m.id());
                ps.setObject(2, m.sessionId());
                ps.setLong(3, m.sequenceNumber());
                ps.setString(4, m.role().wireName());
                ps.setString(5, m.content());
                ps.setString(6, PostgresJson.writeStored(m.metadata()));
                if (m.tokenCount() == null) {
                    ps.setNull(7, Types.INTEGER);
                } else {
                    ps.setInt(7, m.tokenCount());
                }
                ps.setBoolean(8, m.abuseFlagged());
                ps.setObject(9, PostgresRows.bindable(m.createdAt()));
                ps.addBatch();
            }
            return sum(ps.executeBatch());
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    /**
     * Bulk upsert by (user, type, key): inserts, or replaces the stored entry only when the given version is
     * newer, in the same statement; tombstones are the caller's.
     *
     * @param overwrite replace the stored entry whatever its version (a repair)
     */
    static int upsertMemory(Handle h, List<MemoryEntry> entries, boolean overwrite) {
        if (entries.isEmpty()) {
            return 0;
        }
        PreparedBatch batch = h.prepareBatch("INSERT INTO user_memory (user_id, memory_type, key, value, created_at, "
                + "updated_at, expires_at, version) VALUES (:userId, :type, :key, CAST(:value AS jsonb), :createdAt, "
                + ":updatedAt, CAST(:expiresAt AS timestamptz), :version) ON CONFLICT (user_id, memory_type, key) "
                + "DO UPDATE SET value = EXCLUDED.value, created_at = EXCLUDED.created_at, "
                + "updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at, version = EXCLUDED.version"
                + (overwrite ? "" : " WHERE user_memory.version < EXCLUDED.version"));
        for (MemoryEntry e : entries) {
            batch.bind("userId", e.userId()).bind("type", e.memoryType()).bind("key", e.key())
                    .bind("value", PostgresJson.writeStored(e.value())).bind("createdAt", PostgresRows.bindable(e.createdAt()))
                    .bind("updatedAt", PostgresRows.bindable(e.updatedAt())).bind("expiresAt", PostgresRows.bindable(e.expiresAt()))
                    .bind("version", e.version()).add();
        }
        return sum(batch.execute());
    }

    private static int sum(int[] counts) {
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        return total;
    }
}
