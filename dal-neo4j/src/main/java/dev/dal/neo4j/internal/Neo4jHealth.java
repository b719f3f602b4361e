package dev.dal.neo4j.internal;

import dev.dal.api.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.async.AsyncSession;
import org.neo4j.driver.summary.ResultSummary;

/**
 * Seed 000's health checks, synchronous and asynchronous (on the driver's async API): one read
 * transaction asks the server for its version and routing table; the answer carries the latency,
 * the server's address and agent, the routing table and the pool figures. Never credentials.
 */
final class Neo4jHealth {
    static final String PROBE = """
            CALL dbms.components() YIELD versions, edition
            WITH versions[0] AS version, edition
            CALL dbms.routing.getRoutingTable({}) YIELD ttl, servers
            RETURN version, edition, ttl, servers""";

    private final Neo4jDatabase db;

    Neo4jHealth(Neo4jDatabase db) {
        this.db = db;
    }

    HealthStatus check() {
        long start = System.nanoTime();
        try {
            Map<String, Object> details = db.read(tx -> {
                var result = tx.run(PROBE);
                Record record = result.single();
                return details(record, result.consume());
            });
            return up(start, details);
        } catch (RuntimeException e) {
            return down(start, e);
        }
    }

    CompletionStage<HealthStatus> checkAsync() {
        long start = System.nanoTime();
        AsyncSession session;
        try {
            session = db.asyncSession();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(down(start, e));
        }
        return session.executeReadAsync(tx -> tx.runAsync(PROBE)
                        .thenCompose(cursor -> cursor.singleAsync()
                                .thenCompose(record -> cursor.consumeAsync().thenApply(summary -> details(record, summary)))))
                .handle((details, error) -> error == null ? up(start, details) : down(start, unwrap(error)))
                .thenCompose(status -> session.closeAsync().handle((ignored, closeError) -> status));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private Map<String, Object> details(Record record, ResultSummary summary) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("serverVersion", record.get("version").asString(""));
        details.put("edition", record.get("edition").asString(""));
        details.put("serverAddress", summary.server().address());
        details.put("serverAgent", summary.server().agent());
        details.put("protocolVersion", summary.server().protocolVersion());
        details.put("database", summary.database().name());
        if (db.settings().uri() != null) {
            details.put("routingDriver", db.settings().uri().startsWith("neo4j"));
        }
        details.put("routingTtlSeconds", record.get("ttl").asLong(0));
        Map<String, List<String>> routing = new LinkedHashMap<>();
        for (Value server : record.get("servers").values()) {
            routing.put(server.get("role").asString(), server.get("addresses").asList(Value::asString));
        }
        details.put("routing", routing);
        return details;
    }

    private HealthStatus up(long start, Map<String, Object> details) {
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.putAll(db.poolFigures());
        return new HealthStatus(HealthStatus.Status.UP, Neo4jStore.STORAGE_TYPE, Duration.ofNanos(System.nanoTime() - start),
                all, null, Instant.now());
    }

    private HealthStatus down(long start, Throwable error) {
        String message = Neo4jErrors.translate("healthCheck", error).getMessage();
        return new HealthStatus(HealthStatus.Status.DOWN, Neo4jStore.STORAGE_TYPE, Duration.ofNanos(System.nanoTime() - start),
                db.poolFigures(), message, Instant.now());
    }
}
