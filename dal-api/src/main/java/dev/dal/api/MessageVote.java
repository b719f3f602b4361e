package dev.dal.api;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One user's vote on one message, as stored. A user has at most one vote per message.
 *
 * @param messageId the {@link Message#id()} voted on
 * @param sessionId the {@link ChatSession#id()} of the message's conversation
 * @param sequenceNumber the message's place in its conversation
 * @param userId who voted
 * @param vote up or down
 * @param votedAt when this vote was cast (milliseconds); a vote that replaced another carries its own time
 */
public record MessageVote(
        UUID messageId, UUID sessionId, long sequenceNumber, UUID userId, Vote vote, Instant votedAt) {

    /**
     * Truncates the timestamp, so a record is a value.
     *
     * @param messageId the message voted on
     * @param sessionId the message's conversation
     * @param sequenceNumber the message's place in its conversation
     * @param userId who voted
     * @param vote up or down
     * @param votedAt when this vote was cast
     */
    public MessageVote {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(vote, "vote");
        votedAt = Timestamps.truncate(Objects.requireNonNull(votedAt, "votedAt"));
    }
}
