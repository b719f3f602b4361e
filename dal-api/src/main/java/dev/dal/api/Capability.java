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
    /**
     * The store talks to a server over TCP; every call is bounded by {@code DB_CONNECT_TIMEOUT} and
     * {@code DB_QUERY_TIMEOUT} and fails by the failure table when the network stalls, resets or refuses.
     */
    NETWORK,
    /**
     * {@link DataAccess#searchMessages} answers: the store keeps a full-text index of message content and
     * reads search text by the shared word rule.
     */
    FULL_TEXT_SEARCH,
    /**
     * {@link DataAccess#voteMessage}, {@link DataAccess#clearVote}, {@link DataAccess#getVoteTallies} and
     * {@link DataAccess#getUserVotes} answer: the store keeps one vote per user per message.
     */
    MESSAGE_VOTES,
    /**
     * {@link DataAccess#recordTokenUsage} and {@link DataAccess#getTokenUsageTotals} answer: the store keeps
     * the token usage of messages and totals it by user, session or model.
     */
    TOKEN_USAGE
}
