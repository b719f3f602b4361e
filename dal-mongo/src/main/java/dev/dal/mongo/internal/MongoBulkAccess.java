package dev.dal.mongo.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.or;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import dev.dal.api.ChatSession;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.conversions.Bson;

/**
 * Bulk scan and upsert for MongoDB. Scans are keyset pages over the unique indexes ({@code _id} for
 * users and sessions, (session, sequence) for messages, (user, type, key) for memory), so memory
 * stays flat however large the store. Upserts take the insert fast path first: one unordered
 * {@code insertMany} per batch; the records that already exist (duplicate key) are then replaced
 * by key with one unordered {@code bulkWrite} of upserting replaces. Referenced records are checked
 * with one query per batch before anything is written.
 */
final class MongoBulkAccess implements BulkAccess {
    private final MongoStore store;
    private final int batchSize;
    private final ObjectMapper json = JsonValues.newMapper();

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
        Bson filter = cursor == null ? new BsonDocument() : gt(MongoDocuments.ID, uuid(cursor).toString());
        List<User> users = store.call("scanUsers", () -> store.ops().find(store.users, filter)
                .sort(Sorts.ascending(MongoDocuments.ID)).limit(size).batchSize(size)
                .map(MongoDocuments::toUser).into(new ArrayList<>()));
        return batch(users, size, u -> u.id().toString());
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int size) {
        Bson filter = cursor == null ? new BsonDocument() : gt(MongoDocuments.ID, uuid(cursor).toString());
        List<ChatSession> sessions = store.call("scanSessions", () -> store.ops().find(store.sessions, filter)
                .sort(Sorts.ascending(MongoDocuments.ID)).limit(size).batchSize(size)
                .map(MongoDocuments::toSession).into(new ArrayList<>()));
        return batch(sessions, size, s -> s.id().toString());
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int size) {
        Bson filter = new BsonDocument();
        if (cursor != null) {
            String[] parts = cursor.split("/", 2);
            String session = uuid(parts[0]).toString();
            long seq = sequence(parts);
            filter = or(gt(MongoDocuments.SESSION_ID, session),
                    and(eq(MongoDocuments.SESSION_ID, session), gt(MongoDocuments.SEQUENCE_NUMBER, new BsonInt64(seq))));
        }
        Bson where = filter;
        List<Message> messages = store.call("scanMessages", () -> store.ops().find(store.messages, where)
                .sort(Sorts.ascending(MongoDocuments.SESSION_ID, MongoDocuments.SEQUENCE_NUMBER)).limit(size)
                .batchSize(size).map(MongoDocuments::toMessage).into(new ArrayList<>()));
        return batch(messages, size, m -> m.sessionId() + "/" + m.sequenceNumber());
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int size) {
        Bson filter = new BsonDocument();
        if (cursor != null) {
            String[] key = memoryKey(cursor);
            String user = uuid(key[0]).toString();
            filter = or(gt(MongoDocuments.USER_ID, user),
                    and(eq(MongoDocuments.USER_ID, user), gt(MongoDocuments.MEMORY_TYPE, new BsonString(key[1]))),
                    and(eq(MongoDocuments.USER_ID, user), eq(MongoDocuments.MEMORY_TYPE, new BsonString(key[1])),
                            gt(MongoDocuments.KEY, new BsonString(key[2]))));
        }
        Bson where = filter;
        List<MemoryEntry> entries = store.call("scanMemory", () -> store.ops().find(store.memory, where)
                .sort(Sorts.ascending(MongoDocuments.USER_ID, MongoDocuments.MEMORY_TYPE, MongoDocuments.KEY))
                .limit(size).batchSize(size).map(MongoDocuments::toMemory).into(new ArrayList<>()));
        return batch(entries, size, e -> {
            try {
                return json.writeValueAsString(new String[] {e.userId().toString(), e.memoryType(), e.key()});
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    private static <T> ScanBatch<T> batch(List<T> items, int size, Function<T, String> cursorOf) {
        return new ScanBatch<>(items, items.size() < size ? null : cursorOf.apply(items.get(items.size() - 1)));
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw badCursor();
        }
    }

    private static long sequence(String[] parts) {
        try {
            return Long.parseLong(parts[1]);
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw badCursor();
        }
    }

    private String[] memoryKey(String cursor) {
        try {
            String[] key = json.readValue(cursor, String[].class);
            if (key != null && key.length == 3 && key[0] != null && key[1] != null && key[2] != null) {
                return key;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw badCursor();
    }

    private static ValidationException badCursor() {
        return new ValidationException("cursor", "is not a cursor this store returned");
    }

    // ---- upserts ----

    @Override
    public void upsertUsers(List<User> users) {
        store.call("upsertUsers", () -> {
            for (List<User> chunk : chunks(users)) {
                upsertById(store.users, chunk.stream().map(MongoDocuments::user).toList());
            }
            return null;
        });
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        store.call("upsertSessions", () -> {
            for (List<ChatSession> chunk : chunks(sessions)) {
                requireExisting(store.users, chunk.stream().map(ChatSession::userId), "user");
                upsertById(store.sessions, chunk.stream().map(MongoDocuments::session).toList());
            }
            return null;
        });
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        store.call("upsertMessages", () -> {
            for (List<Message> chunk : chunks(messages)) {
                requireExisting(store.sessions, chunk.stream().map(Message::sessionId), "chat session");
                upsertById(store.messages, chunk.stream().map(MongoDocuments::message).toList());
            }
            return null;
        });
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        store.call("upsertMemory", () -> {
            for (List<MemoryEntry> chunk : chunks(entries)) {
                requireExisting(store.users, chunk.stream().map(MemoryEntry::userId), "user");
                List<BsonDocument> docs = chunk.stream().map(MongoDocuments::memory).toList();
                upsert(store.memory, docs, d -> and(eq(MongoDocuments.USER_ID, d.get(MongoDocuments.USER_ID)),
                        eq(MongoDocuments.MEMORY_TYPE, d.get(MongoDocuments.MEMORY_TYPE)),
                        eq(MongoDocuments.KEY, d.get(MongoDocuments.KEY))));
            }
            return null;
        });
    }

    private <T> List<List<T>> chunks(List<T> records) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < records.size(); from += batchSize) {
            chunks.add(records.subList(from, Math.min(records.size(), from + batchSize)));
        }
        return chunks;
    }

    /** Fails before anything is written when a record names a parent that does not exist. */
    private void requireExisting(MongoCollection<BsonDocument> parents, java.util.stream.Stream<UUID> ids, String kind) {
        Set<String> wanted = new LinkedHashSet<>();
        ids.filter(java.util.Objects::nonNull).forEach(id -> wanted.add(id.toString()));
        if (wanted.isEmpty()) {
            return;
        }
        Set<String> found = new HashSet<>();
        store.ops().find(parents, in(MongoDocuments.ID, wanted)).projection(Projections.include(MongoDocuments.ID))
                .forEach(d -> found.add(d.getString(MongoDocuments.ID).getValue()));
        for (String id : wanted) {
            if (!found.contains(id)) {
                throw new NotFoundException("The referenced " + kind + " does not exist: " + id);
            }
        }
    }

    private void upsertById(MongoCollection<BsonDocument> collection, List<BsonDocument> docs) {
        upsert(collection, docs, d -> eq(MongoDocuments.ID, d.get(MongoDocuments.ID)));
    }

    /**
     * Inserts the batch unordered; whatever failed on a unique key (it exists already, or another
     * record holds one of its unique values) is then replaced by key, upserting. A record that
     * still collides there collides with another record, and that error is the caller's.
     */
    private void upsert(MongoCollection<BsonDocument> collection, List<BsonDocument> docs, Function<BsonDocument, Bson> key) {
        if (docs.isEmpty()) {
            return;
        }
        boolean byId = docs.get(0).containsKey(MongoDocuments.ID);
        List<BsonDocument> existing = new ArrayList<>();
        if (store.ops().session() != null) {
            // In a transaction a failed insert aborts everything: replace straight away.
            existing.addAll(docs);
        } else try {
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
            if (!byId) {
                // Memory is keyed by (user, type, key): drop the _id the failed insert gave it, keep the stored one.
                doc.remove(MongoDocuments.ID);
            }
            replaces.add(new ReplaceOneModel<>(key.apply(doc), doc, new ReplaceOptions().upsert(true)));
        }
        store.ops().bulkWrite(collection, replaces);
    }
}
