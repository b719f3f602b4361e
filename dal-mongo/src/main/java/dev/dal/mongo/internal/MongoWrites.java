package dev.dal.mongo.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.ne;
import static dev.dal.mongo.internal.MongoDocuments.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Timestamps;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.api.spi.StoreWrites;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every MongoDB write of the store: inserts (messages appended under sequence numbers one atomic
 * {@code $inc} reserves), updates, deletions with their cascades and tombstones, and the undo of
 * an append that failed without a transaction. Writes that span documents run through
 * {@link MongoStore#atomically}; each lambda there works on the writes of the store it is given,
 * which runs in that store's transaction when there is one.
 */
final class MongoWrites implements StoreWrites {
    private static final Logger LOG = LoggerFactory.getLogger(MongoWrites.class);

    private final MongoStore store;
    private final MongoConnection connection;
    private final MongoOps ops;
    private final MongoCollection<BsonDocument> users;
    private final MongoCollection<BsonDocument> sessions;
    private final MongoCollection<BsonDocument> messages;
    private final MongoCollection<BsonDocument> memory;
    private final MongoCollection<BsonDocument> userTombstones;
    private final MongoCollection<BsonDocument> sessionTombstones;
    private final MongoCollection<BsonDocument> memoryTombstones;
    private final MongoCollection<BsonDocument> votes;
    private final MongoCollection<BsonDocument> tokenUsage;

    /** @param store the store whose collections, session and clock the writes use */
    MongoWrites(MongoStore store) {
        this.store = store;
        this.connection = store.connection();
        this.ops = store.ops();
        this.users = store.users;
        this.sessions = store.sessions;
        this.messages = store.messages;
        this.memory = store.memory;
        this.userTombstones = store.userTombstones;
        this.sessionTombstones = store.sessionTombstones;
        this.memoryTombstones = store.memoryTombstones;
        this.votes = store.votes;
        this.tokenUsage = store.tokenUsage;
    }

    private Instant now() {
        return store.now();
    }

    private boolean inTransaction() {
        return store.inTransaction();
    }

    private <T> T call(String operation, Supplier<T> work) {
        return store.call(operation, work);
    }

    /** Runs the work with the writes of the store that {@link MongoStore#atomically} hands it. */
    private <T> T atomically(String operation, Function<MongoWrites, T> work) {
        return store.atomically(operation, s -> work.apply(s.writes()));
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
            set.append(
                    PROFILE,
                    MongoJson.toDocument(
                            JsonValues.canonicalObject(update.profile().value().orElse(null), "user.profile")));
        }
        if (update.preferences().isSet()) {
            set.append(
                    PREFERENCES,
                    MongoJson.toDocument(JsonValues.canonicalObject(
                            update.preferences().value().orElse(null), "user.preferences")));
        }
        if (update.status().isSet()) {
            set.append(
                    STATUS, new BsonString(update.status().value().orElseThrow().wireName()));
        }
        if (update.lastActiveAt().isSet()) {
            set.append(
                    LAST_ACTIVE_AT,
                    date(Timestamps.truncate(update.lastActiveAt().value().orElse(null))));
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
            BsonDocument after = ops.findOneAndUpdate(
                    users, filter, change, new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
            if (after == null) {
                BsonDocument current = expected == null
                        ? null
                        : ops.find(users, key)
                                .projection(Projections.include(VERSION))
                                .first();
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
        return new ConcurrencyConflictException(
                "The " + kind + " was changed since version " + expected + " was read (it is at version " + stored
                        + "); read it again and retry",
                null);
    }

    /** @return the version a tombstone holds for the key, 0 when there is none */
    long tombstoneVersion(MongoCollection<BsonDocument> tombstones, Bson key) {
        BsonDocument d = ops.find(tombstones, key)
                .projection(Projections.include(VERSION))
                .first();
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
        for (int attempt = 1; ; attempt++) {
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
        return new ConcurrencyConflictException(
                "The " + kind + " kept changing while it was being deleted; retry", null);
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
            // The user's votes on any session, kept or not: a deleted user's votes stop counting.
            s.ops.deleteMany(s.votes, eq(USER_ID, userId));
            // The usage billed to the user, in any session, kept or not.
            s.ops.deleteMany(s.tokenUsage, eq(USER_ID, userId));
            // The tombstone before the user: a failure in between leaves both, never a deletion without its trace.
            Bson key = eq(ID, userId);
            for (int attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
                BsonDocument live = s.ops.find(s.users, key)
                        .projection(Projections.include(VERSION))
                        .first();
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
     * Deletes the user's sessions with their messages, votes and token usage, each session leaving a tombstone
     * (its messages name only the session): tombstones first, then the sessions on the versions read, then the
     * messages, votes and usage of those that went. A session changed meanwhile is read again.
     */
    private void purgeSessions(BsonString userId) {
        for (int stalls = 0; stalls < DELETE_ATTEMPTS; ) {
            List<BsonDocument> owned = ops.find(sessions, eq(USER_ID, userId))
                    .projection(Projections.include(ID, CHAT_ID, VERSION))
                    .into(new ArrayList<>());
            if (owned.isEmpty()) {
                return;
            }
            List<WriteModel<BsonDocument>> tombstones = new ArrayList<>(owned.size());
            List<WriteModel<BsonDocument>> deletes = new ArrayList<>(owned.size());
            List<BsonValue> ids = new ArrayList<>(owned.size());
            for (BsonDocument d : owned) {
                long version = version(d);
                tombstones.add(
                        tombstoneRaise(eq(ID, d.get(CHAT_ID)), version + 1, new BsonDocument(SESSION_ID, d.get(ID))));
                deletes.add(new DeleteOneModel<>(and(eq(ID, d.get(ID)), eq(VERSION, version))));
                ids.add(d.get(ID));
            }
            raiseTombstones(sessionTombstones, tombstones);
            int deleted = ops.bulkWrite(sessions, deletes).getDeletedCount();
            List<BsonValue> gone = new ArrayList<>(ids);
            if (deleted < ids.size()) {
                ops.find(sessions, in(ID, ids))
                        .projection(Projections.include(ID))
                        .forEach(d -> gone.remove(d.get(ID)));
            }
            if (!gone.isEmpty()) {
                ops.deleteMany(votes, in(SESSION_ID, gone));
                ops.deleteMany(tokenUsage, in(SESSION_ID, gone));
                ops.deleteMany(messages, in(SESSION_ID, gone));
            }
            stalls = deleted < ids.size() ? stalls + 1 : 0;
        }
        throw keptChanging("chat session");
    }

    /** Leaves the user's sessions without a user, each one version later. */
    void detachSessions(BsonString userId) {
        ops.updateMany(
                sessions,
                eq(USER_ID, userId),
                Updates.combine(Updates.set(USER_ID, BsonNull.VALUE), Updates.inc(VERSION, 1L)));
    }

    // ---- sessions ----

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        ChatSession session = newSession.toSession(Ids.newId(), now());
        Bson key = eq(ID, new BsonString(session.chatId()));
        return atomically("createChatSession", s -> {
            if (session.userId() != null && !userExists(s.ops, s.users, session.userId())) {
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
            set.append(
                    METADATA,
                    MongoJson.toDocument(
                            JsonValues.canonicalObject(update.metadata().value().orElse(null), "session.metadata")));
        }
        if (update.status().isSet()) {
            set.append(
                    STATUS, new BsonString(update.status().value().orElseThrow().wireName()));
        }
        set.append(UPDATED_AT, date(now()));
        Bson key = eq(CHAT_ID, new BsonString(chatId));
        Long expected = update.expectedVersion();
        Bson filter = expected == null ? key : and(key, eq(VERSION, expected));
        return atomically("updateChatSession", s -> {
            if (newOwner != null && !userExists(s.ops, s.users, newOwner)) {
                throw NotFoundException.of("user", newOwner);
            }
            BsonDocument after = s.ops.findOneAndUpdate(
                    s.sessions,
                    filter,
                    new BsonDocument("$set", set).append("$inc", ONE_VERSION),
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
            if (after == null) {
                BsonDocument current = expected == null
                        ? null
                        : s.ops.find(s.sessions, key)
                                .projection(Projections.include(VERSION))
                                .first();
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
        // The tombstone first, then the session (once it is gone no message can be added to it, nor a vote cast on
        // one, nor usage recorded on one), then its votes, token usage and messages.
        Bson key = eq(CHAT_ID, new BsonString(chatId));
        return atomically("deleteChatSession", s -> {
            for (int attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
                BsonDocument live = s.ops.find(s.sessions, key)
                        .projection(Projections.include(ID, VERSION))
                        .first();
                if (live == null) {
                    return false;
                }
                long version = version(live);
                s.raiseTombstone(
                        s.sessionTombstones,
                        eq(ID, new BsonString(chatId)),
                        version + 1,
                        new BsonDocument(SESSION_ID, live.get(ID)));
                if (s.ops.deleteOne(s.sessions, and(eq(ID, live.get(ID)), eq(VERSION, version)))
                                .getDeletedCount()
                        > 0) {
                    s.ops.deleteMany(s.votes, eq(SESSION_ID, live.get(ID)));
                    s.ops.deleteMany(s.tokenUsage, eq(SESSION_ID, live.get(ID)));
                    s.ops.deleteMany(s.messages, eq(SESSION_ID, live.get(ID)));
                    return true;
                }
            }
            throw keptChanging("chat session");
        });
    }

    // ---- messages ----

    /** On the session: which batch of caller-chosen ids reserved the newest sequence numbers. */
    static final String LAST_APPEND = "last_append_op";

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
    private List<Message> append(String chatId, List<NewMessage> newMessages, boolean compensate) {
        Instant now = now();
        int n = newMessages.size();
        String op = appendOp(newMessages);
        Bson session = eq(CHAT_ID, new BsonString(chatId));
        Bson reserve = Updates.combine(
                Updates.inc(MESSAGE_COUNT, (long) n),
                Updates.inc(VERSION, 1L),
                Updates.set(LAST_MESSAGE_AT, date(now)),
                Updates.set(LAST_ACTIVITY_AT, date(now)),
                op == null ? Updates.unset(LAST_APPEND) : Updates.set(LAST_APPEND, new BsonString(op)));
        BsonDocument before = null;
        long previous = -1;
        for (int attempt = 1; attempt <= 3 && previous < 0; attempt++) {
            before = ops.findOneAndUpdate(
                    sessions,
                    reservable(op, session),
                    reserve,
                    new FindOneAndUpdateOptions()
                            .returnDocument(ReturnDocument.BEFORE)
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
                    .projection(Projections.include(ID, MESSAGE_COUNT, LAST_APPEND))
                    .first();
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
            throw new dev.dal.api.ConcurrencyConflictException(
                    "Other writers kept appending to chat session while"
                            + " addMessages tried to reserve sequence numbers; retry",
                    null);
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
        return op.append(':')
                .append(newMessages.size())
                .append(':')
                .append(newMessages.get(newMessages.size() - 1).id())
                .toString();
    }

    private void undoAppend(BsonDocument before, long reservedTop, List<Message> added) {
        for (int attempt = 1; ; attempt++) {
            try {
                undoAppendOnce(before, reservedTop, added);
                return;
            } catch (RuntimeException undo) {
                // Another pooled connection broken by the same fault: once more on a fresh one.
                if (attempt == 1
                        && MongoErrors.brokeBeforeAnythingWasStored(
                                undo,
                                new MongoErrors.Context(
                                        false, new MongoConnection.Mark(1, 0), connection.queryTimeout()))) {
                    continue;
                }
                LOG.warn(
                        "Could not undo a failed addMessages ({}); sequence numbers {}..{} may stay unused",
                        undo.getClass().getName(),
                        reservedTop - added.size() + 1,
                        reservedTop);
                return;
            }
        }
    }

    private void undoAppendOnce(BsonDocument before, long reservedTop, List<Message> added) {
        {
            List<BsonValue> ids = added.stream()
                    .map(m -> (BsonValue) MongoDocuments.id(m.id()))
                    .toList();
            messages.deleteMany(in(ID, ids));
            long restored = sessions.updateOne(
                            and(eq(ID, before.get(ID)), eq(MESSAGE_COUNT, reservedTop)),
                            // The undo is a change of its own: the version moves on again, never back to one that was
                            // seen.
                            Updates.combine(
                                    Updates.set(MESSAGE_COUNT, before.get(MESSAGE_COUNT)),
                                    Updates.unset(LAST_APPEND),
                                    Updates.inc(VERSION, 1L),
                                    Updates.set(LAST_MESSAGE_AT, before.get(LAST_MESSAGE_AT, BsonNull.VALUE)),
                                    Updates.set(LAST_ACTIVITY_AT, before.get(LAST_ACTIVITY_AT, BsonNull.VALUE))))
                    .getModifiedCount();
            if (restored == 0) {
                LOG.warn(
                        "addMessages failed after other writers appended to the same session: sequence numbers {}..{}"
                                + " stay unused",
                        reservedTop - added.size() + 1,
                        reservedTop);
            }
        }
    }

    // ---- votes ----

    /**
     * A message found by its session's chat id and its place, for a write that names it.
     *
     * @param sessionKey the session's stored {@code _id}
     * @param sessionId the session's id
     * @param messageId the message's id
     */
    private record HeldMessage(BsonValue sessionKey, UUID sessionId, UUID messageId) {}

    /** Finds the message a vote or a usage record names, and checks its user, in the order every store reports. */
    private static HeldMessage requireMessageAndUser(MongoWrites s, String chatId, long sequenceNumber, UUID userId) {
        BsonDocument session = s.ops.find(s.sessions, eq(CHAT_ID, new BsonString(chatId)))
                .projection(Projections.include(ID))
                .first();
        if (session == null) {
            throw NotFoundException.of("chat session", chatId);
        }
        BsonDocument message = s.ops.find(
                        s.messages, and(eq(SESSION_ID, session.get(ID)), eq(SEQUENCE_NUMBER, sequenceNumber)))
                .projection(Projections.include(ID))
                .first();
        if (message == null) {
            throw NotFoundException.of("message", chatId + "#" + sequenceNumber);
        }
        if (!userExists(s.ops, s.users, userId)) {
            throw NotFoundException.of("user", userId);
        }
        return new HeldMessage(
                session.get(ID),
                UUID.fromString(session.getString(ID).getValue()),
                UUID.fromString(message.getString(ID).getValue()));
    }

    /**
     * Checks the session, the message and the user, then one upsert on the vote's unique key (message, user):
     * a first vote is inserted, a second replaces its verdict and time. Where the server has transactions the
     * checks and the upsert are one; on a standalone server a user deleted in between leaves a vote that names
     * a user no longer stored (as {@link #setUserMemory} leaves an entry).
     */
    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        Instant now = now();
        return atomically("voteMessage", s -> {
            HeldMessage held = requireMessageAndUser(s, chatId, sequenceNumber, userId);
            UUID messageId = held.messageId();
            MessageVote cast = new MessageVote(messageId, held.sessionId(), sequenceNumber, userId, vote, now);
            Bson key = voteKey(messageId, userId);
            Bson change = voteUpsert(cast, held.sessionKey());
            for (int attempt = 1; ; attempt++) {
                try {
                    s.ops.updateOne(s.votes, key, change, new UpdateOptions().upsert(true));
                    return cast;
                } catch (MongoException e) {
                    if (MongoErrors.codeOf(e) != 11000 || attempt == 2) {
                        throw e;
                    }
                    // Two first votes of one user on one message upserted at once: the loser's upsert, run again,
                    // updates the winner's vote. A transaction the failure aborted runs again as a whole instead.
                    if (s.inTransaction()) {
                        throw new ConcurrencyConflictException(
                                "Another vote of the same user on the same message was cast at the same time; retry",
                                SanitizedCause.of(e, "code 11000"));
                    }
                }
            }
        });
    }

    /** Reads the session, then deletes the user's vote at its sequence number (copied into the vote). */
    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        return call("clearVote", () -> {
            BsonDocument session = ops.find(sessions, eq(CHAT_ID, new BsonString(chatId)))
                    .projection(Projections.include(ID))
                    .first();
            if (session == null) {
                return false;
            }
            return ops.deleteOne(
                                    votes,
                                    and(
                                            eq(USER_ID, userId.toString()),
                                            eq(SESSION_ID, session.get(ID)),
                                            eq(SEQUENCE_NUMBER, sequenceNumber)))
                            .getDeletedCount()
                    > 0;
        });
    }

    // ---- token usage ----

    /**
     * Checks the session, the message and the user, then inserts the record under the caller's id or a fresh one;
     * records are never updated. A caller's id already stored is read first (by {@code _id}): the stored record is
     * returned when it records the same usage, else {@code DuplicateKeyException} ({@code TOKEN_USAGE_ID}); an insert
     * that loses a race for the id reads it the same way. Where the server has transactions the checks and the
     * insert are one; on a standalone server a session or user deleted in between leaves a record naming one no
     * longer stored (as {@link #voteMessage} leaves a vote).
     */
    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        Instant now = now();
        UUID id = usage.id() != null ? usage.id() : Ids.newId();
        String chatId = usage.chatId();
        long sequenceNumber = usage.sequenceNumber();
        return atomically("recordTokenUsage", s -> {
            HeldMessage held = requireMessageAndUser(s, chatId, sequenceNumber, usage.userId());
            UUID sessionId = held.sessionId();
            if (usage.id() != null) {
                TokenUsage stored = storedUsage(s, usage, sessionId);
                if (stored != null) {
                    return stored;
                }
            }
            TokenUsage recorded = new TokenUsage(
                    id,
                    held.messageId(),
                    sessionId,
                    sequenceNumber,
                    usage.userId(),
                    usage.model(),
                    usage.promptTokens(),
                    usage.completionTokens(),
                    usage.costMicros(),
                    usage.costMicros() == null ? null : usage.currency(),
                    now);
            try {
                s.ops.insertOne(s.tokenUsage, tokenUsage(recorded));
            } catch (MongoWriteException e) {
                if (usage.id() == null
                        || s.inTransaction()
                        || e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                // The same id recorded at the same time: decided by what was stored.
                TokenUsage stored = storedUsage(s, usage, sessionId);
                if (stored == null) {
                    throw e;
                }
                return stored;
            }
            return recorded;
        });
    }

    /**
     * @return the record stored under the request's id when it records the same usage, {@code null} when none is
     * @throws DuplicateKeyException when one records other usage
     */
    private static TokenUsage storedUsage(MongoWrites s, NewTokenUsage usage, UUID sessionId) {
        BsonDocument doc =
                s.ops.find(s.tokenUsage, eq(ID, usage.id().toString())).first();
        if (doc == null) {
            return null;
        }
        return usage.repeatedBy(sessionId, toTokenUsage(doc));
    }

    // ---- memory ----

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        Instant now = now();
        Instant expires = Timestamps.truncate(expiresAt);
        MemoryEntry fresh = new MemoryEntry(userId, memoryType, key, value, now, now, expires);
        Bson filter = memoryFilter(userId, memoryType, key);
        BsonValue stored = MongoJson.toBson(fresh.value());
        return atomically("setUserMemory", s -> {
            if (!userExists(s.ops, s.users, userId)) {
                throw NotFoundException.of("user", userId);
            }
            for (int attempt = 1; ; attempt++) {
                // A visible entry keeps its creation time; an expired one starts again; both move one version on.
                BsonDocument live = s.ops.findOneAndUpdate(
                        s.memory,
                        and(filter, visibleAt(now)),
                        Updates.combine(
                                Updates.set(VALUE, stored),
                                Updates.set(UPDATED_AT, date(now)),
                                Updates.set(EXPIRES_AT, date(expires)),
                                Updates.inc(VERSION, 1L)),
                        new FindOneAndUpdateOptions()
                                .returnDocument(ReturnDocument.AFTER)
                                .projection(Projections.include(CREATED_AT, VERSION)));
                if (live != null) {
                    return new MemoryEntry(
                            userId,
                            memoryType,
                            key,
                            fresh.value(),
                            Instant.ofEpochMilli(live.getDateTime(CREATED_AT).getValue()),
                            now,
                            expires,
                            version(live));
                }
                BsonDocument expired = s.ops.findOneAndUpdate(
                        s.memory,
                        and(filter, lte(EXPIRES_AT, date(now))),
                        Updates.combine(
                                Updates.set(VALUE, stored),
                                Updates.set(CREATED_AT, date(now)),
                                Updates.set(UPDATED_AT, date(now)),
                                Updates.set(EXPIRES_AT, date(expires)),
                                Updates.inc(VERSION, 1L)),
                        new FindOneAndUpdateOptions()
                                .returnDocument(ReturnDocument.AFTER)
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
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        Instant now = now();
        Bson filter = memoryFilter(userId, memoryType, key);
        // The tombstone first, then the entry (an expired one too): a failure in between loses no deletion.
        return atomically("deleteUserMemory", s -> {
            for (int attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
                BsonDocument live = s.ops.find(s.memory, filter)
                        .projection(Projections.include(VERSION, EXPIRES_AT))
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
            MemoryPage page = atomically(
                    "purgeExpiredMemory",
                    s -> s.deleteMemoryPage(expired, now, store.bulkAccess().batchSize()));
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
    record MemoryPage(int found, int deleted, int visible) {}

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
                .limit(limit)
                .into(new ArrayList<>());
        if (found.isEmpty()) {
            return new MemoryPage(0, 0, 0);
        }
        List<WriteModel<BsonDocument>> tombstones = new ArrayList<>(found.size());
        List<WriteModel<BsonDocument>> visibleDeletes = new ArrayList<>();
        List<WriteModel<BsonDocument>> otherDeletes = new ArrayList<>();
        for (BsonDocument d : found) {
            long version = version(d);
            tombstones.add(tombstoneRaise(memoryKey(d), version + 1, new BsonDocument()));
            (visible(d, now) ? visibleDeletes : otherDeletes)
                    .add(new DeleteOneModel<>(and(eq(ID, d.get(ID)), eq(VERSION, version))));
        }
        raiseTombstones(memoryTombstones, tombstones);
        int visible = visibleDeletes.isEmpty()
                ? 0
                : ops.bulkWrite(memory, visibleDeletes).getDeletedCount();
        int other =
                otherDeletes.isEmpty() ? 0 : ops.bulkWrite(memory, otherDeletes).getDeletedCount();
        return new MemoryPage(found.size(), visible + other, visible);
    }

    private static BsonDocument memoryKey(BsonDocument entry) {
        return new BsonDocument(USER_ID, entry.get(USER_ID))
                .append(MEMORY_TYPE, entry.get(MEMORY_TYPE))
                .append(KEY, entry.get(KEY));
    }

    /** @return the upsert that raises (never lowers) the tombstone of a key to {@code version} */
    UpdateOneModel<BsonDocument> tombstoneRaise(Bson key, long version, BsonDocument set) {
        BsonDocument change = new BsonDocument("$max", new BsonDocument(VERSION, new BsonInt64(version)))
                .append(
                        "$set",
                        set.clone()
                                .append(DELETED_AT, date(now()))
                                .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION)));
        return new UpdateOneModel<>(key, change, new UpdateOptions().upsert(true));
    }

    /** Runs tombstone raises as one unordered {@code bulkWrite}; those that lost an insert race run once more. */
    void raiseTombstones(MongoCollection<BsonDocument> tombstones, List<? extends WriteModel<BsonDocument>> raises) {
        if (raises.isEmpty()) {
            return;
        }
        try {
            ops.bulkWrite(tombstones, raises);
        } catch (com.mongodb.MongoBulkWriteException e) {
            if (inTransaction()
                    || e.getWriteConcernError() != null
                    || !e.getWriteErrors().stream().allMatch(MongoErrors::isDuplicateKey)) {
                throw e;
            }
            ops.bulkWrite(
                    tombstones,
                    e.getWriteErrors().stream()
                            .map(w -> raises.get(w.getIndex()))
                            .toList());
        }
    }
}
