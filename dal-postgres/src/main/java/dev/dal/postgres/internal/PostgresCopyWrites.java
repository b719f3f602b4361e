package dev.dal.postgres.internal;

import dev.dal.api.Message;
import dev.dal.api.spi.RecordTrees;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The large message upserts of {@link PostgresBulkWrites} whose messages are all new (the common case of a copy
 * into a new store), through {@code COPY} straight into {@code messages}, in {@link PostgresCopyText text
 * format}. Whether they are new is decided twice: a sample of their ids is looked up first (a batch with a
 * stored one goes back to the batched INSERT at once), and the {@code COPY} runs under a savepoint, so a stored
 * id the sample missed, or one a concurrent writer stored meanwhile, fails it on the primary key, rolls back to
 * the savepoint, and the batch goes back to the batched INSERT, whose conflict rule decides as it always did.
 * A batch that repeats an id goes back to it too. What is stored is the same either way.
 *
 * <p>A staging table ({@code COPY} into a temporary table, then one {@code INSERT … SELECT … ON CONFLICT}) was
 * measured for the batches with stored messages and lost to the batched INSERT at the copy's 1,000-message
 * batches (see the README), so stored messages keep that statement.
 *
 * <p>Bounds: {@code COPY} is one statement under the server's {@code statement_timeout}, and the reply to its
 * end is read under the connection's network timeout, as every statement's is.
 */
final class PostgresCopyWrites {
    private static final String COPY_MESSAGES = "COPY messages (id, chat_session_id, sequence_number, role, content, "
            + "metadata, token_count, abuse_flagged, created_at) FROM STDIN";

    /** Flush the text to the server every this many characters, so a batch's text never piles up whole. */
    private static final int FLUSH_CHARS = 1 << 16;

    /** How many of a batch's ids {@link #anyStored} looks up. */
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
    static boolean copyNew(Handle h, List<Message> messages) {
        if (!copyable(messages)) {
            return false;
        }
        try {
            Connection c = h.getConnection();
            if (anyStored(c, messages)) {
                return false;
            }
            Savepoint before = c.setSavepoint();
            try {
                copy(c, messages);
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // An id stored after all (or a sequence number taken, which the INSERT reports as it always did).
                c.rollback(before);
                return false;
            }
            c.releaseSavepoint(before);
            return true;
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    /** @return whether every message has distinct id and a timestamp {@link PostgresCopyText#writable} */
    private static boolean copyable(List<Message> messages) {
        Set<UUID> ids = new HashSet<>(messages.size() * 2);
        for (Message m : messages) {
            if (!PostgresCopyText.writable(m.createdAt()) || !ids.add(m.id())) {
                return false;
            }
        }
        return true;
    }

    /** @return whether one of a sample of the messages' ids (first, last and evenly between) is stored */
    private static boolean anyStored(Connection c, List<Message> messages) throws SQLException {
        int n = messages.size();
        int samples = Math.min(n, SAMPLE);
        Object[] ids = new Object[samples];
        for (int i = 0; i < samples; i++) {
            ids[i] = messages.get(samples == 1 ? 0 : (int) ((long) i * (n - 1) / (samples - 1)))
                    .id();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM messages WHERE id = ANY (?))")) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Streams the messages' rows to {@code COPY messages … FROM STDIN}; cancels it if anything fails. */
    private static void copy(Connection c, List<Message> rows) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_MESSAGES);
        try {
            PostgresCopyText text = new PostgresCopyText(Math.min(FLUSH_CHARS, 160 * rows.size()) + 1024);
            for (Message m : rows) {
                text.plain(m.id())
                        .plain(m.sessionId())
                        .number(m.sequenceNumber())
                        .string(m.role().wireName())
                        .string(m.content())
                        .string(PostgresJson.writeStored(RecordTrees.metadata(m)))
                        .plain(m.tokenCount())
                        .bool(m.abuseFlagged())
                        .instant(m.createdAt())
                        .endRow();
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
