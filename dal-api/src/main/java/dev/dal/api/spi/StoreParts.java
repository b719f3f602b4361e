package dev.dal.api.spi;

import dev.dal.api.Capability;
import dev.dal.api.HealthStatus;
import dev.dal.api.bulk.BulkAccess;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a {@link SplitDataAccess} hands its calls to: where reads and writes go and the bulk access, which are
 * the store's own, and the {@link Server server side}, which a store shares with the stores its transactions
 * hand their work. Each part is the same object for the store's whole life.
 *
 * @param reads where every read goes
 * @param writes where every write goes
 * @param bulk the store's bulk access
 * @param server the health check, capabilities and pool figures
 */
public record StoreParts(StoreReads reads, StoreWrites writes, BulkAccess bulk, Server server) {

    /**
     * Checks that every part is given.
     *
     * @param reads where every read goes
     * @param writes where every write goes
     * @param bulk the store's bulk access
     * @param server the health check, capabilities and pool figures
     */
    public StoreParts {
        Objects.requireNonNull(reads, "reads");
        Objects.requireNonNull(writes, "writes");
        Objects.requireNonNull(bulk, "bulk");
        Objects.requireNonNull(server, "server");
    }

    /**
     * A store's server side: its health check, what it declares it can do, and its pool's figures.
     *
     * @param health answers {@link dev.dal.api.DataAccess#healthCheck()}, bounded by {@code DAL_HEALTH_TIMEOUT}
     * @param capabilities what the store declares it can do; copied, in the enum's order
     * @param pool reads the figures of the store's connection pool
     */
    public record Server(Supplier<HealthStatus> health, Set<Capability> capabilities, PooledStore pool) {

        /** What a store on a database server with transactions declares: transactions, many processes, network. */
        public static final Set<Capability> TRANSACTIONAL = Collections.unmodifiableSet(
                EnumSet.of(Capability.TRANSACTIONS, Capability.MULTI_PROCESS, Capability.NETWORK));

        /**
         * Checks that every part is given and copies the capabilities.
         *
         * @param health answers the health check
         * @param capabilities what the store declares it can do
         * @param pool reads the figures of the store's connection pool
         */
        public Server {
            Objects.requireNonNull(health, "health");
            // An unmodifiable EnumSet: a copy that iterates in the enum's order, as the stores' sets always did.
            capabilities =
                    capabilities.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
            Objects.requireNonNull(pool, "pool");
        }
    }
}
