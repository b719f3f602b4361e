package dev.dal.api.spi;

/**
 * A store that talks to its server over a pool of connections and reports the pool's figures. A
 * backend's store implements it when the provider returns it; {@link dev.dal.api.DataAccessFactory}
 * hands it to every {@link StoreObserver} as the store opens.
 */
public interface PooledStore {

    /**
     * Reads the pool's figures now. Cheap and safe to call from any thread, often (meters poll it), and
     * after the store closed (the figures then show an empty pool).
     *
     * @return the figures; never {@code null}
     */
    PoolFigures poolFigures();
}
