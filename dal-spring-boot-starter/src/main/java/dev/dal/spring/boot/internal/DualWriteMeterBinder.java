package dev.dal.spring.boot.internal;

import dev.dal.api.DataAccess;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.spring.boot.metrics.DalMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * The dual-write decorator's meters: it registers them in Micrometer's global registry, so the application's
 * registry is added to the global one (existing meters reach it too) unless it is the global registry or already
 * in it, and removed again when unbound.
 */
public final class DualWriteMeterBinder implements DalMeterBinder {

    /** Created by the auto-configuration. */
    public DualWriteMeterBinder() {
    }

    @Override
    public Runnable bind(DataAccess store, MeterRegistry registry) {
        if (DualWriteDataAccess.find(store).isEmpty() || registry == Metrics.globalRegistry
                || Metrics.globalRegistry.getRegistries().contains(registry)) {
            return () -> { };
        }
        Metrics.addRegistry(registry);
        return () -> Metrics.removeRegistry(registry);
    }
}
