package dev.dal.metrics;

import dev.dal.metrics.internal.MeterRegistries;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters every Dal store publishes, and where they go. Each name below is the same on every
 * backend; the tags are {@value #STORE} (the store type, e.g. {@code postgresql}), and on the call
 * timer {@value #OPERATION} (the {@link dev.dal.api.DataAccess} method) and {@value #OUTCOME}
 * ({@code success} or the simple name of the exception the caller got).
 *
 * <p>By default the meters go to Micrometer's {@link io.micrometer.core.instrument.Metrics#globalRegistry
 * global registry}. An application that keeps its own registry calls {@link #bindTo(MeterRegistry)}:
 * while at least one such binding is open the meters go to the bound registries only (so a registry
 * that is also in the global one does not count every call twice); when the last binding closes they go
 * to the global registry again. Stores already open follow the change.
 */
public final class DalMetrics {
    /** Timer: every call that reached a store, tagged {@value #STORE}, {@value #OPERATION}, {@value #OUTCOME}. */
    public static final String CALLS = "dal.calls";
    /** Counter: outermost transactions that committed, tagged {@value #STORE}. */
    public static final String COMMITS = "dal.transactions.commits";
    /** Counter: transaction attempts that ended without a commit, tagged {@value #STORE}. */
    public static final String ROLLBACKS = "dal.transactions.rollbacks";
    /** Counter: transaction attempts run again after a retryable failure, tagged {@value #STORE}. */
    public static final String RETRIES = "dal.transactions.retries";
    /** Gauge: pooled connections in use, summed over the open stores of a type, tagged {@value #STORE}. */
    public static final String POOL_ACTIVE = "dal.pool.active";
    /** Gauge: pooled connections open and idle, tagged {@value #STORE}. */
    public static final String POOL_IDLE = "dal.pool.idle";
    /** Gauge: callers waiting for a pooled connection, tagged {@value #STORE}. */
    public static final String POOL_PENDING = "dal.pool.pending";
    /** Gauge: the most connections the pools may open, tagged {@value #STORE}. */
    public static final String POOL_MAX = "dal.pool.max";

    /** Tag: the store type, e.g. {@code postgresql}. */
    public static final String STORE = "store";
    /** Tag: the {@link dev.dal.api.DataAccess} method, e.g. {@code getChatHistory}. */
    public static final String OPERATION = "operation";
    /** Tag: {@code success}, or the simple class name of the exception the caller got. */
    public static final String OUTCOME = "outcome";

    private DalMetrics() {}

    /**
     * Publishes Dal's meters to a registry until the returned binding closes; while any binding is
     * open, the global registry no longer receives them.
     *
     * @param registry the application's registry
     * @return what ends the binding; closing it twice does nothing
     * @throws NullPointerException when {@code registry} is {@code null}
     */
    public static Binding bindTo(MeterRegistry registry) {
        return MeterRegistries.bind(registry)::run;
    }

    /** An open binding of Dal's meters to a registry. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {
        /** Stops publishing to the registry; the meters it already holds stay there. */
        @Override
        void close();
    }
}
