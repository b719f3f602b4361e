package dev.dal.mongo.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.or;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.Vote;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.spi.RecordTrees;
import dev.dal.api.spi.SearchWords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * Dal's records as MongoDB documents and back. Field names follow the legacy MongoDB chat system's
 * ({@code snake_case}, {@code id} beside {@code _id}); ids are canonical UUID strings, so {@code _id} order is the order
 * bulk scans promise; instants are BSON dates (milliseconds); every document carries
 * {@code _schema_version}.
 */
final class MongoDocuments {
    /** The shape of the documents this code writes (the legacy MongoDB chat system writes {@code "1.0.0"} too). */
    static final String SCHEMA_VERSION = "1.0.0";

    static final String ID = "_id";
    static final String PLAIN_ID = "id";
    static final String SCHEMA_VERSION_FIELD = "_schema_version";
    static final String EXTERNAL_ID = "external_id";
    static final String EMAIL = "email";
    static final String NAME = "name";
    static final String PROFILE = "profile";
    static final String PREFERENCES = "preferences";
    static final String STATUS = "status";
    static final String CREATED_AT = "created_at";
    static final String UPDATED_AT = "updated_at";
    static final String LAST_ACTIVE_AT = "last_active_at";
    static final String CHAT_ID = "chat_id";
    static final String USER_ID = "user_id";
    static final String TITLE = "title";
    static final String METADATA = "metadata";
    static final String LAST_MESSAGE_AT = "last_message_at";
    /** {@code last_message_at}, or {@code created_at} while there is none: what listings sort by. */
    static final String LAST_ACTIVITY_AT = "last_activity_at";

    static final String MESSAGE_COUNT = "message_count";
    static final String SESSION_ID = "session_id";
    static final String SEQUENCE_NUMBER = "sequence_number";
    static final String ROLE = "role";
    static final String CONTENT = "content";
    /** A message's words by Dal's search rule ({@link SearchWords#every}), written with it, read by search only. */
    static final String SEARCH_WORDS = "search_words";

    static final String TOKEN_COUNT = "token_count";
    static final String ABUSE_FLAGGED = "abuse_flagged";
    static final String MEMORY_TYPE = "memory_type";
    static final String KEY = "key";
    static final String VALUE = "value";
    static final String EXPIRES_AT = "expires_at";
    /** The record's version: 1 on create, one more per change; a document without one is at version 1. */
    static final String VERSION = "version";
    /** On a tombstone: when the deletion happened (informational). */
    static final String DELETED_AT = "deleted_at";

    static final String MESSAGE_ID = "message_id";
    /** A vote's verdict, as {@link Vote#wireName()}. */
    static final String VOTE = "vote";

    static final String VOTED_AT = "voted_at";

    static final String MODEL = "model";
    static final String PROMPT_TOKENS = "prompt_tokens";
    static final String COMPLETION_TOKENS = "completion_tokens";
    /** A usage record's cost in millionths of {@link #CURRENCY}; null (never absent) when it has none. */
    static final String COST_MICROS = "cost_micros";
    /** A usage record's ISO 4217 currency; null (never absent) when it has no cost. */
    static final String CURRENCY = "currency";

    private MongoDocuments() {}

    // ---- users ----

