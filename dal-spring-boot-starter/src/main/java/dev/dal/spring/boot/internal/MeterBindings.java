package dev.dal.spring.boot.internal;

import dev.dal.api.DataAccess;
import dev.dal.spring.boot.metrics.DalMeterBinder;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Runs the {@link DalMeterBinder}s once every singleton exists, and their unbinding when the context closes. It
 * holds the store, so Spring destroys it before the store closes.
 */
public final class MeterBindings implements SmartInitializingSingleton, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(MeterBindings.class);

    private final DataAccess store;
    private final Supplier<MeterRegistry> registry;
    private final Supplier<Stream<DalMeterBinder>> binders;
    private final Deque<Runnable> unbinds = new ArrayDeque<>();

    /**
     * @param store the application's store
     * @param registry the application's registry, or {@code null} when there is none or no primary one
     * @param binders the binders, in order
     */
    public MeterBindings(DataAccess store, Supplier<MeterRegistry> registry, Supplier<Stream<DalMeterBinder>> binders) {
        this.store = store;
        this.registry = registry;
        this.binders = binders;
    }

    @Override
    public void afterSingletonsInstantiated() {
        MeterRegistry target = registry.get();
        if (target == null) {
            LOG.info("Dal: several MeterRegistry beans and none primary; the store's meters are not bound");
            return;
        }
        binders.get().forEach(binder -> unbinds.push(binder.bind(store, target)));
    }

    @Override
    public void destroy() {
        while (!unbinds.isEmpty()) {
            Runnable unbind = unbinds.pop();
            try {
                unbind.run();
            } catch (RuntimeException e) {
                LOG.warn("Dal: a meter binding could not be undone", e);
            }
        }
    }
}
