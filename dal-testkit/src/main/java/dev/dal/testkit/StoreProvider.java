package dev.dal.testkit;

import dev.dal.api.DataAccess;
import java.time.Clock;

/**
 * What a backend supplies to run the conformance kit: a way to open an empty store and to wipe
 * it. One provider instance serves one test class; it may start a server once and reuse it.
 *
 * <p>Stores must be opened through {@link dev.dal.api.DataAccessFactory} so the kit tests what
 * applications get, validation included.
 */
public interface StoreProvider extends AutoCloseable {

    /**
     * Opens a store that holds no records.
     *
     * @param clock the clock the store must use for timestamps and expiry
     * @return an open, empty store
     */
    DataAccess openEmpty(Clock clock);

    /**
     * Opens a second handle on the store {@link #openEmpty} last opened, as another process
     * would, or returns {@code null} when the store has no meaning outside the first handle.
     * The default returns {@code null}.
     *
     * @param clock the clock
     * @return a second store handle, or {@code null}
     */
    default DataAccess reopen(Clock clock) {
        return null;
    }

    /** Releases whatever the provider started (servers, directories). The default does nothing. */
    @Override
    default void close() {
    }
}
