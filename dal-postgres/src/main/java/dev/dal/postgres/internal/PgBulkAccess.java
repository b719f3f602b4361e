package dev.dal.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.ChatSession;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Bulk scan and upsert for PostgreSQL: keyset scans over the primary and unique indexes, and
 * batched {@code INSERT … ON CONFLICT} upserts, which the driver sends as multi-row INSERTs
 * ({@code reWriteBatchedInserts}). Each upsert batch is one transaction.
 */
final class PgBulkAccess implements BulkAccess {
    private final PgStore store;
    private final ObjectMapper json = JsonValues.newMapper();

    PgBulkAccess(PgStore store) {
        this.store = store;
    }

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        UUID after = cursor == null ? null : uuid(cursor);
        List<User> users = store.read("scanUsers", h -> h.createQuery("SELECT " + PgRows.USER_COLUMNS + " FROM users"
                        + (after == null ? "" : " WHERE id > :after") + " ORDER BY id LIMIT :n")
                .bind("after", after).bind("n", batchSize).map((rs, ctx) -> PgRows.user(rs)).list());
        return batch(users, batchSize, u -> u.id().toString());
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        UUID after = cursor == null ? null : uuid(cursor);
        List<ChatSession> sessions = store.read("scanSessions", h -> h.createQuery("SELECT " + PgRows.SESSION_COLUMNS
                        + " FROM chat_sessions" + (after == null ? "" : " WHERE id > :after") + " ORDER BY id LIMIT :n")
                .bind("after", after).bind("n", batchSize).map((rs, ctx) -> PgRows.session(rs)).list());
        return batch(sessions, batchSize, s -> s.id().toString());
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        String[] parts = cursor == null ? null : cursor.split("/", 2);
        UUID session = parts == null ? null : uuid(parts[0]);
        long seq = parts == null ? 0 : sequence(parts);
        List<Message> messages = store.read("scanMessages", h -> h.createQuery("SELECT " + PgRows.MESSAGE_COLUMNS
                        + " FROM messages" + (session == null ? "" : " WHERE (chat_session_id, sequence_number) > (:sid, :seq)")
                        + " ORDER BY chat_session_id, sequence_number LIMIT :n")
                .bind("sid", session).bind("seq", seq).bind("n", batchSize).map((rs, ctx) -> PgRows.message(rs)).list());
        return batch(messages, batchSize, m -> m.sessionId() + "/" + m.sequenceNumber());
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        String[] key = cursor == null ? null : memoryKey(cursor);
        List<MemoryEntry> entries = store.read("scanMemory", h -> {
            var query = h.createQuery("SELECT " + PgRows.MEMORY_COLUMNS + " FROM user_memory"
                    + (key == null ? "" : " WHERE (user_id, memory_type, key) > (:u, :t, :k)")
                    + " ORDER BY user_id, memory_type, key LIMIT :n").bind("n", batchSize);
            if (key != null) {
                query.bind("u", uuid(key[0])).bind("t", key[1]).bind("k", key[2]);
            }
            return query.map((rs, ctx) -> PgRows.memory(rs)).list();
        });
        return batch(entries, batchSize, e -> {
            try {
                return json.writeValueAsString(new String[] {e.userId().toString(), e.memoryType(), e.key()});
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    private static <T> ScanBatch<T> batch(List<T> items, int batchSize, Function<T, String> cursorOf) {
        return new ScanBatch<>(items, items.size() < batchSize ? null : cursorOf.apply(items.get(items.size() - 1)));
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
    }

    private static long sequence(String[] parts) {
        try {
            return Long.parseLong(parts[1]);
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw badCursor();
        }
    }

    private String[] memoryKey(String cursor) {
        try {
            String[] key = json.readValue(cursor, String[].class);
            if (key.length == 3) {
                return key;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw badCursor();
    }

    private static ValidationException badCursor() {
        return new ValidationException("cursor", "is not a cursor this store returned");
    }

    @Override
    public void upsertUsers(List<User> users) {
        store.write("upsertUsers", h -> PgWrites.upsertUsers(h, users, true));
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        store.write("upsertSessions", h -> PgWrites.upsertSessions(h, sessions, true));
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        store.write("upsertMessages", h -> PgWrites.upsertMessages(h, messages, true));
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        store.write("upsertMemory", h -> PgWrites.upsertMemory(h, entries));
    }
}
