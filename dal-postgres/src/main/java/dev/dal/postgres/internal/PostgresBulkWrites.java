package dev.dal.postgres.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The upsert statements of {@link PostgresBulkAccess}. They go as batches (the driver rewrites a batch into
 * multi-row INSERTs) and replace a stored record only at a newer version, decided in the statement that
 * writes it; checking and clearing tombstones is the caller's. Large batches of new messages and sessions go
 * by {@code COPY} instead ({@link PostgresCopyWrites}), and store the same rows.
 */
final class PostgresBulkWrites {
    private PostgresBulkWrites() {}

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
        PreparedBatch batch =
                h.prepareBatch("INSERT INTO users (id, clerk_id, email, name, profile, preferences, status, "
                        + "created_at, updated_at, last_active_at, version) VALUES " + PostgresRows.USER_VALUES
                        + ", :version)"
                        + " ON CONFLICT (id) DO UPDATE SET clerk_id = EXCLUDED.clerk_id, email = EXCLUDED.email, "
                        + "name = EXCLUDED.name, profile = EXCLUDED.profile, preferences = EXCLUDED.preferences, "
                        + "status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
                        + "last_active_at = EXCLUDED.last_active_at, version = EXCLUDED.version"
                        + (overwrite ? "" : " WHERE users.version < EXCLUDED.version"));
        for (User u : users) {
            PostgresRows.bindUser(batch, u).bind("version", u.version()).add();
        }
        return sum(batch.execute());
    }

    /** From this many sessions on, an upsert of new sessions goes by {@code COPY} ({@link PostgresCopyWrites}). */
    static final int SESSION_COPY_FROM = 200;

    /**
     * Bulk upsert by chat id (a large batch of new sessions by {@code COPY}): inserts, or replaces the stored
     * session only when the given version is newer, in the same statement; tombstones and refusing a stored
     * session under another id are the caller's (a stored session under another id that slipped past the
     * caller's check is left as it is, never merged).
     *
     * @param overwrite replace the stored session whatever its version (a repair)
     */
    static int upsertSessions(Handle h, List<ChatSession> sessions, boolean overwrite) {
        if (sessions.isEmpty()) {
            return 0;
        }
        if (sessions.size() >= SESSION_COPY_FROM && PostgresCopyWrites.copyNewSessions(h, sessions)) {
            return sessions.size();
        }
        PreparedBatch batch =
                h.prepareBatch("INSERT INTO chat_sessions (id, chat_id, user_id, title, profile, metadata, "
                        + "status, created_at, updated_at, last_message_at, message_count, version) VALUES "
                        + PostgresRows.SESSION_VALUES
                        + ", :version) ON CONFLICT (chat_id) DO UPDATE SET user_id = EXCLUDED.user_id, "
                        + "title = EXCLUDED.title, profile = EXCLUDED.profile, metadata = EXCLUDED.metadata, "
                        + "status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
                        + "last_message_at = EXCLUDED.last_message_at, message_count = EXCLUDED.message_count, "
                        + "version = EXCLUDED.version WHERE chat_sessions.id = EXCLUDED.id"
                        + (overwrite ? "" : " AND chat_sessions.version < EXCLUDED.version"));
        for (ChatSession s : sessions) {
            PostgresRows.bindSession(batch, s).bind("version", s.version()).add();
        }
        return sum(batch.execute());
    }

    /** What a message upsert sets when the id is stored already: every column, the message is replaced. */
    static final String MESSAGE_REPLACE = "chat_session_id = EXCLUDED.chat_session_id, "
            + "sequence_number = EXCLUDED.sequence_number, role = EXCLUDED.role, content = EXCLUDED.content, "
            + "metadata = EXCLUDED.metadata, token_count = EXCLUDED.token_count, "
            + "abuse_flagged = EXCLUDED.abuse_flagged, created_at = EXCLUDED.created_at, digest_1 = EXCLUDED.digest_1, "
            + "digest_2 = EXCLUDED.digest_2, digest_3 = EXCLUDED.digest_3, digest_4 = EXCLUDED.digest_4";

    /**
     * From this many messages on, an upsert of new messages goes by {@code COPY} ({@link PostgresCopyWrites});
     * below it, the batched INSERT's fewer round trips win (measured, see the README).
     */
    static final int MESSAGE_COPY_FROM = 200;

    /**
     * Bulk upsert by id: inserts, or replaces the stored message (messages have no versions). A large batch of
     * new messages goes by {@code COPY}; any other batch, or one {@code COPY} found a stored message in, as a
     * batched INSERT. The two store the same rows.
     */
    static int upsertMessages(Handle h, List<Message> messages) {
        if (messages.size() >= MESSAGE_COPY_FROM && PostgresCopyWrites.copyNewMessages(h, messages)) {
            return messages.size();
        }
        return insertMessages(h, messages);
    }

    /** Bulk upsert by id as a batched INSERT (multi-row statements): inserts, or replaces the stored message. */
    static int insertMessages(Handle h, List<Message> messages) {
        try (PreparedStatement ps = h.getConnection()
                .prepareStatement(PostgresRows.MESSAGE_INSERT + " ON CONFLICT (id) DO UPDATE SET " + MESSAGE_REPLACE)) {
            PostgresRows.addMessages(ps, messages);
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
            batch.bind("userId", e.userId())
                    .bind("type", e.memoryType())
                    .bind("key", e.key())
                    .bind("value", PostgresJson.writeStored(e.value()))
                    .bind("createdAt", PostgresRows.bindable(e.createdAt()))
                    .bind("updatedAt", PostgresRows.bindable(e.updatedAt()))
                    .bind("expiresAt", PostgresRows.bindable(e.expiresAt()))
                    .bind("version", e.version())
                    .add();
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
