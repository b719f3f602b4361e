package dev.dal.testkit;

import dev.dal.api.DataAccess;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

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

    /**
     * Where the store's server listens, so the kit can put a {@link FaultProxy} in front of it.
     * Stores that declare {@link dev.dal.api.Capability#NETWORK} must return it. The default is empty
     * (no network between the store and its data).
     *
     * @return the server's address, if the store talks to one
     */
    default Optional<InetSocketAddress> serverAddress() {
        return Optional.empty();
    }

    /**
     * Opens a store that holds no records, like {@link #openEmpty}, with extra settings on top of the
     * provider's own (the kit passes short deadlines such as {@code DB_QUERY_TIMEOUT}), and, when
     * {@code via} is given, connecting to that address instead of {@link #serverAddress()}.
     *
     * @param clock the clock the store must use
     * @param settings settings to apply over the provider's, by their environment names
     * @param via the address to connect to instead of the server, or {@code null} for the server itself
     * @return an open, empty store
     * @throws UnsupportedOperationException when the provider cannot (the default); the kit's fault and
     *     deadline contracts then fail, naming this method
     */
    default DataAccess openEmpty(Clock clock, Map<String, String> settings, InetSocketAddress via) {
        throw new UnsupportedOperationException(getClass().getName()
                + " does not implement StoreProvider.openEmpty(Clock, Map, InetSocketAddress), which the kit's"
                + " fault and deadline contracts need");
    }

    /** Releases whatever the provider started (servers, directories). The default does nothing. */
    @Override
    default void close() {}
}
