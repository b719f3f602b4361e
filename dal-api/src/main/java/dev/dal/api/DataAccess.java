package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.bulk.BulkAccess;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one interface a chat application uses for its data, whatever the store behind it.
 *
 * <p>Obtain one from {@link DataAccessFactory}. Every method validates its arguments before any
 * store is touched: a bad value raises {@link ValidationException} naming the field and the rule,
 * and nothing is written. Every error is a {@link DataAccessException}; no driver exception
 * crosses this interface. Implementations are safe for use by many threads.
 *
 * <p>Records come back exactly as they were stored: ids are assigned by Dal (time-ordered UUIDs),
 * timestamps are UTC instants truncated to milliseconds, and JSON values round-trip exactly.
 * Reads of something that does not exist return an empty result; writes that refer to something
 * that does not exist raise {@link NotFoundException}.
 *
 * <h2>Deadlines</h2>
 * Every call is bounded: opening a connection by {@code DB_CONNECT_TIMEOUT} (5 s), waiting for a
 * pooled connection by {@code DB_CONNECTION_TIMEOUT} (30 s), waiting on the server, the network
 * or a lock once under way by {@code DB_QUERY_TIMEOUT} (30 s), and {@link #healthCheck()} by
 * {@code DAL_HEALTH_TIMEOUT} (2 s). No call waits without limit.
 *
 * <h2>Failures</h2>
 * The same failure raises the same exception on every store:
 * <table>
 * <caption>What each failure raises</caption>
 * <tr><th>failure</th><th>exception</th><th>retry?</th></tr>
 * <tr><td>server refused the connection, unreachable, or not accepted within {@code DB_CONNECT_TIMEOUT}</td>
 *     <td>{@link UnavailableException}</td><td>later</td></tr>
 * <tr><td>connection reset, or no answer within {@code DB_QUERY_TIMEOUT}, during a read or before a write was
 *     sent; a lock not granted within {@code DB_QUERY_TIMEOUT}</td>
 *     <td>{@link TransientDataAccessException}</td><td>yes ({@link Retryable})</td></tr>
 * <tr><td>connection reset, or no answer within {@code DB_QUERY_TIMEOUT}, after a write was sent</td>
 *     <td>{@link OutcomeUnknownException}</td><td>with the same ids only</td></tr>
 * <tr><td>server starting up or shutting down</td><td>{@link TransientDataAccessException}</td><td>yes</td></tr>
 * <tr><td>deadlock or serialization failure</td><td>{@link ConcurrencyConflictException}</td><td>yes</td></tr>
 * <tr><td>no pooled connection free within {@code DB_CONNECTION_TIMEOUT}</td>
 *     <td>{@link UnavailableException} naming {@code DB_MAX_CONNECTIONS}</td><td>later</td></tr>
 * <tr><td>credentials rejected</td><td>{@link ConfigurationException} naming the user setting</td><td>no</td></tr>
 * <tr><td>unknown database</td><td>{@link ConfigurationException} naming the setting</td><td>no</td></tr>
 * <tr><td>schema missing or older than the code, when the store opens</td>
 *     <td>{@link ConfigurationException} naming {@code DB_AUTO_MIGRATE} and {@code dal schema migrate}</td>
 *     <td>no</td></tr>
 * </table>
 * Messages name the operation and the setting to look at, never a value or a driver's text; a
 * cause, when there is one, is a {@link dev.dal.api.spi.SanitizedCause}.
 *
 * <h2>Retrying a write whose outcome is unknown</h2>
 * After an {@link OutcomeUnknownException} the write may have been stored. Give the records your
 * own ids and repeat the call unchanged:
 * <pre>{@code
 * List<NewMessage> turn = List.of(NewMessage.user(question).withId(UUID.randomUUID()),
 *         NewMessage.assistant(answer).withId(UUID.randomUUID()));
 * for (int attempt = 1; ; attempt++) {
 *     try {
 *         return store.addMessages(chatId, turn);      // same ids every time
 *     } catch (OutcomeUnknownException | TransientDataAccessException e) {
 *         if (attempt == 3) throw e;
 *     }
 * }
 * }</pre>
 * When the records are already stored under those ids with the same content, the call returns the
 * stored records instead of adding them again, so exactly one copy is kept whichever way the first
 * attempt went ({@link NewMessage#withId}, {@link NewUser.Builder#id}, {@link NewChatSession#withId};
 * memory writes are idempotent by key).
 */
public interface DataAccess extends AutoCloseable {

    // ---- users ----

    /**
     * Creates a user.
     *
     * @param user what to create
     * @return the stored user, with its new id and timestamps
     * @throws DuplicateKeyException when another user has the same external id
     */
    User createUser(NewUser user);

    /**
     * @param id the user's id
     * @return the user, or empty
     */
    Optional<User> getUser(UUID id);

    /**
     * @param externalId the identity provider's id (legacy {@code clerk_id})
     * @return the user, or empty
     */
    Optional<User> getUserByExternalId(String externalId);

    /**
     * Changes a user's fields.
     *
     * @param id the user's id
     * @param update the changes
     * @return the user as stored after the change
     * @throws NotFoundException when there is no such user
     * @throws DuplicateKeyException when the new external id belongs to another user
     */
    User updateUser(UUID id, UserUpdate update);

    /**
     * Deletes a user and their memory; their sessions stay, with no user.
     *
     * @param id the user's id
     * @return whether a user was deleted
     */
    default boolean deleteUser(UUID id) {
        return deleteUser(id, DeleteMode.KEEP_SESSIONS);
    }

    /**
     * Deletes a user and their memory, and with {@link DeleteMode#PURGE} their sessions and messages.
     *
     * @param id the user's id
     * @param mode what happens to the user's sessions
     * @return whether a user was deleted
     */
    boolean deleteUser(UUID id, DeleteMode mode);

    // ---- chat sessions ----

    /**
     * Creates a chat session with no messages.
     *
     * @param session what to create
     * @return the stored session
     * @throws DuplicateKeyException when the chat id is taken
     * @throws NotFoundException when a user id is given and there is no such user
     */
    ChatSession createChatSession(NewChatSession session);

    /**
     * @param chatId the caller's key
     * @return the session with its current message count, or empty
     */
    Optional<ChatSession> getChatSession(String chatId);

    /**
     * Changes a session's own fields.
     *
     * @param chatId the caller's key
     * @param update the changes
     * @return the session as stored after the change
     * @throws NotFoundException when there is no such session, or the new user does not exist
     */
    ChatSession updateChatSession(String chatId, ChatSessionUpdate update);

    /**
     * Deletes a session and all its messages.
     *
     * @param chatId the caller's key
     * @return whether a session was deleted
     */
    boolean deleteChatSession(String chatId);

    /**
     * A user's sessions of every status and profile, most recent activity first; the same as
     * {@link #listUserSessions(UUID, SessionFilter, int, int)} with {@link SessionFilter#everySession()}.
     *
     * @param userId the user's id
     * @param limit 1 to {@link HistoryQuery#MAX_LIMIT}
     * @param offset sessions to skip, 0 or more
     * @return the page; empty for an unknown user
     */
    default List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        return listUserSessions(userId, SessionFilter.everySession(), limit, offset);
    }

    /**
     * A user's sessions that pass a filter, most recent activity ({@link ChatSession#lastActivityAt()})
     * first, ties broken by the id's canonical string form, descending (newest first for Dal's ids).
     * The filter is applied by the store in the same query, so the offset counts matching sessions.
     *
     * @param userId the user's id
     * @param filter which sessions to return, e.g. {@link SessionFilter#activeOnly()}
     * @param limit 1 to {@link HistoryQuery#MAX_LIMIT}
     * @param offset matching sessions to skip, 0 or more
     * @return the page; empty for an unknown user
     */
    List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset);

    /**
     * The same page as {@link #listUserSessions(UUID, int, int)}, each session with its newest message.
     *
     * @param userId the user's id
     * @param limit 1 to {@link HistoryQuery#MAX_LIMIT}
     * @param offset sessions to skip, 0 or more
     * @return the page; empty for an unknown user
     */
    default List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, int limit, int offset) {
        return listUserSessionsWithLastMessage(userId, SessionFilter.everySession(), limit, offset);
    }

    /**
     * The same page as {@link #listUserSessions(UUID, SessionFilter, int, int)}, each session with its
     * newest message, fetched in one round trip to the store (never one query per session).
     *
     * @param userId the user's id
     * @param filter which sessions to return
     * @param limit 1 to {@link HistoryQuery#MAX_LIMIT}
     * @param offset matching sessions to skip, 0 or more
     * @return the page; empty for an unknown user
     */
    List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, SessionFilter filter, int limit, int offset);

    // ---- messages ----

    /**
     * Appends a message. Its sequence number is one more than the session's last; concurrent
     * callers get distinct numbers with no gaps. The session's message count and last message time
     * move with it; its {@code updatedAt} does not (that tracks the session's own fields).
     *
     * @param chatId the session's key
     * @param message what to add
     * @return the stored message
     * @throws NotFoundException when there is no such session
     */
    Message addMessage(String chatId, NewMessage message);

    /**
     * Appends several messages atomically, with consecutive sequence numbers: all land or none
     * does (a user message and the assistant's reply, for instance). Available on every store.
     *
     * @param chatId the session's key
     * @param messages one or more messages, in order; at most 10,000 per call (more is a {@link ValidationException})
     * @return the stored messages, in order
     * @throws NotFoundException when there is no such session
     */
    List<Message> addMessages(String chatId, List<NewMessage> messages);

    /**
     * A page of history in ascending sequence order, counted from the first message (the legacy
     * interface). Prefer {@link #getChatHistory(String, HistoryQuery)} deep into long conversations.
     *
     * @param chatId the session's key
     * @param limit 1 to {@link HistoryQuery#MAX_LIMIT}
     * @param offset messages to skip, 0 or more
     * @return the page; empty for an unknown session
     */
    List<Message> getChatHistory(String chatId, int limit, int offset);

    /**
     * A keyset page of history, in ascending sequence order.
     *
     * @param chatId the session's key
     * @param query which page
     * @return the page; empty for an unknown session
     */
    List<Message> getChatHistory(String chatId, HistoryQuery query);

    /**
     * @param chatId the session's key
     * @return the session's message count ({@link ChatSession#messageCount()}); 0 for an unknown session
     */
    long getMessageCount(String chatId);

    /**
     * Full-text search over message content, in one user's sessions or in one session: the messages whose
     * content holds every word of the query's text as a whole word, compared without regard to case
     * (words are runs of Unicode letters and digits; the text is never read as the store's query syntax).
     * Hits come best first, paged by {@link SearchPage#nextCursor()}.
     *
     * @param query the words, the scope, the page size and where the page starts
     * @return a page of hits; empty when nothing matches or the scope is unknown
     * @throws UnsupportedCapabilityException when the store does not declare
     *     {@link Capability#FULL_TEXT_SEARCH}
     */
    default SearchPage searchMessages(SearchQuery query) {
        throw new UnsupportedCapabilityException(
                Capability.FULL_TEXT_SEARCH, "this store keeps no full-text index of message content");
    }

    // ---- message votes ----

    /**
     * Records a user's vote on a message. A user has one vote per message: a second vote replaces the first,
     * with its own time. Votes go with their message (a deleted session takes its votes along) and with their
     * user (a deleted user's votes are removed, whatever becomes of the sessions).
     *
     * @param chatId the session's key
     * @param sequenceNumber the message's place in the session, 1 or more
     * @param userId who votes
     * @param vote up or down
     * @return the vote as stored
     * @throws NotFoundException when there is no such message or no such user
     * @throws UnsupportedCapabilityException when the store does not declare {@link Capability#MESSAGE_VOTES}
     */
    default MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * Removes a user's vote on a message.
     *
     * @param chatId the session's key
     * @param sequenceNumber the message's place in the session, 1 or more
     * @param userId who voted
     * @return whether a vote was removed; {@code false} for an unknown message or user
     * @throws UnsupportedCapabilityException when the store does not declare {@link Capability#MESSAGE_VOTES}
     */
    default boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * The vote counts of the messages in a range of one session (a page of history), fetched in one round
     * trip to the store.
     *
     * @param chatId the session's key
     * @param fromSequence the first sequence number of the range, 1 or more
     * @param toSequence the last, inclusive; the range holds at most {@link HistoryQuery#MAX_LIMIT} numbers
     * @return one tally per message of the range that has a vote, in ascending sequence order; empty for an
     *     unknown session
     * @throws UnsupportedCapabilityException when the store does not declare {@link Capability#MESSAGE_VOTES}
     */
    default List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * One user's own votes on the messages in a range of one session, fetched in one round trip.
     *
     * @param chatId the session's key
     * @param userId who voted
     * @param fromSequence the first sequence number of the range, 1 or more
     * @param toSequence the last, inclusive; the range holds at most {@link HistoryQuery#MAX_LIMIT} numbers
     * @return the user's votes in ascending sequence order; empty for an unknown session or user
     * @throws UnsupportedCapabilityException when the store does not declare {@link Capability#MESSAGE_VOTES}
     */
    default List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    // ---- token usage ----

    /**
     * Records the tokens one model call spent on a message, billed to a user. Usage records are never
     * changed; they go with their message's session and with the user they are billed to.
     *
     * @param usage the message, the user, the model, the tokens, an optional cost and an optional id
     * @return the record as stored, with its id and the time it was recorded; for a request with an id already
     *     recorded with the same usage, the stored record
     * @throws NotFoundException when there is no such message or no such user
     * @throws DuplicateKeyException when the request's id is stored with other usage (another message, user,
     *     model, token count or cost)
     * @throws UnsupportedCapabilityException when the store does not declare {@link Capability#TOKEN_USAGE}
     */
    default TokenUsage recordTokenUsage(NewTokenUsage usage) {
        throw UnsupportedCapabilityException.notDeclared(Capability.TOKEN_USAGE);
    }

    /**
     * Totals the token usage recorded in a time range by user, session or model, fetched in one round trip to
     * the store: per total, the sums of prompt and completion tokens, the number of records and the cost per
     * currency.
     *
     * @param query the grouping, the range, optional user and session filters and the page
     * @return at most {@code query.limit()} totals in ascending key order, each for a key with usage in the
     *     range; empty for an unknown session
     * @throws UnsupportedCapabilityException when the store does not declare {@link Capability#TOKEN_USAGE}
     */
    default List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        throw UnsupportedCapabilityException.notDeclared(Capability.TOKEN_USAGE);
    }

    // ---- user memory ----

    /**
     * Sets a remembered value that does not expire.
     *
     * @param userId the user
     * @param memoryType the grouping, e.g. {@code "preferences"}
     * @param key the name within the type
     * @param value any JSON value; Java {@code null} stores JSON {@code null}
     * @return the stored entry
     * @throws NotFoundException when there is no such user
     */
    default MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value) {
        return setUserMemory(userId, memoryType, key, value, null);
    }

    /**
     * Sets a remembered value. Setting an existing key replaces its value and expiry and keeps
     * its creation time (an expired entry counts as absent).
     *
     * @param userId the user
     * @param memoryType the grouping
     * @param key the name within the type
     * @param value any JSON value
     * @param expiresAt when it stops being visible, or {@code null} for never; an instant already
     *     past is accepted and the entry is simply never visible
     * @return the stored entry
     * @throws NotFoundException when there is no such user
     */
    MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt);

    /**
     * @param userId the user
     * @param memoryType the grouping
     * @param key the name within the type
     * @return the entry, or empty when absent or expired
     */
    Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key);

    /**
     * @param userId the user
     * @param memoryType the grouping
     * @return the unexpired entries of the type, ordered by key (Unicode code point order)
     */
    List<MemoryEntry> getUserMemory(UUID userId, String memoryType);

    /**
     * @param userId the user
     * @param memoryType the grouping
     * @param key the name within the type
     * @return whether a visible entry was deleted (an expired entry is removed too, but counts as absent)
     */
    boolean deleteUserMemory(UUID userId, String memoryType, String key);

    /**
     * Deletes every entry of a type.
     *
     * @param userId the user
     * @param memoryType the grouping
     * @return how many visible entries were deleted (expired ones are removed too, uncounted)
     */
    int deleteUserMemory(UUID userId, String memoryType);

    /**
     * Physically removes every expired memory entry (reads already ignore them).
     *
     * @return how many entries were removed
     */
    int purgeExpiredMemory();

    // ---- transactions, health, lifecycle ----

    /**
     * Runs work in one transaction: everything it writes lands, or nothing does. When the work
     * throws, the transaction is rolled back and the same exception reaches the caller. A call
     * inside running work joins the running transaction.
     *
     * <p><b>The work may run more than once.</b> After a {@link Retryable} failure (a deadlock, a
     * serialization failure, a lost connection before commit) the transaction is rolled back and
     * the whole work runs again, up to {@code DAL_TX_RETRIES} more times (3 by default, with
     * exponential backoff and jitter), on every store alike. Anything the work does outside the
     * store (sending mail, charging a card) must therefore be idempotent, or done after this
     * method returns. Other failures are not retried. A commit whose answer was lost raises
     * {@link OutcomeUnknownException} and is not retried.
     *
     * @param <T> the result type
     * @param work the work; it must use the store it is given
     * @return what the work returned
     * @throws UnsupportedCapabilityException when the store lacks {@link Capability#TRANSACTIONS}
     */
    <T> T inTransaction(TransactionWork<T> work);

    /**
     * {@link #inTransaction(TransactionWork)} for work with no result.
     *
     * @param work the work; it must use the store it is given
     */
    default void useTransaction(TransactionAction work) {
        inTransaction(tx -> {
            work.run(tx);
            return null;
        });
    }

    /**
     * Probes the store. Never throws: a store that cannot be reached is reported {@code DOWN}.
     *
     * @return status, latency and store figures
     */
    HealthStatus healthCheck();

    /**
     * Probes the store without blocking the caller. Like {@link #healthCheck()}, the stage never
     * completes exceptionally: a store that cannot be reached is reported {@code DOWN}.
     *
     * <p>The default runs {@link #healthCheck()} on the common fork-join pool; a backend whose
     * driver has an asynchronous API (Neo4j) answers from it instead.
     *
     * @return a stage that completes with status, latency and store figures
     */
    default CompletionStage<HealthStatus> healthCheckAsync() {
        return CompletableFuture.supplyAsync(this::healthCheck);
    }

    /** @return what this store can do beyond the common contract */
    Set<Capability> capabilities();

    /**
     * The record-level interface that copy, verify, export and dual-write are built on.
     *
     * @return bulk scan and exact upsert for this store
     */
    BulkAccess bulk();

    /** Releases the store's resources. Idempotent; later calls raise {@link UnavailableException}. */
    @Override
    void close();
}
