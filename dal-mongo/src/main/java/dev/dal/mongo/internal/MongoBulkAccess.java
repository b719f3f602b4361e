package dev.dal.mongo.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.or;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import dev.dal.api.ChatSession;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NotFoundException;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.api.spi.ScanCursors;
import dev.dal.api.spi.VersionedBulkAccess;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * Bulk scan and upsert for MongoDB. Scans are keyset pages over the unique indexes ({@code _id} for
 * users and sessions, (session, sequence) for messages, (user, type, key) for memory) and over
 * (session, sequence, user) for votes, so memory stays flat however large the store. Upserts take the
 * insert fast path first: one unordered {@code insertMany} per batch; the records that already exist
 * (duplicate key) are then replaced by key with one unordered {@code bulkWrite} of upserting replaces.
 * Votes are one unordered {@code bulkWrite} of upserts on their unique key (message, user) per batch; token usage
 * is scanned by {@code _id} and upserted with one unordered {@code bulkWrite} of replaces by {@code _id} per batch.
 * Referenced records are checked with one query per batch before anything is written.
 */
final class MongoBulkAccess extends VersionedBulkAccess {
    private final MongoStore store;
    private final int batchSize;

    MongoBulkAccess(MongoStore store, int batchSize) {
        this.store = store;
        this.batchSize = batchSize;
    }

    int batchSize() {
        return batchSize;
    }

    // ---- scans ----

    @Override
    public ScanBatch<User> scanUsers(String cursor, int size) {
        UUID after = ScanCursors.afterUser(cursor);
        Bson filter = after == null ? new BsonDocument() : gt(MongoDocuments.ID, after.toString());
        List<User> users = store.call(
                "scanUsers",
                () -> store.ops()
                        .find(store.users, filter)
                        .sort(Sorts.ascending(MongoDocuments.ID))
                        .limit(size)
                        .batchSize(size)
                        .map(MongoDocuments::toUser)
                        .into(new ArrayList<>()));
        return ScanCursors.batch(users, size, ScanCursors::ofUser);
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int size) {
        UUID after = ScanCursors.afterSession(cursor);
        Bson filter = after == null ? new BsonDocument() : gt(MongoDocuments.ID, after.toString());
        List<ChatSession> sessions = store.call(
                "scanSessions",
                () -> store.ops()
                        .find(store.sessions, filter)
                        .sort(Sorts.ascending(MongoDocuments.ID))
                        .limit(size)
                        .batchSize(size)
                        .map(MongoDocuments::toSession)
                        .into(new ArrayList<>()));
        return ScanCursors.batch(sessions, size, ScanCursors::ofSession);
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int size) {
        ScanCursors.MessagePosition after = ScanCursors.afterMessage(cursor);
        Bson filter = new BsonDocument();
        if (after != null) {
            String session = after.sessionId().toString();
            filter = or(
                    gt(MongoDocuments.SESSION_ID, session),
                    and(
                            eq(MongoDocuments.SESSION_ID, session),
                            gt(MongoDocuments.SEQUENCE_NUMBER, new BsonInt64(after.sequenceNumber()))));
        }
        Bson where = filter;
        List<Message> messages = store.call(
                "scanMessages",
                () -> store.ops()
                        .find(store.messages, where)
                        .sort(Sorts.ascending(MongoDocuments.SESSION_ID, MongoDocuments.SEQUENCE_NUMBER))
                        .limit(size)
                        .batchSize(size)
                        .map(MongoDocuments::toMessage)
                        .into(new ArrayList<>()));
        return ScanCursors.batch(messages, size, ScanCursors::ofMessage);
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int size) {
        ScanCursors.MemoryPosition after = ScanCursors.afterMemory(cursor);
        Bson filter = new BsonDocument();
        if (after != null) {
            String user = after.userId().toString();
            BsonString type = new BsonString(after.memoryType());
            filter = or(
                    gt(MongoDocuments.USER_ID, user),
                    and(eq(MongoDocuments.USER_ID, user), gt(MongoDocuments.MEMORY_TYPE, type)),
                    and(
                            eq(MongoDocuments.USER_ID, user),
                            eq(MongoDocuments.MEMORY_TYPE, type),
                            gt(MongoDocuments.KEY, new BsonString(after.key()))));
        }
        Bson where = filter;
        List<MemoryEntry> entries = store.call(
                "scanMemory",
                () -> store.ops()
                        .find(store.memory, where)
                        .sort(Sorts.ascending(MongoDocuments.USER_ID, MongoDocuments.MEMORY_TYPE, MongoDocuments.KEY))
                        .limit(size)
                        .batchSize(size)
                        .map(MongoDocuments::toMemory)
                        .into(new ArrayList<>()));
        return ScanCursors.batch(entries, size, ScanCursors::ofMemory);
    }

