package dev.dal.neo4j.internal;

import dev.dal.api.HealthStatus;
import dev.dal.api.spi.HealthReport;
import java.time.Duration;
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
        HealthReport report = report();
        Duration timeout = connection.settings().healthTimeout();
        try {
            Map<String, Object> details = connection.probe(
                    tx -> {
                        var result = tx.run(PROBE);
                        Record record = result.single();
                        return details(record, result.consume());
                    },
                    timeout);
            Map<String, Object> all = new LinkedHashMap<>(details);
            all.putAll(connection.poolFigures());
            return report.answered(all, connection.poolSaturated(), report.poolInUse());
        } catch (TimeoutException e) {
            return down(report, report.noAnswer(timeout));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return down(report, report.closed());
        } catch (RuntimeException e) {
            return down(report, Neo4jErrors.translate("healthCheck", e).getMessage());
        }
    }

    CompletionStage<HealthStatus> checkAsync() {
        try {
            return CompletableFuture.supplyAsync(this::check, connection.probes());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            HealthReport report = report();
            return CompletableFuture.completedFuture(down(report, report.closed()));
        }
    }

    private static HealthReport report() {
        return HealthReport.begin(Neo4jStore.STORAGE_TYPE, "Neo4j");
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

    private HealthStatus down(HealthReport report, String message) {
        return report.down(connection.poolFigures(), message);
    }
}
