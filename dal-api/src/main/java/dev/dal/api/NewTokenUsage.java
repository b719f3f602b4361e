package dev.dal.api;

import java.util.UUID;

/**
 * What a caller supplies to record the tokens one model call spent on a message; the store adds the id and
 * the time.
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
 */
public record NewTokenUsage(
        String chatId,
        long sequenceNumber,
        UUID userId,
        String model,
        long promptTokens,
        long completionTokens,
        Long costMicros,
        String currency) {

    /** The longest model name accepted. */
    public static final int MAX_MODEL_LENGTH = 100;

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
                chatId, sequenceNumber, userId, model, promptTokens, completionTokens, micros, currencyCode);
    }
}
