package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.ValidationException;
import dev.dal.migration.StoreUri;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Reports a store's health; exit status 1 when it is down. It never changes the store: the store
 * is opened with {@code DB_AUTO_MIGRATE=false} (a store whose backend refuses an old schema at open
 * is refused, exit status 3). The whole command, opening included, answers within
 * {@code DB_CONNECT_TIMEOUT + DAL_HEALTH_TIMEOUT}: a store that has not answered by then is reported
 * {@code DOWN}.
 */
@Command(
        name = "health",
        description = {
            "Check a store; exit status 1 when it is not up.",
            "Read-only: never applies schema changes (DB_AUTO_MIGRATE is off for this command). Answers within"
                    + " the connect timeout plus the health timeout (by default 5 + 2 seconds), reporting DOWN when the"
                    + " store has not answered by then, refused or unreachable ports included."
        },
        footer = {
            "",
            "Examples:",
            "  dal health postgresql://dal@db:5432/chat",
            "  dal health --json --connect-timeout 1 mongodb://db:27017/chat"
        })
final class HealthCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String store;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            description =
                    "Longest wait to open a connection," + " in seconds or ISO-8601 (default DB_CONNECT_TIMEOUT, 5 s).")
    String connectTimeout;

    @Option(
            names = "--health-timeout",
            paramLabel = "DURATION",
            description = "Longest wait for the store's answer"
                    + " once connected, in seconds or ISO-8601 (default DAL_HEALTH_TIMEOUT, 2 s).")
    String healthTimeout;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        StoreUri uri = CommonOptions.store(store);
        if (connectTimeout != null) {
            uri = uri.with(DalConfig.DB_CONNECT_TIMEOUT, connectTimeout);
        }
        if (healthTimeout != null) {
            uri = uri.with(DalConfig.DAL_HEALTH_TIMEOUT, healthTimeout);
        }
        Stores.requireExisting(uri, "");
        StoreUri readOnly = Stores.readOnly(uri);
        DalConfig config = readOnly.config();
        Duration bound = config.connectTimeout().plus(config.healthTimeout());
        HealthStatus health = check(config, bound, start);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // DOWN means the store did not answer the probe (HealthStatus.Status): say so in words.
        boolean reachable = health.status() != HealthStatus.Status.DOWN;
        ObjectNode result = JsonNodeFactory.instance
                .objectNode()
                .put("store", uri.redacted())
                .put("status", health.status().name())
                .put("reachable", reachable)
                .put("storageType", health.storageType())
                .put("latencyMicros", health.latency().toNanos() / 1000)
                .put("elapsedMillis", elapsedMillis);
        if (health.error() != null) {
            result.put("error", health.error());
        }
        common.print(
                result,
                uri + ": " + health.status() + (reachable ? "" : ", not reachable") + " ("
                        + health.storageType() + ", " + health.latency().toNanos() / 1000 + " µs)"
                        + (health.error() == null ? "" : ": " + health.error()));
        return health.status() == HealthStatus.Status.UP ? DalCli.OK : DalCli.DIFFERENT;
    }

    /**
     * Opens the store and asks it, on a thread of its own, waiting at most {@code bound}. A store
     * that cannot be reached is DOWN; a configuration the store refuses (credentials, an old schema)
     * is thrown, for exit status 3.
     */
    private static HealthStatus check(DalConfig config, Duration bound, long start) {
        CompletableFuture<HealthStatus> answer = new CompletableFuture<>();
        Thread probe = new Thread(
                () -> {
                    try (DataAccess dal = DataAccessFactory.create(config)) {
                        answer.complete(dal.healthCheck());
                    } catch (Throwable e) {
                        answer.completeExceptionally(e);
                    }
                },
                "dal-health");
        // Left behind when it overruns: the process exits without it, and an embedding caller is not held up.
        probe.setDaemon(true);
        probe.start();
        long waitNanos = Math.max(0, bound.toNanos() - (System.nanoTime() - start));
        try {
            return answer.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return down(
                    config,
                    start,
                    "no answer within " + seconds(bound) + " ("
                            + DalConfig.DB_CONNECT_TIMEOUT + " " + seconds(config.connectTimeout()) + " + "
                            + DalConfig.DAL_HEALTH_TIMEOUT + " " + seconds(config.healthTimeout()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(config, start, "interrupted before the store answered");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigurationException refused
                    && DalCli.message(refused).contains(DalConfig.DB_AUTO_MIGRATE)) {
                // The store's advice ("or set DB_AUTO_MIGRATE=true") is for applications; health keeps it off.
                throw new ConfigurationException(
                        DalCli.message(refused) + " (dal health never changes a schema: it" + " opens the store with "
                                + DalConfig.DB_AUTO_MIGRATE + "=false)",
                        refused);
            }
            if (cause instanceof ConfigurationException || cause instanceof ValidationException) {
                throw (DataAccessException) cause;
            }
            if (cause instanceof DataAccessException) {
                return down(config, start, DalCli.message(cause));
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static HealthStatus down(DalConfig config, long start, String error) {
        return new HealthStatus(
                HealthStatus.Status.DOWN,
                config.storageType(),
                Duration.ofNanos(System.nanoTime() - start),
                Map.of(),
                error,
                Instant.now());
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }
}
