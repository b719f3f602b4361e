package dev.dal.metrics.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one registry Dal's meters are registered in: a composite that forwards to the global registry,
 * or to the registries applications bound instead. Micrometer hands a composite's existing meters to
 * a registry added later, so stores opened before a binding publish to it too.
 */
public final class MeterRegistries {
    private static final CompositeMeterRegistry DAL = new CompositeMeterRegistry();
    private static final List<MeterRegistry> BOUND = new ArrayList<>();
    /** What {@link #publishing()} reads without the lock: replaced, never changed in place. */
    private static volatile List<MeterRegistry> boundView = List.of();

    static {
        DAL.add(Metrics.globalRegistry);
    }

    private MeterRegistries() {}

    /** @return where Dal's meters are registered */
    static MeterRegistry registry() {
        return DAL;
    }

    /** @return whether any registry receives Dal's meters: one is bound, or the global registry holds one */
    static boolean publishing() {
        return !boundView.isEmpty() || !Metrics.globalRegistry.getRegistries().isEmpty();
    }

    /**
     * @param registry a registry to publish to instead of the global one
     * @return what ends the binding, once
     */
    public static synchronized Runnable bind(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (BOUND.isEmpty()) {
            DAL.remove(Metrics.globalRegistry);
        }
        BOUND.add(registry);
        boundView = List.copyOf(BOUND);
        DAL.add(registry);
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                unbind(registry);
            }
        };
    }

    private static synchronized void unbind(MeterRegistry registry) {
        BOUND.remove(registry);
        boundView = List.copyOf(BOUND);
        if (!BOUND.contains(registry)) {
            DAL.remove(registry);
        }
        if (BOUND.isEmpty()) {
            DAL.add(Metrics.globalRegistry);
        }
    }
}
