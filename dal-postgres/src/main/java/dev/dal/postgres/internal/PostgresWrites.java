package dev.dal.postgres.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.Message;
import dev.dal.api.User;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The INSERT and UPDATE statements of the store's creations and updates. Each sets the version in its own
 * statement: a creation continues above a tombstone it removes, an update adds one
 * ({@code version = version + 1}).
 */
final class PostgresWrites {
    private PostgresWrites() {
    }

    /**
     * Creates a user; a tombstone left under its id by an earlier deletion is removed in the same statement
     * and the user continues above it.
     *
     * @return the version stored: 1, or the tombstone's version plus one
     */
    static long createUser(Handle h, User u) {
        return PostgresRows.bindUser(h.createQuery("WITH t AS (DELETE FROM user_tombstones WHERE id = :id RETURNING version) "
                + "INSERT INTO users (id, clerk_id, email, name, profile, preferences, status, created_at, updated_at, "
                + "last_active_at, version) VALUES " + PostgresRows.USER_VALUES + ", COALESCE((SELECT version FROM t), 0) + 1) "
                + "RETURNING version"), u).mapTo(Long.class).one();
    }

    /**
     * Writes a user's fields over the stored row, one version later, in one statement.
     *
     * @return the version stored
     */
    static long updateUser(Handle h, User u) {
        return PostgresRows.bindUser(h.createQuery("UPDATE users SET clerk_id = :clerkId, email = :email, name = :name, "
                + "profile = CAST(:profile AS jsonb), preferences = CAST(:preferences AS jsonb), status = :status, "
                + "created_at = :createdAt, updated_at = :updatedAt, last_active_at = CAST(:lastActiveAt AS timestamptz), version = version + 1 "
                + "WHERE id = :id RETURNING version"), u).mapTo(Long.class).one();
    }

    /**
     * Creates a session; a tombstone left under its chat id is removed in the same statement and the session
     * continues above it.
     *
     * @return the version stored: 1, or the tombstone's version plus one
     */
    static long createSession(Handle h, ChatSession s) {
        return PostgresRows.bindSession(h.createQuery("WITH t AS (DELETE FROM session_tombstones WHERE chat_id = :chatId "
                + "RETURNING version) INSERT INTO chat_sessions (id, chat_id, user_id, title, profile, metadata, status, "
                + "created_at, updated_at, last_message_at, message_count, version) VALUES " + PostgresRows.SESSION_VALUES
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

    /** Inserts new messages, under the sequence numbers the caller reserved. */
    static void insertMessages(Handle h, List<Message> messages) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(PostgresRows.MESSAGE_INSERT)) {
            for (Message m : messages) {
                PostgresRows.addMessage(ps, m);
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }
}
