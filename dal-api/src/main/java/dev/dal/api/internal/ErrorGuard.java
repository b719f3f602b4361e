package dev.dal.api.internal;

import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.TransactionWork;
import dev.dal.api.spi.SanitizedCause;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line of Dal's error rule: whatever a backend lets slip (a driver exception, an
 * {@code IllegalStateException}, …) reaches the caller as a {@link DataAccessException} whose
 * message names the store and the operation, never the driver's text. The failure is logged once
 * at WARN with its stack, and kept as the cause, both as a {@link SanitizedCause} (class names and
 * frames, no messages: those can carry bound values). Exceptions thrown by a caller's own
 * transaction work pass through unchanged.
 */
final class ErrorGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorGuard.class);
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
            throw untranslated(operation, e);
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
            throw untranslated("inTransaction", e);
        }
    }

    /**
     * The backend's own exception is not attached as it is: its message may carry driver text, values
     * or secrets. Backends translate their errors themselves; this is the net.
     */
    private DataAccessException untranslated(String operation, RuntimeException failure) {
        SanitizedCause cause = SanitizedCause.of(failure);
        LOG.warn("Untranslated failure in the {} store during {} (messages removed)", storageType, operation, cause);
        return new DataAccessException(
                "Unexpected failure in the " + storageType + " store during " + operation
                        + "; the backend did not translate it ("
                        + failure.getClass().getSimpleName() + ")",
                cause);
    }
}
