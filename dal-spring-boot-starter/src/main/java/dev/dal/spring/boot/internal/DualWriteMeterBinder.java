package dev.dal.spring.boot.internal;

import dev.dal.api.DataAccess;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.spring.boot.metrics.DalMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * The dual-write decorator's meters: it registers them in Micrometer's global registry, so the application's
 * registry is added to the global one (existing meters reach it too) unless it is the global registry or already
 * in it, and removed again, with the decorator's meters it received, when unbound.
 */
public final class DualWriteMeterBinder implements DalMeterBinder {
    /** The decorator's meter names start with it. */
    private static final String METER_PREFIX = "dal.dualwrite.";

    /** Created by the auto-configuration. */
    public DualWriteMeterBinder() {}

    @Override
    public Runnable bind(DataAccess store, MeterRegistry registry) {
        if (DualWriteDataAccess.find(store).isEmpty()
                || registry == Metrics.globalRegistry
                || Metrics.globalRegistry.getRegistries().contains(registry)) {
            return () -> {};
        }
        Metrics.addRegistry(registry);
        return () -> {
            Metrics.removeRegistry(registry);
            // The decorator removes its meters from the global registry when it closes, after this binding is
            // undone; the copies this registry got are removed here so none outlives the store in it.
            Metrics.globalRegistry.getMeters().stream()
                    .filter(meter -> meter.getId().getName().startsWith(METER_PREFIX))
                    .forEach(meter -> registry.remove(meter.getId()));
        };
    }
}
