package dev.dal.neo4j.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    static final String UPSERT_MESSAGES = """
            UNWIND $rows AS row
            MATCH (s:ChatSession {id: row.session_id})
            MERGE (m:Message {id: row.id})
            SET m = row
            MERGE (s)-[:HAS_MESSAGE]->(m)
            WITH s, m
            CALL (s, m) {
              MATCH (other:ChatSession)-[r:HAS_MESSAGE]->(m)
              WHERE other <> s
              DELETE r
            }""";

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
        run(tx, UPSERT_MESSAGES, messages, Neo4jRecords::messageProps);
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
