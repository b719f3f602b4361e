package dev.dal.neo4j.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.ScanCursors;
import dev.dal.api.spi.VersionedBulkAccess;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bulk scan and upsert for Neo4j: keyset scans in id order over the uniqueness constraints'
 * indexes (no {@code SKIP}), and {@code UNWIND $rows} upserts ({@link Neo4jBulkWrites}), conditional on the
 * records' versions and their keys' tombstones. Each upsert batch is one transaction. Scans match the
 * record labels only, so they never see a tombstone.
 */
final class Neo4jBulkAccess extends VersionedBulkAccess {
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

    /**
     * Votes in the order of {@link #SCAN_MESSAGES}' messages, then voter id: the rest of the cursor's session from
     * its message on (on that message only the voters after the cursor's), then the sessions after it. Both branches
     * walk the {@code (session_id, sequence_number)} index in order and expand each message's votes, so the sort
     * left is by voter within one message ({@code PartialTop}), and a branch stops after {@code $n} votes (and the rest
     * of its last message's): a batch reads the messages up to its last vote, voted or not, never every vote. Both
     * branches sort by the whole index key: with {@code ORDER BY m.sequence_number} alone the first one was a full
     * {@code Top} over the rest of the cursor's session. The voter's id is the
     * relationship's copy of it ({@code r.user_id}, as {@code voteMessage} writes it), so the user node is not read.
     */
    private static final String SCAN_VOTES = """
            CALL () {
              MATCH (m:Message) WHERE m.session_id = $sid AND m.sequence_number >= $seq
              MATCH (m)<-[r:VOTED]-()
              WHERE m.sequence_number > $seq OR r.user_id > $uid
              RETURN m, r ORDER BY m.session_id, m.sequence_number, r.user_id LIMIT $n
              UNION ALL
              MATCH (m:Message) WHERE m.session_id > $sid AND m.sequence_number IS NOT NULL
              MATCH (m)<-[r:VOTED]-()
              RETURN m, r ORDER BY m.session_id, m.sequence_number, r.user_id LIMIT $n
            }
            RETURN m.id AS message_id, m.session_id AS session_id, m.sequence_number AS sequence_number,
              r.user_id AS user_id, r.vote AS vote, r.voted_at AS voted_at
            ORDER BY session_id, sequence_number, user_id LIMIT $n""";

    /** Token usage by id, along the uniqueness constraint's index ({@code dal_token_usage_id}) in order. */
    private static final String SCAN_TOKEN_USAGE =
            "MATCH (t:TokenUsage) WHERE t.id > $after RETURN t ORDER BY t.id LIMIT $n";

    private final Neo4jStore store;