    static BsonDocument user(User u) {
        BsonDocument doc = new BsonDocument(ID, id(u.id())).append(PLAIN_ID, id(u.id()));
        // Absent rather than null: the unique index on external_id is sparse, so many users may lack one.
        if (u.externalId() != null) {
            doc.append(EXTERNAL_ID, new BsonString(u.externalId()));
        }
        return doc.append(EMAIL, text(u.email()))
                .append(NAME, text(u.name()))
                .append(PROFILE, MongoJson.toDocument(u.profile()))
                .append(PREFERENCES, MongoJson.toDocument(u.preferences()))
                .append(STATUS, new BsonString(u.status().wireName()))
                .append(CREATED_AT, date(u.createdAt()))
                .append(UPDATED_AT, date(u.updatedAt()))
                .append(LAST_ACTIVE_AT, date(u.lastActiveAt()))
                .append(VERSION, new BsonInt64(u.version()))
                .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION));
    }

    static User toUser(BsonDocument d) {
        return new User(
                uuid(d, ID),
                string(d, EXTERNAL_ID),
                string(d, EMAIL),
                string(d, NAME),
                object(d, PROFILE),
                object(d, PREFERENCES),
                UserStatus.fromWireName(string(d, STATUS)),
                instant(d, CREATED_AT),
                instant(d, UPDATED_AT),
                instant(d, LAST_ACTIVE_AT),
                version(d));
    }

    // ---- sessions ----

    static BsonDocument session(ChatSession s) {
        return new BsonDocument(ID, id(s.id()))
                .append(PLAIN_ID, id(s.id()))
                .append(CHAT_ID, new BsonString(s.chatId()))
                .append(USER_ID, s.userId() == null ? BsonNull.VALUE : id(s.userId()))
                .append(TITLE, text(s.title()))
                .append(PROFILE, new BsonString(s.profile()))
                .append(METADATA, MongoJson.toDocument(s.metadata()))
                .append(STATUS, new BsonString(s.status().wireName()))
                .append(CREATED_AT, date(s.createdAt()))
                .append(UPDATED_AT, date(s.updatedAt()))
                .append(LAST_MESSAGE_AT, date(s.lastMessageAt()))
                .append(LAST_ACTIVITY_AT, date(s.lastActivityAt()))
                .append(MESSAGE_COUNT, new BsonInt64(s.messageCount()))
                .append(VERSION, new BsonInt64(s.version()))
                .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION));
    }

    static ChatSession toSession(BsonDocument d) {
        return new ChatSession(
                uuid(d, ID),
                string(d, CHAT_ID),
                uuid(d, USER_ID),
                string(d, TITLE),
                string(d, PROFILE),
                object(d, METADATA),
                SessionStatus.fromWireName(string(d, STATUS)),
                instant(d, CREATED_AT),
                instant(d, UPDATED_AT),
                instant(d, LAST_MESSAGE_AT),
                number(d, MESSAGE_COUNT),
                version(d));
    }

    // ---- messages ----

    static BsonDocument message(Message m) {
        return new BsonDocument(ID, id(m.id()))
                .append(PLAIN_ID, id(m.id()))
                .append(SESSION_ID, id(m.sessionId()))
                .append(SEQUENCE_NUMBER, new BsonInt64(m.sequenceNumber()))
                .append(ROLE, new BsonString(m.role().wireName()))
                .append(CONTENT, new BsonString(m.content()))
                .append(SEARCH_WORDS, searchWords(m.content()))
                .append(METADATA, MongoJson.toDocument(RecordTrees.metadata(m)))
                .append(TOKEN_COUNT, m.tokenCount() == null ? BsonNull.VALUE : new BsonInt32(m.tokenCount()))
                .append(ABUSE_FLAGGED, BsonBoolean.valueOf(m.abuseFlagged()))
                .append(CREATED_AT, date(m.createdAt()))
                .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION));
    }

    /**
     * @param content a message's content
     * @return its words for {@link #SEARCH_WORDS}
     */
    static BsonArray searchWords(String content) {
        List<BsonValue> words = new ArrayList<>();
        for (String word : SearchWords.every(content)) {
            words.add(new BsonString(word));
        }
        return new BsonArray(words);
    }

    static Message toMessage(BsonDocument d) {
        BsonValue tokens = d.get(TOKEN_COUNT);
        return new Message(
                uuid(d, ID),
                uuid(d, SESSION_ID),
                number(d, SEQUENCE_NUMBER),
                Role.fromWireName(string(d, ROLE)),
                string(d, CONTENT),
                object(d, METADATA),
                tokens == null || tokens.isNull()
                        ? null
                        : (int) tokens.asNumber().longValue(),
                d.getBoolean(ABUSE_FLAGGED, BsonBoolean.FALSE).getValue(),
                instant(d, CREATED_AT));
    }

    // ---- memory ----

    /** @return the entry without {@code _id}: memory is keyed by (user, type, key), the server assigns one */
    static BsonDocument memory(MemoryEntry e) {
        return memoryKey(e.userId(), e.memoryType(), e.key())
                .append(VALUE, MongoJson.toBson(e.value()))
                .append(CREATED_AT, date(e.createdAt()))
                .append(UPDATED_AT, date(e.updatedAt()))
                .append(EXPIRES_AT, date(e.expiresAt()))
                .append(VERSION, new BsonInt64(e.version()))
                .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION));
    }

    static BsonDocument memoryKey(UUID userId, String memoryType, String key) {
        return new BsonDocument(USER_ID, id(userId))
                .append(MEMORY_TYPE, new BsonString(memoryType))
                .append(KEY, new BsonString(key));
    }

    static MemoryEntry toMemory(BsonDocument d) {
        return new MemoryEntry(
                uuid(d, USER_ID),
                string(d, MEMORY_TYPE),
                string(d, KEY),
                MongoJson.toJson(d.get(VALUE)),
                instant(d, CREATED_AT),
                instant(d, UPDATED_AT),
                instant(d, EXPIRES_AT),
                version(d));
    }

    // ---- votes ----

    /**
     * @param messageId the message voted on
     * @param userId who votes
     * @return the filter for that user's one vote on that message (the unique key of {@code message_votes})
     */
    static Bson voteKey(UUID messageId, UUID userId) {
        return and(eq(MESSAGE_ID, messageId.toString()), eq(USER_ID, userId.toString()));
    }

    /**
     * @param v a vote being cast
     * @param sessionId the session of the message voted on
     * @return the upsert's update: the verdict and its time replace a previous vote's; the key, the session and
     *     the sequence number (which never change for a message) are written when the vote is first inserted
     */
    static Bson voteUpsert(MessageVote v, BsonValue sessionId) {
        return Updates.combine(
                Updates.set(VOTE, new BsonString(v.vote().wireName())),
                Updates.set(VOTED_AT, date(v.votedAt())),
                Updates.setOnInsert(SESSION_ID, sessionId),
                Updates.setOnInsert(SEQUENCE_NUMBER, new BsonInt64(v.sequenceNumber())),
                Updates.setOnInsert(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION)));
    }

    static MessageVote toVote(BsonDocument d) {
        return new MessageVote(
                uuid(d, MESSAGE_ID),
                uuid(d, SESSION_ID),
                number(d, SEQUENCE_NUMBER),
                uuid(d, USER_ID),
                Vote.fromWireName(string(d, VOTE)),
                instant(d, VOTED_AT));
    }

    // ---- token usage ----

    /**
     * @param u a usage record
     * @return its document: the message's session and sequence number copied (they never change), cost and
     *     currency both null when there is no cost, so that totals group such records under one null currency
     */
    static BsonDocument tokenUsage(TokenUsage u) {
        return new BsonDocument(ID, id(u.id()))
                .append(PLAIN_ID, id(u.id()))
                .append(MESSAGE_ID, id(u.messageId()))
                .append(SESSION_ID, id(u.sessionId()))
                .append(SEQUENCE_NUMBER, new BsonInt64(u.sequenceNumber()))
                .append(USER_ID, id(u.userId()))
                .append(MODEL, new BsonString(u.model()))
                .append(PROMPT_TOKENS, new BsonInt64(u.promptTokens()))
                .append(COMPLETION_TOKENS, new BsonInt64(u.completionTokens()))
                .append(COST_MICROS, u.costMicros() == null ? BsonNull.VALUE : new BsonInt64(u.costMicros()))
                .append(CURRENCY, u.costMicros() == null ? BsonNull.VALUE : text(u.currency()))
                .append(CREATED_AT, date(u.createdAt()))
                .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION));
    }

    static TokenUsage toTokenUsage(BsonDocument d) {
        BsonValue cost = d.get(COST_MICROS);
        return new TokenUsage(
                uuid(d, ID),
                uuid(d, MESSAGE_ID),
                uuid(d, SESSION_ID),
                number(d, SEQUENCE_NUMBER),
                uuid(d, USER_ID),
                string(d, MODEL),
                number(d, PROMPT_TOKENS),
                number(d, COMPLETION_TOKENS),
                cost == null || cost.isNull() ? null : cost.asNumber().longValue(),
                cost == null || cost.isNull() ? null : string(d, CURRENCY),
                instant(d, CREATED_AT));
    }

    // ---- tombstones ----

    /** @return a user's tombstone: {@code _id} the user id, the version the deletion gave it */
    static BsonDocument userTombstone(UUID userId, long version, Instant deletedAt) {
        return new BsonDocument(ID, id(userId))
                .append(VERSION, new BsonInt64(version))
                .append(DELETED_AT, date(deletedAt))
                .append(SCHEMA_VERSION_FIELD, new BsonString(SCHEMA_VERSION));
    }

    static Tombstone toUserTombstone(BsonDocument d) {
        return Tombstone.ofUser(uuid(d, ID), version(d));
    }

    static Tombstone toSessionTombstone(BsonDocument d) {
        return Tombstone.ofSession(string(d, ID), uuid(d, SESSION_ID), version(d));
    }

    static Tombstone toMemoryTombstone(BsonDocument d) {
        return Tombstone.ofMemory(uuid(d, USER_ID), string(d, MEMORY_TYPE), string(d, KEY), version(d));
    }

    // ---- filters, exists ----

    /**
     * @param ops the operations to read with (in the running transaction, if any)
     * @param users the users collection
     * @param id the user's id
     * @return whether a user with the id is stored
     */
    static boolean userExists(MongoOps ops, MongoCollection<BsonDocument> users, UUID id) {
        return ops.find(users, eq(ID, id.toString()))
                        .projection(Projections.include(ID))
                        .first()
                != null;
    }

    /**
     * @param now the instant to compare with
     * @return the filter for memory entries without an expiry or expiring after {@code now}
     */
    static Bson visibleAt(Instant now) {
        return or(eq(EXPIRES_AT, BsonNull.VALUE), gt(EXPIRES_AT, date(now)));
    }

    /**
     * @param userId the owner
     * @param memoryType the entry's type
     * @param key the entry's key
     * @return the filter for the one memory entry with that key (or its tombstone)
     */
    static Bson memoryFilter(UUID userId, String memoryType, String key) {
        return and(
                eq(USER_ID, userId.toString()),
                eq(MEMORY_TYPE, new BsonString(memoryType)),
                eq(KEY, new BsonString(key)));
    }

    // ---- values ----

    static BsonString id(UUID id) {
        return new BsonString(id.toString());
    }

    static BsonValue text(String value) {
        return value == null ? BsonNull.VALUE : new BsonString(value);
    }

    static BsonValue date(Instant instant) {
        return instant == null ? BsonNull.VALUE : new BsonDateTime(instant.toEpochMilli());
    }

    private static String string(BsonDocument d, String field) {
        BsonValue v = d.get(field);
        return v == null || v.isNull() ? null : v.asString().getValue();
    }

    private static UUID uuid(BsonDocument d, String field) {
        String s = string(d, field);
        return s == null ? null : UUID.fromString(s);
    }

    private static Instant instant(BsonDocument d, String field) {
        BsonValue v = d.get(field);
        return v == null || v.isNull()
                ? null
                : Instant.ofEpochMilli(v.asDateTime().getValue());
    }

    /** @return the document's version; one written before versions existed is at version 1 */
    static long version(BsonDocument d) {
        BsonValue v = d.get(VERSION);
        return v == null || !v.isNumber() ? 1 : v.asNumber().longValue();
    }

    private static long number(BsonDocument d, String field) {
        BsonValue v = d.get(field);
        return v == null || v.isNull() ? 0 : v.asNumber().longValue();
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode object(BsonDocument d, String field) {
        BsonValue v = d.get(field);
        return v == null || !v.isDocument() ? null : MongoJson.toObject(v.asDocument());
    }
}
