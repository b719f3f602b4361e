package dev.dal.api;

import java.util.UUID;

/**
 * What a caller supplies to record the tokens one model call spent on a message; the store adds the time and,
 * unless the caller chose one with {@link #withId}, the id. A request with an id is repeatable: recording it
 * again returns the stored record, so a call whose outcome is unknown can simply be made again.
 *
 * <pre>{@code
 * store.recordTokenUsage(NewTokenUsage.of(chatId, reply.sequenceNumber(), userId, "gpt-4o", 812, 164)
 *         .withCost(2_450, "USD"));
 * }</pre>
 *
 * @param chatId the session of the message the tokens were spent on
 * @param sequenceNumber that message's place in the session, 1 or more
 * @param userId who the usage is billed to
 * @param model the model that spent the tokens, at most {@link #MAX_MODEL_LENGTH} characters
 * @param promptTokens tokens read, not negative
 * @param completionTokens tokens written, not negative
 * @param costMicros what the call cost in millionths of {@code currency}, not negative; {@code null} when
 *     the cost is not known
 * @param currency the ISO 4217 code of the cost (three upper-case letters, such as {@code "USD"});
 *     given exactly when {@code costMicros} is
 * @param id the caller's id for the record, or {@code null} for one the store assigns
 */
public record NewTokenUsage(
        String chatId,
        long sequenceNumber,
        UUID userId,
        String model,
        long promptTokens,
        long completionTokens,
        Long costMicros,
        String currency,
        UUID id) {

    /** The longest model name accepted. */
    public static final int MAX_MODEL_LENGTH = 100;

    /**
     * Usage whose id the store assigns.
     *
     * @param chatId the message's session
     * @param sequenceNumber the message's place
     * @param userId who is billed
     * @param model the model
     * @param promptTokens tokens read
     * @param completionTokens tokens written
     * @param costMicros the cost, or {@code null}
     * @param currency the cost's currency, or {@code null}
     */
    public NewTokenUsage(
            String chatId,
            long sequenceNumber,
            UUID userId,
            String model,
            long promptTokens,
            long completionTokens,
            Long costMicros,
            String currency) {
        this(chatId, sequenceNumber, userId, model, promptTokens, completionTokens, costMicros, currency, null);
    }

    /**
     * Usage without a cost.
     *
     * @param chatId the message's session
     * @param sequenceNumber the message's place
     * @param userId who is billed
     * @param model the model
     * @param promptTokens tokens read
     * @param completionTokens tokens written
     * @return the usage, with no cost
     */
    public static NewTokenUsage of(
            String chatId, long sequenceNumber, UUID userId, String model, long promptTokens, long completionTokens) {
        return new NewTokenUsage(chatId, sequenceNumber, userId, model, promptTokens, completionTokens, null, null);
    }

    /**
     * @param micros the cost in millionths of the currency
     * @param currencyCode its ISO 4217 code
     * @return this usage with that cost
     */
    public NewTokenUsage withCost(long micros, String currencyCode) {
        return new NewTokenUsage(
                chatId, sequenceNumber, userId, model, promptTokens, completionTokens, micros, currencyCode, id);
    }

    /**
     * @param usageId the id to store the record under
     * @return this usage with that id
     */
    public NewTokenUsage withId(UUID usageId) {
        return new NewTokenUsage(
                chatId, sequenceNumber, userId, model, promptTokens, completionTokens, costMicros, currency, usageId);
    }

    /**
     * The answer to this request when a record of its id is stored already, the rule every store keeps.
     *
     * @param sessionId the id of the session this request's chat id names
     * @param stored the record stored under this request's id
     * @return the stored record, when it records what this request asks to record
     * @throws DuplicateKeyException ({@link DuplicateKeyException.Key#TOKEN_USAGE_ID}) when it records other usage
     */
    public TokenUsage repeatedBy(UUID sessionId, TokenUsage stored) {
        if (!sameUsageAs(sessionId, stored)) {
            throw new DuplicateKeyException(DuplicateKeyException.Key.TOKEN_USAGE_ID);
        }
        return stored;
    }

    /**
     * @param sessionId the id of the session this request's chat id names
     * @param stored a stored record
     * @return whether it records exactly what this request asks to record (id and time aside)
     */
    public boolean sameUsageAs(UUID sessionId, TokenUsage stored) {
        return sessionId.equals(stored.sessionId())
                && sequenceNumber == stored.sequenceNumber()
                && userId.equals(stored.userId())
                && model.equals(stored.model())
                && promptTokens == stored.promptTokens()
                && completionTokens == stored.completionTokens()
                && java.util.Objects.equals(costMicros, stored.costMicros())
                && java.util.Objects.equals(currency, stored.currency());
    }
}
