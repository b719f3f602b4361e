package dev.dal.postgres.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Reads records from result sets; column names are those of the changelog, optionally prefixed. Users,
 * sessions and memory entries are read with the version the store holds.
 */
final class PostgresRows {
    static final String USER_COLUMNS = "id, clerk_id, email, name, profile::text AS profile, "
            + "preferences::text AS preferences, status, created_at, updated_at, last_active_at, version";
    static final String SESSION_COLUMNS = "id, chat_id, user_id, title, profile, metadata::text AS metadata, status, "
            + "created_at, updated_at, last_message_at, message_count, version";
    static final String MESSAGE_COLUMNS = "id, chat_session_id, sequence_number, role, content, "
            + "metadata::text AS metadata, token_count, abuse_flagged, created_at";
    static final String MEMORY_COLUMNS = "user_id, memory_type, key, value::text AS value, created_at, updated_at, "
            + "expires_at, version";

    private PostgresRows() {
    }

    static OffsetDateTime bindable(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static ObjectNode object(ResultSet rs, String column) throws SQLException {
        return (ObjectNode) PostgresJson.read(rs.getString(column));
    }

    static User user(ResultSet rs) throws SQLException {
        return new User(rs.getObject("id", UUID.class), rs.getString("clerk_id"), rs.getString("email"),
                rs.getString("name"), object(rs, "profile"), object(rs, "preferences"),
                UserStatus.fromWireName(rs.getString("status")), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "last_active_at"), rs.getLong("version"));
    }

    static ChatSession session(ResultSet rs) throws SQLException {
        return session(rs, "");
    }

    static ChatSession session(ResultSet rs, String p) throws SQLException {
        return new ChatSession(rs.getObject(p + "id", UUID.class), rs.getString(p + "chat_id"),
                rs.getObject(p + "user_id", UUID.class), rs.getString(p + "title"), rs.getString(p + "profile"),
                object(rs, p + "metadata"), SessionStatus.fromWireName(rs.getString(p + "status")),
                instant(rs, p + "created_at"), instant(rs, p + "updated_at"), instant(rs, p + "last_message_at"),
                rs.getLong(p + "message_count"), rs.getLong(p + "version"));
    }

    static Message message(ResultSet rs) throws SQLException {
        return message(rs, "");
    }

    static Message message(ResultSet rs, String p) throws SQLException {
        int tokens = rs.getInt(p + "token_count");
        Integer tokenCount = rs.wasNull() ? null : tokens;
        return new Message(rs.getObject(p + "id", UUID.class), rs.getObject(p + "chat_session_id", UUID.class),
                rs.getLong(p + "sequence_number"), Role.fromWireName(rs.getString(p + "role")), rs.getString(p + "content"),
                object(rs, p + "metadata"), tokenCount, rs.getBoolean(p + "abuse_flagged"), instant(rs, p + "created_at"));
    }

    static MemoryEntry memory(ResultSet rs) throws SQLException {
        return new MemoryEntry(rs.getObject("user_id", UUID.class), rs.getString("memory_type"), rs.getString("key"),
                PostgresJson.read(rs.getString("value")), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "expires_at"), rs.getLong("version"));
    }
}
