package dev.dal.api.spi;

import java.time.Duration;

/**
 * What one open store tells a {@link StoreObserver}: every call it served, every transaction it ended,
 * and its closing. Each method is a no-op by default. The arguments are the store's own words, never a
 * caller's value. Called on the caller's thread, right after the call; a method must be quick and must
 * not throw.
 */
public interface StoreEvents {

    /** Events that go nowhere. */
    StoreEvents NONE = new StoreEvents() {};

    /**
     * A call reached the store (after validation) and ended.
     *
     * @param operation the {@link dev.dal.api.DataAccess} method's name, e.g. {@code getChatHistory}
     * @param outcome {@code success}, or the simple class name of the exception the caller got, e.g.
     *     {@code NotFoundException}
     * @param elapsed how long the call took
     */
    default void called(String operation, String outcome, Duration elapsed) {}

    /** An outermost transaction committed. */
    default void committed() {}

    /**
     * An attempt of an outermost transaction ended without a commit: the work or the store failed,
     * whether a retry followed or not.
     */
    default void rolledBack() {}

    /** A transaction ran its work again after a retryable failure ({@code DAL_TX_RETRIES}). */
    default void retried() {}

    /** The store closed; no events follow. */
    default void closed() {}
}
