package dev.dal.api.internal;

import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.TransactionWork;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The last line of Dal's error rule: whatever a backend lets slip (a driver exception, an
 * {@code IllegalStateException}, …) reaches the caller as a {@link DataAccessException} whose
 * message names the store and the operation, never the driver's text. Exceptions thrown by a
 * caller's own transaction work pass through unchanged.
 */
final class ErrorGuard {
    private final String storageType;

    ErrorGuard(String storageType) {
        this.storageType = storageType;
    }

    <T> T call(String operation, Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessException e) {
            throw e;
        } catch (RuntimeException e) {
            throw untranslated(operation);
        }
    }

    <T> T transaction(DataAccess store, TransactionWork<T> work, Function<DataAccess, DataAccess> wrapTx) {
        RuntimeException[] fromWork = new RuntimeException[1];
        try {
            return store.inTransaction(tx -> {
                DataAccess wrapped = wrapTx.apply(tx);
                try {
                    return work.run(wrapped);
                } catch (RuntimeException e) {
                    fromWork[0] = e;
                    throw e;
                }
            });
        } catch (DataAccessException e) {
            throw e;
        } catch (RuntimeException e) {
            if (e == fromWork[0]) {
                throw e;
            }
            throw untranslated("inTransaction");
        }
    }

    /**
     * The backend's own exception is deliberately not attached: its message and stack may carry
     * driver text or secrets. Backends log and translate their errors themselves; this is the net.
     */
    private DataAccessException untranslated(String operation) {
        return new DataAccessException("Unexpected failure in the " + storageType + " store during " + operation
                + "; the backend did not translate it (see the backend's log)");
    }
}
