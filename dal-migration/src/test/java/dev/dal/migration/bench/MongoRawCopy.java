package dev.dal.migration.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.spi.RecordTrees;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The MongoDB baseline of {@link DocumentGraphCopyBenchmark}: the source's records, read through the same scans,
 * written with the driver's unordered {@code insertMany} of {@link BenchSupport#BATCH} documents into the collections
 * Dal uses, as documents of the shape Dal stores (the same fields and {@code _id}s; memory entries get a server
 * {@code _id}, as Dal's do). The benchmark's JSON has no keys MongoDB would misread, so none is encoded.
 */
final class MongoRawCopy {
    private static final InsertManyOptions UNORDERED = new InsertManyOptions().ordered(false);
    private static final String SCHEMA_VERSION = "1.0.0";

    private MongoRawCopy() {}

    /**
     * @param source the store to read
     * @param db the database to write, its collections and indexes made by a Dal store first
     * @return how many records were written
     */
    static long copy(DataAccess source, MongoDatabase db) {
        long records = 0;
        records += insert(db, "users", c -> source.bulk().scanUsers(c, BenchSupport.BATCH), MongoRawCopy::user);
        records += insert(
                db, "chat_sessions", c -> source.bulk().scanSessions(c, BenchSupport.BATCH), MongoRawCopy::session);
        records += insert(
                db, "chat_messages", c -> source.bulk().scanMessages(c, BenchSupport.BATCH), MongoRawCopy::message);
        records +=
                insert(db, "user_memory", c -> source.bulk().scanMemory(c, BenchSupport.BATCH), MongoRawCopy::memory);
        return records;
    }

    private static <T> long insert(
            MongoDatabase db,
            String collection,
            Function<String, dev.dal.api.bulk.ScanBatch<T>> scan,
            Function<T, BsonDocument> document) {
        MongoCollection<BsonDocument> target = db.getCollection(collection, BsonDocument.class);
        return BenchSupport.scanAll(scan, page -> {
            List<BsonDocument> docs = new ArrayList<>(page.size());
            for (T record : page) {
                docs.add(document.apply(record));
            }
            target.insertMany(docs, UNORDERED);
        });
    }

    private static BsonDocument user(User u) {
        BsonDocument doc = new BsonDocument("_id", id(u.id())).append("id", id(u.id()));
        if (u.externalId() != null) {
            doc.append("external_id", new BsonString(u.externalId()));
        }
        return doc.append("email", text(u.email()))
                .append("name", text(u.name()))
                .append("profile", document(u.profile()))
                .append("preferences", document(u.preferences()))
                .append("status", new BsonString(u.status().wireName()))
                .append("created_at", date(u.createdAt()))
                .append("updated_at", date(u.updatedAt()))
                .append("last_active_at", date(u.lastActiveAt()))
                .append("version", new BsonInt64(u.version()))
                .append("_schema_version", new BsonString(SCHEMA_VERSION));
    }

    private static BsonDocument session(ChatSession s) {
        return new BsonDocument("_id", id(s.id()))
                .append("id", id(s.id()))
                .append("chat_id", new BsonString(s.chatId()))
                .append("user_id", s.userId() == null ? BsonNull.VALUE : id(s.userId()))
                .append("title", text(s.title()))
                .append("profile", new BsonString(s.profile()))
                .append("metadata", document(s.metadata()))
                .append("status", new BsonString(s.status().wireName()))
                .append("created_at", date(s.createdAt()))
                .append("updated_at", date(s.updatedAt()))
                .append("last_message_at", date(s.lastMessageAt()))
                .append("last_activity_at", date(s.lastActivityAt()))
                .append("message_count", new BsonInt64(s.messageCount()))
                .append("version", new BsonInt64(s.version()))
                .append("_schema_version", new BsonString(SCHEMA_VERSION));
    }

    private static BsonDocument message(Message m) {
        return new BsonDocument("_id", id(m.id()))
                .append("id", id(m.id()))
                .append("session_id", id(m.sessionId()))
                .append("sequence_number", new BsonInt64(m.sequenceNumber()))
                .append("role", new BsonString(m.role().wireName()))
                .append("content", new BsonString(m.content()))
                .append("metadata", document(RecordTrees.metadata(m)))
                .append("token_count", m.tokenCount() == null ? BsonNull.VALUE : new BsonInt32(m.tokenCount()))
                .append("abuse_flagged", BsonBoolean.valueOf(m.abuseFlagged()))
                .append("created_at", date(m.createdAt()))
                .append("_schema_version", new BsonString(SCHEMA_VERSION));
    }

    private static BsonDocument memory(MemoryEntry e) {
        return new BsonDocument("user_id", id(e.userId()))
                .append("memory_type", new BsonString(e.memoryType()))
                .append("key", new BsonString(e.key()))
                .append("value", bson(e.value()))
                .append("created_at", date(e.createdAt()))
                .append("updated_at", date(e.updatedAt()))
                .append("expires_at", date(e.expiresAt()))
                .append("version", new BsonInt64(e.version()))
                .append("_schema_version", new BsonString(SCHEMA_VERSION));
    }

    private static BsonDocument document(JsonNode node) {
        BsonDocument doc = new BsonDocument();
        if (node != null) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                doc.append(field.getKey(), bson(field.getValue()));
            }
        }
        return doc;
    }

    private static BsonValue bson(JsonNode node) {
        if (node == null || node.isNull()) {
            return BsonNull.VALUE;
        }
        if (node.isObject()) {
            return document(node);
        }
        if (node.isArray()) {
            BsonArray array = new BsonArray(node.size());
            node.forEach(element -> array.add(bson(element)));
            return array;
        }
        if (node.isBoolean()) {
            return BsonBoolean.valueOf(node.booleanValue());
        }
        if (node.isInt()) {
            return new BsonInt32(node.intValue());
        }
        if (node.isIntegralNumber()) {
            return new BsonInt64(node.longValue());
        }
        if (node.isNumber()) {
            return new BsonDouble(node.doubleValue());
        }
        return new BsonString(node.asText());
    }

    private static BsonString id(UUID id) {
        return new BsonString(id.toString());
    }

    private static BsonValue text(String value) {
        return value == null ? BsonNull.VALUE : new BsonString(value);
    }

    private static BsonValue date(Instant instant) {
        return instant == null ? BsonNull.VALUE : new BsonDateTime(instant.toEpochMilli());
    }
}
