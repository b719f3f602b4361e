package dev.dal.api.bulk;

import dev.dal.api.MessageVote;
import java.util.Objects;
import java.util.UUID;

/**
 * Names one user's vote on one message: the message's session and place, and the voter (a store holds at most one
 * such vote).
 *
 * @param sessionId the id of the message's session
 * @param sequenceNumber the message's place in it
 * @param userId the voter
 */
public record VoteKey(UUID sessionId, long sequenceNumber, UUID userId) {

    /**
     * @param sessionId the id of the message's session
     * @param sequenceNumber the message's place in it
     * @param userId the voter
     */
    public VoteKey {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(userId, "userId");
    }

    /**
     * @param vote a vote
     * @return its key
     */
    public static VoteKey of(MessageVote vote) {
        return new VoteKey(vote.sessionId(), vote.sequenceNumber(), vote.userId());
    }

    /**
     * @param vote a vote
     * @return whether the vote is the one this key names
     */
    public boolean names(MessageVote vote) {
        return sessionId.equals(vote.sessionId())
                && sequenceNumber == vote.sequenceNumber()
                && userId.equals(vote.userId());
    }
}
