package dev.dal.postgres.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.VoteKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The upsert statements of {@link PostgresBulkAccess}. They go as batches (the driver rewrites a batch into
 * multi-row INSERTs) and replace a stored record only at a newer version, decided in the statement that
 * writes it; checking and clearing tombstones is the caller's. Large batches of new messages and sessions go
 * by {@code COPY} instead ({@link PostgresCopyWrites}), and store the same rows. Votes and token usage go as one statement per
 * batch over arrays of their values ({@code unnest}).
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

    /**
     * The exact votes of a batch in one statement. The given rows ({@code unnest}, with their place in the batch)
     * are joined with the message at their session and number, which must carry their message id, and with their
     * user, so a vote whose parent is missing matches nothing and is skipped. The parents found are locked
     * {@code FOR KEY SHARE}: a deletion committed meanwhile makes the lock skip its row (READ COMMITTED) instead of
     * the foreign key failing the statement, and so the caller's running transaction; a later deletion waits for
     * the batch and takes its votes along. A batch naming one vote twice keeps the later one, as if upserted in
     * order ({@code ON CONFLICT} cannot update one row twice in a statement). Rows are written in key order, so
     * two batches racing on the same votes wait for each other instead of deadlocking.
     */
    private static final String UPSERT_VOTES = "WITH found AS (SELECT m.id AS message_id, u.id AS user_id, g.vote, "
            + "g.voted_at, g.i FROM unnest(?::uuid[], ?::uuid[], ?::int8[], ?::uuid[], ?::text[], ?::timestamptz[]) "
            + "WITH ORDINALITY AS g(message_id, session_id, sequence_number, user_id, vote, voted_at, i) "
            + "JOIN messages m ON m.chat_session_id = g.session_id AND m.sequence_number = g.sequence_number "
            + "AND m.id = g.message_id JOIN users u ON u.id = g.user_id "
            + "ORDER BY m.id, u.id FOR KEY SHARE OF m, u) "
            + "INSERT INTO message_votes (message_id, user_id, vote, voted_at) "
            + "SELECT DISTINCT ON (message_id, user_id) message_id, user_id, vote, voted_at FROM found "
            + "ORDER BY message_id, user_id, i DESC "
            + "ON CONFLICT (message_id, user_id) DO UPDATE SET vote = EXCLUDED.vote, voted_at = EXCLUDED.voted_at";

    /**
     * Bulk upsert of exact votes by (message, user), verdict and time as given; votes whose message or user is not
     * stored are skipped.
     *
     * @return how many votes were written
     */
    static int upsertVotes(Handle h, List<MessageVote> votes) {
        if (votes.isEmpty()) {
            return 0;
        }
        int n = votes.size();
        Object[] messageIds = new Object[n];
        Object[] sessionIds = new Object[n];
        Object[] sequenceNumbers = new Object[n];
        Object[] userIds = new Object[n];
        Object[] verdicts = new Object[n];
        Object[] votedAt = new Object[n];
        for (int i = 0; i < n; i++) {
            MessageVote v = votes.get(i);
            messageIds[i] = v.messageId();
            sessionIds[i] = v.sessionId();
            sequenceNumbers[i] = v.sequenceNumber();
            userIds[i] = v.userId();
            verdicts[i] = v.vote().wireName();
            votedAt[i] = PostgresRows.timestampText(v.votedAt());
        }
        try (PreparedStatement ps = h.getConnection().prepareStatement(UPSERT_VOTES)) {
            Connection c = ps.getConnection();
            ps.setArray(1, c.createArrayOf("uuid", messageIds));
            ps.setArray(2, c.createArrayOf("uuid", sessionIds));
            ps.setArray(3, c.createArrayOf("int8", sequenceNumbers));
            ps.setArray(4, c.createArrayOf("uuid", userIds));
            ps.setArray(5, c.createArrayOf("text", verdicts));
            ps.setArray(6, c.createArrayOf("text", votedAt));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    /**
     * The votes named by session, number and user, deleted in one statement. They are locked first in key order,
     * as {@link #UPSERT_VOTES} writes them, so a deletion and an upsert of the same votes never deadlock.
     */
    private static final String DELETE_VOTES = "WITH doomed AS (SELECT v.message_id, v.user_id FROM message_votes v "
            + "JOIN messages m ON m.id = v.message_id "
            + "JOIN unnest(?::uuid[], ?::int8[], ?::uuid[]) AS k(session_id, sequence_number, user_id) "
            + "ON m.chat_session_id = k.session_id AND m.sequence_number = k.sequence_number AND v.user_id = k.user_id "
            + "ORDER BY v.message_id, v.user_id FOR UPDATE OF v) "
            + "DELETE FROM message_votes v USING doomed d WHERE v.message_id = d.message_id AND v.user_id = d.user_id";

    /**
     * Deletes the votes the keys name, whatever their verdict; keys naming no stored vote match nothing.
     *
     * @return how many votes were deleted
     */
    static int deleteVotes(Handle h, List<VoteKey> keys) {
        if (keys.isEmpty()) {
            return 0;
        }
        int n = keys.size();
        Object[] sessionIds = new Object[n];
        Object[] sequenceNumbers = new Object[n];
        Object[] userIds = new Object[n];
        for (int i = 0; i < n; i++) {
            VoteKey k = keys.get(i);
            sessionIds[i] = k.sessionId();
            sequenceNumbers[i] = k.sequenceNumber();
            userIds[i] = k.userId();
        }
        try (PreparedStatement ps = h.getConnection().prepareStatement(DELETE_VOTES)) {
            Connection c = ps.getConnection();
            ps.setArray(1, c.createArrayOf("uuid", sessionIds));
            ps.setArray(2, c.createArrayOf("int8", sequenceNumbers));
            ps.setArray(3, c.createArrayOf("uuid", userIds));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    /**
     * The exact usage records of a batch in one statement, as {@link #UPSERT_VOTES} writes votes. The given rows
     * ({@code unnest}, with their place in the batch) are joined with the message at their session and number,
     * which must carry their message id, and with their user, so a record whose parent is missing matches nothing
     * and is skipped; the parents found are locked {@code FOR KEY SHARE}, so a deletion committed meanwhile skips
     * the record instead of failing the foreign key, and a later one waits for the batch and takes the record
     * along. A record of a stored id replaces it whole. A batch naming one id twice keeps the later record, and
     * rows are written in id order, so two batches racing on the same records wait for each other instead of
     * deadlocking.
     */
    private static final String UPSERT_TOKEN_USAGE = "WITH found AS (SELECT g.id, m.id AS message_id, "
            + "m.chat_session_id AS session_id, m.sequence_number, u.id AS user_id, g.model, g.prompt_tokens, "
            + "g.completion_tokens, g.cost_micros, g.currency, g.created_at, g.i "
            + "FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::int8[], ?::uuid[], ?::text[], ?::int8[], ?::int8[], "
            + "?::int8[], ?::text[], ?::timestamptz[]) WITH ORDINALITY AS g(id, message_id, session_id, "
            + "sequence_number, user_id, model, prompt_tokens, completion_tokens, cost_micros, currency, created_at, i) "
            + "JOIN messages m ON m.chat_session_id = g.session_id AND m.sequence_number = g.sequence_number "
            + "AND m.id = g.message_id JOIN users u ON u.id = g.user_id "
            + "ORDER BY g.id, g.i FOR KEY SHARE OF m, u) "
            + "INSERT INTO token_usage (id, message_id, session_id, sequence_number, user_id, model, prompt_tokens, "
            + "completion_tokens, cost_micros, currency, created_at) "
            + "SELECT DISTINCT ON (id) id, message_id, session_id, sequence_number, user_id, model, prompt_tokens, "
            + "completion_tokens, cost_micros, currency, created_at FROM found ORDER BY id, i DESC "
            + "ON CONFLICT (id) DO UPDATE SET message_id = EXCLUDED.message_id, session_id = EXCLUDED.session_id, "
            + "sequence_number = EXCLUDED.sequence_number, user_id = EXCLUDED.user_id, model = EXCLUDED.model, "
            + "prompt_tokens = EXCLUDED.prompt_tokens, completion_tokens = EXCLUDED.completion_tokens, "
            + "cost_micros = EXCLUDED.cost_micros, currency = EXCLUDED.currency, created_at = EXCLUDED.created_at";

    /**
     * Bulk upsert of exact usage records by id, every field as given; records whose message or user is not stored
     * are skipped.
     *
     * @return how many records were written
     */
    static int upsertTokenUsage(Handle h, List<TokenUsage> usage) {
        if (usage.isEmpty()) {
            return 0;
        }
        int n = usage.size();
        Object[] ids = new Object[n];
        Object[] messageIds = new Object[n];
        Object[] sessionIds = new Object[n];
        Object[] sequenceNumbers = new Object[n];
        Object[] userIds = new Object[n];
        Object[] models = new Object[n];
        Object[] promptTokens = new Object[n];
        Object[] completionTokens = new Object[n];
        Object[] costMicros = new Object[n];
        Object[] currencies = new Object[n];
        Object[] createdAt = new Object[n];
        for (int i = 0; i < n; i++) {
            TokenUsage u = usage.get(i);
            ids[i] = u.id();
            messageIds[i] = u.messageId();
            sessionIds[i] = u.sessionId();
            sequenceNumbers[i] = u.sequenceNumber();
            userIds[i] = u.userId();
            models[i] = u.model();
            promptTokens[i] = u.promptTokens();
            completionTokens[i] = u.completionTokens();
            costMicros[i] = u.costMicros();
            currencies[i] = u.currency();
            createdAt[i] = PostgresRows.timestampText(u.createdAt());
        }
        try (PreparedStatement ps = h.getConnection().prepareStatement(UPSERT_TOKEN_USAGE)) {
            Connection c = ps.getConnection();
            ps.setArray(1, c.createArrayOf("uuid", ids));
            ps.setArray(2, c.createArrayOf("uuid", messageIds));
            ps.setArray(3, c.createArrayOf("uuid", sessionIds));
            ps.setArray(4, c.createArrayOf("int8", sequenceNumbers));
            ps.setArray(5, c.createArrayOf("uuid", userIds));
            ps.setArray(6, c.createArrayOf("text", models));
            ps.setArray(7, c.createArrayOf("int8", promptTokens));
            ps.setArray(8, c.createArrayOf("int8", completionTokens));
            ps.setArray(9, c.createArrayOf("int8", costMicros));
            ps.setArray(10, c.createArrayOf("text", currencies));
            ps.setArray(11, c.createArrayOf("text", createdAt));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    /**
     * The usage records named by id, deleted in one statement. They are locked first in id order, as
     * {@link #UPSERT_TOKEN_USAGE} writes them, so a deletion and an upsert of the same records never deadlock.
     */
    private static final String DELETE_TOKEN_USAGE = "WITH doomed AS (SELECT t.id FROM token_usage t "
            + "WHERE t.id = ANY (?::uuid[]) ORDER BY t.id FOR UPDATE OF t) "
            + "DELETE FROM token_usage t USING doomed d WHERE t.id = d.id";

    /**
     * Deletes the usage records of the ids; ids naming no stored record match nothing.
     *
     * @return how many records were deleted
     */
    static int deleteTokenUsage(Handle h, List<UUID> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = h.getConnection().prepareStatement(DELETE_TOKEN_USAGE)) {
            ps.setArray(1, ps.getConnection().createArrayOf("uuid", ids.toArray()));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    private static int sum(int[] counts) {
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        return total;
    }
}
