package dev.dal.api.spi;

import java.util.Optional;

/**
 * Watches the stores {@link dev.dal.api.DataAccessFactory} opens, to turn their calls into metrics.
 * Found through {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.dal.api.spi.StoreObserver}; the module {@code dev.dal:dal-metrics}
 * registers one that publishes Micrometer meters. With none on the class path nothing is observed.
 */
public interface StoreObserver {

    /**
     * A store opened.
     *
     * @param storeType the store's canonical type, e.g. {@code postgresql}
     * @param pool the store's connection pool, when it has one
     * @return where the store reports its calls until it closes; {@link StoreEvents#NONE} to ignore it
     */
    StoreEvents opened(String storeType, Optional<PooledStore> pool);
}
