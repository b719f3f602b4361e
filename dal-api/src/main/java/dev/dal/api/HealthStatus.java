package dev.dal.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of {@link DataAccess#healthCheck()}.
 *
 * @param status whether the store answered
 * @param storageType the store's type, e.g. {@code "file"}
 * @param latency how long the probe took
 * @param details store figures (pool active/idle/waiting/max, server version, …); never secrets
 * @param error why the store is down, or {@code null}; never a secret or a stack trace
 * @param checkedAt when the probe ran
 */
public record HealthStatus(
        Status status,
        String storageType,
        Duration latency,
        Map<String, Object> details,
        String error,
        Instant checkedAt) {

    /** Health states. */
    public enum Status {
        /** The store answered a probe. */
        UP,
        /** The store answered, but something is wrong (e.g. a replica is missing). */
        DEGRADED,
        /** The store did not answer. */
        DOWN
    }

    /**
     * Copies the details map.
     *
     * @param status whether the store answered
     * @param storageType the store's type, e.g. {@code "file"}
     * @param latency how long the probe took
     * @param details store figures (pool active/idle/waiting/max, server version, …); never secrets
     * @param error why the store is down, or {@code null}; never a secret or a stack trace
     * @param checkedAt when the probe ran
     */
    public HealthStatus {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(storageType, "storageType");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(checkedAt, "checkedAt");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** @return whether the status is {@link Status#UP} */
    public boolean isUp() {
        return status == Status.UP;
    }
}
