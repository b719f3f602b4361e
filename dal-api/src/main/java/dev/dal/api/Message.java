package dev.dal.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One message of a conversation, as stored.
 *
 * @param id Dal-assigned id, the same in every store
 * @param sessionId the {@link ChatSession#id()} of its conversation
 * @param sequenceNumber its place in the conversation: 1 for the first, then 2, 3, … with no gaps
 * @param role who wrote it
 * @param content the text, never {@code null}
 * @param metadata a JSON object, never {@code null}
 * @param tokenCount tokens the model counted, or {@code null}
 * @param abuseFlagged whether moderation flagged it
 * @param createdAt when it was added (milliseconds)
 */
public record Message(
        UUID id,
        UUID sessionId,
        long sequenceNumber,
        Role role,
        String content,
        ObjectNode metadata,
        Integer tokenCount,
        boolean abuseFlagged,
        Instant createdAt) {

    /**
     * Copies the metadata and truncates the timestamp, so a record is a value.
     *
     * @param id Dal-assigned id, the same in every store
     * @param sessionId the {@link ChatSession#id()} of its conversation
     * @param sequenceNumber its place in the conversation: 1 for the first, then 2, 3, … with no gaps
     * @param role who wrote it
     * @param content the text, never {@code null}
     * @param metadata a JSON object, never {@code null}
     * @param tokenCount tokens the model counted, or {@code null}
     * @param abuseFlagged whether moderation flagged it
     * @param createdAt when it was added (milliseconds)
     */
    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(createdAt, "createdAt");
        metadata = JsonValues.canonicalObject(metadata, "message.metadata");
        createdAt = Timestamps.truncate(createdAt);
    }

    /** @return a copy of the metadata; changing it does not change this record */
    @Override
    public ObjectNode metadata() {
        return metadata.deepCopy();
    }
}
