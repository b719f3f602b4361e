package dev.dal.mongo.internal;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The MongoDB schema as versioned migrations: collections named as in the legacy MongoDB chat system
 * where they overlap
 * ({@code chat_sessions}, {@code chat_messages}, {@code message_votes}, {@code token_usage}) and in the same style
 * for the rest
 * ({@code users}, {@code user_memory}), with their indexes. Each migration's checksum is a SHA-256 of its
 * definition, so a migration changed after it was applied is noticed.
 */
final class MongoMigrations {
    static final String USERS = "users";
    static final String SESSIONS = "chat_sessions";
    static final String MESSAGES = "chat_messages";
    static final String MEMORY = "user_memory";
    static final String USER_TOMBSTONES = "user_tombstones";
    static final String SESSION_TOMBSTONES = "chat_session_tombstones";
    static final String MEMORY_TOMBSTONES = "user_memory_tombstones";
    static final String VOTES = "message_votes";
    static final String TOKEN_USAGE = "token_usage";
    static final String HISTORY = "migration_history";
    static final String LOCK = "migration_lock";

    static final String USERS_ID = "users_id";
    static final String USERS_EXTERNAL_ID = "users_external_id";
    static final String SESSIONS_ID = "chat_sessions_id";
    static final String SESSIONS_CHAT_ID = "chat_sessions_chat_id";
    static final String SESSIONS_USER_ACTIVITY = "chat_sessions_user_activity";
    static final String SESSIONS_USER_STATUS_ACTIVITY = "chat_sessions_user_status_activity";
    static final String SESSIONS_USER_PROFILE_ACTIVITY = "chat_sessions_user_profile_activity";
    static final String MESSAGES_SESSION_SEARCH_WORDS = "chat_messages_session_search_words";
    static final String MESSAGES_ID = "chat_messages_id";
    static final String MESSAGES_SEQUENCE = "chat_messages_session_sequence";
    static final String MEMORY_KEY = "user_memory_user_type_key";
    static final String MEMORY_TTL = "user_memory_expires_at_ttl";
    static final String SESSION_TOMBSTONES_SESSION_ID = "chat_session_tombstones_session_id";
    static final String MEMORY_TOMBSTONES_KEY = "user_memory_tombstones_user_type_key";
    static final String VOTES_MESSAGE_USER = "message_votes_message_user";
    static final String VOTES_SESSION_SEQUENCE_USER = "message_votes_session_sequence_user";
    static final String VOTES_USER_SESSION_SEQUENCE = "message_votes_user_session_sequence";
    static final String TOKEN_USAGE_USER_CREATED = "token_usage_user_created";
    static final String TOKEN_USAGE_SESSION_CREATED = "token_usage_session_created";
    static final String TOKEN_USAGE_MODEL_CREATED = "token_usage_model_created";
    static final String TOKEN_USAGE_CREATED = "token_usage_created";

    /**
     * A field a migration gives every existing document of a collection that lacks it; its rollback
     * removes the field again.
     *
     * @param collection the collection
     * @param field the field
     * @param value the value existing documents get
     */
    record FieldDefault(String collection, String field, BsonValue value) {
        String describe() {
            return collection + ":" + field + "=" + value;
        }
    }

    /**
     * A field a migration computes, from each existing document of a collection that lacks it, in batches of
     * 1,000; its rollback removes the field again. Documents written meanwhile by Dal carry it already.
     *
     * @param collection the collection
     * @param field the field
     * @param rule names the computation, for the checksum
     * @param value computes the field from the document
     */
    record FieldDerivation(String collection, String field, String rule, Function<BsonDocument, BsonValue> value) {
        String describe() {
            return collection + ":" + field + "<-" + rule;
        }

        void apply(MongoDatabase db) {
            MongoCollection<BsonDocument> c = db.getCollection(collection, BsonDocument.class);
            while (true) {
                List<BsonDocument> batch =
                        c.find(Filters.exists(field, false)).limit(1000).into(new ArrayList<>());
                if (batch.isEmpty()) {
                    return;
                }
                List<UpdateOneModel<BsonDocument>> updates = new ArrayList<>(batch.size());
                for (BsonDocument d : batch) {
                    updates.add(
                            new UpdateOneModel<>(Filters.eq("_id", d.get("_id")), Updates.set(field, value.apply(d))));
                }
                c.bulkWrite(updates);
            }
        }

