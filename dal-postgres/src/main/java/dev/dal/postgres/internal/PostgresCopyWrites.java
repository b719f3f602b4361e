package dev.dal.postgres.internal;

import dev.dal.api.Message;
import dev.dal.api.spi.RecordTrees;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The large bulk upserts of {@link PostgresBulkWrites}, through {@code COPY}: the rows stream into a staging
 * table in {@link PostgresCopyText text format}, then one {@code INSERT … SELECT} moves them into the table
 * with the same conflict rule as the row-by-row statement. The staging table is a temporary table of the
 * connection's session ({@code ON COMMIT DELETE ROWS}), created once per pooled connection and empty between
 * transactions; the statement that moves the rows deletes them from it too ({@code WITH staged AS (DELETE …
 * RETURNING …)}), so two upserts in one transaction never see each other's rows. A transaction that rolls back
 * rolls back the staged rows with it (and the staging table, if it created it).
 *
 * <p>Bounds: {@code COPY} is one statement under the server's {@code statement_timeout}, and the reply to its
 * end is read under the connection's network timeout, as every statement's is.
 */
final class PostgresCopyWrites {
    private static final String MESSAGE_COLUMNS =
            "id, chat_session_id, sequence_number, role, content, metadata, token_count, abuse_flagged, created_at";

    /** Flush the text to the server every this many characters, so a batch's text never piles up whole. */
    private static final int FLUSH_CHARS = 1 << 16;

    private PostgresCopyWrites() {}

    /**
     * @param messages a bulk upsert's messages
     * @return whether {@link #upsertMessages} can write every one of them (its timestamps in years 1 to 9999)
     */
    static boolean copyable(List<Message> messages) {
        for (Message m : messages) {
            if (!PostgresCopyText.writable(m.createdAt())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Bulk upsert by id through {@code COPY}: inserts, or replaces the stored message. Of messages sharing an
     * id, the last one given is the one stored, as if they had been written one after another.
     *
     * @param h the running transaction's handle
     * @param messages {@link #copyable} messages
     * @return the rows inserted or replaced
     */
    static int upsertMessages(Handle h, List<Message> messages) {
        List<Message> rows = lastPerId(messages);
        try {
            Connection c = h.getConnection();
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE IF NOT EXISTS dal_staged_messages (LIKE messages) ON COMMIT DELETE ROWS");
            }
            CopyIn in = c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY dal_staged_messages (" + MESSAGE_COLUMNS + ") FROM STDIN");
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
            try (Statement st = c.createStatement()) {
                return st.executeUpdate("WITH staged AS (DELETE FROM dal_staged_messages RETURNING " + MESSAGE_COLUMNS
                        + ") INSERT INTO messages (" + MESSAGE_COLUMNS + ") SELECT " + MESSAGE_COLUMNS
                        + " FROM staged ON CONFLICT (id) DO UPDATE SET " + PostgresBulkWrites.MESSAGE_REPLACE);
            }
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    private static void write(CopyIn in, PostgresCopyText text) throws SQLException {
        byte[] bytes = text.drain();
        in.writeToCopy(bytes, 0, bytes.length);
    }

    /**
     * {@code ON CONFLICT DO UPDATE} refuses to touch one row twice in one statement, where the row-by-row
     * statement replaced it in turn: keep the last message of each id, in order.
     */
    private static List<Message> lastPerId(List<Message> messages) {
        Map<UUID, Integer> last = new HashMap<>(messages.size() * 2);
        for (int i = 0; i < messages.size(); i++) {
            last.put(messages.get(i).id(), i);
        }
        if (last.size() == messages.size()) {
            return messages;
        }
        List<Message> kept = new ArrayList<>(last.size());
        for (int i = 0; i < messages.size(); i++) {
            if (last.get(messages.get(i).id()) == i) {
                kept.add(messages.get(i));
            }
        }
        return kept;
    }
}
