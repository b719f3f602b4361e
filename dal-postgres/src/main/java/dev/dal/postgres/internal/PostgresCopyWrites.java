package dev.dal.postgres.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.Message;
import dev.dal.api.spi.MessageDigests;
import dev.dal.api.spi.RecordTrees;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The large message and session upserts of {@link PostgresBulkWrites} whose records are all new (the common case
 * of a copy into a new store), through {@code COPY} straight into the table, in {@link PostgresCopyText text
 * format}. Whether they are new is decided twice: a sample of their keys is looked up first (a batch with a
 * stored one goes back to the batched INSERT at once), and the {@code COPY} runs under a savepoint, so a stored
 * key the sample missed, or one a concurrent writer stored meanwhile, fails it on a unique index, rolls back to
 * the savepoint, and the batch goes back to the batched INSERT, whose conflict and version rule decides as it
 * always did. A batch that repeats a key goes back to it too. What is stored is the same either way: for a new
 * record, the INSERT's conflict rule has nothing to decide.
 *
 * <p>A staging table ({@code COPY} into a temporary table, then one {@code INSERT … SELECT … ON CONFLICT}) was
 * measured for the batches of stored messages and lost to the batched INSERT at the copy's 1,000-message
 * batches (see the README), so stored messages keep that statement.
 *
 * <p>Bounds: {@code COPY} is one statement under the server's {@code statement_timeout}, and the reply to its
 * end is read under the connection's network timeout, as every statement's is.
 */
final class PostgresCopyWrites {
    /** Flush the text to the server every this many characters, so a batch's text never piles up whole. */
    private static final int FLUSH_CHARS = 1 << 16;

    /** How many of a batch's keys the look-up before a {@code COPY} checks. */
    private static final int SAMPLE = 16;

    private static final String UNIQUE_VIOLATION = "23505";

    private PostgresCopyWrites() {}

    /**
     * Stores the messages by {@code COPY} if they are all new, or stores nothing.
     *
     * @param h the running transaction's handle
     * @param messages a bulk upsert's messages
     * @return whether they were stored; if not, nothing of them was, and the transaction can go on
     */
    static boolean copyNewMessages(Handle h, List<Message> messages) {
        for (Message m : messages) {
            if (!PostgresCopyText.writable(m.createdAt())) {
                return false;
            }
        }
        if (!distinct(messages, Message::id)) {
            return false;
        }
        return copyNew(
                h,
                "SELECT EXISTS (SELECT 1 FROM messages WHERE id = ANY (?))",
                List.of(new Sample<>("uuid", Message::id)),
                "COPY messages (id, chat_session_id, sequence_number, role, content, metadata, token_count, "
                        + "abuse_flagged, created_at, " + PostgresRows.MESSAGE_DIGEST_COLUMNS + ") FROM STDIN",
                messages,
                (text, m) -> {
                    text.plain(m.id())
                            .plain(m.sessionId())
                            .number(m.sequenceNumber())
                            .string(m.role().wireName())
                            .string(m.content())
                            .string(PostgresJson.writeStored(RecordTrees.metadata(m)))
                            .plain(m.tokenCount())
                            .bool(m.abuseFlagged())
                            .instant(m.createdAt());
                    for (long lane : MessageDigests.hash(m)) {
                        text.number(lane);
                    }
                });
    }

