package dev.dal.api;

/** Work that runs in one transaction and returns nothing. */
@FunctionalInterface
public interface TransactionAction {
    /**
     * @param tx the store to use inside the transaction; valid only until the work returns
     */
    void run(DataAccess tx);
}
