package dev.dal.postgres.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.ScanCursors;
import dev.dal.api.spi.VersionedBulkAccess;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Bulk scan and upsert for PostgreSQL: keyset scans over the primary and unique indexes, and
 * batched {@code INSERT … ON CONFLICT … DO UPDATE … WHERE stored.version < EXCLUDED.version} upserts, which
 * the driver sends as multi-row INSERTs ({@code reWriteBatchedInserts}): a record replaces a stored one only
 * at a newer version, decided in the statement that writes it. Tombstones are checked for the whole batch in
 * one statement per kind before it ({@code = ANY}, {@code unnest}): a record at or below its key's tombstone,
 * and a child of a deleted parent, is left out; the tombstones of the records applied go in one more
 * statement. Each upsert batch is one transaction. Votes, which have neither versions nor tombstones, are scanned
 * by their message's place and upserted or deleted in one statement per batch; token usage, which has neither
 * either, is scanned by id and upserted or deleted the same way.
 */
final class PostgresBulkAccess extends VersionedBulkAccess {
    private final PostgresStore store;

    PostgresBulkAccess(PostgresStore store) {
        this.store = store;
    }

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        UUID after = ScanCursors.afterUser(cursor);
        List<User> users = store.read(
                "scanUsers",
                h -> h.createQuery("SELECT " + PostgresRows.USER_COLUMNS + " FROM users"
                                + (after == null ? "" : " WHERE id > :after") + " ORDER BY id LIMIT :n")
                        .bind("after", after)
                        .bind("n", batchSize)
                        .map((rs, ctx) -> PostgresRows.user(rs))
                        .list());
        return ScanCursors.batch(users, batchSize, ScanCursors::ofUser);
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        UUID after = ScanCursors.afterSession(cursor);
        List<ChatSession> sessions = store.read(
                "scanSessions",
                h -> h.createQuery("SELECT " + PostgresRows.SESSION_COLUMNS + " FROM chat_sessions"
                                + (after == null ? "" : " WHERE id > :after") + " ORDER BY id LIMIT :n")
                        .bind("after", after)
                        .bind("n", batchSize)
                        .map((rs, ctx) -> PostgresRows.session(rs))
                        .list());
        return ScanCursors.batch(sessions, batchSize, ScanCursors::ofSession);
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        ScanCursors.MessagePosition after = ScanCursors.afterMessage(cursor);
        UUID session = after == null ? null : after.sessionId();
        long seq = after == null ? 0 : after.sequenceNumber();
        List<Message> messages = store.read(
                "scanMessages",
                h -> h.createQuery("SELECT " + PostgresRows.MESSAGE_COLUMNS
                                + " FROM messages"
                                + (session == null ? "" : " WHERE (chat_session_id, sequence_number) > (:sid, :seq)")
                                + " ORDER BY chat_session_id, sequence_number LIMIT :n")
                        .bind("sid", session)
                        .bind("seq", seq)
                        .bind("n", batchSize)
                        .map((rs, ctx) -> PostgresRows.message(rs))
                        .list());
        return ScanCursors.batch(messages, batchSize, ScanCursors::ofMessage);
    }

    @Override
    public List<RangeDigest> digestMessages(List<IdRange> ranges) {
        return store.read("digestMessages", h -> PostgresDigests.digest(h, ranges));
    }

    @Override
    public boolean digestsMessagesInStore() {
        return true;
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        ScanCursors.MemoryPosition after = ScanCursors.afterMemory(cursor);
        List<MemoryEntry> entries = store.read("scanMemory", h -> {
            var query = h.createQuery("SELECT " + PostgresRows.MEMORY_COLUMNS + " FROM user_memory"
                            + (after == null ? "" : " WHERE (user_id, memory_type, key) > (:u, :t, :k)")
                            + " ORDER BY user_id, memory_type, key LIMIT :n")
                    .bind("n", batchSize);
            if (after != null) {
                query.bind("u", after.userId()).bind("t", after.memoryType()).bind("k", after.key());
            }
            return query.map((rs, ctx) -> PostgresRows.memory(rs)).list();
        });
        return ScanCursors.batch(entries, batchSize, ScanCursors::ofMemory);
    }

    /**
     * Votes in the order of their message's place (its session, then its number), then of the voter. UUIDs
     * compare byte by byte, the order of their lower-case string forms, as {@link #scanMessages} relies on too.
     * The cursor's bound is on the message's place, which the {@code (chat_session_id, sequence_number)} index
     * can serve; the voter breaks the tie within the cursor's own message. Where messages are voted on often, the
     * planner walks that index from the cursor and reads each message's votes by the primary key, sorting only
     * the votes of one message by voter; where votes are few, it joins them all by hash and sorts them, which
     * reads the messages after the cursor once per batch (measured on 200,000 messages: 2 % voted on, batches of
     * 1,000).
     */
    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        ScanCursors.VotePosition after = ScanCursors.afterVote(cursor);
        List<MessageVote> votes = store.read("scanVotes", h -> {
            var query = h.createQuery(scanVotesSql(after != null)).bind("n", batchSize);
            if (after != null) {
                query.bind("sid", after.sessionId())
                        .bind("seq", after.sequenceNumber())
                        .bind("uid", after.userId());
            }
            return query.map((rs, ctx) -> PostgresRows.vote(rs)).list();
        });
        return ScanCursors.batch(votes, batchSize, ScanCursors::ofVote);
    }

    /**
     * @param resumed whether the scan resumes after a cursor's vote, bound as {@code :sid}, {@code :seq} and
     *     {@code :uid}
     * @return the statement of a batch of {@link #scanVotes}, {@code :n} votes at most
     */
    private static String scanVotesSql(boolean resumed) {
        return "SELECT " + PostgresRows.VOTE_COLUMNS + " FROM messages m JOIN message_votes v ON v.message_id = m.id"
                + (resumed
                        ? " WHERE (m.chat_session_id, m.sequence_number) >= (:sid, :seq)"
                                + " AND ((m.chat_session_id, m.sequence_number) > (:sid, :seq) OR v.user_id > :uid)"
                        : "")
                + " ORDER BY m.chat_session_id, m.sequence_number, v.user_id LIMIT :n";
    }

    /**
     * One statement per batch ({@link PostgresBulkWrites#upsertVotes}). Votes carry no versions and leave no
     * tombstones, so no key locks or tombstone checks: the row locks on the messages and users found order the
     * batch against their deletion.
     */
    @Override
    public void upsertVotes(List<MessageVote> votes) {
        store.write("upsertVotes", h -> PostgresBulkWrites.upsertVotes(h, votes));
    }

    @Override
    public void deleteVotes(List<VoteKey> keys) {
        store.write("deleteVotes", h -> PostgresBulkWrites.deleteVotes(h, keys));
    }

    /**
     * Token usage by id, one keyset query per batch on the primary key. UUIDs compare byte by byte, the order of
     * their lower-case string forms that {@link ScanCursors#ofTokenUsage} cursors follow.
     */
    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        UUID after = ScanCursors.afterTokenUsage(cursor);
        List<TokenUsage> usage = store.read(
                "scanTokenUsage",
                h -> h.createQuery("SELECT " + PostgresRows.TOKEN_USAGE_COLUMNS + " FROM token_usage"
                                + (after == null ? "" : " WHERE id > :after") + " ORDER BY id LIMIT :n")
                        .bind("after", after)
                        .bind("n", batchSize)
                        .map((rs, ctx) -> PostgresRows.tokenUsage(rs))
                        .list());
        return ScanCursors.batch(usage, batchSize, ScanCursors::ofTokenUsage);
    }

    /**
     * One statement per batch ({@link PostgresBulkWrites#upsertTokenUsage}), as for votes: records carry no
     * versions and leave no tombstones; the row locks on the messages and users found order the batch against
     * their deletion.
     */
    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        store.write("upsertTokenUsage", h -> PostgresBulkWrites.upsertTokenUsage(h, usage));
    }

    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        store.write("deleteTokenUsage", h -> PostgresBulkWrites.deleteTokenUsage(h, ids));
    }

    @Override
    protected void putUsers(List<User> users, VersionRule rule) {
        String operation = rule.operation("Users");
        boolean overwrite = rule.overwrites();
        onceMoreIfRaced(() -> store.write(operation, h -> {
            List<User> latest = latestPerKey(users, User::id, User::version);
            PostgresKeyLocks.request()
                    .add(PostgresKeyLocks.Space.USERS, ids(latest, User::id))
                    .shared(h);
            Map<UUID, Long> tombstones = PostgresTombstones.userVersions(h, ids(latest, User::id));
            List<User> apply = new ArrayList<>(latest.size());
            List<UUID> cleared = new ArrayList<>();
            List<Long> clearedAt = new ArrayList<>();
            for (User u : latest) {
                Long deleted = tombstones.get(u.id());
                if (overwrite || deleted == null || u.version() > deleted) {
                    apply.add(u);
                    if (deleted != null) {
                        cleared.add(u.id());
                        clearedAt.add(u.version());
                    }
                }
            }
            PostgresBulkWrites.upsertUsers(h, apply, overwrite);
            PostgresTombstones.clearUsers(h, cleared, clearedAt, overwrite);
            return null;
        }));
    }

    @Override
    protected void putSessions(List<ChatSession> sessions, VersionRule rule) {
        String operation = rule.operation("Sessions");
        boolean overwrite = rule.overwrites();
        onceMoreIfRaced(() -> store.write(operation, h -> {
            List<ChatSession> latest = latestPerKey(sessions, ChatSession::chatId, ChatSession::version);
            PostgresKeyLocks.request()
                    .add(PostgresKeyLocks.Space.USERS, ids(latest, ChatSession::userId))
                    .add(PostgresKeyLocks.Space.SESSIONS, ids(latest, ChatSession::chatId))
                    .shared(h);
            Map<String, Long> tombstones = PostgresTombstones.sessionVersions(h, ids(latest, ChatSession::chatId));
            Set<UUID> deletedUsers = PostgresTombstones.deletedUsers(h, ids(latest, ChatSession::userId));
            List<ChatSession> apply = new ArrayList<>(latest.size());
            List<String> cleared = new ArrayList<>();
            List<Long> clearedAt = new ArrayList<>();
            for (ChatSession s : latest) {
                Long deleted = tombstones.get(s.chatId());
                if ((overwrite || deleted == null || s.version() > deleted)
                        && (s.userId() == null || !deletedUsers.contains(s.userId()))) {
                    apply.add(s);
                    if (deleted != null) {
                        cleared.add(s.chatId());
                        clearedAt.add(s.version());
                    }
                }
            }
            refuseSessionsUnderOtherIds(h, apply, overwrite);
            PostgresBulkWrites.upsertSessions(h, apply, overwrite);
            PostgresTombstones.clearSessions(h, cleared, clearedAt, overwrite);
            return null;
        }));
    }

    /**
     * A session that would replace a live session of another id under its chat id is a duplicate key, as a
     * creation under a taken chat id is (an older one is skipped like any older version, unless overwriting).
     * The batch's transaction rolls back, so nothing of it is applied.
     */
    private static void refuseSessionsUnderOtherIds(
            org.jdbi.v3.core.Handle h, List<ChatSession> sessions, boolean overwrite) {
        if (sessions.isEmpty()) {
            return;
        }
        try (java.sql.PreparedStatement ps = h.getConnection()
                .prepareStatement("SELECT 1 FROM chat_sessions s "
                        + "JOIN unnest(?, ?, ?) AS v(chat_id, id, version) ON s.chat_id = v.chat_id "
                        + "WHERE s.id <> v.id AND (? OR s.version < v.version) LIMIT 1")) {
            ps.setArray(
                    1,
                    ps.getConnection()
                            .createArrayOf(
                                    "text",
                                    sessions.stream().map(ChatSession::chatId).toArray()));
            ps.setArray(
                    2,
                    ps.getConnection()
                            .createArrayOf(
                                    "uuid",
                                    sessions.stream().map(ChatSession::id).toArray()));
            ps.setArray(
                    3,
                    ps.getConnection()
                            .createArrayOf(
                                    "int8",
                                    sessions.stream().map(ChatSession::version).toArray()));
            ps.setBoolean(4, overwrite);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
                }
            }
        } catch (java.sql.SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        onceMoreIfRaced(() -> writeMessages(messages));
    }

    /**
     * Runs a batch upsert, and once more if it failed on a unique key. {@code ON CONFLICT} arbitrates on one
     * unique index only (a user's id, a session's chat id, a message's id), and these tables have two: while
     * another transaction inserts the same record (a backfill and a replication at once), the insert can meet it
     * first on the other index (the external id, the session id, the message's session and sequence number) and
     * fail instead of waiting to see it. Once that transaction committed, the same batch is a plain update; a
     * different record under the key fails again, as it should.
     */
    private static void onceMoreIfRaced(Runnable upsert) {
        try {
            upsert.run();
        } catch (DuplicateKeyException e) {
            upsert.run();
        }
    }

    private void writeMessages(List<Message> messages) {
        store.write("upsertMessages", h -> {
            Set<UUID> sessionIds = ids(messages, Message::sessionId);
            // The session keys' locks, shared: a deletion of the session (which takes its key's lock exclusive)
            // either commits before the check below, which then sees its tombstone, or waits for this batch.
            PostgresKeyLocks.request()
                    .add(PostgresKeyLocks.Space.SESSIONS, PostgresTombstones.chatIdsOfSessions(h, sessionIds))
                    .shared(h);
            Set<UUID> deleted = PostgresTombstones.deletedSessions(h, sessionIds);
            List<Message> apply = deleted.isEmpty()
                    ? messages
                    : messages.stream()
                            .filter(m -> !deleted.contains(m.sessionId()))
                            .toList();
            return apply.isEmpty() ? 0 : PostgresBulkWrites.upsertMessages(h, apply);
        });
    }

    @Override
    protected void putMemory(List<MemoryEntry> entries, VersionRule rule) {
        String operation = rule.operation("Memory");
        boolean overwrite = rule.overwrites();
        store.write(operation, h -> {
            List<MemoryEntry> latest = latestPerKey(entries, PostgresBulkAccess::key, MemoryEntry::version);
            Set<UUID> users = ids(latest, MemoryEntry::userId);
            PostgresKeyLocks.request()
                    .add(PostgresKeyLocks.Space.USERS, users)
                    .add(PostgresKeyLocks.Space.MEMORY, users)
                    .shared(h);
            Map<PostgresTombstones.MemoryKey, Long> tombstones =
                    PostgresTombstones.memoryVersions(h, ids(latest, PostgresBulkAccess::key));
            Set<UUID> deletedUsers = PostgresTombstones.deletedUsers(h, users);
            List<MemoryEntry> apply = new ArrayList<>(latest.size());
            List<PostgresTombstones.MemoryKey> cleared = new ArrayList<>();
            List<Long> clearedAt = new ArrayList<>();
            for (MemoryEntry e : latest) {
                Long deleted = tombstones.get(key(e));
                if ((overwrite || deleted == null || e.version() > deleted) && !deletedUsers.contains(e.userId())) {
                    apply.add(e);
                    if (deleted != null) {
                        cleared.add(key(e));
                        clearedAt.add(e.version());
                    }
                }
            }
            PostgresBulkWrites.upsertMemory(h, apply, overwrite);
            PostgresTombstones.clearMemory(h, cleared, clearedAt, overwrite);
            return null;
        });
    }

    private static PostgresTombstones.MemoryKey key(MemoryEntry e) {
        return new PostgresTombstones.MemoryKey(e.userId(), e.memoryType(), e.key());
    }

    /** @return the distinct non-null keys of the records */
    private static <T, K> Set<K> ids(List<T> records, Function<T, K> keyOf) {
        Set<K> keys = new LinkedHashSet<>();
        for (T record : records) {
            K key = keyOf.apply(record);
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }

    @Override
    public List<Tombstone> findTombstones(Collection<RecordKey> keys) {
        return store.read("findTombstones", h -> PostgresTombstones.find(h, keys));
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        store.write("upsertTombstones", h -> {
            PostgresTombstones.upsert(h, tombstones);
            return null;
        });
    }
}
