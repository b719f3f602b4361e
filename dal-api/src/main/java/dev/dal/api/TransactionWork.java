package dev.dal.api;

/**
 * Work that runs in one transaction and returns a result.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface TransactionWork<T> {
    /**
     * @param tx the store to use inside the transaction; valid only until the work returns
     * @return the result of the work
     */
    T run(DataAccess tx);
}
