package dev.dal.postgres.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.Vote;
import dev.dal.api.spi.MessageDigests;
import dev.dal.api.spi.RecordTrees;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * Maps records to and from rows: reads them from result sets (column names are those of the changelog,
 * optionally prefixed; users, sessions and memory entries with the version the store holds) and binds
 * their values to statements.
 */
final class PostgresRows {
    static final String USER_COLUMNS = "id, clerk_id, email, name, profile::text AS profile, "
            + "preferences::text AS preferences, status, created_at, updated_at, last_active_at, version";
    static final String SESSION_COLUMNS = "id, chat_id, user_id, title, profile, metadata::text AS metadata, status, "
            + "created_at, updated_at, last_message_at, message_count, version";
    static final String MESSAGE_COLUMNS = "id, chat_session_id, sequence_number, role, content, "
            + "metadata::text AS metadata, token_count, abuse_flagged, created_at";
    /**
     * A message's hash ({@link MessageDigests#hash}) as four signed 32-bit lanes, written with the row so that a
     * range digest sums columns; {@code NULL} in rows written without it, which the digest statement hashes itself.
     */
    static final String MESSAGE_DIGEST_COLUMNS = "digest_1, digest_2, digest_3, digest_4";

    static final String MEMORY_COLUMNS =
            "user_id, memory_type, key, value::text AS value, created_at, updated_at, " + "expires_at, version";

    /** A vote's columns, {@code v} for {@code message_votes} and {@code m} for the message voted on. */
    static final String VOTE_COLUMNS =
            "v.message_id, m.chat_session_id, m.sequence_number, v.user_id, v.vote, v.voted_at";

    /** A token usage record's columns, of {@code token_usage}. */
    static final String TOKEN_USAGE_COLUMNS = "id, message_id, session_id, sequence_number, user_id, model, "
            + "prompt_tokens, completion_tokens, cost_micros, currency, created_at";

    private PostgresRows() {}

    /** The user's values but its version, bound by {@link #bindUser}: an INSERT adds its version after them. */
    static final String USER_VALUES = "(:id, :clerkId, :email, :name, CAST(:profile AS jsonb), "
            + "CAST(:preferences AS jsonb), :status, :createdAt, :updatedAt, CAST(:lastActiveAt AS timestamptz)";

    /** Binds a user's values but its version to the names {@link #USER_VALUES} uses. */
    static <T extends SqlStatement<T>> T bindUser(T statement, User u) {
        return statement
                .bind("id", u.id())
                .bind("clerkId", u.externalId())
                .bind("email", u.email())
                .bind("name", u.name())
                .bind("profile", PostgresJson.writeStored(u.profile()))
                .bind("preferences", PostgresJson.writeStored(u.preferences()))
                .bind("status", u.status().wireName())
                .bind("createdAt", bindable(u.createdAt()))
                .bind("updatedAt", bindable(u.updatedAt()))
                .bind("lastActiveAt", bindable(u.lastActiveAt()));
    }

    /** The session's values but its version, bound by {@link #bindSession}: an INSERT adds its version after them. */
    static final String SESSION_VALUES = "(:id, :chatId, CAST(:userId AS uuid), :title, :profile, "
            + "CAST(:metadata AS jsonb), :status, :createdAt, :updatedAt, CAST(:lastMessageAt AS timestamptz), "
            + ":messageCount";

    /** Binds a session's values but its version to the names {@link #SESSION_VALUES} uses. */
    static <T extends SqlStatement<T>> T bindSession(T statement, ChatSession s) {
        return statement
                .bind("id", s.id())
                .bind("chatId", s.chatId())
                .bind("userId", s.userId())
                .bind("title", s.title())
                .bind("profile", s.profile())
                .bind("metadata", PostgresJson.writeStored(s.metadata()))
                .bind("status", s.status().wireName())
                .bind("createdAt", bindable(s.createdAt()))
                .bind("updatedAt", bindable(s.updatedAt()))
                .bind("lastMessageAt", bindable(s.lastMessageAt()))
                .bind("messageCount", s.messageCount());
    }