    Neo4jBulkAccess(Neo4jStore store) {
        this.store = store;
    }

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        Map<String, Object> page = afterId(ScanCursors.afterUser(cursor), batchSize);
        List<User> users = store.read(
                "scanUsers",
                tx -> tx.run(SCAN_USERS, page)
                        .list(r -> Neo4jRecords.user(r.get("u").asNode())));
        return ScanCursors.batch(users, batchSize, ScanCursors::ofUser);
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        Map<String, Object> page = afterId(ScanCursors.afterSession(cursor), batchSize);
        List<ChatSession> sessions =
                store.read("scanSessions", tx -> tx.run(SCAN_SESSIONS, page).list(Neo4jRecords::session));
        return ScanCursors.batch(sessions, batchSize, ScanCursors::ofSession);
    }

    /** @return the parameters of a page of a scan by id: ids are stored as text, and "" sorts before each */
    private static Map<String, Object> afterId(UUID after, int batchSize) {
        return Map.of("after", after == null ? "" : after.toString(), "n", batchSize);
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        ScanCursors.MessagePosition after = ScanCursors.afterMessage(cursor);
        // Before the first session id: "" and no message of it.
        String session = after == null ? "" : after.sessionId().toString();
        long seq = after == null ? Long.MAX_VALUE : after.sequenceNumber();
        List<Message> messages = store.read(
                "scanMessages",
                tx -> tx.run(SCAN_MESSAGES, Map.of("sid", session, "seq", seq, "n", batchSize))
                        .list(r -> Neo4jRecords.message(r.get("m").asNode())));
        return ScanCursors.batch(messages, batchSize, ScanCursors::ofMessage);
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        ScanCursors.MemoryPosition after = ScanCursors.afterMemory(cursor);
        Map<String, Object> p = new HashMap<>();
        p.put("u", after == null ? "" : after.userId().toString());
        p.put("t", after == null ? "" : after.memoryType());
        p.put("k", after == null ? "" : after.key());
        p.put("n", batchSize);
        List<MemoryEntry> entries = store.read(
                "scanMemory",
                tx -> tx.run(SCAN_MEMORY, p)
                        .list(r -> Neo4jRecords.memory(r.get("m").asNode())));
        return ScanCursors.batch(entries, batchSize, ScanCursors::ofMemory);
    }

    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        ScanCursors.VotePosition after = ScanCursors.afterVote(cursor);
        // Before the first session id: "" and no message of it, as for scanMessages.
        Map<String, Object> p = new HashMap<>();
        p.put("sid", after == null ? "" : after.sessionId().toString());
        p.put("seq", after == null ? Long.MAX_VALUE : after.sequenceNumber());
        p.put("uid", after == null ? "" : after.userId().toString());
        p.put("n", batchSize);
        List<MessageVote> votes =
                store.read("scanVotes", tx -> tx.run(SCAN_VOTES, p).list(Neo4jRecords::vote));
        return ScanCursors.batch(votes, batchSize, ScanCursors::ofVote);
    }

    @Override
    public void upsertVotes(List<MessageVote> votes) {
        store.writeOnly("upsertVotes", tx -> Neo4jBulkWrites.upsertVotes(tx, votes));
    }

    @Override
    public void deleteVotes(List<VoteKey> keys) {
        store.writeOnly("deleteVotes", tx -> Neo4jBulkWrites.deleteVotes(tx, keys));
    }

    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        Map<String, Object> page = afterId(ScanCursors.afterTokenUsage(cursor), batchSize);
        List<TokenUsage> usage = store.read(
                "scanTokenUsage",
                tx -> tx.run(SCAN_TOKEN_USAGE, page)
                        .list(r -> Neo4jRecords.tokenUsage(r.get("t").asNode())));
        return ScanCursors.batch(usage, batchSize, ScanCursors::ofTokenUsage);
    }

    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        store.writeOnly("upsertTokenUsage", tx -> Neo4jBulkWrites.upsertTokenUsage(tx, usage));
    }

    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        store.writeOnly("deleteTokenUsage", tx -> Neo4jBulkWrites.deleteTokenUsage(tx, ids));
    }

    /**
     * Outside a transaction a large call may create its messages without looking each id up ({@link
     * Neo4jBulkWrites#CREATE_ALL_FROM}). If that attempt fails on a stored id its sample missed (a retryable conflict),
     * the call runs again with the look-up, whether Dal's retry brings it back (the attempt then does nothing) or
     * the conflict reaches here: what is stored is what the look-up path alone would store.
     */
    @Override
    public void upsertMessages(List<Message> messages) {
        if (!store.runsInTransaction() && messages.size() >= Neo4jBulkWrites.CREATE_ALL_FROM) {
            AtomicBoolean first = new AtomicBoolean(true);
            try {
                boolean done = store.write("upsertMessages", tx -> {
                    if (!first.getAndSet(false)) {
                        return false;
                    }
                    Neo4jBulkWrites.upsertMessages(tx, messages, true);
                    return true;
                });
                if (done) {
                    return;
                }
            } catch (ConcurrencyConflictException e) {
                // A stored id the sample missed, or a concurrent writer: the look-up below decides, as it always did.
            }
        }
        store.writeOnly("upsertMessages", tx -> Neo4jBulkWrites.upsertMessages(tx, messages, false));
    }

    @Override
    protected void putUsers(List<User> users, VersionRule rule) {
        store.writeOnly(rule.operation("Users"), tx -> Neo4jBulkWrites.upsertUsers(tx, users, rule.overwrites()));
    }

    @Override
    protected void putSessions(List<ChatSession> sessions, VersionRule rule) {
        store.writeOnly(
                rule.operation("Sessions"), tx -> Neo4jBulkWrites.upsertSessions(tx, sessions, rule.overwrites()));
    }

    @Override
    protected void putMemory(List<MemoryEntry> entries, VersionRule rule) {
        store.writeOnly(rule.operation("Memory"), tx -> Neo4jBulkWrites.upsertMemory(tx, entries, rule.overwrites()));
    }

    @Override
    public List<Tombstone> findTombstones(Collection<RecordKey> keys) {
        return store.read("findTombstones", tx -> Neo4jBulkWrites.findTombstones(tx, keys));
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        store.writeOnly("upsertTombstones", tx -> Neo4jBulkWrites.upsertTombstones(tx, tombstones));
    }
}
