package dev.dal.migration.bench;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.RecordTrees;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * The Neo4j baseline of {@link DocumentGraphCopyBenchmark}: the source's records, read through the same scans,
 * written with one {@code UNWIND $rows AS r CREATE ...} per page of {@link BenchSupport#BATCH}, each page its own
 * transaction, as the nodes, relationships and properties Dal writes: {@code User}, {@code ChatSession} under its
 * owner by {@code HAS_CHAT_SESSION}, {@code Message} under its session by {@code HAS_MESSAGE}, {@code Memory} under its
 * owner by {@code HAS_MEMORY}; times as UTC {@code DATETIME}s, JSON as text, an absent value as no property.
 */
final class Neo4jRawCopy {
    private static final String USERS = "UNWIND $rows AS r CREATE (u:User) SET u = r";
    private static final String SESSIONS = """
            UNWIND $rows AS r
            CREATE (s:ChatSession) SET s = r.props
            WITH r, s
            MATCH (u:User {id: r.user_id})
            CREATE (u)-[:HAS_CHAT_SESSION]->(s)""";
    private static final String MESSAGES = """
            UNWIND $rows AS r
            MATCH (s:ChatSession {id: r.session_id})
            CREATE (s)-[:HAS_MESSAGE]->(:Message {id: r.id, session_id: r.session_id,
                sequence_number: r.sequence_number, role: r.role, content: r.content, metadata: r.metadata,
                token_count: r.token_count, abuse_flagged: r.abuse_flagged, created_at: r.created_at})""";
    private static final String MEMORY = """
            UNWIND $rows AS r
            MATCH (u:User {id: r.user_id})
            CREATE (u)-[:HAS_MEMORY]->(m:Memory) SET m = r""";

    private Neo4jRawCopy() {}

    /**
     * @param source the store to read
     * @param driver a driver on the server to write, its constraints and indexes made by a Dal store first
     * @return how many records were written
     */
    static long copy(DataAccess source, Driver driver) {
        try (Session session = driver.session()) {
            long records = 0;
            records += create(session, USERS, c -> source.bulk().scanUsers(c, BenchSupport.BATCH), Neo4jRawCopy::user);
            records += create(
                    session, SESSIONS, c -> source.bulk().scanSessions(c, BenchSupport.BATCH), Neo4jRawCopy::session);
            records += create(
                    session, MESSAGES, c -> source.bulk().scanMessages(c, BenchSupport.BATCH), Neo4jRawCopy::message);
            records +=
                    create(session, MEMORY, c -> source.bulk().scanMemory(c, BenchSupport.BATCH), Neo4jRawCopy::memory);
            return records;
        }
    }

    private static <T> long create(
            Session session, String cypher, Function<String, ScanBatch<T>> scan, Function<T, Map<String, Object>> row) {
        return BenchSupport.scanAll(scan, page -> {
            List<Map<String, Object>> rows = new ArrayList<>(page.size());
            for (T record : page) {
                rows.add(row.apply(record));
            }
            session.executeWriteWithoutResult(
                    tx -> tx.run(cypher, Map.of("rows", rows)).consume());
        });
    }

    private static Map<String, Object> user(User u) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", u.id().toString());
        p.put("external_id", u.externalId());
        p.put("email", u.email());
        p.put("name", u.name());
        p.put("profile", JsonValues.write(u.profile()));
        p.put("preferences", JsonValues.write(u.preferences()));
        p.put("status", u.status().wireName());
        p.put("created_at", time(u.createdAt()));
        p.put("updated_at", time(u.updatedAt()));
        p.put("last_active_at", time(u.lastActiveAt()));
        p.put("version", u.version());
        return p;
    }

    private static Map<String, Object> session(ChatSession s) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", s.id().toString());
        p.put("chat_id", s.chatId());
        p.put("title", s.title());
        p.put("profile", s.profile());
        p.put("metadata", JsonValues.write(s.metadata()));
        p.put("status", s.status().wireName());
        p.put("created_at", time(s.createdAt()));
        p.put("updated_at", time(s.updatedAt()));
        p.put("last_message_at", time(s.lastMessageAt()));
        p.put("message_count", s.messageCount());
        p.put("version", s.version());
        Map<String, Object> row = new HashMap<>();
        row.put("props", p);
        row.put("user_id", s.userId() == null ? null : s.userId().toString());
        return row;
    }

    private static Map<String, Object> message(Message m) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", m.id().toString());
        p.put("session_id", m.sessionId().toString());
        p.put("sequence_number", m.sequenceNumber());
        p.put("role", m.role().wireName());
        p.put("content", m.content());
        p.put("metadata", JsonValues.write(RecordTrees.metadata(m)));
        p.put("token_count", m.tokenCount() == null ? null : m.tokenCount().longValue());
        p.put("abuse_flagged", m.abuseFlagged());
        p.put("created_at", time(m.createdAt()));
        return p;
    }

    private static Map<String, Object> memory(MemoryEntry e) {
        Map<String, Object> p = new HashMap<>();
        p.put("user_id", e.userId().toString());
        p.put("memory_type", e.memoryType());
        p.put("key", e.key());
        p.put("value", JsonValues.write(e.value()));
        p.put("created_at", time(e.createdAt()));
        p.put("updated_at", time(e.updatedAt()));
        p.put("expires_at", time(e.expiresAt()));
        p.put("version", e.version());
        return p;
    }

    private static ZonedDateTime time(Instant instant) {
        return instant == null ? null : instant.atZone(ZoneOffset.UTC);
    }
}
