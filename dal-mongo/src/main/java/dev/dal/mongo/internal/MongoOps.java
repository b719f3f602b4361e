package dev.dal.mongo.internal;

import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.UpdateResult;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;

/**
 * The collection operations the store uses, run in the transaction's session when there is one.
 * Reads and find-and-modify writes carry a server-side time limit ({@code maxTimeMS}) a little
 * under {@code DB_QUERY_TIMEOUT} (the socket read timeout): a write waiting for a document another
 * transaction holds is then ended by the server, which answers that nothing was written, before
 * the socket gives up with the outcome unknown. The sync driver offers the limit on these
 * operations only (inserts, updates, deletes and bulk writes have none without CSOT).
 *
 * @param session the running transaction's session, or {@code null} outside a transaction
 * @param maxTimeMs the server-side limit in milliseconds
 */
record MongoOps(ClientSession session, long maxTimeMs) {

    /**
     * @param queryTimeout {@code DB_QUERY_TIMEOUT}
     * @return the server-side limit: 80 % of it, at most 500 ms less, at least 1 ms
     */
    static long serverLimit(java.time.Duration queryTimeout) {
        long ms = queryTimeout.toMillis();
        return Math.max(1, Math.max(ms - 500, ms * 4 / 5));
    }

    FindIterable<BsonDocument> find(MongoCollection<BsonDocument> c, Bson filter) {
        return (session == null ? c.find(filter) : c.find(session, filter)).maxTime(maxTimeMs, TimeUnit.MILLISECONDS);
    }

    AggregateIterable<BsonDocument> aggregate(MongoCollection<BsonDocument> c, List<Bson> pipeline) {
        return (session == null ? c.aggregate(pipeline) : c.aggregate(session, pipeline))
                .maxTime(maxTimeMs, TimeUnit.MILLISECONDS);
    }

    void insertOne(MongoCollection<BsonDocument> c, BsonDocument doc) {
        if (session == null) {
            c.insertOne(doc);
        } else {
            c.insertOne(session, doc);
        }
    }

    void insertMany(MongoCollection<BsonDocument> c, List<BsonDocument> docs, boolean ordered) {
        InsertManyOptions options = new InsertManyOptions().ordered(ordered);
        if (session == null) {
            c.insertMany(docs, options);
        } else {
            c.insertMany(session, docs, options);
        }
    }

    BulkWriteResult bulkWrite(MongoCollection<BsonDocument> c, List<? extends WriteModel<BsonDocument>> models) {
        BulkWriteOptions options = new BulkWriteOptions().ordered(false);
        return session == null ? c.bulkWrite(models, options) : c.bulkWrite(session, models, options);
    }

    UpdateResult replaceOne(MongoCollection<BsonDocument> c, Bson filter, BsonDocument doc, ReplaceOptions options) {
        return session == null ? c.replaceOne(filter, doc, options) : c.replaceOne(session, filter, doc, options);
    }

    UpdateResult updateOne(MongoCollection<BsonDocument> c, Bson filter, Bson update, UpdateOptions options) {
        return session == null ? c.updateOne(filter, update, options) : c.updateOne(session, filter, update, options);
    }

    UpdateResult updateMany(MongoCollection<BsonDocument> c, Bson filter, Bson update) {
        return session == null ? c.updateMany(filter, update) : c.updateMany(session, filter, update);
    }

    BsonDocument findOneAndUpdate(
            MongoCollection<BsonDocument> c, Bson filter, Bson update, FindOneAndUpdateOptions options) {
        options.maxTime(maxTimeMs, TimeUnit.MILLISECONDS);
        return session == null
                ? c.findOneAndUpdate(filter, update, options)
                : c.findOneAndUpdate(session, filter, update, options);
    }

    BsonDocument findOneAndDelete(MongoCollection<BsonDocument> c, Bson filter, FindOneAndDeleteOptions options) {
        options.maxTime(maxTimeMs, TimeUnit.MILLISECONDS);
        return session == null ? c.findOneAndDelete(filter, options) : c.findOneAndDelete(session, filter, options);
    }

    DeleteResult deleteOne(MongoCollection<BsonDocument> c, Bson filter) {
        return session == null ? c.deleteOne(filter) : c.deleteOne(session, filter);
    }

    DeleteResult deleteMany(MongoCollection<BsonDocument> c, Bson filter) {
        return session == null ? c.deleteMany(filter) : c.deleteMany(session, filter);
    }
}