    /**
     * Votes by session, sequence number and voter: a keyset page over {@code message_votes_session_sequence_user}
     * (ids are canonical UUID strings, so the index's string order is the scan's order).
     */
    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int size) {
        ScanCursors.VotePosition after = ScanCursors.afterVote(cursor);
        Bson filter = new BsonDocument();
        if (after != null) {
            String session = after.sessionId().toString();
            BsonInt64 sequence = new BsonInt64(after.sequenceNumber());
            filter = or(
                    gt(MongoDocuments.SESSION_ID, session),
                    and(eq(MongoDocuments.SESSION_ID, session), gt(MongoDocuments.SEQUENCE_NUMBER, sequence)),
                    and(
                            eq(MongoDocuments.SESSION_ID, session),
                            eq(MongoDocuments.SEQUENCE_NUMBER, sequence),
                            gt(MongoDocuments.USER_ID, after.userId().toString())));
        }
        Bson where = filter;
        List<MessageVote> votes = store.call(
                "scanVotes",
                () -> store.ops()
                        .find(store.votes, where)
                        .sort(Sorts.ascending(
                                MongoDocuments.SESSION_ID, MongoDocuments.SEQUENCE_NUMBER, MongoDocuments.USER_ID))
                        .limit(size)
                        .batchSize(size)
                        .map(MongoDocuments::toVote)
                        .into(new ArrayList<>()));
        return ScanCursors.batch(votes, size, ScanCursors::ofVote);
    }

    /** Token usage by id: a keyset page over {@code _id} (the record's id as a canonical UUID string). */
    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int size) {
        UUID after = ScanCursors.afterTokenUsage(cursor);
        Bson filter = after == null ? new BsonDocument() : gt(MongoDocuments.ID, after.toString());
        List<TokenUsage> usage = store.call(
                "scanTokenUsage",
                () -> store.ops()
                        .find(store.tokenUsage, filter)
                        .sort(Sorts.ascending(MongoDocuments.ID))
                        .limit(size)
                        .batchSize(size)
                        .map(MongoDocuments::toTokenUsage)
                        .into(new ArrayList<>()));
        return ScanCursors.batch(usage, size, ScanCursors::ofTokenUsage);
    }

    // ---- upserts ----

    /**
     * How one versioned kind is keyed: users by id, sessions by chat id, memory by (user, type, key).
     * Keys are Java strings here ({@code \0} joins memory's parts: no stored string holds it).
     */
    private interface Versioned<T> {
        long version(T record);

        String key(T record);

        /** @return the parent user the record names, {@code null} for none (and for users) */
        UUID parent(T record);

        BsonDocument document(T record);

        MongoCollection<BsonDocument> live(MongoStore s);

        MongoCollection<BsonDocument> tombstones(MongoStore s);

        /** @return a filter on the live collection matching the records' keys */
        Bson liveLookup(Collection<String> keys);

        /** @return a filter on the tombstone collection matching the records' keys */
        Bson tombstoneLookup(Collection<String> keys);

        String liveKey(BsonDocument live);

        String tombstoneKey(BsonDocument tombstone);

        /** @return the filter of the stored document this record replaces (its identity) */
        Bson identity(T record);

        /** @return the filter of the record's tombstone */
        Bson tombstoneFilter(String key);
    }

    private static String memoryKeyOf(UUID userId, String type, String key) {
        return userId + "\0" + type + "\0" + key;
    }

    private static String[] splitMemoryKey(String key) {
        return key.split("\0", 3);
    }

    private static Bson memoryLookup(Collection<String> keys) {
        Map<String, List<String>> byType = new LinkedHashMap<>();
        for (String k : keys) {
            String[] parts = splitMemoryKey(k);
            byType.computeIfAbsent(parts[0] + "\0" + parts[1], x -> new ArrayList<>())
                    .add(parts[2]);
        }
        List<Bson> clauses = new ArrayList<>(byType.size());
        byType.forEach((userAndType, names) -> {
            String[] parts = userAndType.split("\0", 2);
            clauses.add(and(
                    eq(MongoDocuments.USER_ID, parts[0]),
                    eq(MongoDocuments.MEMORY_TYPE, new BsonString(parts[1])),
                    in(MongoDocuments.KEY, names)));
        });
        return clauses.size() == 1 ? clauses.get(0) : or(clauses);
    }

    private static String memoryKeyOf(BsonDocument d) {
        return d.getString(MongoDocuments.USER_ID).getValue() + "\0"
                + d.getString(MongoDocuments.MEMORY_TYPE).getValue() + "\0"
                + d.getString(MongoDocuments.KEY).getValue();
    }

    private static Bson memoryFilter(String key) {
        String[] parts = splitMemoryKey(key);
        return and(
                eq(MongoDocuments.USER_ID, parts[0]),
                eq(MongoDocuments.MEMORY_TYPE, new BsonString(parts[1])),
                eq(MongoDocuments.KEY, new BsonString(parts[2])));
    }

    private static final Versioned<User> USERS = new Versioned<>() {
        public long version(User u) {
            return u.version();
        }

        public String key(User u) {
            return u.id().toString();
        }

        public UUID parent(User u) {
            return null;
        }

        public BsonDocument document(User u) {
            return MongoDocuments.user(u);
        }

        public MongoCollection<BsonDocument> live(MongoStore s) {
            return s.users;
        }

        public MongoCollection<BsonDocument> tombstones(MongoStore s) {
            return s.userTombstones;
        }

        public Bson liveLookup(Collection<String> keys) {
            return in(MongoDocuments.ID, keys);
        }

        public Bson tombstoneLookup(Collection<String> keys) {
            return in(MongoDocuments.ID, keys);
        }

        public String liveKey(BsonDocument d) {
            return d.getString(MongoDocuments.ID).getValue();
        }

        public String tombstoneKey(BsonDocument d) {
            return d.getString(MongoDocuments.ID).getValue();
        }

        public Bson identity(User u) {
            return eq(MongoDocuments.ID, u.id().toString());
        }

        public Bson tombstoneFilter(String key) {
            return eq(MongoDocuments.ID, key);
        }
    };

    private static final Versioned<ChatSession> SESSIONS = new Versioned<>() {
        public long version(ChatSession c) {
            return c.version();
        }

        public String key(ChatSession c) {
            return c.chatId();
        }

        public UUID parent(ChatSession c) {
            return c.userId();
        }

        public BsonDocument document(ChatSession c) {
            return MongoDocuments.session(c);
        }

        public MongoCollection<BsonDocument> live(MongoStore s) {
            return s.sessions;
        }

        public MongoCollection<BsonDocument> tombstones(MongoStore s) {
            return s.sessionTombstones;
        }

        public Bson liveLookup(Collection<String> keys) {
            return in(MongoDocuments.CHAT_ID, keys);
        }

        public Bson tombstoneLookup(Collection<String> keys) {
            return in(MongoDocuments.ID, keys);
        }

        public String liveKey(BsonDocument d) {
            return d.getString(MongoDocuments.CHAT_ID).getValue();
        }

        public String tombstoneKey(BsonDocument d) {
            return d.getString(MongoDocuments.ID).getValue();
        }

        public Bson identity(ChatSession c) {
            return eq(MongoDocuments.ID, c.id().toString());
        }

        public Bson tombstoneFilter(String key) {
            return eq(MongoDocuments.ID, new BsonString(key));
        }
    };

    private static final Versioned<MemoryEntry> MEMORY = new Versioned<>() {
        public long version(MemoryEntry e) {
            return e.version();
        }

        public String key(MemoryEntry e) {
            return memoryKeyOf(e.userId(), e.memoryType(), e.key());
        }

        public UUID parent(MemoryEntry e) {
            return e.userId();
        }

        public BsonDocument document(MemoryEntry e) {
            return MongoDocuments.memory(e);
        }

        public MongoCollection<BsonDocument> live(MongoStore s) {
            return s.memory;
        }

        public MongoCollection<BsonDocument> tombstones(MongoStore s) {
            return s.memoryTombstones;
        }

        public Bson liveLookup(Collection<String> keys) {
            return memoryLookup(keys);
        }

        public Bson tombstoneLookup(Collection<String> keys) {
            return memoryLookup(keys);
        }

        public String liveKey(BsonDocument d) {
            return memoryKeyOf(d);
        }

        public String tombstoneKey(BsonDocument d) {
            return memoryKeyOf(d);
        }

        public Bson identity(MemoryEntry e) {
            return memoryFilter(key(e));
        }

        public Bson tombstoneFilter(String key) {
            return memoryFilter(key);
        }
    };

    @Override
    protected void putUsers(List<User> users, VersionRule rule) {
        for (List<User> chunk : chunks(users)) {
            upsertVersioned(rule.operation("Users"), chunk, USERS, rule.overwrites());
        }
    }

    @Override
    protected void putSessions(List<ChatSession> sessions, VersionRule rule) {
        for (List<ChatSession> chunk : chunks(sessions)) {
            upsertVersioned(rule.operation("Sessions"), chunk, SESSIONS, rule.overwrites());
        }
    }

    @Override
    protected void putMemory(List<MemoryEntry> entries, VersionRule rule) {
        for (List<MemoryEntry> chunk : chunks(entries)) {
            upsertVersioned(rule.operation("Memory"), chunk, MEMORY, rule.overwrites());
        }
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        store.call("upsertMessages", () -> {
            for (List<Message> chunk : chunks(messages)) {
                Set<String> deleted = missingParents(
                        store,
                        store.sessions,
                        chunk.stream().map(Message::sessionId),
                        "chat session",
                        store.sessionTombstones,
                        MongoDocuments.SESSION_ID);
                List<BsonDocument> docs = chunk.stream()
                        .filter(m -> !deleted.contains(m.sessionId().toString()))
                        .map(MongoDocuments::message)
                        .toList();
                upsertById(store.messages, docs);
            }
            return null;
        });
    }

    /**
     * Per batch, where the server has transactions in one (or in the running one), as {@code voteMessage}'s checks
     * and write: one query for the messages the votes name (by id; held when at the vote's session and sequence
     * number) and one for their users, then one unordered {@code bulkWrite} of {@code voteMessage}'s upsert on the
     * unique key (message, user) for the votes whose parents are held; the others are skipped.
     */
    @Override
    public void upsertVotes(List<MessageVote> votes) {
        for (List<MessageVote> chunk : chunks(votes)) {
            store.atomically("upsertVotes", s -> {
                s.bulkAccess().putVotes(s, chunk);
                return null;
            });
        }
    }

    /** @return the places ({@link #placeOf}) of the messages the store holds among these ids, in one query */
    private static Set<String> heldPlaces(MongoStore s, java.util.stream.Stream<UUID> messageIds) {
        Set<String> places = new HashSet<>();
        s.ops()
                .find(
                        s.messages,
                        in(
                                MongoDocuments.ID,
                                messageIds.map(UUID::toString).distinct().toList()))
                .projection(Projections.include(
                        MongoDocuments.ID, MongoDocuments.SESSION_ID, MongoDocuments.SEQUENCE_NUMBER))
                .forEach(d -> places.add(placeOf(
                        d.getString(MongoDocuments.ID).getValue(),
                        d.getString(MongoDocuments.SESSION_ID).getValue(),
                        d.get(MongoDocuments.SEQUENCE_NUMBER).asNumber().longValue())));
        return places;
    }

    /** @return the ids (string form) of the users the store holds among these, in one query */
    private static Set<String> heldUsers(MongoStore s, java.util.stream.Stream<UUID> userIds) {
        Set<String> users = new HashSet<>();
        s.ops()
                .find(
                        s.users,
                        in(
                                MongoDocuments.ID,
                                userIds.map(UUID::toString).distinct().toList()))
                .projection(Projections.include(MongoDocuments.ID))
                .forEach(d -> users.add(d.getString(MongoDocuments.ID).getValue()));
        return users;
    }

    /**
     * Runs an unordered bulk write of upserts, and once more the upserts that lost a race to insert the same key: they
     * then update what the winner inserted. A transaction the failure aborted cannot run them again; it fails as a
     * conflict, to run again as a whole.
     */
    private static void writeRetryingLostInserts(
            MongoStore s,
            MongoCollection<BsonDocument> collection,
            List<? extends WriteModel<BsonDocument>> upserts,
            String conflict) {
        try {
            s.ops().bulkWrite(collection, upserts);
        } catch (MongoBulkWriteException e) {
            if (e.getWriteConcernError() != null
                    || !e.getWriteErrors().stream().allMatch(MongoErrors::isDuplicateKey)) {
                throw e;
            }
            if (s.inTransaction()) {
                throw new ConcurrencyConflictException(conflict + "; retry", SanitizedCause.of(e, "code 11000"));
            }
            s.ops()
                    .bulkWrite(
                            collection,
                            e.getWriteErrors().stream()
                                    .map(error -> upserts.get(error.getIndex()))
                                    .toList());
        }
    }

    private void putVotes(MongoStore s, List<MessageVote> chunk) {
        // One vote per user and message, the batch's last, as the last of several calls would leave it; two upserts
        // of one key in one unordered bulk write could also collide on the unique index.
        Map<List<UUID>, MessageVote> last = new LinkedHashMap<>();
        chunk.forEach(v -> last.put(List.of(v.messageId(), v.userId()), v));
        Set<String> places = heldPlaces(s, last.values().stream().map(MessageVote::messageId));
        Set<String> users = heldUsers(s, last.values().stream().map(MessageVote::userId));
        List<UpdateOneModel<BsonDocument>> upserts = new ArrayList<>(last.size());
        for (MessageVote v : last.values()) {
            if (places.contains(placeOf(v.messageId().toString(), v.sessionId().toString(), v.sequenceNumber()))
                    && users.contains(v.userId().toString())) {
                // The message's session and place never change, so $setOnInsert writes the ones checked above.
                upserts.add(new UpdateOneModel<>(
                        MongoDocuments.voteKey(v.messageId(), v.userId()),
                        MongoDocuments.voteUpsert(v, MongoDocuments.id(v.sessionId())),
                        new UpdateOptions().upsert(true)));
            }
        }
        if (upserts.isEmpty()) {
            return;
        }
        // A first vote of the same user on the same message inserted at the same time, as in voteMessage: the losers'
        // upserts, run once more, update it.
        writeRetryingLostInserts(
                s, s.votes, upserts, "Another vote of the same user on the same message was written at the same time");
    }

    /** @return a message's identity and place (id, session, sequence number) as one string */
    private static String placeOf(String messageId, String sessionId, long sequenceNumber) {
        return messageId + " " + sessionId + " " + sequenceNumber;
    }

    /**
     * Per batch one unordered {@code bulkWrite} of deletes by (session, sequence number, user), {@code clearVote}'s
     * filter, served by {@code message_votes_session_sequence_user}; in the running transaction, if any.
     */
    @Override
    public void deleteVotes(List<VoteKey> keys) {
        store.call("deleteVotes", () -> {
            for (List<VoteKey> chunk : chunks(keys)) {
                List<DeleteOneModel<BsonDocument>> deletes = new ArrayList<>(chunk.size());
                for (VoteKey k : chunk) {
                    deletes.add(new DeleteOneModel<>(and(
                            eq(MongoDocuments.SESSION_ID, k.sessionId().toString()),
                            eq(MongoDocuments.SEQUENCE_NUMBER, new BsonInt64(k.sequenceNumber())),
                            eq(MongoDocuments.USER_ID, k.userId().toString()))));
                }
                store.ops().bulkWrite(store.votes, deletes);
            }
            return null;
        });
    }

    /**
     * Per batch, as {@link #upsertVotes}: one query for the messages the records name (by id; held when at the
     * record's session and sequence number) and one for their users, then one unordered {@code bulkWrite} of
     * replaces by {@code _id}, upserting, for the records whose parents are held; the others are skipped.
     */
    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        for (List<TokenUsage> chunk : chunks(usage)) {
            store.atomically("upsertTokenUsage", s -> {
                s.bulkAccess().putTokenUsage(s, chunk);
                return null;
            });
        }
    }

    private void putTokenUsage(MongoStore s, List<TokenUsage> chunk) {
        // One record per id, the batch's last: an unordered bulk write need not apply two replaces in order.
        Map<UUID, TokenUsage> last = new LinkedHashMap<>();
        chunk.forEach(u -> last.put(u.id(), u));
        Set<String> places = heldPlaces(s, last.values().stream().map(TokenUsage::messageId));
        Set<String> users = heldUsers(s, last.values().stream().map(TokenUsage::userId));
        List<ReplaceOneModel<BsonDocument>> replaces = new ArrayList<>(last.size());
        for (TokenUsage u : last.values()) {
            if (places.contains(placeOf(u.messageId().toString(), u.sessionId().toString(), u.sequenceNumber()))
                    && users.contains(u.userId().toString())) {
                replaces.add(new ReplaceOneModel<>(
                        eq(MongoDocuments.ID, u.id().toString()),
                        MongoDocuments.tokenUsage(u),
                        new ReplaceOptions().upsert(true)));
            }
        }
        if (replaces.isEmpty()) {
            return;
        }
        // The same id inserted at the same time by another upsert: the losers' replaces, run once more, replace it.
        writeRetryingLostInserts(
                s, s.tokenUsage, replaces, "Another token usage record with the same id was written at the same time");
    }

    /** Per batch one {@code deleteMany} by {@code _id} {@code $in} the batch's ids; in the running transaction, if any. */
    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        store.call("deleteTokenUsage", () -> {
            for (List<UUID> chunk : chunks(ids)) {
                store.ops()
                        .deleteMany(
                                store.tokenUsage,
                                in(
                                        MongoDocuments.ID,
                                        chunk.stream()
                                                .map(UUID::toString)
                                                .distinct()
                                                .toList()));
            }
            return null;
        });
    }

    /**
     * What a batch of versioned records does to the store, read before anything is written.
     *
     * @param inserts records whose key the store does not hold
     * @param replaces records newer than the stored record under their key (all of them for an overwrite)
     * @param clears keys whose tombstone an applied record removes, with the record's version
     * @param overwrite whether versions are ignored (a repair's overwrite)
     */
    private record Plan<T>(List<T> inserts, List<T> replaces, Map<String, Long> clears, boolean overwrite) {
        boolean needsTransaction() {
            return !clears.isEmpty();
        }
    }

    /**
     * Applies the records newer than what the store holds for their keys, live or deleted. The plan reads
     * the batch's tombstones and stored versions with one query each ({@code $in}); new records take the
     * {@code insertMany} fast path, newer ones one {@code bulkWrite} of replaces whose filter holds the version
     * condition (so a record that became newer meanwhile is skipped by the server, not overwritten). Where a
     * batch also clears tombstones and the server has transactions, the batch runs in one, planned again
     * inside it. An overwrite replaces by key whatever the stored version.
     */
    private <T> void upsertVersioned(String operation, List<T> chunk, Versioned<T> kind, boolean overwrite) {
        if (store.inTransaction() || !store.connection().transactions()) {
            store.call(operation, () -> {
                write(store, plan(store, chunk, kind, overwrite), kind);
                return null;
            });
            return;
        }
        boolean done = store.call(operation, () -> {
            Plan<T> plan = plan(store, chunk, kind, overwrite);
            if (plan.needsTransaction()) {
                return false;
            }
            write(store, plan, kind);
            return true;
        });
        if (!done) {
            store.atomically(operation, s -> {
                s.bulkAccess().write(s, s.bulkAccess().plan(s, chunk, kind, overwrite), kind);
                return null;
            });
        }
    }

    private <T> Plan<T> plan(MongoStore s, List<T> chunk, Versioned<T> kind, boolean overwrite) {
        Set<String> deletedParents = missingParents(
                s, s.users, chunk.stream().map(kind::parent), "user", s.userTombstones, MongoDocuments.ID);
        // One record per key: the newest of the batch.
        Map<String, T> newest = new LinkedHashMap<>();
        for (T record : chunk) {
            UUID parent = kind.parent(record);
            if (parent != null && deletedParents.contains(parent.toString())) {
                continue;
            }
            newest.merge(kind.key(record), record, (a, b) -> kind.version(b) >= kind.version(a) ? b : a);
        }
        Map<String, Long> deleted = new HashMap<>();
        Map<String, BsonDocument> live = new HashMap<>();
        if (!newest.isEmpty()) {
            s.ops()
                    .find(kind.tombstones(s), kind.tombstoneLookup(newest.keySet()))
                    .forEach(d -> deleted.put(kind.tombstoneKey(d), MongoDocuments.version(d)));
            if (s.inTransaction()) {
                // In a transaction a failed insert aborts it: the stored versions decide here, read in its snapshot.
                // Outside one the insert's duplicate keys and the replace's version filter decide, with no read.
                s.ops()
                        .find(kind.live(s), kind.liveLookup(newest.keySet()))
                        .projection(Projections.include(
                                MongoDocuments.ID,
                                MongoDocuments.CHAT_ID,
                                MongoDocuments.USER_ID,
                                MongoDocuments.MEMORY_TYPE,
                                MongoDocuments.KEY,
                                MongoDocuments.VERSION))
                        .forEach(d -> live.put(kind.liveKey(d), d));
            }
        }
        Plan<T> plan = new Plan<>(new ArrayList<>(), new ArrayList<>(), new HashMap<>(), overwrite);
        newest.forEach((key, record) -> {
            long version = kind.version(record);
            long tombstone = deleted.getOrDefault(key, 0L);
            BsonDocument stored = live.get(key);
            if (!overwrite && (version <= tombstone || (stored != null && version <= MongoDocuments.version(stored)))) {
                return;
            }
            // A session newer than another session under its chat id goes to the insert too, and fails there:
            // the chat id is taken (DuplicateKeyException), as it is for createChatSession.
            boolean sameRecord = stored != null
                    && (!(record instanceof ChatSession session)
                            || session.id()
                                    .toString()
                                    .equals(stored.getString(MongoDocuments.ID).getValue()));
            (sameRecord ? plan.replaces() : plan.inserts()).add(record);
            if (tombstone > 0) {
                plan.clears().put(key, overwrite ? Long.MAX_VALUE : version);
            }
        });
        return plan;
    }

    private <T> void write(MongoStore s, Plan<T> plan, Versioned<T> kind) {
        boolean tx = s.inTransaction();
        List<T> inserts = plan.inserts();
        List<T> replaces = new ArrayList<>(plan.replaces());
        if (!inserts.isEmpty()) {
            List<BsonDocument> docs = inserts.stream().map(kind::document).toList();
            if (tx) {
                s.ops().insertMany(kind.live(s), docs, true);
            } else {
                try {
                    s.ops().insertMany(kind.live(s), docs, false);
                } catch (MongoBulkWriteException e) {
                    if (e.getWriteConcernError() != null) {
                        throw e;
                    }
                    for (BulkWriteError error : e.getWriteErrors()) {
                        if (!MongoErrors.isDuplicateKey(error)) {
                            throw e;
                        }
                        // Stored meanwhile, or another record holds one of its unique values: the conditional replace
                        // decides.
                        replaces.add(inserts.get(error.getIndex()));
                    }
                }
            }
        }
        if (!replaces.isEmpty()) {
            List<ReplaceOneModel<BsonDocument>> models = new ArrayList<>(replaces.size());
            for (T record : replaces) {
                Bson filter = plan.overwrite()
                        ? kind.identity(record)
                        : and(kind.identity(record), lt(MongoDocuments.VERSION, new BsonInt64(kind.version(record))));
                models.add(new ReplaceOneModel<>(
                        filter, kind.document(record), new ReplaceOptions().upsert(!tx || plan.overwrite())));
            }
            try {
                s.ops().bulkWrite(kind.live(s), models);
            } catch (MongoBulkWriteException e) {
                if (tx || e.getWriteConcernError() != null) {
                    throw e;
                }
                List<BulkWriteError> collisions = new ArrayList<>();
                for (BulkWriteError error : e.getWriteErrors()) {
                    if (!MongoErrors.isDuplicateKey(error)) {
                        throw e;
                    }
                    if (plan.overwrite()) {
                        throw MongoErrors.duplicate(error);
                    }
                    collisions.add(error);
                }
                // The upsert found no older record and tried to insert: skipped when the store holds the key at this
                // version or newer (one read for all of them); else another record holds one of its unique values.
                Map<String, Long> stored = storedVersions(
                        s,
                        kind,
                        collisions.stream()
                                .map(c -> kind.key(replaces.get(c.getIndex())))
                                .toList());
                for (BulkWriteError error : collisions) {
                    T record = replaces.get(error.getIndex());
                    if (stored.getOrDefault(kind.key(record), 0L) < kind.version(record)) {
                        throw MongoErrors.duplicate(error);
                    }
                }
            }
        }
        if (!plan.clears().isEmpty()) {
            List<DeleteOneModel<BsonDocument>> clears =
                    new ArrayList<>(plan.clears().size());
            plan.clears()
                    .forEach((key, version) -> clears.add(new DeleteOneModel<>(
                            and(kind.tombstoneFilter(key), lt(MongoDocuments.VERSION, new BsonInt64(version))))));
            s.ops().bulkWrite(kind.tombstones(s), clears);
        }
    }

    /** @return the newest version the store holds for each key, live or deleted; absent for none */
    private static <T> Map<String, Long> storedVersions(MongoStore s, Versioned<T> kind, List<String> keys) {
        Map<String, Long> versions = new HashMap<>();
        s.ops()
                .find(kind.live(s), kind.liveLookup(keys))
                .projection(Projections.include(
                        MongoDocuments.ID,
                        MongoDocuments.CHAT_ID,
                        MongoDocuments.USER_ID,
                        MongoDocuments.MEMORY_TYPE,
                        MongoDocuments.KEY,
                        MongoDocuments.VERSION))
                .forEach(d -> versions.merge(kind.liveKey(d), MongoDocuments.version(d), Math::max));
        s.ops()
                .find(kind.tombstones(s), kind.tombstoneLookup(keys))
                .forEach(d -> versions.merge(kind.tombstoneKey(d), MongoDocuments.version(d), Math::max));
        return versions;
    }

    private <T> List<List<T>> chunks(List<T> records) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < records.size(); from += batchSize) {
            chunks.add(records.subList(from, Math.min(records.size(), from + batchSize)));
        }
        return chunks;
    }

    /**
     * Checks the parents a batch names with one query (and one more for those missing): a parent
     * that is absent and was deleted (its tombstone) is returned, so its children are skipped; one
     * absent and never deleted fails the batch before anything is written.
     *
     * @param tombstoneField the tombstone's field that holds the parent's id ({@code _id} for users,
     *     {@code session_id} for sessions)
     * @return the ids of absent parents that were deleted
     */
    private static Set<String> missingParents(
            MongoStore s,
            MongoCollection<BsonDocument> parents,
            java.util.stream.Stream<UUID> ids,
            String kind,
            MongoCollection<BsonDocument> tombstones,
            String tombstoneField) {
        Set<String> wanted = new LinkedHashSet<>();
        ids.filter(java.util.Objects::nonNull).forEach(id -> wanted.add(id.toString()));
        if (wanted.isEmpty()) {
            return Set.of();
        }
        Set<String> missing = new LinkedHashSet<>(wanted);
        s.ops()
                .find(parents, in(MongoDocuments.ID, wanted))
                .projection(Projections.include(MongoDocuments.ID))
                .forEach(d -> missing.remove(d.getString(MongoDocuments.ID).getValue()));
        if (missing.isEmpty()) {
            return Set.of();
        }
        Set<String> deleted = new HashSet<>();
        s.ops()
                .find(tombstones, in(tombstoneField, missing))
                .projection(Projections.include(tombstoneField))
                .forEach(d -> deleted.add(d.getString(tombstoneField).getValue()));
        for (String id : missing) {
            if (!deleted.contains(id)) {
                throw new NotFoundException("The referenced " + kind + " does not exist: " + id);
            }
        }
        return deleted;
    }

    private void upsertById(MongoCollection<BsonDocument> collection, List<BsonDocument> docs) {
        upsert(collection, docs, d -> eq(MongoDocuments.ID, d.get(MongoDocuments.ID)));
    }

    /**
     * Inserts the batch unordered; whatever failed on a unique key (it exists already, or another
     * record holds one of its unique values) is then replaced by key, upserting. A record that
     * still collides there collides with another record, and that error is the caller's.
     */
    private void upsert(
            MongoCollection<BsonDocument> collection, List<BsonDocument> docs, Function<BsonDocument, Bson> key) {
        if (docs.isEmpty()) {
            return;
        }
        List<BsonDocument> existing = new ArrayList<>();
        if (store.ops().session() != null) {
            // In a transaction a failed insert aborts everything: replace straight away.
            existing.addAll(docs);
        } else
            try {
                store.ops().insertMany(collection, docs, false);
                return;
            } catch (MongoBulkWriteException e) {
                for (BulkWriteError error : e.getWriteErrors()) {
                    if (!MongoErrors.isDuplicateKey(error)) {
                        throw e;
                    }
                    existing.add(docs.get(error.getIndex()));
                }
                if (e.getWriteConcernError() != null) {
                    throw e;
                }
            }
        List<ReplaceOneModel<BsonDocument>> replaces = new ArrayList<>(existing.size());
        for (BsonDocument doc : existing) {
            replaces.add(new ReplaceOneModel<>(key.apply(doc), doc, new ReplaceOptions().upsert(true)));
        }
        store.ops().bulkWrite(collection, replaces);
    }

    // ---- tombstones ----

    @Override
    public List<Tombstone> findTombstones(Collection<RecordKey> keys) {
        List<String> users = new ArrayList<>();
        List<String> chats = new ArrayList<>();
        List<Bson> memory = new ArrayList<>();
        for (RecordKey key : keys) {
            switch (key.kind()) {
                case USER -> users.add(key.userId().toString());
                case SESSION -> chats.add(key.chatId());
                case MEMORY ->
                    memory.add(
                            key.isWholeType()
                                    ? and(
                                            eq(
                                                    MongoDocuments.USER_ID,
                                                    key.userId().toString()),
                                            eq(MongoDocuments.MEMORY_TYPE, new BsonString(key.memoryType())))
                                    : memoryFilter(memoryKeyOf(key.userId(), key.memoryType(), key.key())));
            }
        }
        return store.call("findTombstones", () -> {
            Set<Tombstone> found = new LinkedHashSet<>();
            for (List<String> ids : chunks(users)) {
                store.ops()
                        .find(store.userTombstones, in(MongoDocuments.ID, ids))
                        .forEach(d -> found.add(MongoDocuments.toUserTombstone(d)));
            }
            for (List<String> ids : chunks(chats)) {
                store.ops()
                        .find(store.sessionTombstones, in(MongoDocuments.ID, ids))
                        .forEach(d -> found.add(MongoDocuments.toSessionTombstone(d)));
            }
            for (List<Bson> clauses : chunks(memory)) {
                store.ops()
                        .find(store.memoryTombstones, clauses.size() == 1 ? clauses.get(0) : or(clauses))
                        .forEach(d -> found.add(MongoDocuments.toMemoryTombstone(d)));
            }
            return List.copyOf(found);
        });
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        for (List<Tombstone> chunk : chunks(tombstones)) {
            store.atomically("upsertTombstones", s -> {
                s.bulkAccess().applyTombstones(s, chunk);
                return null;
            });
        }
    }

    /**
     * Per kind: the stored versions (live and deleted) of the chunk's keys with one query each, then the
     * tombstones that are newer raised in one {@code bulkWrite}, then the older live records deleted as
     * {@code DataAccess} deletes them, each on a version condition (a record that became newer meanwhile
     * stays). Tombstones first, so that no failure in between loses a deletion.
     */
    private void applyTombstones(MongoStore s, List<Tombstone> chunk) {
        Map<RecordKey.Kind, Map<String, Tombstone>> byKind = new java.util.EnumMap<>(RecordKey.Kind.class);
        for (Tombstone t : chunk) {
            RecordKey k = t.key();
            String key = switch (k.kind()) {
                case USER -> k.userId().toString();
                case SESSION -> k.chatId();
                case MEMORY -> memoryKeyOf(k.userId(), k.memoryType(), k.key());
            };
            byKind.computeIfAbsent(k.kind(), x -> new LinkedHashMap<>())
                    .merge(key, t, (a, b) -> b.version() >= a.version() ? b : a);
        }
        Map<String, Tombstone> users = byKind.getOrDefault(RecordKey.Kind.USER, Map.of());
        for (Map.Entry<String, BsonDocument> older :
                newerTombstones(s, USERS, users).entrySet()) {
            BsonString id = new BsonString(older.getKey());
            s.writes().detachSessions(id);
            s.ops().deleteMany(s.memory, eq(MongoDocuments.USER_ID, id));
            s.ops().deleteMany(s.votes, eq(MongoDocuments.USER_ID, id));
            s.ops().deleteMany(s.tokenUsage, eq(MongoDocuments.USER_ID, id));
            s.ops()
                    .deleteOne(
                            s.users,
                            and(
                                    eq(MongoDocuments.ID, id),
                                    lt(
                                            MongoDocuments.VERSION,
                                            new BsonInt64(
                                                    users.get(older.getKey()).version()))));
        }
        Map<String, Tombstone> sessions = byKind.getOrDefault(RecordKey.Kind.SESSION, Map.of());
        for (Map.Entry<String, BsonDocument> older :
                newerTombstones(s, SESSIONS, sessions).entrySet()) {
            BsonValue id = older.getValue().get(MongoDocuments.ID);
            if (s.ops()
                            .deleteOne(
                                    s.sessions,
                                    and(
                                            eq(MongoDocuments.ID, id),
                                            lt(
                                                    MongoDocuments.VERSION,
                                                    new BsonInt64(sessions.get(older.getKey())
                                                            .version()))))
                            .getDeletedCount()
                    > 0) {
                s.ops().deleteMany(s.votes, eq(MongoDocuments.SESSION_ID, id));
                s.ops().deleteMany(s.tokenUsage, eq(MongoDocuments.SESSION_ID, id));
                s.ops().deleteMany(s.messages, eq(MongoDocuments.SESSION_ID, id));
            }
        }
        Map<String, Tombstone> memory = byKind.getOrDefault(RecordKey.Kind.MEMORY, Map.of());
        List<DeleteOneModel<BsonDocument>> entries = new ArrayList<>();
        for (String key : newerTombstones(s, MEMORY, memory).keySet()) {
            entries.add(new DeleteOneModel<>(and(
                    memoryFilter(key),
                    lt(MongoDocuments.VERSION, new BsonInt64(memory.get(key).version())))));
        }
        if (!entries.isEmpty()) {
            s.ops().bulkWrite(s.memory, entries);
        }
    }

    /**
     * Raises the tombstones that are newer than what the store holds for their keys.
     *
     * @return the live records (key to stored document) those tombstones delete: older than the tombstone
     */
    private static <T> Map<String, BsonDocument> newerTombstones(
            MongoStore s, Versioned<T> kind, Map<String, Tombstone> tombstones) {
        if (tombstones.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> deleted = new HashMap<>();
        s.ops()
                .find(kind.tombstones(s), kind.tombstoneLookup(tombstones.keySet()))
                .projection(Projections.include(
                        MongoDocuments.ID,
                        MongoDocuments.USER_ID,
                        MongoDocuments.MEMORY_TYPE,
                        MongoDocuments.KEY,
                        MongoDocuments.VERSION))
                .forEach(d -> deleted.put(kind.tombstoneKey(d), MongoDocuments.version(d)));
        Map<String, BsonDocument> live = new HashMap<>();
        s.ops()
                .find(kind.live(s), kind.liveLookup(tombstones.keySet()))
                .projection(Projections.include(
                        MongoDocuments.ID,
                        MongoDocuments.CHAT_ID,
                        MongoDocuments.USER_ID,
                        MongoDocuments.MEMORY_TYPE,
                        MongoDocuments.KEY,
                        MongoDocuments.VERSION))
                .forEach(d -> live.put(kind.liveKey(d), d));
        List<WriteModel<BsonDocument>> raises = new ArrayList<>();
        Map<String, BsonDocument> older = new LinkedHashMap<>();
        tombstones.forEach((key, t) -> {
            BsonDocument stored = live.get(key);
            if (t.version() <= deleted.getOrDefault(key, 0L)
                    || (stored != null && t.version() <= MongoDocuments.version(stored))) {
                return;
            }
            BsonDocument set = t.sessionId() == null
                    ? new BsonDocument()
                    : new BsonDocument(MongoDocuments.SESSION_ID, MongoDocuments.id(t.sessionId()));
            raises.add(s.writes().tombstoneRaise(kind.tombstoneFilter(key), t.version(), set));
            if (stored != null) {
                older.put(key, stored);
            }
        });
        s.writes().raiseTombstones(kind.tombstones(s), raises);
        return older;
    }
}
