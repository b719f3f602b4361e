package dev.dal.api;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The tokens one model call spent on one message, as stored. A usage record goes with its message's session
 * and with the user it is billed to.
 *
 * @param id the record's key, assigned by the store
 * @param messageId the {@link Message#id()} the tokens were spent on
 * @param sessionId the {@link ChatSession#id()} of that message's conversation
 * @param sequenceNumber the message's place in its conversation
 * @param userId who the usage is billed to
 * @param model the model that spent the tokens
 * @param promptTokens tokens read
 * @param completionTokens tokens written
 * @param costMicros the cost in millionths of {@code currency}, or {@code null} when not known
 * @param currency the ISO 4217 code of the cost, or {@code null} when there is no cost
 * @param createdAt when the usage was recorded (milliseconds)
 */
public record TokenUsage(
        UUID id,
        UUID messageId,
        UUID sessionId,
        long sequenceNumber,
        UUID userId,
        String model,
        long promptTokens,
        long completionTokens,
        Long costMicros,
        String currency,
        Instant createdAt) {

    /**
     * Truncates the timestamp, so a record is a value.
     *
     * @param id the record's key
     * @param messageId the message
     * @param sessionId the message's conversation
     * @param sequenceNumber the message's place
     * @param userId who is billed
     * @param model the model
     * @param promptTokens tokens read
     * @param completionTokens tokens written
     * @param costMicros the cost, or {@code null}
     * @param currency the cost's currency, or {@code null}
     * @param createdAt when it was recorded
     */
    public TokenUsage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(model, "model");
        createdAt = Timestamps.truncate(Objects.requireNonNull(createdAt, "createdAt"));
    }

    /** @return prompt and completion tokens together */
    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