    /**
     * The INSERT of a message's row, with positional parameters bound by {@link #addMessages}. Messages are
     * the hot path (every chat turn, every bulk copy), so they skip Jdbi's by-name binding and go straight to
     * a {@code PreparedStatement} on the handle's connection. The row carries its hash for range digests.
     */
    static final String MESSAGE_INSERT = "INSERT INTO messages (id, chat_session_id, sequence_number, role, content, "
            + "metadata, token_count, abuse_flagged, created_at, " + MESSAGE_DIGEST_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, ?)";

    /**
     * Binds each message's values to {@link #MESSAGE_INSERT}'s parameters and adds them to the statement's batch.
     * Positional binding on the driver's statement: Jdbi's named binding per row and column cost a quarter of a
     * 1,000-message batch's client time.
     */
    static void addMessages(PreparedStatement ps, List<Message> messages) throws SQLException {
        Instant lastCreatedAt = null;
        OffsetDateTime createdAt = null;
        for (Message m : messages) {
            if (!m.createdAt().equals(lastCreatedAt)) { // addMessages gives a whole batch one time
                lastCreatedAt = m.createdAt();
                createdAt = bindable(lastCreatedAt);
            }
            ps.setObject(1, m.id());
            ps.setObject(2, m.sessionId());
            ps.setLong(3, m.sequenceNumber());
            ps.setString(4, m.role().wireName());
            ps.setString(5, m.content());
            ps.setString(6, PostgresJson.writeStored(RecordTrees.metadata(m)));
            if (m.tokenCount() == null) {
                ps.setNull(7, Types.INTEGER);
            } else {
                ps.setInt(7, m.tokenCount());
            }
            ps.setBoolean(8, m.abuseFlagged());
            ps.setObject(9, createdAt);
            long[] digest = MessageDigests.hash(m);
            for (int lane = 0; lane < digest.length; lane++) {
                ps.setInt(10 + lane, (int) digest[lane]);
            }
            ps.addBatch();
        }
    }

    static OffsetDateTime bindable(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /**
     * Years of era unsigned (up to ten digits), so the server reads years past 9999 too; years before 1 get
     * {@code BC} appended by {@link #timestampText}.
     */
    private static final DateTimeFormatter TIMESTAMP_TEXT = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR_OF_ERA, 4, 10, SignStyle.NOT_NEGATIVE)
            .appendPattern("-MM-dd HH:mm:ss.SSS'+00'")
            .toFormatter(Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /**
     * An instant as {@code timestamptz} input text, for arrays of them ({@code unnest}), where the driver would
     * write {@link Instant#toString}, which the server refuses for years past 9999 ({@code +10000-…}) and before
     * 1. Exact to the millisecond, as every stored instant is.
     *
     * @param instant an instant, truncated to milliseconds
     * @return the text, in UTC
     */
    static String timestampText(Instant instant) {
        String text = TIMESTAMP_TEXT.format(instant);
        return instant.atOffset(ZoneOffset.UTC).getYear() < 1 ? text + " BC" : text;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static ObjectNode object(ResultSet rs, String column) throws SQLException {
        return (ObjectNode) PostgresJson.read(rs.getString(column));
    }

    static User user(ResultSet rs) throws SQLException {
        return new User(
                rs.getObject("id", UUID.class),
                rs.getString("clerk_id"),
                rs.getString("email"),
                rs.getString("name"),
                object(rs, "profile"),
                object(rs, "preferences"),
                UserStatus.fromWireName(rs.getString("status")),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "last_active_at"),
                rs.getLong("version"));
    }

    static ChatSession session(ResultSet rs) throws SQLException {
        return session(rs, "");
    }

    static ChatSession session(ResultSet rs, String p) throws SQLException {
        return new ChatSession(
                rs.getObject(p + "id", UUID.class),
                rs.getString(p + "chat_id"),
                rs.getObject(p + "user_id", UUID.class),
                rs.getString(p + "title"),
                rs.getString(p + "profile"),
                object(rs, p + "metadata"),
                SessionStatus.fromWireName(rs.getString(p + "status")),
                instant(rs, p + "created_at"),
                instant(rs, p + "updated_at"),
                instant(rs, p + "last_message_at"),
                rs.getLong(p + "message_count"),
                rs.getLong(p + "version"));
    }

    static Message message(ResultSet rs) throws SQLException {
        return message(rs, "");
    }

    static Message message(ResultSet rs, String p) throws SQLException {
        int tokens = rs.getInt(p + "token_count");
        Integer tokenCount = rs.wasNull() ? null : tokens;
        return new Message(
                rs.getObject(p + "id", UUID.class),
                rs.getObject(p + "chat_session_id", UUID.class),
                rs.getLong(p + "sequence_number"),
                Role.fromWireName(rs.getString(p + "role")),
                rs.getString(p + "content"),
                object(rs, p + "metadata"),
                tokenCount,
                rs.getBoolean(p + "abuse_flagged"),
                instant(rs, p + "created_at"));
    }

    static MessageVote vote(ResultSet rs) throws SQLException {
        return new MessageVote(
                rs.getObject("message_id", UUID.class),
                rs.getObject("chat_session_id", UUID.class),
                rs.getLong("sequence_number"),
                rs.getObject("user_id", UUID.class),
                Vote.fromWireName(rs.getString("vote")),
                instant(rs, "voted_at"));
    }

    static TokenUsage tokenUsage(ResultSet rs) throws SQLException {
        long cost = rs.getLong("cost_micros");
        Long costMicros = rs.wasNull() ? null : cost;
        return new TokenUsage(
                rs.getObject("id", UUID.class),
                rs.getObject("message_id", UUID.class),
                rs.getObject("session_id", UUID.class),
                rs.getLong("sequence_number"),
                rs.getObject("user_id", UUID.class),
                rs.getString("model"),
                rs.getLong("prompt_tokens"),
                rs.getLong("completion_tokens"),
                costMicros,
                rs.getString("currency"),
                instant(rs, "created_at"));
    }

    static MemoryEntry memory(ResultSet rs) throws SQLException {
        return new MemoryEntry(
                rs.getObject("user_id", UUID.class),
                rs.getString("memory_type"),
                rs.getString("key"),
                PostgresJson.read(rs.getString("value")),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "expires_at"),
                rs.getLong("version"));
    }
}
