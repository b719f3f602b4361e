package dev.dal.spring.boot.health;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * An Actuator health indicator over {@link DataAccess#healthCheck()}, reported as the {@code dal} component.
 *
 * <p>The store's {@code UP} is {@link Status#UP} and {@code DOWN} is {@link Status#DOWN} (with the store's error);
 * {@code DEGRADED} (the store answers but something is wrong, e.g. a dual-write secondary is down) is reported with
 * the status code given here, {@code UP} by default. The details are the store type ({@code storageType}), the
 * store's own status ({@code status}), the probe's latency ({@code latencyMs}), when it ran ({@code checkedAt}),
 * the error if any, and the store's figures from {@link HealthStatus#details()}; a figure whose name suggests a
 * secret is masked and a URL's password is masked.
 *
 * <p>A probe is awaited at most the given timeout: one that has not answered by then is reported {@code DOWN}.
 * Stores from {@link dev.dal.api.DataAccessFactory} already answer within {@code DAL_HEALTH_TIMEOUT}.
 */
public final class DalHealthIndicator implements HealthIndicator {
    private static final Logger LOG = LoggerFactory.getLogger(DalHealthIndicator.class);

    private final DataAccess store;
    private final Duration timeout;
    private final Status degraded;

    /**
     * @param store the store to probe
     * @param timeout the longest a probe is awaited
     * @param degradedStatus the status code a {@code DEGRADED} store is reported with, e.g. {@code "UP"}
     * @throws IllegalArgumentException when the timeout is not positive or the status code is blank
     */
    public DalHealthIndicator(DataAccess store, Duration timeout, String degradedStatus) {
        this.store = Objects.requireNonNull(store, "store");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (degradedStatus == null || degradedStatus.isBlank()) {
            throw new IllegalArgumentException("dal.health.degraded-status must be a status code such as UP or"
                    + " DEGRADED, got '" + degradedStatus + "'");
        }
        this.degraded = new Status(degradedStatus.trim().toUpperCase(Locale.ROOT));
    }

    /** @return the store's health, never throwing: a store that does not answer in time is {@code DOWN} */
    @Override
    public Health health() {
        HealthStatus status;
        try {
            status = store.healthCheckAsync().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Health.down()
                    .withDetail("error", "no answer within " + timeout.toMillis() + " ms")
                    .build();
        } catch (ExecutionException e) {
            // The type only: a driver's message may carry connection details.
            LOG.warn(
                    "Dal: the health check failed ({})",
                    e.getCause() == null ? "unknown" : e.getCause().getClass().getName());
            return Health.down().withDetail("error", "health check failed").build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down()
                    .withDetail("error", "interrupted while waiting for the health check")
                    .build();
        }
        Health.Builder health = switch (status.status()) {
            case UP -> Health.up();
            case DOWN -> Health.down();
            case DEGRADED -> Health.status(degraded);
        };
        return health.withDetails(details(status)).build();
    }

    private static Map<String, Object> details(HealthStatus status) {
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("storageType", status.storageType());
        shown.put("status", status.status().name());
        shown.put("latencyMs", status.latency().toMillis());
        shown.put("checkedAt", status.checkedAt().toString());
        if (status.error() != null) {
            shown.put("error", status.error());
        }
        status.details().forEach((name, value) -> shown.putIfAbsent(name, masked(name, value)));
        return shown;
    }

    /** Store figures are never secrets by contract; this keeps it so for stores that break it. */
    private static Object masked(String name, Object value) {
        if (value instanceof String text) {
            return DalConfig.redact(name, text);
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.contains("PASSWORD") || upper.contains("SECRET") || upper.contains("TOKEN")) {
            return "****";
        }
        return value;
    }
}