    /**
     * Stores the sessions, with their versions, by {@code COPY} if they are all new (neither their ids nor their
     * chat ids stored), or stores nothing.
     *
     * @param h the running transaction's handle
     * @param sessions a bulk upsert's sessions
     * @return whether they were stored; if not, nothing of them was, and the transaction can go on
     */
    static boolean copyNewSessions(Handle h, List<ChatSession> sessions) {
        for (ChatSession s : sessions) {
            if (!PostgresCopyText.writable(s.createdAt())
                    || !PostgresCopyText.writable(s.updatedAt())
                    || !PostgresCopyText.writable(s.lastMessageAt())) {
                return false;
            }
        }
        if (!distinct(sessions, ChatSession::id) || !distinct(sessions, ChatSession::chatId)) {
            return false;
        }
        return copyNew(
                h,
                "SELECT EXISTS (SELECT 1 FROM chat_sessions WHERE chat_id = ANY (?) OR id = ANY (?))",
                List.of(new Sample<>("text", ChatSession::chatId), new Sample<>("uuid", ChatSession::id)),
                "COPY chat_sessions (id, chat_id, user_id, title, profile, metadata, status, created_at, updated_at, "
                        + "last_message_at, message_count, version) FROM STDIN",
                sessions,
                (text, s) -> text.plain(s.id())
                        .string(s.chatId())
                        .plain(s.userId())
                        .string(s.title())
                        .string(s.profile())
                        .string(PostgresJson.writeStored(s.metadata()))
                        .string(s.status().wireName())
                        .instant(s.createdAt())
                        .instant(s.updatedAt())
                        .instant(s.lastMessageAt())
                        .number(s.messageCount())
                        .number(s.version()));
    }

    /** One key of a record that the look-up before a {@code COPY} binds as an array of a SQL type. */
    private record Sample<T>(String sqlType, Function<T, Object> key) {}

    /**
     * Looks up a sample of the records' keys; when none is stored, streams the records to the {@code COPY} under a
     * savepoint, and rolls back to it on a unique violation.
     *
     * @return whether the records were stored
     */
    private static <T> boolean copyNew(
            Handle h,
            String lookUp,
            List<Sample<T>> samples,
            String copy,
            List<T> records,
            BiConsumer<PostgresCopyText, T> row) {
        try {
            Connection c = h.getConnection();
            if (anyStored(c, lookUp, samples, records)) {
                return false;
            }
            Savepoint before = c.setSavepoint();
            try {
                copy(c, copy, records, row);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // A key stored after all (or another unique key taken, which the INSERT reports as it always did).
                c.rollback(before);
                return false;
            }
            c.releaseSavepoint(before);
            return true;
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    /** @return whether no two records share the key */
    private static <T, K> boolean distinct(List<T> records, Function<T, K> key) {
        Set<K> keys = new HashSet<>(records.size() * 2);
        for (T record : records) {
            if (!keys.add(key.apply(record))) {
                return false;
            }
        }
        return true;
    }

    /** @return whether one of a sample of the records' keys (first, last and evenly between) is stored */
    private static <T> boolean anyStored(Connection c, String lookUp, List<Sample<T>> samples, List<T> records)
            throws SQLException {
        int n = records.size();
        int taken = Math.min(n, SAMPLE);
        try (PreparedStatement ps = c.prepareStatement(lookUp)) {
            for (int k = 0; k < samples.size(); k++) {
                Object[] keys = new Object[taken];
                for (int i = 0; i < taken; i++) {
                    T record = records.get(taken == 1 ? 0 : (int) ((long) i * (n - 1) / (taken - 1)));
                    keys[i] = samples.get(k).key().apply(record);
                }
                ps.setArray(k + 1, c.createArrayOf(samples.get(k).sqlType(), keys));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Streams the records' rows to a {@code COPY … FROM STDIN}; cancels it if anything fails. */
    private static <T> void copy(Connection c, String sql, List<T> records, BiConsumer<PostgresCopyText, T> row)
            throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            PostgresCopyText text = new PostgresCopyText(Math.min(FLUSH_CHARS, 160 * records.size()) + 1024);
            for (T record : records) {
                row.accept(text, record);
                text.endRow();
                if (text.length() >= FLUSH_CHARS) {
                    write(in, text);
                }
            }
            write(in, text);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static void write(CopyIn in, PostgresCopyText text) throws SQLException {
        byte[] bytes = text.drain();
        in.writeToCopy(bytes, 0, bytes.length);
    }
}
