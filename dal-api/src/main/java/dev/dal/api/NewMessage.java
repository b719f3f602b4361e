package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * What a caller supplies to add a {@link Message}; Dal adds the id, the sequence number and the
 * time.
 *
 * @param role required
 * @param content required; may be empty
 * @param metadata a JSON object; {@code null} means empty
 * @param tokenCount {@code null} or not negative
 * @param abuseFlagged whether moderation flagged it
 */
public record NewMessage(Role role, String content, JsonNode metadata, Integer tokenCount, boolean abuseFlagged) {

    /**
     * @param role who wrote it
     * @param content the text
     * @return a message with no metadata
     */
    public static NewMessage of(Role role, String content) {
        return new NewMessage(role, content, null, null, false);
    }

    /** @param content the text @return a message from the user */
    public static NewMessage user(String content) {
        return of(Role.USER, content);
    }

    /** @param content the text @return a reply from the assistant */
    public static NewMessage assistant(String content) {
        return of(Role.ASSISTANT, content);
    }

    /**
     * @param newMetadata a JSON object
     * @return a copy with other metadata
     */
    public NewMessage withMetadata(JsonNode newMetadata) {
        return new NewMessage(role, content, newMetadata, tokenCount, abuseFlagged);
    }

    /**
     * Builds the stored record. Called by backends once they know the sequence number.
     *
     * @param id the id Dal assigned
     * @param sessionId the conversation's id
     * @param sequenceNumber the number the store assigned
     * @param now the creation time
     * @return the record to store
     */
    public Message toMessage(UUID id, UUID sessionId, long sequenceNumber, Instant now) {
        // The record's constructor makes the canonical copy; copying here too would double the work.
        ObjectNode object = metadata instanceof ObjectNode given ? given
                : JsonValues.canonicalObject(metadata, "message.metadata");
        return new Message(id, sessionId, sequenceNumber, role, content, object, tokenCount, abuseFlagged, now);
    }
}
