package dev.dal.neo4j.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.neo4j.driver.TransactionContext;

/**
 * The exact-record upserts, one {@code UNWIND $rows} statement per chunk of rows: {@code MERGE} on
 * the record's key, then the whole property set replaced, so replaying a batch changes nothing.
 * Parents are checked first and a missing one raises {@link NotFoundException} before anything is
 * written. Labels and relationship types are constants; every value is a parameter.
 */
final class Neo4jWrites {
    /** Rows per statement: large enough to amortize the round trip, small enough for the server's memory. */
    static final int CHUNK = 5_000;

    static final String UPSERT_USERS = """
            UNWIND $rows AS row
            MERGE (u:User {id: row.id})
            SET u = row""";

    static final String UPSERT_SESSIONS = """
            UNWIND $rows AS row
            MERGE (s:ChatSession {id: row.props.id})
            SET s = row.props
            WITH s, row
            CALL (s, row) {
              OPTIONAL MATCH (old:User)-[r:HAS_CHAT_SESSION]->(s)
              WHERE row.user_id IS NULL OR old.id <> row.user_id
              DELETE r
            }
            WITH s, row
            CALL (s, row) {
              MATCH (u:User {id: row.user_id})
              MERGE (u)-[:HAS_CHAT_SESSION]->(s)
            }""";

    /**
     * Messages grouped by session: each session is looked up once per statement, every property is
     * named (a whole-map {@code SET m = row} makes the planner assume a conflict with every read and
     * add {@code Eager} barriers), and every lookup is a uniqueness-constraint seek. A message that
     * moves between sessions has lost its old relationship to {@link #DETACH_MOVED} first.
     */
    static final String UPSERT_MESSAGES = """
            UNWIND $groups AS g
            MATCH (s:ChatSession {id: g.session_id})
            UNWIND g.rows AS row
            MERGE (m:Message {id: row.id})
            SET m.session_id = g.session_id, m.sequence_number = row.sequence_number, m.role = row.role,
                m.content = row.content, m.metadata = row.metadata, m.token_count = row.token_count,
                m.abuse_flagged = row.abuse_flagged, m.created_at = row.created_at
            MERGE (s)-[:HAS_MESSAGE]->(m)""";

    /**
     * Set-wise: drops the relationships of messages that now belong to another session (usually
     * none). The hint pins the plan to one id seek per row: on young statistics the planner
     * otherwise scans the whole id index for every row, or starts from the sessions (measured: 9 to
     * 30 s instead of 50 ms for 5000 rows).
     */
    static final String DETACH_MOVED = """
            UNWIND $rows AS row
            MATCH (m:Message {id: row.id})
            USING INDEX SEEK m:Message(id)
            MATCH (old:ChatSession)-[r:HAS_MESSAGE]->(m)
            WHERE old.id <> row.session_id
            DELETE r""";

    static final String UPSERT_MEMORY = """
            UNWIND $rows AS row
            MATCH (u:User {id: row.user_id})
            MERGE (m:Memory {user_id: row.user_id, memory_type: row.memory_type, key: row.key})
            SET m = row
            MERGE (u)-[:HAS_MEMORY]->(m)""";

    private static final String MISSING_USERS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (u:User {id: id})
            WITH id, u WHERE u IS NULL
            RETURN id LIMIT 1""";

    private static final String MISSING_SESSIONS = """
            UNWIND $ids AS id
            OPTIONAL MATCH (s:ChatSession {id: id})
            WITH id, s WHERE s IS NULL
            RETURN id LIMIT 1""";

    private Neo4jWrites() {
    }

    static void upsertUsers(TransactionContext tx, List<User> users) {
        run(tx, UPSERT_USERS, users, Neo4jRecords::userProps);
    }

    static void upsertSessions(TransactionContext tx, List<ChatSession> sessions) {
        requireAll(tx, MISSING_USERS, "user", sessions.stream().filter(s -> s.userId() != null)
                .map(s -> s.userId().toString()).toList());
        run(tx, UPSERT_SESSIONS, sessions, s -> {
            Map<String, Object> row = new HashMap<>();
            row.put("props", Neo4jRecords.sessionProps(s));
            row.put("user_id", s.userId() == null ? null : s.userId().toString());
            return row;
        });
    }

    static void upsertMessages(TransactionContext tx, List<Message> messages) {
        requireAll(tx, MISSING_SESSIONS, "chat session", messages.stream().map(m -> m.sessionId().toString()).toList());
        // The last occurrence of an id wins, as if the batch ran row by row; grouping then cannot reorder a move.
        Map<UUID, Message> last = new LinkedHashMap<>();
        for (Message m : messages) {
            last.remove(m.id());
            last.put(m.id(), m);
        }
        List<Message> distinct = new ArrayList<>(last.values());
        for (int from = 0; from < distinct.size(); from += CHUNK) {
            List<Message> chunk = distinct.subList(from, Math.min(distinct.size(), from + CHUNK));
            List<Map<String, Object>> keys = new ArrayList<>(chunk.size());
            Map<String, List<Map<String, Object>>> bySession = new LinkedHashMap<>();
            for (Message m : chunk) {
                String sessionId = m.sessionId().toString();
                keys.add(Map.of("id", m.id().toString(), "session_id", sessionId));
                bySession.computeIfAbsent(sessionId, k -> new ArrayList<>()).add(Neo4jRecords.messageProps(m));
            }
            List<Map<String, Object>> groups = new ArrayList<>(bySession.size());
            bySession.forEach((sessionId, rows) -> groups.add(Map.of("session_id", sessionId, "rows", rows)));
            tx.run(DETACH_MOVED, Map.of("rows", keys)).consume();
            tx.run(UPSERT_MESSAGES, Map.of("groups", groups)).consume();
        }
    }

    static void upsertMemory(TransactionContext tx, List<MemoryEntry> entries) {
        requireAll(tx, MISSING_USERS, "user", entries.stream().map(e -> e.userId().toString()).toList());
        run(tx, UPSERT_MEMORY, entries, Neo4jRecords::memoryProps);
    }

    private static <T> void run(TransactionContext tx, String cypher, List<T> records,
            Function<T, Map<String, Object>> toRow) {
        for (int from = 0; from < records.size(); from += CHUNK) {
            List<T> chunk = records.subList(from, Math.min(records.size(), from + CHUNK));
            List<Map<String, Object>> rows = new ArrayList<>(chunk.size());
            for (T record : chunk) {
                rows.add(toRow.apply(record));
            }
            tx.run(cypher, Map.of("rows", rows)).consume();
        }
    }

    private static void requireAll(TransactionContext tx, String cypher, String kind, List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        Set<String> distinct = new LinkedHashSet<>(ids);
        var missing = tx.run(cypher, Map.of("ids", new ArrayList<>(distinct))).list();
        if (!missing.isEmpty()) {
            throw NotFoundException.of(kind, missing.get(0).get("id").asString());
        }
    }
}
