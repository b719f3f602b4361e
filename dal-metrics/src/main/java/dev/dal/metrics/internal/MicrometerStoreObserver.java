package dev.dal.metrics.internal;

import dev.dal.api.spi.PoolFigures;
import dev.dal.api.spi.PooledStore;
import dev.dal.api.spi.StoreEvents;
import dev.dal.api.spi.StoreObserver;
import dev.dal.metrics.DalMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToIntFunction;

/**
 * Turns each store's events into the meters {@link DalMetrics} names. Stores of one type share their
 * meters: the timers and counters add up their calls, the pool gauges sum their open pools.
 */
public final class MicrometerStoreObserver implements StoreObserver {
    /** Per store type, the pools of its open stores; the gauges read the sum. */
    private static final Map<String, List<PooledStore>> POOLS = new ConcurrentHashMap<>();

    /** Found by {@link java.util.ServiceLoader}. */
    public MicrometerStoreObserver() {}

    @Override
    public StoreEvents opened(String storeType, Optional<PooledStore> pool) {
        MeterRegistry registry = MeterRegistries.registry();
        pool.ifPresent(p -> pools(registry, storeType).add(p));
        return new Events(registry, storeType, pool);
    }

    private static List<PooledStore> pools(MeterRegistry registry, String storeType) {
        return POOLS.computeIfAbsent(storeType, type -> {
            List<PooledStore> open = new CopyOnWriteArrayList<>();
            gauge(registry, DalMetrics.POOL_ACTIVE, "pooled connections in use", type, open, PoolFigures::active);
            gauge(registry, DalMetrics.POOL_IDLE, "pooled connections open and idle", type, open, PoolFigures::idle);
            gauge(
                    registry,
                    DalMetrics.POOL_PENDING,
                    "callers waiting for a pooled connection",
                    type,
                    open,
                    PoolFigures::pending);
            gauge(
                    registry,
                    DalMetrics.POOL_MAX,
                    "the most connections the pools may open",
                    type,
                    open,
                    PoolFigures::max);
            return open;
        });
    }

    private static void gauge(
            MeterRegistry registry,
            String name,
            String description,
            String storeType,
            List<PooledStore> open,
            ToIntFunction<PoolFigures> figure) {
        Gauge.builder(name, open, pools -> sum(pools, figure))
                .description(description)
                .tag(DalMetrics.STORE, storeType)
                .strongReference(true)
                .register(registry);
    }

    private static double sum(List<PooledStore> pools, ToIntFunction<PoolFigures> figure) {
        double total = 0;
        for (PooledStore pool : pools) {
            // A pool that does not know a figure (-1) adds nothing.
            total += Math.max(0, figure.applyAsInt(pool.poolFigures()));
        }
        return total;
    }

    /** One open store's events. */
    private static final class Events implements StoreEvents {
        private final MeterRegistry registry;
        private final String storeType;
        private final Optional<PooledStore> pool;
        private final Counter commits;
        private final Counter rollbacks;
        private final Counter retries;
        /** Timers by operation and outcome, so a call costs a map look-up, not a registration. */
        private final Map<String, Map<String, Timer>> timers = new ConcurrentHashMap<>();

        Events(MeterRegistry registry, String storeType, Optional<PooledStore> pool) {
            this.registry = registry;
            this.storeType = storeType;
            this.pool = pool;
            this.commits = counter(DalMetrics.COMMITS, "outermost transactions that committed");
            this.rollbacks = counter(DalMetrics.ROLLBACKS, "transaction attempts that ended without a commit");
            this.retries = counter(DalMetrics.RETRIES, "transaction attempts run again after a retryable failure");
        }

        private Counter counter(String name, String description) {
            return Counter.builder(name)
                    .description(description)
                    .tag(DalMetrics.STORE, storeType)
                    .register(registry);
        }

        @Override
        public void called(String operation, String outcome, Duration elapsed) {
            if (!MeterRegistries.publishing()) {
                // Nothing would receive the time; skip the look-ups on the caller's thread.
                return;
            }
            timers.computeIfAbsent(operation, o -> new ConcurrentHashMap<>())
                    .computeIfAbsent(
                            outcome,
                            o -> Timer.builder(DalMetrics.CALLS)
                                    .description("calls that reached the store, by operation and outcome")
                                    .tags(
                                            DalMetrics.STORE,
                                            storeType,
                                            DalMetrics.OPERATION,
                                            operation,
                                            DalMetrics.OUTCOME,
                                            outcome)
                                    .register(registry))
                    .record(elapsed);
        }

        @Override
        public void committed() {
            commits.increment();
        }

        @Override
        public void rolledBack() {
            rollbacks.increment();
        }

        @Override
        public void retried() {
            retries.increment();
        }

        @Override
        public void closed() {
            pool.ifPresent(p -> {
                List<PooledStore> open = POOLS.get(storeType);
                if (open != null) {
                    open.remove(p);
                }
            });
        }
    }
}
