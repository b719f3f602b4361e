package dev.dal.neo4j.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.summary.ResultSummary;

/**
 * The health check: one read transaction asks the server for its version and routing table;
 * the answer carries the latency, the server's address and agent, the routing table and the pool
 * figures ({@code poolUtilizationPercent} when the store owns its driver). Never credentials.
 *
 * <p>It answers within {@code DAL_HEALTH_TIMEOUT}: the probe runs on a thread of its own (so it
 * never holds the caller while the pool is saturated) under a deadline of its own that ends its
 * connection. DOWN when the server did not answer in time or failed; DEGRADED when it answered but
 * every pooled connection is in use; UP otherwise.
 */
final class Neo4jHealth {
    static final String PROBE = """
            CALL dbms.components() YIELD versions, edition
            WITH versions[0] AS version, edition
            CALL dbms.routing.getRoutingTable({}) YIELD ttl, servers
            RETURN version, edition, ttl, servers""";

    private final Neo4jConnection connection;

    Neo4jHealth(Neo4jConnection connection) {
        this.connection = connection;
    }

    HealthStatus check() {
        long start = System.nanoTime();
        Duration timeout = connection.settings().healthTimeout();
        try {
            Map<String, Object> details = connection.probe(
                    tx -> {
                        var result = tx.run(PROBE);
                        Record record = result.single();
                        return details(record, result.consume());
                    },
                    timeout);
            return answered(start, details);
        } catch (TimeoutException e) {
            return down(
                    start,
                    "Neo4j did not answer the health check within " + DalConfig.DAL_HEALTH_TIMEOUT + " ("
                            + timeout.toMillis() + " ms)");
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return down(start, "The Neo4j store is closed");
        } catch (RuntimeException e) {
            return down(start, Neo4jErrors.translate("healthCheck", e).getMessage());
        }
    }

    CompletionStage<HealthStatus> checkAsync() {
        try {
            return CompletableFuture.supplyAsync(this::check, connection.probes());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(down(System.nanoTime(), "The Neo4j store is closed"));
        }
    }

    private Map<String, Object> details(Record record, ResultSummary summary) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("serverVersion", record.get("version").asString(""));
        details.put("edition", record.get("edition").asString(""));
        details.put("serverAddress", summary.server().address());
        details.put("serverAgent", summary.server().agent());
        details.put("protocolVersion", summary.server().protocolVersion());
        details.put("database", summary.database().name());
        if (connection.settings().uri() != null) {
            details.put("routingDriver", connection.settings().uri().startsWith("neo4j"));
        }
        details.put("routingTtlSeconds", record.get("ttl").asLong(0));
        Map<String, List<String>> routing = new LinkedHashMap<>();
        for (Value server : record.get("servers").values()) {
            routing.put(server.get("role").asString(), server.get("addresses").asList(Value::asString));
        }
        details.put("routing", routing);
        return details;
    }

    private HealthStatus answered(long start, Map<String, Object> details) {
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.putAll(connection.poolFigures());
        if (connection.poolSaturated()) {
            return new HealthStatus(
                    HealthStatus.Status.DEGRADED,
                    Neo4jStore.STORAGE_TYPE,
                    Duration.ofNanos(System.nanoTime() - start),
                    all,
                    "Every pooled Neo4j connection is in use (raise " + DalConfig.DB_MAX_CONNECTIONS + ")",
                    Instant.now());
        }
        return new HealthStatus(
                HealthStatus.Status.UP,
                Neo4jStore.STORAGE_TYPE,
                Duration.ofNanos(System.nanoTime() - start),
                all,
                null,
                Instant.now());
    }

    private HealthStatus down(long start, String message) {
        return new HealthStatus(
                HealthStatus.Status.DOWN,
                Neo4jStore.STORAGE_TYPE,
                Duration.ofNanos(System.nanoTime() - start),
                connection.poolFigures(),
                message,
                Instant.now());
    }
}
