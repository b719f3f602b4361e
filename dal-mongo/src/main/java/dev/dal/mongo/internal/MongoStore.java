package dev.dal.mongo.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Filters.or;
import static dev.dal.mongo.internal.MongoDocuments.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.MongoException;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.Updates;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DeleteMode;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.SessionOverview;
import dev.dal.api.Timestamps;
import dev.dal.api.TransactionWork;
import dev.dal.api.UnavailableException;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.DalConfig;
import dev.dal.api.spi.CodePointOrder;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.TransactionRetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MongoDB {@link DataAccess}. Every value reaches the server as a BSON value inside filters
 * the code builds, never as query text. On a replica set or sharded cluster, multi-document work
 * (adding messages, deletes that cascade, writes that check a referenced record) runs in a driver
 * transaction; on a standalone server it runs as single-document atomic steps in a safe order (see
 * the module README for exactly what holds there).
 */
public final class MongoStore implements DataAccess {
    private static final Logger LOG = LoggerFactory.getLogger(MongoStore.class);
    private static final TransactionOptions TRANSACTION = TransactionOptions.builder()
            .readConcern(ReadConcern.SNAPSHOT).writeConcern(WriteConcern.MAJORITY)
            .readPreference(ReadPreference.primary()).build();

    private final MongoConnection connection;
    private final Clock clock;
    private final AtomicBoolean closed;
    private final MongoOps ops;
    private final MongoBulkAccess bulk;
    private final Set<Capability> capabilities;
    private final TransactionRetry retry;
    final MongoCollection<BsonDocument> users;
    final MongoCollection<BsonDocument> sessions;
    final MongoCollection<BsonDocument> messages;
    final MongoCollection<BsonDocument> memory;
    final MongoCollection<BsonDocument> userTombstones;
    final MongoCollection<BsonDocument> sessionTombstones;
    final MongoCollection<BsonDocument> memoryTombstones;

    MongoStore(MongoConnection connection, Clock clock, int batchSize, TransactionRetry retry) {
        this(connection, clock, new AtomicBoolean(), null, batchSize, retry);
    }

    private MongoStore(MongoConnection connection, Clock clock, AtomicBoolean closed, ClientSession session,
            int batchSize, TransactionRetry retry) {
        this.connection = connection;
        this.clock = clock;
        this.closed = closed;
        this.retry = retry;
        this.ops = new MongoOps(session, MongoOps.serverLimit(connection.queryTimeout()));
        var db = connection.database();
        this.users = db.getCollection(MongoMigrations.USERS, BsonDocument.class);
        this.sessions = db.getCollection(MongoMigrations.SESSIONS, BsonDocument.class);
        this.messages = db.getCollection(MongoMigrations.MESSAGES, BsonDocument.class);
        this.memory = db.getCollection(MongoMigrations.MEMORY, BsonDocument.class);
        this.userTombstones = db.getCollection(MongoMigrations.USER_TOMBSTONES, BsonDocument.class);
        this.sessionTombstones = db.getCollection(MongoMigrations.SESSION_TOMBSTONES, BsonDocument.class);
        this.memoryTombstones = db.getCollection(MongoMigrations.MEMORY_TOMBSTONES, BsonDocument.class);
        this.capabilities = connection.transactions()
                ? Collections.unmodifiableSet(EnumSet.of(Capability.TRANSACTIONS, Capability.MULTI_PROCESS,
                        Capability.NETWORK))
                : Collections.unmodifiableSet(EnumSet.of(Capability.MULTI_PROCESS, Capability.NETWORK));
        this.bulk = new MongoBulkAccess(this, batchSize);
    }

    private Instant now() {
        return Timestamps.now(clock);
    }

    MongoOps ops() {
        return ops;
    }

    MongoConnection connection() {
        return connection;
    }

    MongoBulkAccess bulkAccess() {
        return bulk;
    }

    boolean inTransaction() {
        return ops.session() != null;
    }

    Instant clockNow() {
        return now();
    }

    /**
     * Runs one operation, translating whatever the driver throws. Whether a failed write may have
     * been stored depends on what the call did with the pool (see {@link MongoErrors}); inside a
     * transaction nothing is stored before the commit, so no step there counts as a sent write.
     */
    <T> T call(String operation, Supplier<T> work) {
        if (closed.get()) {
            throw new UnavailableException("The MongoDB store is closed (" + operation + ")");
        }
        boolean write = !inTransaction() && !isRead(operation);
        for (int attempt = 1;; attempt++) {
            MongoConnection.Mark mark = connection.pool().mark();
            try {
                return work.get();
            } catch (RuntimeException e) {
                var context = new MongoErrors.Context(write, connection.pool().since(mark), connection.queryTimeout());
                // A pooled connection that broke while idle (a reset, a restarted server) fails the
                // first command sent on it. When nothing can have been stored, run once more on a
                // fresh connection: the driver has cleared the pool, and its wait for a server is
                // bounded by DB_CONNECT_TIMEOUT, so the call stays within its deadline.
                if (attempt == 1 && !inTransaction() && MongoErrors.brokeBeforeAnythingWasStored(e, context)) {
                    continue;
                }
                throw MongoErrors.translate(operation, e, context);
            }
        }
    }

    /** Reads are named get…, list…, scan…; every other operation may write. */
    private static boolean isRead(String operation) {
        return operation.startsWith("get") || operation.startsWith("list") || operation.startsWith("scan");
    }

