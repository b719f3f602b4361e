package dev.dal.migration.cli;

import dev.dal.migration.StoreUri;

/**
 * A store's own failure (unreachable, refused credentials, ...) while a command opened it, with the
 * store named: a copy or verify has two stores, possibly of the same backend. The exit status is
 * the cause's.
 */
final class StoreFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param role what the store is to the command, e.g. {@code "source"}, or empty
     * @param store the store (shown redacted)
     * @param cause the store's failure
     */
    StoreFailure(String role, StoreUri store, RuntimeException cause) {
        super((role.isEmpty() ? "" : role + " ") + "store " + store.redacted() + ": " + DalCli.message(cause), cause);
    }
}