        void rollback(MongoDatabase db) {
            db.getCollection(collection, BsonDocument.class)
                    .updateMany(Filters.exists(field, true), Updates.unset(field));
        }
    }

    /** One index of a migration. */
    record IndexSpec(
            String collection, String name, BsonDocument keys, boolean unique, boolean sparse, Long ttlSeconds) {
        IndexOptions options() {
            IndexOptions options = new IndexOptions().name(name).unique(unique).sparse(sparse);
            return ttlSeconds == null ? options : options.expireAfter(ttlSeconds, TimeUnit.SECONDS);
        }

        String describe() {
            return collection + ":" + name + ":" + keys.toJson() + ":unique=" + unique + ":sparse=" + sparse + ":ttl="
                    + ttlSeconds;
        }
    }

    /**
     * One versioned change.
     *
     * @param version ordered id, e.g. {@code "001"}
     * @param name a short name, as the legacy chat system's migrations record it in {@code migration_history}
     * @param description one line
     * @param collections collections it creates (its rollback drops them, with their data)
     * @param indexes indexes it creates (its rollback drops them)
     * @param defaults fields it sets on existing documents that lack them (its rollback removes them)
     * @param drops indexes an earlier migration created that it drops (its rollback creates them again)
     * @param derivations fields it computes on existing documents before its indexes are built (its rollback
     *     removes them)
     */
    record Migration(
            String version,
            String name,
            String description,
            List<String> collections,
            List<IndexSpec> indexes,
            List<FieldDefault> defaults,
            List<IndexSpec> drops,
            List<FieldDerivation> derivations) {

        Migration(String version, String name, String description, List<String> collections, List<IndexSpec> indexes) {
            this(version, name, description, collections, indexes, List.of(), List.of(), List.of());
        }

        Migration(
                String version,
                String name,
                String description,
                List<String> collections,
                List<IndexSpec> indexes,
                List<FieldDefault> defaults,
                List<IndexSpec> drops) {
            this(version, name, description, collections, indexes, defaults, drops, List.of());
        }

        String checksum() {
            StringBuilder text = new StringBuilder(version).append('|').append(name);
            collections.forEach(c -> text.append("|collection:").append(c));
            indexes.forEach(i -> text.append("|index:").append(i.describe()));
            // Only migrations that have defaults name them: the checksums of 001 and 002 stay what they shipped with.
            defaults.forEach(d -> text.append("|default:").append(d.describe()));
            drops.forEach(i -> text.append("|drop:").append(i.describe()));
            derivations.forEach(d -> text.append("|derived:").append(d.describe()));
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256")
                        .digest(text.toString().getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        }

        void apply(MongoDatabase db) {
            List<String> existing = db.listCollectionNames().into(new ArrayList<>());
            for (String collection : collections) {
                if (!existing.contains(collection)) {
                    db.createCollection(collection);
                }
            }
            for (FieldDerivation d : derivations) {
                d.apply(db);
            }
            for (IndexSpec index : indexes) {
                db.getCollection(index.collection()).createIndex(index.keys(), index.options());
            }
            for (FieldDefault d : defaults) {
                db.getCollection(d.collection(), BsonDocument.class)
                        .updateMany(Filters.exists(d.field(), false), Updates.set(d.field(), d.value()));
            }
            for (IndexSpec index : drops) {
                dropIndexIfPresent(db, index);
            }
        }

        void rollback(MongoDatabase db) {
            for (int i = drops.size() - 1; i >= 0; i--) {
                IndexSpec index = drops.get(i);
                db.getCollection(index.collection()).createIndex(index.keys(), index.options());
            }
            for (int i = derivations.size() - 1; i >= 0; i--) {
                derivations.get(i).rollback(db);
            }
            for (int i = defaults.size() - 1; i >= 0; i--) {
                FieldDefault d = defaults.get(i);
                db.getCollection(d.collection(), BsonDocument.class)
                        .updateMany(Filters.exists(d.field(), true), Updates.unset(d.field()));
            }
            for (int i = indexes.size() - 1; i >= 0; i--) {
                IndexSpec index = indexes.get(i);
                if (!collections.contains(index.collection())) {
                    dropIndexIfPresent(db, index);
                }
            }
            for (int i = collections.size() - 1; i >= 0; i--) {
                db.getCollection(collections.get(i)).drop();
            }
        }

        private static void dropIndexIfPresent(MongoDatabase db, IndexSpec index) {
            boolean present =
                    db
                            .getCollection(index.collection())
                            .listIndexes(BsonDocument.class)
                            .into(new ArrayList<>())
                            .stream()
                            .anyMatch(
                                    i -> index.name().equals(i.getString("name").getValue()));
            if (present) {
                db.getCollection(index.collection()).dropIndex(index.name());
            }
        }
    }

    private static final IndexSpec MEMORY_TTL_INDEX =
            new IndexSpec(MEMORY, MEMORY_TTL, keys("expires_at", 1), false, false, 0L);

    /** Every migration, in the order they apply. Never edit one that shipped: add the next. */
    static final List<Migration> MIGRATIONS = List.of(
            new Migration(
                    "001",
                    "create_chat_collections",
                    "users, chat_sessions, chat_messages and user_memory with their unique and query indexes",
                    List.of(USERS, SESSIONS, MESSAGES, MEMORY),
                    List.of(
                            unique(USERS, USERS_ID, keys("id", 1)),
                            new IndexSpec(USERS, USERS_EXTERNAL_ID, keys("external_id", 1), true, true, null),
                            unique(SESSIONS, SESSIONS_ID, keys("id", 1)),
                            unique(SESSIONS, SESSIONS_CHAT_ID, keys("chat_id", 1)),
                            plain(
                                    SESSIONS,
                                    SESSIONS_USER_ACTIVITY,
                                    keys("user_id", 1, "last_activity_at", -1, "_id", -1)),
                            unique(MESSAGES, MESSAGES_ID, keys("id", 1)),
                            unique(MESSAGES, MESSAGES_SEQUENCE, keys("session_id", 1, "sequence_number", 1)),
                            unique(MEMORY, MEMORY_KEY, keys("user_id", 1, "memory_type", 1, "key", 1)))),
            new Migration(
                    "002",
                    "memory_expiry_ttl",
                    "TTL index on user_memory.expires_at: the server removes expired entries about once a minute",
                    List.of(),
                    List.of(MEMORY_TTL_INDEX)),
            new Migration(
                    "003",
                    "record_versions_and_tombstones",
                    "version 1 on existing users, sessions and memory entries; tombstone collections for deletions",
                    List.of(USER_TOMBSTONES, SESSION_TOMBSTONES, MEMORY_TOMBSTONES),
                    List.of(
                            plain(SESSION_TOMBSTONES, SESSION_TOMBSTONES_SESSION_ID, keys("session_id", 1)),
                            unique(
                                    MEMORY_TOMBSTONES,
                                    MEMORY_TOMBSTONES_KEY,
                                    keys("user_id", 1, "memory_type", 1, "key", 1))),
                    List.of(
                            new FieldDefault(USERS, MongoDocuments.VERSION, new BsonInt64(1)),
                            new FieldDefault(SESSIONS, MongoDocuments.VERSION, new BsonInt64(1)),
                            new FieldDefault(MEMORY, MongoDocuments.VERSION, new BsonInt64(1))),
                    List.of()),
            // The server's TTL monitor deletes expired entries without a tombstone: a key set again would start
            // over at version 1 below what other stores hold, and its replication would be skipped there.
            new Migration(
                    "004",
                    "memory_expiry_without_ttl",
                    "drops the TTL index on user_memory.expires_at: purgeExpiredMemory removes expired entries, with tombstones",
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(MEMORY_TTL_INDEX)),
            // Listings filter by status (active only by default) and profile before the page is cut; each index
            // leads with the owner and the filtered field and ends in the listing's order.
            new Migration(
                    "005",
                    "session_listing_filters",
                    "indexes on chat_sessions for listings filtered by status and by profile, in listing order",
                    List.of(),
                    List.of(
                            plain(
                                    SESSIONS,
                                    SESSIONS_USER_STATUS_ACTIVITY,
                                    keys("user_id", 1, "status", 1, "last_activity_at", -1, "_id", -1)),
                            plain(
                                    SESSIONS,
                                    SESSIONS_USER_PROFILE_ACTIVITY,
                                    keys("user_id", 1, "profile", 1, "last_activity_at", -1, "_id", -1)))),
            // Search reads each message's words as Dal's word rule splits them, kept beside the content; the
            // server's $text index tokenizes and stems by its own rules, which the search contract does not allow.
            new Migration(
                    "006",
                    "message_search_words",
                    "search_words on every message (its words, lower-cased, repeats kept) and their index per session",
                    List.of(),
                    List.of(plain(MESSAGES, MESSAGES_SESSION_SEARCH_WORDS, keys("session_id", 1, "search_words", 1))),
                    List.of(),
                    List.of(),
                    List.of(new FieldDerivation(
                            MESSAGES,
                            MongoDocuments.SEARCH_WORDS,
                            "SearchWords.every(content)",
                            d -> MongoDocuments.searchWords(d.getString(MongoDocuments.CONTENT, new BsonString(""))
                                    .getValue())))),
            // One vote per (message, user), upserted on the unique key; the session and sequence number are copied
            // from the message (they never change), so tallies of a range and a user's votes read one collection.
            // The user-first index also serves deleting a user's votes; the session-first one a session's, one vote
            // by its place (clearVote) and the bulk scan's keyset order (session, sequence number, user) without a
            // sort.
            new Migration(
                    "007",
                    "message_votes",
                    "message_votes: one vote per user per message, indexed for tallies of a range and a user's votes",
                    List.of(VOTES),
                    List.of(
                            unique(VOTES, VOTES_MESSAGE_USER, keys("message_id", 1, "user_id", 1)),
                            plain(
                                    VOTES,
                                    VOTES_SESSION_SEQUENCE_USER,
                                    keys("session_id", 1, "sequence_number", 1, "user_id", 1)),
                            plain(
                                    VOTES,
                                    VOTES_USER_SESSION_SEQUENCE,
                                    keys("user_id", 1, "session_id", 1, "sequence_number", 1)))),
            // Token usage, one document per model call, never updated; the message's session and sequence number
            // are copied (they never change). Totals match a time range, alone or with one user, one session or
            // grouped by model: one index each, the time last. The user-first and session-first indexes also serve
            // deleting a user's usage and a session's.
            new Migration(
                    "008",
                    "token_usage",
                    "token_usage: the tokens each model call spent on a message, indexed for totals over a time range"
                            + " by user, session and model",
                    List.of(TOKEN_USAGE),
                    List.of(
                            plain(TOKEN_USAGE, TOKEN_USAGE_USER_CREATED, keys("user_id", 1, "created_at", 1)),
                            plain(TOKEN_USAGE, TOKEN_USAGE_SESSION_CREATED, keys("session_id", 1, "created_at", 1)),
                            plain(TOKEN_USAGE, TOKEN_USAGE_MODEL_CREATED, keys("model", 1, "created_at", 1)),
                            plain(TOKEN_USAGE, TOKEN_USAGE_CREATED, keys("created_at", 1)))));

    private MongoMigrations() {}

    /** @return every migration's version, in the order they apply */
    static List<String> versions() {
        return MIGRATIONS.stream().map(Migration::version).toList();
    }

    private static IndexSpec unique(String collection, String name, BsonDocument keys) {
        return new IndexSpec(collection, name, keys, true, false, null);
    }

    private static IndexSpec plain(String collection, String name, BsonDocument keys) {
        return new IndexSpec(collection, name, keys, false, false, null);
    }

    private static BsonDocument keys(Object... namesAndDirections) {
        BsonDocument doc = new BsonDocument();
        for (int i = 0; i < namesAndDirections.length; i += 2) {
            doc.append((String) namesAndDirections[i], new BsonInt32((Integer) namesAndDirections[i + 1]));
        }
        return doc;
    }
}
