package dev.dal.api.spi;

import dev.dal.api.DalConfig;
import dev.dal.api.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One health check's answer as every store words it: begun when the probe starts, so its latency is the
 * probe's; UP when the server answered, DEGRADED when it answered but something beside it is wrong (a saturated
 * pool, a replica behind), DOWN with the reason otherwise. Not thread-safe: one per check.
 */
public final class HealthReport {
    private final String storageType;
    private final String server;
    private final long start;

    private HealthReport(String storageType, String server) {
        this.storageType = Objects.requireNonNull(storageType, "storageType");
        this.server = Objects.requireNonNull(server, "server");
        this.start = System.nanoTime();
    }

    /**
     * Starts a report; its latency counts from now.
     *
     * @param storageType the store's type, e.g. {@code "mongodb"}
     * @param server the server's name in messages, e.g. {@code "MongoDB"}
     * @return the report
     */
    public static HealthReport begin(String storageType, String server) {
        return new HealthReport(storageType, server);
    }

    /**
     * The server answered: UP, or DEGRADED when the pool is saturated.
     *
     * @param details the store's figures; never secrets
     * @param poolSaturated whether every pooled connection is in use
     * @param saturation what the DEGRADED answer says, e.g. {@link #poolInUse()}
     * @return the health
     */
    public HealthStatus answered(Map<String, Object> details, boolean poolSaturated, String saturation) {
        return answered(details, poolSaturated ? List.of(saturation) : List.of());
    }

    /**
     * The server answered, with whatever is wrong beside it: UP when nothing is, else DEGRADED naming each problem.
     *
     * @param details the store's figures; never secrets
     * @param problems what is wrong (a saturated pool, a replica behind), one sentence each, never a secret
     * @return the health
     */
    public HealthStatus answered(Map<String, Object> details, List<String> problems) {
        return problems.isEmpty()
                ? status(HealthStatus.Status.UP, details, null)
                : status(HealthStatus.Status.DEGRADED, details, String.join("; ", problems));
    }

    /**
     * The server did not answer, or the store cannot ask it.
     *
     * @param details the store's figures; never secrets
     * @param error why, never a secret or a stack trace
     * @return the DOWN health
     */
    public HealthStatus down(Map<String, Object> details, String error) {
        return status(HealthStatus.Status.DOWN, details, Objects.requireNonNull(error, "error"));
    }

    /**
     * @param limit the health deadline that passed
     * @return the reason for a probe that did not answer within {@code DAL_HEALTH_TIMEOUT}
     */
    public String noAnswer(Duration limit) {
        return server + " did not answer the health probe within " + DalConfig.DAL_HEALTH_TIMEOUT + " ("
                + limit.toMillis() + " ms)";
    }

    /** @return the reason for a DEGRADED answer when every pooled connection is in use */
    public String poolInUse() {
        return "Every pooled " + server + " connection is in use (raise " + DalConfig.DB_MAX_CONNECTIONS + ")";
    }

    /** @return the reason for a DOWN answer of a closed store */
    public String closed() {
        return "The " + server + " store is closed";
    }

    private HealthStatus status(HealthStatus.Status status, Map<String, Object> details, String message) {
        return new HealthStatus(
                status, storageType, Duration.ofNanos(System.nanoTime() - start), details, message, Instant.now());
    }
}
