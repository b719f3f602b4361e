package dev.dal.api.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.spi.PooledStore;
import dev.dal.api.spi.StoreEvents;
import dev.dal.api.spi.StoreObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a store's calls are observed: each call's time and outcome, and each transaction's
 * end, go to the {@link StoreObserver}s on the class path; a call slower than
 * {@code DAL_SLOW_CALL_THRESHOLD} is logged at WARN with its operation, store type and time, never a
 * value. An observer that throws is logged and does not fail the call.
 */
public final class CallObserver {
    private static final Logger LOG = LoggerFactory.getLogger(CallObserver.class);
    private static final String SUCCESS = "success";

    private final String storeType;
    /** Calls longer than this are logged; {@code null} for none. */
    private final Duration slowCall;

    private final List<StoreEvents> events;

    private CallObserver(String storeType, Duration slowCall, List<StoreEvents> events) {
        this.storeType = storeType;
        this.slowCall = slowCall;
        this.events = List.copyOf(events);
    }

    /**
     * @param storeType the store's canonical type, e.g. {@code postgresql}
     * @param store the backend's store, which may report its pool
     * @param config supplies {@code DAL_SLOW_CALL_THRESHOLD}
     * @return an observer reporting to every {@link StoreObserver} on the class path
     */
    public static CallObserver open(String storeType, Object store, DalConfig config) {
        Optional<PooledStore> pool = store instanceof PooledStore pooled ? Optional.of(pooled) : Optional.empty();
        List<StoreEvents> found = new ArrayList<>();
        for (StoreObserver observer : ServiceLoader.load(StoreObserver.class, CallObserver.class.getClassLoader())) {
            try {
                found.add(observer.opened(storeType, pool));
            } catch (RuntimeException e) {
                LOG.warn(
                        "The store observer {} failed for a {} store; its metrics are missing",
                        observer.getClass().getName(),
                        storeType,
                        e);
            }
        }
        return new CallObserver(storeType, config.slowCallThreshold(), found);
    }

    /** @return an observer that reports nothing and logs nothing */
    public static CallObserver silent() {
        return new CallObserver("", null, List.of());
    }

    void called(String operation, long startNanos, RuntimeException failure) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        String outcome = failure == null ? SUCCESS : failure.getClass().getSimpleName();
        if (slowCall != null && elapsed.compareTo(slowCall) > 0) {
            LOG.warn(
                    "Slow call: {} on the {} store took {} ms ({}; {} is {} ms)",
                    operation,
                    storeType,
                    elapsed.toMillis(),
                    outcome,
                    DalConfig.DAL_SLOW_CALL_THRESHOLD,
                    slowCall.toMillis());
        }
        each(e -> e.called(operation, outcome, elapsed));
    }

    /**
     * @param attempts how many times the work ran
     * @param committed whether the last attempt committed
     */
    void transactionEnded(int attempts, boolean committed) {
        for (int i = 1; i < attempts; i++) {
            each(StoreEvents::retried);
        }
        int rolledBack = committed ? attempts - 1 : attempts;
        for (int i = 0; i < rolledBack; i++) {
            each(StoreEvents::rolledBack);
        }
        if (committed) {
            each(StoreEvents::committed);
        }
    }

    void closed() {
        each(StoreEvents::closed);
    }

    private void each(java.util.function.Consumer<StoreEvents> event) {
        for (StoreEvents e : events) {
            try {
                event.accept(e);
            } catch (RuntimeException failure) {
                LOG.warn("A store observer failed on the {} store; the call went on", storeType, failure);
            }
        }
    }
}
