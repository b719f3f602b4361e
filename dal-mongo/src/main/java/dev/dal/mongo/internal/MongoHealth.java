package dev.dal.mongo.internal;

import dev.dal.api.HealthStatus;
import dev.dal.api.spi.HealthReport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;

/** The MongoDB store's health check: a ping on a client of its own, bounded by {@code DAL_HEALTH_TIMEOUT}. */
final class MongoHealth {
    private final MongoConnection connection;
    private volatile String serverVersion;

    /** @param connection the connection whose health client, pool and timeouts the check uses */
    MongoHealth(MongoConnection connection) {
        this.connection = connection;
    }

    /**
     * Pings the server on the health client (a pool of its own, so the probe never waits behind
     * application calls), bounded by {@code DAL_HEALTH_TIMEOUT}: DOWN when no answer came in time,
     * DEGRADED when the server answered but every pooled connection is checked out, else UP.
     * Details: topology, server version, pool figures ({@code poolUtilizationPercent} included).
     *
     * @param closed whether the store is closed (then DOWN without a probe)
     * @return the store's health
     */
    HealthStatus check(boolean closed) {
        HealthReport report = HealthReport.begin("mongodb", "MongoDB");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("topology", connection.topology());
        details.put("transactions", connection.transactions());
        if (closed) {
            return report.down(details, report.closed());
        }
        Duration limit = connection.healthTimeout();
        String error;
        try {
            Future<String> probe = connection.healthThreads().submit(this::probe);
            try {
                details.put("serverVersion", probe.get(limit.toNanos(), TimeUnit.NANOSECONDS));
                details.put("database", connection.database().getName());
                details.putAll(connection.poolFigures());
                return report.answered(details, connection.poolSaturated(), report.poolInUse());
            } catch (TimeoutException e) {
                probe.cancel(true);
                error = report.noAnswer(limit);
            } catch (ExecutionException e) {
                error = MongoErrors.isTimeout(e.getCause())
                        ? report.noAnswer(limit)
                        : MongoErrors.translate("healthCheck", e.getCause()).getMessage();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "Interrupted while waiting for the health probe";
        } catch (RejectedExecutionException | IllegalStateException e) {
            error = report.closed();
        }
        details.putAll(connection.poolFigures());
        return report.down(details, error);
    }

    /** @return the server's version, after a ping; on the health client */
    private String probe() {
        var db = connection.healthDatabase();
        db.runCommand(new BsonDocument("ping", new BsonInt32(1)));
        if (serverVersion == null) {
            BsonDocument info = db.runCommand(new BsonDocument("buildInfo", new BsonInt32(1)), BsonDocument.class);
            serverVersion = info.getString("version", new BsonString("unknown")).getValue();
        }
        return serverVersion;
    }
}
