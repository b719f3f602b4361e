package dev.dal.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A conversation, as stored.
 *
 * @param id Dal-assigned id, the same in every store
 * @param chatId the caller's key for the conversation; unique
 * @param userId the owning user, or {@code null} (never owned, or the owner was deleted)
 * @param title may be {@code null}
 * @param profile the assistant profile, e.g. {@code "general"}; never {@code null}
 * @param metadata a JSON object, never {@code null}
 * @param status never {@code null}
 * @param createdAt creation time (milliseconds)
 * @param updatedAt last change to the session's own fields (milliseconds)
 * @param lastMessageAt creation time of the newest message, or {@code null} when there is none
 * @param messageCount number of messages added to the session
 * @param version 1 when created, one more after every change the store makes to the session (its own
 *     fields, and its counters when messages are added); set by the store atomically with the change.
 *     Bulk upserts apply a session only over an older version, and
 *     {@link ChatSessionUpdate.Builder#expectingVersion} turns it into an optimistic lock.
 */
public record ChatSession(
        UUID id,
        String chatId,
        UUID userId,
        String title,
        String profile,
        ObjectNode metadata,
        SessionStatus status,
        Instant createdAt,
        Instant updatedAt,
        Instant lastMessageAt,
        long messageCount,
        long version) {

    /**
     * A session at version 1, as just created.
     *
     * @param id Dal-assigned id
     * @param chatId the caller's key
     * @param userId the owner, may be {@code null}
     * @param title may be {@code null}
     * @param profile {@code null} means {@link #DEFAULT_PROFILE}
     * @param metadata a JSON object
     * @param status never {@code null}
     * @param createdAt creation time
     * @param updatedAt last change to the session's own fields
     * @param lastMessageAt newest message's time, may be {@code null}
     * @param messageCount messages added
     */
    public ChatSession(
            UUID id,
            String chatId,
            UUID userId,
            String title,
            String profile,
            ObjectNode metadata,
            SessionStatus status,
            Instant createdAt,
            Instant updatedAt,
            Instant lastMessageAt,
            long messageCount) {
        this(
                id,
                chatId,
                userId,
                title,
                profile,
                metadata,
                status,
                createdAt,
                updatedAt,
                lastMessageAt,
                messageCount,
                1);
    }

    /** The profile a session gets when the caller names none. */
    public static final String DEFAULT_PROFILE = "general";

    /**
     * Copies the metadata and truncates timestamps, so a record is a value.
     *
     * @param id Dal-assigned id, the same in every store
     * @param chatId the caller's key for the conversation; unique
     * @param userId the owning user, or {@code null} (never owned, or the owner was deleted)
     * @param title may be {@code null}
     * @param profile the assistant profile, e.g. {@code "general"}; never {@code null}
     * @param metadata a JSON object, never {@code null}
     * @param status never {@code null}
     * @param createdAt creation time (milliseconds)
     * @param updatedAt last change to the session's own fields (milliseconds)
     * @param lastMessageAt creation time of the newest message, or {@code null} when there is none
     * @param messageCount number of messages added to the session
     * @param version 1 when created, one more after every change the store makes to the session (its own
     *     fields, and its counters when messages are added); set by the store atomically with the change.
     *     Bulk upserts apply a session only over an older version, and
     *     {@link ChatSessionUpdate.Builder#expectingVersion} turns it into an optimistic lock.
     */
    public ChatSession {
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or more");
        }
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        profile = profile == null ? DEFAULT_PROFILE : profile;
        metadata = JsonValues.canonicalObject(metadata, "session.metadata");
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
        lastMessageAt = Timestamps.truncate(lastMessageAt);
    }

    /**
     * @param newVersion the version to carry
     * @return this session at another version
     */
    public ChatSession withVersion(long newVersion) {
        return new ChatSession(
                id,
                chatId,
                userId,
                title,
                profile,
                metadata,
                status,
                createdAt,
                updatedAt,
                lastMessageAt,
                messageCount,
                newVersion);
    }

    /** @return a copy of the metadata; changing it does not change this record */
    @Override
    public ObjectNode metadata() {
        return metadata.deepCopy();
    }

    /**
     * The instant sessions are ordered by in listings, newest first: the last message's time, or
     * the creation time for a session without messages.
     *
     * @return the last activity time
     */
    public Instant lastActivityAt() {
        return lastMessageAt != null ? lastMessageAt : createdAt;
    }

    /**
     * @param count the new message count
     * @param lastMessage time of the newest message
     * @return a copy with the message counters moved, one version later (used by backends when messages are
     *     added)
     */
    public ChatSession withMessages(long count, Instant lastMessage) {
        return new ChatSession(
                id,
                chatId,
                userId,
                title,
                profile,
                metadata,
                status,
                createdAt,
                updatedAt,
                lastMessage,
                count,
                version + 1);
    }

    /**
     * @param newUserId the new owner, or {@code null}
     * @return a copy owned by another user, one version later (used when a user is deleted)
     */
    public ChatSession withUserId(UUID newUserId) {
        return new ChatSession(
                id,
                chatId,
                newUserId,
                title,
                profile,
                metadata,
                status,
                createdAt,
                updatedAt,
                lastMessageAt,
                messageCount,
                version + 1);
    }
}
