package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * What a caller supplies to add a {@link Message}; Dal adds the sequence number, the time and,
 * unless the caller chose one with {@link #withId}, the id.
 *
 * @param role required
 * @param content required; may be empty
 * @param metadata a JSON object; {@code null} means empty
 * @param tokenCount {@code null} or not negative
 * @param abuseFlagged whether moderation flagged it
 * @param id the caller's id for the message, or {@code null} for one Dal assigns
 */
public record NewMessage(
        Role role, String content, JsonNode metadata, Integer tokenCount, boolean abuseFlagged, UUID id) {

    /**
     * A message whose id Dal assigns.
     *
     * @param role required
     * @param content required; may be empty
     * @param metadata a JSON object; {@code null} means empty
     * @param tokenCount {@code null} or not negative
     * @param abuseFlagged whether moderation flagged it
     */
    public NewMessage(Role role, String content, JsonNode metadata, Integer tokenCount, boolean abuseFlagged) {
        this(role, content, metadata, tokenCount, abuseFlagged, null);
    }

    /**
     * @param role who wrote it
     * @param content the text
     * @return a message with no metadata
     */
    public static NewMessage of(Role role, String content) {
        return new NewMessage(role, content, null, null, false);
    }

    /**
     * @param content the text
     * @return a message from the user
     */
    public static NewMessage user(String content) {
        return of(Role.USER, content);
    }

    /**
     * @param content the text
     * @return a reply from the assistant
     */
    public static NewMessage assistant(String content) {
        return of(Role.ASSISTANT, content);
    }

    /**
     * @param newMetadata a JSON object
     * @return a copy with other metadata
     */
    public NewMessage withMetadata(JsonNode newMetadata) {
        return new NewMessage(role, content, newMetadata, tokenCount, abuseFlagged, id);
    }

    /**
     * A copy carrying the caller's own id, which makes the write safe to repeat: when a message with
     * this id is already stored in the session with the same role, content, metadata, token count
     * and flag, {@link DataAccess#addMessages} returns the stored message instead of adding another
     * (the retry after an {@link OutcomeUnknownException}). The same id with other content is a
     * {@link DuplicateKeyException}. Use a fresh random or time-ordered UUID per message.
     *
     * @param messageId the id to store the message under
     * @return a copy with that id
     */
    public NewMessage withId(UUID messageId) {
        return new NewMessage(role, content, metadata, tokenCount, abuseFlagged, messageId);
    }

    /**
     * @param stored a stored message
     * @return whether it holds exactly what this request asks to store (id, sequence number and time aside)
     */
    public boolean sameContentAs(Message stored) {
        return role == stored.role()
                && content.equals(stored.content())
                && JsonValues.canonicalObject(metadata, "message.metadata").equals(stored.metadata())
                && java.util.Objects.equals(tokenCount, stored.tokenCount())
                && abuseFlagged == stored.abuseFlagged();
    }

    /**
     * Builds the stored record. Called by backends once they know the sequence number.
     *
     * @param assignedId the id Dal assigned, used unless the caller chose one
     * @param sessionId the conversation's id
     * @param sequenceNumber the number the store assigned
     * @param now the creation time
     * @return the record to store
     */
    public Message toMessage(UUID assignedId, UUID sessionId, long sequenceNumber, Instant now) {
        // The record's constructor makes the canonical copy; copying here too would double the work.
        ObjectNode object =
                metadata instanceof ObjectNode given ? given : JsonValues.canonicalObject(metadata, "message.metadata");
        return new Message(
                id == null ? assignedId : id,
                sessionId,
                sequenceNumber,
                role,
                content,
                object,
                tokenCount,
                abuseFlagged,
                now);
    }
}
