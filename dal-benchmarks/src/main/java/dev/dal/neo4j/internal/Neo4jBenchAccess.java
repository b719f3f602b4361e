package dev.dal.neo4j.internal;

import dev.dal.api.Message;
import java.util.Map;
import org.neo4j.driver.types.MapAccessor;

/**
 * Opens the Neo4j store's package-private property mapping to dal-benchmarks' JMH microbenchmarks
 * ({@code dev.dal.benchmarks.jmh.MappingBenchmark}). It lives in dal-benchmarks, in the store's package name,
 * which the class path allows (Dal's modules are not JPMS modules); it only delegates, so a figure is the store's
 * own code.
 */
public final class Neo4jBenchAccess {
    private Neo4jBenchAccess() {}

    /**
     * @param message a record
     * @return {@code Neo4jRecords.messageProps}: the parameter map of one message row
     */
    public static Map<String, Object> properties(Message message) {
        return Neo4jRecords.messageProps(message);
    }

    /**
     * @param node a message node's properties
     * @return {@code Neo4jRecords.message}: the record
     */
    public static Message message(MapAccessor node) {
        return Neo4jRecords.message(node);
    }
}
