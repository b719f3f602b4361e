package dev.dal.api.spi;

import dev.dal.api.Capability;
import dev.dal.api.HealthStatus;
import dev.dal.api.bulk.BulkAccess;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a {@link SplitDataAccess} hands its calls to: where reads and writes go, the bulk access, the health
 * check, what the store declares it can do, and its pool's figures. Each part is the same object for the
 * store's whole life.
 *
 * @param reads where every read goes
 * @param writes where every write goes
 * @param bulk the store's bulk access
 * @param health answers {@link dev.dal.api.DataAccess#healthCheck()}, bounded by {@code DAL_HEALTH_TIMEOUT}
 * @param capabilities what the store declares it can do; copied
 * @param pool reads the figures of the store's connection pool
 */
public record StoreParts(
        StoreReads reads,
        StoreWrites writes,
        BulkAccess bulk,
        Supplier<HealthStatus> health,
        Set<Capability> capabilities,
        PooledStore pool) {

    /**
     * Checks that every part is given and copies the capabilities.
     *
     * @param reads where every read goes
     * @param writes where every write goes
     * @param bulk the store's bulk access
     * @param health answers the health check
     * @param capabilities what the store declares it can do
     * @param pool reads the figures of the store's connection pool
     */
    public StoreParts {
        Objects.requireNonNull(reads, "reads");
        Objects.requireNonNull(writes, "writes");
        Objects.requireNonNull(bulk, "bulk");
        Objects.requireNonNull(health, "health");
        capabilities = Set.copyOf(capabilities);
        Objects.requireNonNull(pool, "pool");
    }
}
