package dev.dal.mongo.internal;

import dev.dal.api.Message;
import org.bson.BsonDocument;

/**
 * Opens the MongoDB store's package-private document mapping to dal-benchmarks' JMH microbenchmarks
 * ({@code dev.dal.benchmarks.jmh.MappingBenchmark}). It lives in dal-benchmarks, in the store's package name,
 * which the class path allows (Dal's modules are not JPMS modules); it only delegates, so a figure is the store's
 * own code.
 */
public final class MongoBenchAccess {
    private MongoBenchAccess() {}

    /**
     * @param message a record
     * @return {@code MongoDocuments.message}: the document the store inserts
     */
    public static BsonDocument document(Message message) {
        return MongoDocuments.message(message);
    }

    /**
     * @param document a stored message document
     * @return {@code MongoDocuments.toMessage}: the record
     */
    public static Message message(BsonDocument document) {
        return MongoDocuments.toMessage(document);
    }
}
