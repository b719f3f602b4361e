package dev.dal.cdi.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named stores one container opened: each opened once, on first use, and all closed together. A store
 * that fails to open is not kept, so the next injection tries again (and fails the same clear way).
 */
public final class NamedStores implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NamedStores.class);

    private final Supplier<DalConfig> base;
    /** Keyed by settings prefix: names that differ only in case or '-'/'_' share one store. */
    private final Map<String, DataAccess> open = new ConcurrentHashMap<>();

    private volatile boolean closed;

    /** @param base the configuration the named stores' prefixed settings are read from */
    public NamedStores(Supplier<DalConfig> base) {
        this.base = base;
    }

    /**
     * @param name the store's name
     * @return the open store, the same instance for every call with this name
     * @throws dev.dal.api.ConfigurationException when the store is not configured, or wrongly
     * @throws IllegalStateException after {@link #close()}
     */
    public DataAccess get(String name) {
        String key = NamedStoreSettings.prefix(name);
        DataAccess store = open.computeIfAbsent(key, k -> {
            if (closed) {
                throw new IllegalStateException(
                        "The container is shutting down: @DalStore(\"" + name + "\") cannot be opened");
            }
            DalConfig config = NamedStoreSettings.of(base.get(), name);
            DataAccess created = DataAccessFactory.create(config);
            LOG.info("Dal: opened the {} store @DalStore(\"{}\")", config.storageType(), name);
            return created;
        });
        return store;
    }

    /** Closes every store opened; a store that fails to close is logged and the others still close. */
    @Override
    public void close() {
        closed = true;
        List<String> names = new ArrayList<>(open.keySet());
        for (String key : names) {
            DataAccess store = open.remove(key);
            if (store == null) {
                continue;
            }
            try {
                store.close();
            } catch (RuntimeException e) {
                // The type only: a driver's message may carry connection details.
                LOG.warn(
                        "Dal: the store with settings {}* did not close cleanly ({})",
                        key,
                        e.getClass().getName());
            }
        }
    }
}
