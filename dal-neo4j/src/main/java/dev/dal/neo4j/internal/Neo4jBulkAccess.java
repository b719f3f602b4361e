package dev.dal.neo4j.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.ChatSession;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Bulk scan and upsert for Neo4j: keyset scans in id order over the uniqueness constraints'
 * indexes (no {@code SKIP}), and {@code UNWIND $rows} upserts ({@link Neo4jWrites}), conditional on the
 * records' versions and their keys' tombstones. Each upsert batch is one transaction. Scans match the
 * record labels only, so they never see a tombstone.
 */
final class Neo4jBulkAccess implements BulkAccess {
    private static final String SCAN_USERS = "MATCH (u:User) WHERE u.id > $after RETURN u ORDER BY u.id LIMIT $n";

    private static final String SCAN_SESSIONS = """
            MATCH (s:ChatSession) WHERE s.id > $after
            WITH s ORDER BY s.id LIMIT $n
            OPTIONAL MATCH (u:User)-[:HAS_CHAT_SESSION]->(s)
            RETURN s, u.id AS user_id ORDER BY s.id""";

    /** The rest of the cursor's session, then the sessions after it: two index-ordered seeks, no OR. */
    private static final String SCAN_MESSAGES = """
            CALL () {
              MATCH (m:Message) WHERE m.session_id = $sid AND m.sequence_number > $seq
              RETURN m ORDER BY m.sequence_number LIMIT $n
              UNION ALL
              MATCH (m:Message) WHERE m.session_id > $sid AND m.sequence_number IS NOT NULL
              RETURN m ORDER BY m.session_id, m.sequence_number LIMIT $n
            }
            RETURN m ORDER BY m.session_id, m.sequence_number LIMIT $n""";

    private static final String SCAN_MEMORY = """
            MATCH (m:Memory)
            WHERE m.user_id > $u OR (m.user_id = $u AND (m.memory_type > $t OR (m.memory_type = $t AND m.key > $k)))
            RETURN m ORDER BY m.user_id, m.memory_type, m.key LIMIT $n""";

    private final Neo4jStore store;
    private final ObjectMapper json = JsonValues.newMapper();

    Neo4jBulkAccess(Neo4jStore store) {
        this.store = store;
    }

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        String after = cursor == null ? "" : uuid(cursor).toString();
        List<User> users = store.read("scanUsers", tx -> tx.run(SCAN_USERS, Map.of("after", after, "n", batchSize))
                .list(r -> Neo4jRecords.user(r.get("u").asNode())));
        return batch(users, batchSize, u -> u.id().toString());
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        String after = cursor == null ? "" : uuid(cursor).toString();
        List<ChatSession> sessions = store.read("scanSessions", tx -> tx.run(SCAN_SESSIONS,
                Map.of("after", after, "n", batchSize)).list(Neo4jStore::session));
        return batch(sessions, batchSize, s -> s.id().toString());
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        String[] parts = cursor == null ? null : cursor.split("/", 2);
        String session = parts == null ? "" : uuid(parts[0]).toString();
        long seq = parts == null ? Long.MAX_VALUE : sequence(parts);
        List<Message> messages = store.read("scanMessages", tx -> tx.run(SCAN_MESSAGES,
                Map.of("sid", session, "seq", seq, "n", batchSize)).list(r -> Neo4jRecords.message(r.get("m").asNode())));
        return batch(messages, batchSize, m -> m.sessionId() + "/" + m.sequenceNumber());
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        String[] key = cursor == null ? new String[] {"", "", ""} : memoryKey(cursor);
        Map<String, Object> p = new HashMap<>();
        p.put("u", key[0]);
        p.put("t", key[1]);
        p.put("k", key[2]);
        p.put("n", batchSize);
        List<MemoryEntry> entries = store.read("scanMemory", tx -> tx.run(SCAN_MEMORY, p)
                .list(r -> Neo4jRecords.memory(r.get("m").asNode())));
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
            UUID id = UUID.fromString(text);
            if (id.toString().equals(text)) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw badCursor();
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
            if (key != null && key.length == 3 && key[0] != null && key[1] != null && key[2] != null) {
                uuid(key[0]);
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
        store.write("upsertUsers", tx -> {
            Neo4jWrites.upsertUsers(tx, users, false);
            return null;
        });
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        store.write("upsertSessions", tx -> {
            Neo4jWrites.upsertSessions(tx, sessions, false);
            return null;
        });
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        store.write("upsertMessages", tx -> {
            Neo4jWrites.upsertMessages(tx, messages);
            return null;
        });
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        store.write("upsertMemory", tx -> {
            Neo4jWrites.upsertMemory(tx, entries, false);
            return null;
        });
    }

    @Override
    public void overwriteUsers(List<User> users) {
        store.write("overwriteUsers", tx -> {
            Neo4jWrites.upsertUsers(tx, users, true);
            return null;
        });
    }

    @Override
    public void overwriteSessions(List<ChatSession> sessions) {
        store.write("overwriteSessions", tx -> {
            Neo4jWrites.upsertSessions(tx, sessions, true);
            return null;
        });
    }

    @Override
    public void overwriteMemory(List<MemoryEntry> entries) {
        store.write("overwriteMemory", tx -> {
            Neo4jWrites.upsertMemory(tx, entries, true);
            return null;
        });
    }

    @Override
    public List<Tombstone> findTombstones(Collection<RecordKey> keys) {
        return store.read("findTombstones", tx -> Neo4jWrites.findTombstones(tx, keys));
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        store.write("upsertTombstones", tx -> {
            Neo4jWrites.upsertTombstones(tx, tombstones);
            return null;
        });
    }
}
