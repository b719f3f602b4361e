package dev.dal.spring.boot.metrics;

import dev.dal.api.DataAccess;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Binds a store's meters to the application's {@link MeterRegistry}. Every bean of this type is called once for
 * the application's {@link DataAccess} bean when the context has started, and what it returns is run when the
 * context closes, before the store is closed. The starter declares one for the dual-write decorator's meters; a
 * backend's or an application's meters join by declaring another bean.
 */
@FunctionalInterface
public interface DalMeterBinder {

    /**
     * @param store the application's store, as the context holds it (behind Dal's validation when it came from
     *     {@link dev.dal.api.DataAccessFactory})
     * @param registry the application's registry
     * @return what removes the meters again; a no-op when this binder has nothing to bind for the store
     */
    Runnable bind(DataAccess store, MeterRegistry registry);
}
