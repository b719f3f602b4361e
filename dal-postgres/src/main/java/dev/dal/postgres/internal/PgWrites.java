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
 * The INSERT statements every write path shares, as batches (the driver rewrites a batch into
 * multi-row INSERTs). {@code replace} turns an insert into an upsert by primary key.
 */
final class PgWrites {
    private PgWrites() {
    }

    static int upsertUsers(Handle h, List<User> users, boolean replace) {
        PreparedBatch batch = h.prepareBatch("INSERT INTO users (id, clerk_id, email, name, profile, preferences, status, "
                + "created_at, updated_at, last_active_at) VALUES (:id, :clerkId, :email, :name, CAST(:profile AS jsonb), "
                + "CAST(:preferences AS jsonb), :status, :createdAt, :updatedAt, CAST(:lastActiveAt AS timestamptz))"
                + (replace ? " ON CONFLICT (id) DO UPDATE SET clerk_id = EXCLUDED.clerk_id, email = EXCLUDED.email, "
                        + "name = EXCLUDED.name, profile = EXCLUDED.profile, preferences = EXCLUDED.preferences, "
                        + "status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
                        + "last_active_at = EXCLUDED.last_active_at" : ""));
        for (User u : users) {
            batch.bind("id", u.id()).bind("clerkId", u.externalId()).bind("email", u.email()).bind("name", u.name())
                    .bind("profile", PgJson.writeStored(u.profile())).bind("preferences", PgJson.writeStored(u.preferences()))
                    .bind("status", u.status().wireName()).bind("createdAt", PgRows.bindable(u.createdAt()))
                    .bind("updatedAt", PgRows.bindable(u.updatedAt()))
                    .bind("lastActiveAt", PgRows.bindable(u.lastActiveAt())).add();
        }
        return sum(batch.execute());
    }

    static int upsertSessions(Handle h, List<ChatSession> sessions, boolean replace) {
        PreparedBatch batch = h.prepareBatch("INSERT INTO chat_sessions (id, chat_id, user_id, title, profile, metadata, "
                + "status, created_at, updated_at, last_message_at, message_count) VALUES (:id, :chatId, CAST(:userId AS uuid), :title, "
                + ":profile, CAST(:metadata AS jsonb), :status, :createdAt, :updatedAt, CAST(:lastMessageAt AS timestamptz), :messageCount)"
                + (replace ? " ON CONFLICT (id) DO UPDATE SET chat_id = EXCLUDED.chat_id, user_id = EXCLUDED.user_id, "
                        + "title = EXCLUDED.title, profile = EXCLUDED.profile, metadata = EXCLUDED.metadata, "
                        + "status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, "
                        + "last_message_at = EXCLUDED.last_message_at, message_count = EXCLUDED.message_count" : ""));
        for (ChatSession s : sessions) {
            batch.bind("id", s.id()).bind("chatId", s.chatId()).bind("userId", s.userId()).bind("title", s.title())
                    .bind("profile", s.profile()).bind("metadata", PgJson.writeStored(s.metadata()))
                    .bind("status", s.status().wireName()).bind("createdAt", PgRows.bindable(s.createdAt()))
                    .bind("updatedAt", PgRows.bindable(s.updatedAt()))
                    .bind("lastMessageAt", PgRows.bindable(s.lastMessageAt()))
                    .bind("messageCount", s.messageCount()).add();
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
                ps.setString(6, PgJson.writeStored(m.metadata()));
                if (m.tokenCount() == null) {
                    ps.setNull(7, Types.INTEGER);
                } else {
                    ps.setInt(7, m.tokenCount());
                }
                ps.setBoolean(8, m.abuseFlagged());
                ps.setObject(9, PgRows.bindable(m.createdAt()));
                ps.addBatch();
            }
            return sum(ps.executeBatch());
        } catch (SQLException e) {
            throw PgErrors.carry(e);
        }
    }

    static int upsertMemory(Handle h, List<MemoryEntry> entries) {
        PreparedBatch batch = h.prepareBatch("INSERT INTO user_memory (user_id, memory_type, key, value, created_at, "
                + "updated_at, expires_at) VALUES (:userId, :type, :key, CAST(:value AS jsonb), :createdAt, :updatedAt, "
                + "CAST(:expiresAt AS timestamptz)) ON CONFLICT (user_id, memory_type, key) DO UPDATE SET value = EXCLUDED.value, "
                + "created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at");
        for (MemoryEntry e : entries) {
            batch.bind("userId", e.userId()).bind("type", e.memoryType()).bind("key", e.key())
                    .bind("value", PgJson.writeStored(e.value())).bind("createdAt", PgRows.bindable(e.createdAt()))
                    .bind("updatedAt", PgRows.bindable(e.updatedAt())).bind("expiresAt", PgRows.bindable(e.expiresAt()))
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
