package dev.dal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.spi.PoolFigures;
import dev.dal.api.spi.StoreEvents;
import dev.dal.metrics.internal.MicrometerStoreObserver;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where the meters go, and what the pool gauges read; the kit checks the meters on real stores. */
class DalMetricsTest {

    @Test
    void aBoundRegistryReceivesTheMetersAndTheGlobalOneDoesNotCountTwice() {
        SimpleMeterRegistry global = new SimpleMeterRegistry();
        SimpleMeterRegistry bound = new SimpleMeterRegistry();
        Metrics.addRegistry(global);
        try {
            StoreEvents events = new MicrometerStoreObserver().opened("unit", Optional.empty());
            DalMetrics.Binding binding = DalMetrics.bindTo(bound);
            events.called("getUser", "success", Duration.ofMillis(3));
            events.committed();
            assertThat(bound.get(DalMetrics.CALLS)
                            .tag(DalMetrics.OPERATION, "getUser")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(bound.get(DalMetrics.COMMITS).counter().count()).isEqualTo(1);
            binding.close();
            binding.close();
            events.called("getUser", "success", Duration.ofMillis(3));

            assertThat(global.get(DalMetrics.CALLS)
                            .tag(DalMetrics.OPERATION, "getUser")
                            .timer()
                            .count())
                    .as("global registry: only the call made while no registry was bound")
                    .isEqualTo(1);
            assertThat(bound.get(DalMetrics.CALLS)
                            .tag(DalMetrics.OPERATION, "getUser")
                            .timer()
                            .count())
                    .as("after the binding closed")
                    .isEqualTo(1);
        } finally {
            Metrics.removeRegistry(global);
        }
    }

    @Test
    void poolGaugesSumTheOpenStoresOfATypeAndForgetClosedOnes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DalMetrics.Binding binding = DalMetrics.bindTo(registry);
        try {
            MicrometerStoreObserver observer = new MicrometerStoreObserver();
            StoreEvents first = observer.opened("pooled", Optional.of(() -> new PoolFigures(2, 3, 1, 10)));
            StoreEvents second = observer.opened("pooled", Optional.of(() -> new PoolFigures(1, 0, 0, -1)));

            assertThat(registry.get(DalMetrics.POOL_ACTIVE)
                            .tag(DalMetrics.STORE, "pooled")
                            .gauge()
                            .value())
                    .isEqualTo(3);
            assertThat(registry.get(DalMetrics.POOL_MAX)
                            .tag(DalMetrics.STORE, "pooled")
                            .gauge()
                            .value())
                    .as("an unknown maximum adds nothing")
                    .isEqualTo(10);
            first.closed();
            second.closed();
            assertThat(registry.get(DalMetrics.POOL_IDLE)
                            .tag(DalMetrics.STORE, "pooled")
                            .gauge()
                            .value())
                    .isEqualTo(0);
        } finally {
            binding.close();
        }
    }
}
