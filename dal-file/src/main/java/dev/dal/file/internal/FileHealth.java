package dev.dal.file.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.HealthStatus;
import dev.dal.api.TransientDataAccessException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The file store's health check: {@code UP} when the store lock was taken within
 * {@code DAL_HEALTH_TIMEOUT} and the data directory is writable, {@code DEGRADED} when it is
 * read-only, {@code DOWN} when the lock was not free in time or the store cannot be used. It never
 * throws and never waits longer than its own deadline.
 *
 * @param unit the store's unit of work, whose lock the check takes
 * @param root the store root
 * @param lockWait the longest the check waits for the lock ({@code DAL_HEALTH_TIMEOUT})
 */
record FileHealth(UnitOfWork unit, Path root, Duration lockWait) {
    private static final String BACKEND = "file";

    /** @return the store's health now */
    HealthStatus check() {
        long start = System.nanoTime();
        try {
            boolean writable = unit.read("healthCheck", lockWait, () -> Files.isWritable(root));
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            return new HealthStatus(
                    writable ? HealthStatus.Status.UP : HealthStatus.Status.DEGRADED,
                    BACKEND,
                    latency,
                    Map.of("dataDir", root.toString(), "writable", writable),
                    writable ? null : "data directory is read-only",
                    Instant.now());
        } catch (TransientDataAccessException e) {
            return new HealthStatus(
                    HealthStatus.Status.DOWN,
                    BACKEND,
                    Duration.ofNanos(System.nanoTime() - start),
                    Map.of("dataDir", root.toString()),
                    "the store lock was not free within " + DalConfig.DAL_HEALTH_TIMEOUT + " (" + lockWait.toMillis()
                            + " ms)",
                    Instant.now());
        } catch (RuntimeException e) {
            return new HealthStatus(
                    HealthStatus.Status.DOWN,
                    BACKEND,
                    Duration.ofNanos(System.nanoTime() - start),
                    Map.of("dataDir", root.toString()),
                    "file store unavailable",
                    Instant.now());
        }
    }
}