    /**
     * Runs multi-document work all-or-nothing where the server allows it: in the running
     * transaction, or a transaction of its own on a replica set; as plain steps on a standalone
     * server (the work is written so that those steps leave nothing half-done that a reader trips on).
     */
    <T> T atomically(String operation, Function<MongoStore, T> work) {
        if (inTransaction() || !connection.transactions()) {
            return call(operation, () -> work.apply(this));
        }
        return runTransaction(operation, work);
    }

    // ---- users ----

    @Override
    public User createUser(NewUser newUser) {
        User user = newUser.toUser(Ids.newId(), now());
        if (newUser.id() == null) {
            // A fresh id was never deleted: no tombstone to continue from.
            return call("createUser", () -> {
                ops.insertOne(users, user(user));
                return user;
            });
        }
        // A caller-chosen id may have been deleted before: continue above its tombstone, and clear it.
        Bson key = eq(ID, user.id().toString());
        return atomically("createUser", s -> {
            long deleted = s.tombstoneVersion(s.userTombstones, key);
            User created = user.withVersion(deleted + 1);
            s.ops.insertOne(s.users, user(created));
            s.clearTombstone(s.userTombstones, key, deleted);
            return created;
        });
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return call("getUser", () -> Optional.ofNullable(ops.find(users, eq(ID, id.toString())).first())
                .map(MongoDocuments::toUser));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return call("getUserByExternalId", () -> Optional.ofNullable(
                ops.find(users, eq(EXTERNAL_ID, new BsonString(externalId))).first()).map(MongoDocuments::toUser));
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        BsonDocument set = new BsonDocument();
        BsonDocument unset = new BsonDocument();
        if (update.externalId().isSet()) {
            Optional<String> value = update.externalId().value();
            if (value.isPresent()) {
                set.append(EXTERNAL_ID, new BsonString(value.get()));
            } else {
                unset.append(EXTERNAL_ID, new BsonString(""));
            }
        }
        if (update.email().isSet()) {
            set.append(EMAIL, text(update.email().value().orElse(null)));
        }
        if (update.name().isSet()) {
            set.append(NAME, text(update.name().value().orElse(null)));
        }
        if (update.profile().isSet()) {
            set.append(PROFILE, MongoJson.toDocument(
                    JsonValues.canonicalObject(update.profile().value().orElse(null), "user.profile")));
        }
        if (update.preferences().isSet()) {
            set.append(PREFERENCES, MongoJson.toDocument(
                    JsonValues.canonicalObject(update.preferences().value().orElse(null), "user.preferences")));
        }
        if (update.status().isSet()) {
            set.append(STATUS, new BsonString(update.status().value().orElseThrow().wireName()));
        }
        if (update.lastActiveAt().isSet()) {
            set.append(LAST_ACTIVE_AT, date(Timestamps.truncate(update.lastActiveAt().value().orElse(null))));
        }
        set.append(UPDATED_AT, date(now()));
        BsonDocument change = new BsonDocument("$set", set).append("$inc", ONE_VERSION);
        if (!unset.isEmpty()) {
            change.append("$unset", unset);
        }
        Bson key = eq(ID, id.toString());
        Long expected = update.expectedVersion();
        Bson filter = expected == null ? key : and(key, eq(VERSION, expected));
        return call("updateUser", () -> {
            BsonDocument after = ops.findOneAndUpdate(users, filter, change,
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
            if (after == null) {
                BsonDocument current = expected == null ? null : ops.find(users, key)
                        .projection(Projections.include(VERSION)).first();
                if (current == null) {
                    throw NotFoundException.of("user", id);
                }
                throw staleVersion("user", expected, version(current));
            }
            return toUser(after);
        });
    }

    /** {@code {version: 1}}, for {@code $inc}: every change moves the version with it, in the same update. */
    static final BsonDocument ONE_VERSION = new BsonDocument(VERSION, new BsonInt64(1));

    private static ConcurrencyConflictException staleVersion(String kind, long expected, long stored) {
        return new ConcurrencyConflictException("The " + kind + " was changed since version " + expected
                + " was read (it is at version " + stored + "); read it again and retry", null);
    }

    /** @return the version a tombstone holds for the key, 0 when there is none */
    long tombstoneVersion(MongoCollection<BsonDocument> tombstones, Bson key) {
        BsonDocument d = ops.find(tombstones, key).projection(Projections.include(VERSION)).first();
        return d == null ? 0 : version(d);
    }

    /** Removes the tombstone a creation read (at {@code deleted}), unless a newer deletion raised it since. */
    void clearTombstone(MongoCollection<BsonDocument> tombstones, Bson key, long deleted) {
        if (deleted > 0) {
            ops.deleteOne(tombstones, and(key, lte(VERSION, deleted)));
        }
    }

    /**
     * Keeps a deletion: the tombstone for the key at {@code version}, raised, never lowered ({@code $max}).
     * Written before the record is deleted, so that no failure in between loses it.
     */
    void raiseTombstone(MongoCollection<BsonDocument> tombstones, Bson key, long version, BsonDocument set) {
        var raise = tombstoneRaise(key, version, set);
        for (int attempt = 1;; attempt++) {
            try {
                ops.updateOne(tombstones, raise.getFilter(), raise.getUpdate(), raise.getOptions());
                return;
            } catch (MongoException e) {
                // Two deleters inserted the same new tombstone at once: the loser raises the winner's.
                if (MongoErrors.codeOf(e) != 11000 || attempt == 2 || inTransaction()) {
                    throw e;
                }
            }
        }
    }

    /** How often a delete reads the record again when it changed between reading its version and deleting it. */
    private static final int DELETE_ATTEMPTS = 5;

    private static ConcurrencyConflictException keptChanging(String kind) {
        return new ConcurrencyConflictException("The " + kind + " kept changing while it was being deleted; retry",
                null);
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        BsonString userId = MongoDocuments.id(id);
        // Dependants first, the user last: a failure half-way leaves the user in place, and deleting again finishes.
        return atomically("deleteUser", s -> {
            if (mode == DeleteMode.PURGE) {
                s.purgeSessions(userId);
            } else {
                s.detachSessions(userId);
            }
            s.ops.deleteMany(s.memory, eq(USER_ID, userId));
            // The tombstone before the user: a failure in between leaves both, never a deletion without its trace.
            Bson key = eq(ID, userId);
            for (int attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
                BsonDocument live = s.ops.find(s.users, key).projection(Projections.include(VERSION)).first();
                if (live == null) {
                    return false;
                }
                long version = version(live);
                s.raiseTombstone(s.userTombstones, key, version + 1, new BsonDocument());
                if (s.ops.deleteOne(s.users, and(key, eq(VERSION, version))).getDeletedCount() > 0) {
                    return true;
                }
            }
            throw keptChanging("user");
        });
    }

    /**
     * Deletes the user's sessions with their messages, each session leaving a tombstone (its messages name
     * only the session): tombstones first, then the sessions on the versions read, then the messages of
     * those that went. A session changed meanwhile is read again.
     */
    private void purgeSessions(BsonString userId) {
        for (int stalls = 0; stalls < DELETE_ATTEMPTS; ) {
            List<BsonDocument> owned = ops.find(sessions, eq(USER_ID, userId))
                    .projection(Projections.include(ID, CHAT_ID, VERSION)).into(new ArrayList<>());
            if (owned.isEmpty()) {
                return;
            }
            List<WriteModel<BsonDocument>> tombstones = new ArrayList<>(owned.size());
            List<WriteModel<BsonDocument>> deletes = new ArrayList<>(owned.size());
            List<BsonValue> ids = new ArrayList<>(owned.size());
            for (BsonDocument d : owned) {
                long version = version(d);
                tombstones.add(tombstoneRaise(eq(ID, d.get(CHAT_ID)), version + 1, new BsonDocument(SESSION_ID, d.get(ID))));
                deletes.add(new DeleteOneModel<>(and(eq(ID, d.get(ID)), eq(VERSION, version))));
                ids.add(d.get(ID));
            }
            raiseTombstones(sessionTombstones, tombstones);
            int deleted = ops.bulkWrite(sessions, deletes).getDeletedCount();
            List<BsonValue> gone = new ArrayList<>(ids);
            if (deleted < ids.size()) {
                ops.find(sessions, in(ID, ids)).projection(Projections.include(ID)).forEach(d -> gone.remove(d.get(ID)));
            }
            if (!gone.isEmpty()) {
                ops.deleteMany(messages, in(SESSION_ID, gone));
            }
            stalls = deleted < ids.size() ? stalls + 1 : 0;
        }
        throw keptChanging("chat session");
    }

    /** Leaves the user's sessions without a user, each one version later. */
    void detachSessions(BsonString userId) {
        ops.updateMany(sessions, eq(USER_ID, userId),
                Updates.combine(Updates.set(USER_ID, BsonNull.VALUE), Updates.inc(VERSION, 1L)));
    }

    private boolean userExists(UUID id) {
        return ops.find(users, eq(ID, id.toString())).projection(Projections.include(ID)).first() != null;
    }

    // ---- sessions ----

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        ChatSession session = newSession.toSession(Ids.newId(), now());
        Bson key = eq(ID, new BsonString(session.chatId()));
        return atomically("createChatSession", s -> {
            if (session.userId() != null && !s.userExists(session.userId())) {
                throw NotFoundException.of("user", session.userId());
            }
            // A chat id used again continues above the deleted session's version, and clears its tombstone.
            long deleted = s.tombstoneVersion(s.sessionTombstones, key);
            ChatSession created = session.withVersion(deleted + 1);
            s.ops.insertOne(s.sessions, session(created));
            s.clearTombstone(s.sessionTombstones, key, deleted);
            return created;
        });
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return call("getChatSession", () -> Optional.ofNullable(ops.find(sessions, eq(CHAT_ID, new BsonString(chatId)))
                .first()).map(MongoDocuments::toSession));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        BsonDocument set = new BsonDocument();
        UUID newOwner = update.userId().isSet() ? update.userId().value().orElse(null) : null;
        if (update.userId().isSet()) {
            set.append(USER_ID, newOwner == null ? BsonNull.VALUE : MongoDocuments.id(newOwner));
        }
        if (update.title().isSet()) {
            set.append(TITLE, text(update.title().value().orElse(null)));
        }
        if (update.profile().isSet()) {
            set.append(PROFILE, new BsonString(update.profile().value().orElse(ChatSession.DEFAULT_PROFILE)));
        }
        if (update.metadata().isSet()) {
            set.append(METADATA, MongoJson.toDocument(
                    JsonValues.canonicalObject(update.metadata().value().orElse(null), "session.metadata")));
        }
        if (update.status().isSet()) {
            set.append(STATUS, new BsonString(update.status().value().orElseThrow().wireName()));
        }
        set.append(UPDATED_AT, date(now()));
        Bson key = eq(CHAT_ID, new BsonString(chatId));
        Long expected = update.expectedVersion();
        Bson filter = expected == null ? key : and(key, eq(VERSION, expected));
        return atomically("updateChatSession", s -> {
            if (newOwner != null && !s.userExists(newOwner)) {
                throw NotFoundException.of("user", newOwner);
            }
            BsonDocument after = s.ops.findOneAndUpdate(s.sessions, filter,
                    new BsonDocument("$set", set).append("$inc", ONE_VERSION),
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
            if (after == null) {
                BsonDocument current = expected == null ? null : s.ops.find(s.sessions, key)
                        .projection(Projections.include(VERSION)).first();
                if (current == null) {
                    throw NotFoundException.of("chat session", chatId);
                }
                throw staleVersion("chat session", expected, version(current));
            }
            return toSession(after);
        });
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        // The tombstone first, then the session (once it is gone no message can be added to it), then its messages.
        Bson key = eq(CHAT_ID, new BsonString(chatId));
        return atomically("deleteChatSession", s -> {
            for (int attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
                BsonDocument live = s.ops.find(s.sessions, key).projection(Projections.include(ID, VERSION)).first();
                if (live == null) {
                    return false;
                }
                long version = version(live);
                s.raiseTombstone(s.sessionTombstones, eq(ID, new BsonString(chatId)), version + 1,
                        new BsonDocument(SESSION_ID, live.get(ID)));
                if (s.ops.deleteOne(s.sessions, and(eq(ID, live.get(ID)), eq(VERSION, version))).getDeletedCount() > 0) {
                    s.ops.deleteMany(s.messages, eq(SESSION_ID, live.get(ID)));
                    return true;
                }
            }
            throw keptChanging("chat session");
        });
    }

    private static final Bson SESSION_ORDER = Sorts.orderBy(Sorts.descending(LAST_ACTIVITY_AT), Sorts.descending(ID));

    @Override
    public List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        return call("listUserSessions", () -> ops.find(sessions, eq(USER_ID, userId.toString())).sort(SESSION_ORDER)
                .skip(offset).limit(limit).map(MongoDocuments::toSession).into(new ArrayList<>()));
    }

