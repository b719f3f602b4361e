package dev.dal.api;

/**
 * Optional abilities a store declares through {@link DataAccess#capabilities()}. Every store keeps
 * the rules of the contract; capabilities cover what some stores cannot offer at all.
 */
public enum Capability {
    /** {@link DataAccess#inTransaction} is all-or-nothing across any number of operations. */
    TRANSACTIONS,
    /** Several processes may open the same store at once and see each other's writes. */
    MULTI_PROCESS,
    /** Full-text search over message content (planned). */
    FULL_TEXT_SEARCH
}