    private static final String LAST = "_last";

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, int limit, int offset) {
        // One aggregation: the page of sessions, each joined to its newest message by a sub-pipeline.
        List<Bson> pipeline = List.of(
                Aggregates.match(eq(USER_ID, userId.toString())),
                Aggregates.sort(SESSION_ORDER),
                Aggregates.skip(offset),
                Aggregates.limit(limit),
                new BsonDocument("$lookup", new BsonDocument("from", new BsonString(MongoMigrations.MESSAGES))
                        .append("let", new BsonDocument("sid", new BsonString("$" + ID)))
                        .append("pipeline", new org.bson.BsonArray(List.of(
                                new BsonDocument("$match", new BsonDocument("$expr", new BsonDocument("$eq",
                                        new org.bson.BsonArray(List.of(new BsonString("$" + SESSION_ID),
                                                new BsonString("$$sid")))))),
                                new BsonDocument("$sort", new BsonDocument(SEQUENCE_NUMBER, new BsonInt32(-1))),
                                new BsonDocument("$limit", new BsonInt32(1)))))
                        .append("as", new BsonString(LAST))));
        return call("listUserSessionsWithLastMessage", () -> {
            List<SessionOverview> page = new ArrayList<>();
            for (BsonDocument d : ops.aggregate(sessions, pipeline)) {
                var last = d.getArray(LAST, new org.bson.BsonArray());
                page.add(new SessionOverview(toSession(d), last.isEmpty() ? null : toMessage(last.get(0).asDocument())));
            }
            return page;
        });
    }

    // ---- messages ----

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return addMessages(chatId, List.of(message)).get(0);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        if (inTransaction() || connection.transactions()) {
            return atomically("addMessages", s -> s.append(chatId, newMessages, false));
        }
        return call("addMessages", () -> append(chatId, newMessages, true));
    }

    /**
     * Reserves the numbers with one atomic {@code $inc} on the session (which moves its counters in
     * the same step), then inserts the messages with one {@code insertMany}. Without a transaction
     * a failed insert is undone as far as it can be: the inserted messages are deleted and the
     * counters put back unless another writer has moved them since.
     */
    /** On the session: which batch of caller-chosen ids reserved the newest sequence numbers. */
    static final String LAST_APPEND = "last_append_op";

    private List<Message> append(String chatId, List<NewMessage> newMessages, boolean compensate) {
        Instant now = now();
        int n = newMessages.size();
        String op = appendOp(newMessages);
        Bson session = eq(CHAT_ID, new BsonString(chatId));
        Bson reserve = Updates.combine(Updates.inc(MESSAGE_COUNT, (long) n), Updates.inc(VERSION, 1L),
                Updates.set(LAST_MESSAGE_AT, date(now)),
                Updates.set(LAST_ACTIVITY_AT, date(now)),
                op == null ? Updates.unset(LAST_APPEND) : Updates.set(LAST_APPEND, new BsonString(op)));
        BsonDocument before = null;
        long previous = -1;
        for (int attempt = 1; attempt <= 3 && previous < 0; attempt++) {
            before = ops.findOneAndUpdate(sessions, reservable(op, session), reserve,
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE)
                            .projection(Projections.include(ID, MESSAGE_COUNT, LAST_MESSAGE_AT, LAST_ACTIVITY_AT)));
            if (before != null) {
                previous = before.get(MESSAGE_COUNT).asNumber().longValue();
                break;
            }
            if (op == null) {
                throw NotFoundException.of("chat session", chatId);
            }
            // This batch's ids reserved the newest numbers already (a repeat after a lost answer):
            // reuse them, so the repeat leaves no gap. Unless another writer appended meanwhile.
            BsonDocument current = ops.find(sessions, session)
                    .projection(Projections.include(ID, MESSAGE_COUNT, LAST_APPEND)).first();
            if (current == null) {
                throw NotFoundException.of("chat session", chatId);
            }
            if (op.equals(current.getString(LAST_APPEND, new BsonString("")).getValue())) {
                before = current;
                previous = current.get(MESSAGE_COUNT).asNumber().longValue() - n;
                compensate = false;
            }
        }
        if (previous < 0) {
            throw new dev.dal.api.ConcurrencyConflictException("Other writers kept appending to chat session while"
                    + " addMessages tried to reserve sequence numbers; retry", null);
        }
        UUID sessionId = UUID.fromString(before.getString(ID).getValue());
        List<Message> added = new ArrayList<>(n);
        List<BsonDocument> docs = new ArrayList<>(n);
        long next = previous + 1;
        for (NewMessage m : newMessages) {
            Message message = m.toMessage(Ids.newId(), sessionId, next++, now);
            added.add(message);
            docs.add(message(message));
        }
        try {
            ops.insertMany(messages, docs, true);
        } catch (RuntimeException e) {
            // Undone unless a deadline passed: then an undo would spend another deadline on a link
            // that just stalled, and the numbers stay reserved (the caller gets OutcomeUnknown; a
            // repeat with the same ids reuses them). A broken connection is undone on a fresh one.
            if (compensate && !MongoErrors.isTimeout(e)) {
                undoAppend(before, previous + n, added);
            }
            throw e;
        }
        return List.copyOf(added);
    }

    /** The reservation filter: the session, and not already reserved by this batch. */
    private static Bson reservable(String op, Bson session) {
        return op == null ? session : and(session, ne(LAST_APPEND, new BsonString(op)));
    }

    /** @return what identifies a batch whose every message has a caller-chosen id, else {@code null} */
    private static String appendOp(List<NewMessage> newMessages) {
        StringBuilder op = new StringBuilder();
        for (NewMessage m : newMessages) {
            if (m.id() == null) {
                return null;
            }
            if (op.length() == 0) {
                op.append(m.id());
            }
        }
        return op.append(':').append(newMessages.size()).append(':')
                .append(newMessages.get(newMessages.size() - 1).id()).toString();
    }

    private void undoAppend(BsonDocument before, long reservedTop, List<Message> added) {
        for (int attempt = 1;; attempt++) {
            try {
                undoAppendOnce(before, reservedTop, added);
                return;
            } catch (RuntimeException undo) {
                // Another pooled connection broken by the same fault: once more on a fresh one.
                if (attempt == 1 && MongoErrors.brokeBeforeAnythingWasStored(undo,
                        new MongoErrors.Context(false, new MongoConnection.Mark(1, 0), connection.queryTimeout()))) {
                    continue;
                }
                LOG.warn("Could not undo a failed addMessages ({}); sequence numbers {}..{} may stay unused",
                        undo.getClass().getName(), reservedTop - added.size() + 1, reservedTop);
                return;
            }
        }
    }

    private void undoAppendOnce(BsonDocument before, long reservedTop, List<Message> added) {
        {
            List<BsonValue> ids = added.stream().map(m -> (BsonValue) MongoDocuments.id(m.id())).toList();
            messages.deleteMany(in(ID, ids));
            long restored = sessions.updateOne(and(eq(ID, before.get(ID)), eq(MESSAGE_COUNT, reservedTop)),
                    // The undo is a change of its own: the version moves on again, never back to one that was seen.
                    Updates.combine(Updates.set(MESSAGE_COUNT, before.get(MESSAGE_COUNT)), Updates.unset(LAST_APPEND),
                            Updates.inc(VERSION, 1L),
                            Updates.set(LAST_MESSAGE_AT, before.get(LAST_MESSAGE_AT, BsonNull.VALUE)),
                            Updates.set(LAST_ACTIVITY_AT, before.get(LAST_ACTIVITY_AT, BsonNull.VALUE))))
                    .getModifiedCount();
            if (restored == 0) {
                LOG.warn("addMessages failed after other writers appended to the same session: sequence numbers {}..{}"
                        + " stay unused", reservedTop - added.size() + 1, reservedTop);
            }
        }
    }

    private BsonDocument sessionKey(String chatId) {
        return ops.find(sessions, eq(CHAT_ID, new BsonString(chatId)))
                .projection(Projections.include(ID, MESSAGE_COUNT)).first();
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return call("getChatHistory", () -> {
            BsonDocument session = sessionKey(chatId);
            if (session == null) {
                return List.of();
            }
            return ops.find(messages, eq(SESSION_ID, session.get(ID))).sort(Sorts.ascending(SEQUENCE_NUMBER))
                    .skip(offset).limit(limit).map(MongoDocuments::toMessage).into(new ArrayList<>());
        });
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return call("getChatHistory", () -> {
            BsonDocument session = sessionKey(chatId);
            if (session == null) {
                return List.of();
            }
            long[] window = query.window(session.get(MESSAGE_COUNT).asNumber().longValue());
            if (window[0] > window[1]) {
                return List.of();
            }
            return ops.find(messages, and(eq(SESSION_ID, session.get(ID)), gte(SEQUENCE_NUMBER, window[0]),
                            lte(SEQUENCE_NUMBER, window[1])))
                    .sort(Sorts.ascending(SEQUENCE_NUMBER)).map(MongoDocuments::toMessage).into(new ArrayList<>());
        });
    }

    @Override
    public long getMessageCount(String chatId) {
        return call("getMessageCount", () -> {
            BsonDocument session = sessionKey(chatId);
            return session == null ? 0L : session.get(MESSAGE_COUNT).asNumber().longValue();
        });
    }

    // ---- memory ----

    private static Bson visibleAt(Instant now) {
        return or(eq(EXPIRES_AT, BsonNull.VALUE), gt(EXPIRES_AT, date(now)));
    }

    private static Bson memoryFilter(UUID userId, String memoryType, String key) {
        return and(eq(USER_ID, userId.toString()), eq(MEMORY_TYPE, new BsonString(memoryType)),
                eq(KEY, new BsonString(key)));
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        Instant now = now();
        Instant expires = Timestamps.truncate(expiresAt);
        MemoryEntry fresh = new MemoryEntry(userId, memoryType, key, value, now, now, expires);
        Bson filter = memoryFilter(userId, memoryType, key);
        BsonValue stored = MongoJson.toBson(fresh.value());
        return atomically("setUserMemory", s -> {
            if (!s.userExists(userId)) {
                throw NotFoundException.of("user", userId);
            }
            for (int attempt = 1; ; attempt++) {
                // A visible entry keeps its creation time; an expired one starts again; both move one version on.
                BsonDocument live = s.ops.findOneAndUpdate(s.memory, and(filter, visibleAt(now)),
                        Updates.combine(Updates.set(VALUE, stored), Updates.set(UPDATED_AT, date(now)),
                                Updates.set(EXPIRES_AT, date(expires)), Updates.inc(VERSION, 1L)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)
                                .projection(Projections.include(CREATED_AT, VERSION)));
                if (live != null) {
                    return new MemoryEntry(userId, memoryType, key, fresh.value(),
                            Instant.ofEpochMilli(live.getDateTime(CREATED_AT).getValue()), now, expires, version(live));
                }
                BsonDocument expired = s.ops.findOneAndUpdate(s.memory, and(filter, lte(EXPIRES_AT, date(now))),
                        Updates.combine(Updates.set(VALUE, stored), Updates.set(CREATED_AT, date(now)),
                                Updates.set(UPDATED_AT, date(now)), Updates.set(EXPIRES_AT, date(expires)),
                                Updates.inc(VERSION, 1L)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)
                                .projection(Projections.include(VERSION)));
                if (expired != null) {
                    return fresh.withVersion(version(expired));
                }
                // A new key, or one deleted before: continue above its tombstone, and clear it.
                Bson tombstoneKey = memoryFilter(userId, memoryType, key);
                long deleted = s.tombstoneVersion(s.memoryTombstones, tombstoneKey);
                MemoryEntry created = fresh.withVersion(deleted + 1);
                try {
                    s.ops.insertOne(s.memory, memory(created));
                } catch (MongoException e) {
                    // Two writers inserted the same new key at once: the loser updates the winner's entry.
                    if (MongoErrors.codeOf(e) != 11000 || attempt == 3 || s.inTransaction()) {
                        throw e;
                    }
                    continue;
                }
                s.clearTombstone(s.memoryTombstones, tombstoneKey, deleted);
                return created;
            }
        });
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        Instant now = now();
        return call("getUserMemory", () -> Optional.ofNullable(
                ops.find(memory, and(memoryFilter(userId, memoryType, key), visibleAt(now))).first())
                .map(MongoDocuments::toMemory));
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        Instant now = now();
        return call("getUserMemory", () -> {
            List<MemoryEntry> entries = ops.find(memory, and(eq(USER_ID, userId.toString()),
                            eq(MEMORY_TYPE, new BsonString(memoryType)), visibleAt(now)))
                    .sort(Sorts.ascending(KEY)).map(MongoDocuments::toMemory).into(new ArrayList<>());
            // The server orders strings by UTF-8 bytes, i.e. by code point; this also holds servers that do not.
            entries.sort((a, b) -> CodePointOrder.compare(a.key(), b.key()));
            return entries;
        });
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        Instant now = now();
        Bson filter = memoryFilter(userId, memoryType, key);
        // The tombstone first, then the entry (an expired one too): a failure in between loses no deletion.
        return atomically("deleteUserMemory", s -> {
            for (int attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
                BsonDocument live = s.ops.find(s.memory, filter).projection(Projections.include(VERSION, EXPIRES_AT))
                        .first();
                if (live == null) {
                    return false;
                }
                long version = version(live);
                s.raiseTombstone(s.memoryTombstones, filter, version + 1, new BsonDocument());
                if (s.ops.deleteOne(s.memory, and(filter, eq(VERSION, version))).getDeletedCount() > 0) {
                    return visible(live, now);
                }
            }
            throw keptChanging("memory entry");
        });
    }

    private static boolean visible(BsonDocument entry, Instant now) {
        BsonValue expires = entry.get(EXPIRES_AT);
        return expires == null || expires.isNull() || expires.asDateTime().getValue() > now.toEpochMilli();
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        Instant now = now();
        Bson filter = and(eq(USER_ID, userId.toString()), eq(MEMORY_TYPE, new BsonString(memoryType)));
        return atomically("deleteUserMemory", s -> {
            int visible = 0;
            for (int stalls = 0; stalls < DELETE_ATTEMPTS; ) {
                MemoryPage page = s.deleteMemoryPage(filter, now, 0);
                if (page.found() == 0) {
                    return visible;
                }
                visible += page.visible();
                stalls = page.deleted() < page.found() ? stalls + 1 : 0;
            }
            throw keptChanging("memory entry");
        });
    }

    @Override
    public int purgeExpiredMemory() {
        Instant now = now();
        Bson expired = lte(EXPIRES_AT, date(now));
        int purged = 0;
        // In pages, each all-or-nothing where the server has transactions, so a large purge is no single huge one.
        for (int stalls = 0; stalls < DELETE_ATTEMPTS; ) {
            MemoryPage page = atomically("purgeExpiredMemory", s -> s.deleteMemoryPage(expired, now, bulk.batchSize()));
            if (page.found() == 0) {
                return purged;
            }
            purged += page.deleted();
            stalls = page.deleted() < page.found() ? stalls + 1 : 0;
        }
        throw keptChanging("memory entry");
    }

    /**
     * @param found entries the filter matched
     * @param deleted of those, how many were deleted (the others changed meanwhile)
     * @param visible of the deleted, how many were not expired
     */
    record MemoryPage(int found, int deleted, int visible) {
    }

    /**
     * Deletes entries the filter matches, each with a tombstone at its version plus one: the tombstones
     * first (one {@code bulkWrite} of upserts), then the entries (a {@code bulkWrite} of deletes, each on
     * the version it read, so an entry changed meanwhile stays for the next page).
     *
     * @param limit the most entries to read, 0 for all
     */
    MemoryPage deleteMemoryPage(Bson filter, Instant now, int limit) {
        List<BsonDocument> found = ops.find(memory, filter)
                .projection(Projections.include(ID, USER_ID, MEMORY_TYPE, KEY, VERSION, EXPIRES_AT))
                .limit(limit).into(new ArrayList<>());
        if (found.isEmpty()) {
            return new MemoryPage(0, 0, 0);
        }
        List<WriteModel<BsonDocument>> tombstones = new ArrayList<>(found.size());
        List<WriteModel<BsonDocument>> visibleDeletes = new ArrayList<>();
        List<WriteModel<BsonDocument>> otherDeletes = new ArrayList<>();
        for (BsonDocument d : found) {
            long version = version(d);
            tombstones.add(tombstoneRaise(memoryKey(d), version + 1, new BsonDocument()));
            (visible(d, now) ? visibleDeletes : otherDeletes).add(
                    new DeleteOneModel<>(and(eq(ID, d.get(ID)), eq(VERSION, version))));
        }
        raiseTombstones(memoryTombstones, tombstones);
        int visible = visibleDeletes.isEmpty() ? 0 : ops.bulkWrite(memory, visibleDeletes).getDeletedCount();
        int other = otherDeletes.isEmpty() ? 0 : ops.bulkWrite(memory, otherDeletes).getDeletedCount();
        return new MemoryPage(found.size(), visible + other, visible);
    }

    private static BsonDocument memoryKey(BsonDocument entry) {
        return new BsonDocument(USER_ID, entry.get(USER_ID)).append(MEMORY_TYPE, entry.get(MEMORY_TYPE))
                .append(KEY, entry.get(KEY));
    }

    /** @return the upsert that raises (never lowers) the tombstone of a key to {@code version} */
    UpdateOneModel<BsonDocument> tombstoneRaise(Bson key, long version, BsonDocument set) {
        BsonDocument change = new BsonDocument("$max", new BsonDocument(VERSION, new BsonInt64(version)))
                .append("$set", set.clone().append(DELETED_AT, date(now()))
                        .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION)));
        return new UpdateOneModel<>(key, change, new UpdateOptions().upsert(true));
    }

    /** Runs tombstone raises as one unordered {@code bulkWrite}; those that lost an insert race run once more. */
    void raiseTombstones(MongoCollection<BsonDocument> tombstones,
            List<? extends WriteModel<BsonDocument>> raises) {
        if (raises.isEmpty()) {
            return;
        }
        try {
            ops.bulkWrite(tombstones, raises);
        } catch (com.mongodb.MongoBulkWriteException e) {
            if (inTransaction() || e.getWriteConcernError() != null
                    || !e.getWriteErrors().stream().allMatch(MongoErrors::isDuplicateKey)) {
                throw e;
            }
            ops.bulkWrite(tombstones, e.getWriteErrors().stream().map(w -> raises.get(w.getIndex())).toList());
        }
    }

    // ---- transactions, health, lifecycle ----

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        if (closed.get()) {
            throw new UnavailableException("The MongoDB store is closed (inTransaction)");
        }
        if (inTransaction()) {
            return work.run(this);
        }
        if (!connection.transactions()) {
            throw new UnsupportedCapabilityException(Capability.TRANSACTIONS, "this MongoDB server is "
                    + connection.topology() + "; MongoDB has transactions only on replica sets and sharded clusters");
        }
        return runTransaction("inTransaction", work::run);
    }

    /**
     * Runs work in a driver transaction, the whole of it again after a {@link dev.dal.api.Retryable}
     * failure (a write conflict, a transaction the server aborted, a lost connection before the
     * commit was sent) as {@link TransactionRetry} allows ({@code DAL_TX_RETRIES}) — the one retry
     * policy of every store; the driver's own retries are off. A commit whose answer was lost is an
     * {@link dev.dal.api.OutcomeUnknownException} and is not retried. The caller's own exceptions
     * pass through untouched.
     */
    private <T> T runTransaction(String operation, Function<MongoStore, T> work) {
        return retry.run(() -> oneTransaction(operation, work));
    }

    private <T> T oneTransaction(String operation, Function<MongoStore, T> work) {
        ClientSession session = call(operation, () -> connection.client().startSession());
        try (session) {
            session.startTransaction(TRANSACTION);
            T result;
            try {
                result = work.apply(new MongoStore(connection, clock, closed, session, bulk.batchSize(), retry));
            } catch (RuntimeException e) {
                abortQuietly(session);
                throw e instanceof MongoException ? MongoErrors.translate(operation, e) : e;
            }
            MongoConnection.Mark mark = connection.pool().mark();
            try {
                session.commitTransaction();
            } catch (RuntimeException e) {
                // The commit is the transaction's one write: once sent, it may have been applied.
                throw MongoErrors.translate(operation + " commit", e,
                        new MongoErrors.Context(true, connection.pool().since(mark), connection.queryTimeout()));
            }
            return result;
        }
    }

    private static void abortQuietly(ClientSession session) {
        try {
            if (session.hasActiveTransaction()) {
                session.abortTransaction();
            }
        } catch (RuntimeException e) {
            LOG.debug("Aborting a failed transaction failed too ({}); the server drops it when it times out",
                    e.getClass().getName());
        }
    }

    private volatile String serverVersion;

    /**
     * Pings the server on the health client (a pool of its own, so the probe never waits behind
     * application calls), bounded by {@code DAL_HEALTH_TIMEOUT}: DOWN when no answer came in time,
     * DEGRADED when the server answered but every pooled connection is checked out, else UP. Details: topology, server version, pool figures ({@code poolUtilizationPercent}
     * included).
     */
    @Override
    public HealthStatus healthCheck() {
        long start = System.nanoTime();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("topology", connection.topology());
        details.put("transactions", connection.transactions());
        if (closed.get()) {
            return new HealthStatus(HealthStatus.Status.DOWN, "mongodb", Duration.ofNanos(System.nanoTime() - start),
                    details, "The MongoDB store is closed", Instant.now());
        }
        Duration limit = connection.healthTimeout();
        String error;
        try {
            Future<String> probe = connection.healthThreads().submit(this::probe);
            try {
                details.put("serverVersion", probe.get(limit.toNanos(), TimeUnit.NANOSECONDS));
                details.put("database", connection.database().getName());
                details.putAll(connection.poolFigures());
                boolean saturated = connection.poolSaturated();
                return new HealthStatus(saturated ? HealthStatus.Status.DEGRADED : HealthStatus.Status.UP, "mongodb",
                        Duration.ofNanos(System.nanoTime() - start), details, saturated
                                ? "Every pooled MongoDB connection is in use (raise "
                                        + DalConfig.DB_MAX_CONNECTIONS + ")" : null, Instant.now());
            } catch (TimeoutException e) {
                probe.cancel(true);
                error = "MongoDB did not answer the health probe within " + DalConfig.DAL_HEALTH_TIMEOUT + " ("
                        + limit.toMillis() + " ms)";
            } catch (ExecutionException e) {
                error = MongoErrors.isTimeout(e.getCause())
                        ? "MongoDB did not answer the health probe within " + DalConfig.DAL_HEALTH_TIMEOUT + " ("
                                + limit.toMillis() + " ms)"
                        : MongoErrors.translate("healthCheck", e.getCause()).getMessage();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "Interrupted while waiting for the health probe";
        } catch (RejectedExecutionException | IllegalStateException e) {
            error = "The MongoDB store is closed";
        }
        details.putAll(connection.poolFigures());
        return new HealthStatus(HealthStatus.Status.DOWN, "mongodb", Duration.ofNanos(System.nanoTime() - start),
                details, error, Instant.now());
    }

    /** @return the server's version, after a ping; on the health client */
    private String probe() {
        var db = connection.healthDatabase();
        db.runCommand(new BsonDocument("ping", new BsonInt32(1)));
        if (serverVersion == null) {
            BsonDocument info = db.runCommand(new BsonDocument("buildInfo", new BsonInt32(1)), BsonDocument.class);
            serverVersion = info.getString("version", new BsonString("unknown")).getValue();
        }
        return serverVersion;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public BulkAccess bulk() {
        return bulk;
    }

    @Override
    public void close() {
        if (!inTransaction() && closed.compareAndSet(false, true)) {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "MongoStore[" + connection.database().getName() + ", " + connection.topology() + "]";
    }
}
