package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * Changes to a {@link ChatSession}'s own fields. Message counters are not changed here; they move
 * when messages are added. {@code updatedAt} always moves to the time of the update.
 *
 * @param userId new owner ({@code null} detaches; a given id must exist)
 * @param title new title ({@code null} clears it)
 * @param profile new profile ({@code null} resets to the default)
 * @param metadata replacement metadata object ({@code null} means empty)
 * @param status new status (must not be {@code null} when set)
 * @param expectedVersion the version the caller read, or {@code null} to update whatever is stored; a stored
 *     session at another version refuses the update with {@link ConcurrencyConflictException}
 */
public record ChatSessionUpdate(
        Change<UUID> userId,
        Change<String> title,
        Change<String> profile,
        Change<JsonNode> metadata,
        Change<SessionStatus> status,
        Long expectedVersion) {

    /**
     * An update of whatever version is stored.
     *
     * @param userId new owner
     * @param title new title
     * @param profile new profile
     * @param metadata replacement metadata object
     * @param status new status
     */
    public ChatSessionUpdate(
            Change<UUID> userId,
            Change<String> title,
            Change<String> profile,
            Change<JsonNode> metadata,
            Change<SessionStatus> status) {
        this(userId, title, profile, metadata, status, null);
    }

    /**
     * Treats a {@code null} change as {@link Change#keep()}.
     *
     * @param userId new owner ({@code null} detaches; a given id must exist)
     * @param title new title ({@code null} clears it)
     * @param profile new profile ({@code null} resets to the default)
     * @param metadata replacement metadata object ({@code null} means empty)
     * @param status new status (must not be {@code null} when set)
     * @param expectedVersion the version the caller read, or {@code null} to update whatever is stored; a stored
     *     session at another version refuses the update with {@link ConcurrencyConflictException}
     */
    public ChatSessionUpdate {
        userId = Change.orKeep(userId);
        title = Change.orKeep(title);
        profile = Change.orKeep(profile);
        metadata = Change.orKeep(metadata);
        status = Change.orKeep(status);
    }

    /** @return a builder that changes nothing until told to */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Applies this update to the stored record, inside the backend's read-modify-write.
     *
     * @param current the stored session
     * @param now the time of the update
     * @return the session as it is to be stored, one version later
     * @throws ConcurrencyConflictException when an expected version was given and the stored one differs
     */
    public ChatSession applyTo(ChatSession current, Instant now) {
        if (expectedVersion != null && expectedVersion != current.version()) {
            throw new ConcurrencyConflictException(
                    "The chat session was changed since version " + expectedVersion + " was read (it is at version "
                            + current.version() + "); read it again and retry",
                    null);
        }
        return new ChatSession(
                current.id(),
                current.chatId(),
                userId.apply(current.userId()),
                title.apply(current.title()),
                profile.apply(current.profile()),
                JsonValues.canonicalObject(metadata.apply(current.metadata()), "session.metadata"),
                status.apply(current.status()),
                current.createdAt(),
                now,
                current.lastMessageAt(),
                current.messageCount(),
                current.version() + 1);
    }

    /** Builder for {@link ChatSessionUpdate}. */
    public static final class Builder {
        private Change<UUID> userId = Change.keep();
        private Change<String> title = Change.keep();
        private Change<String> profile = Change.keep();
        private Change<JsonNode> metadata = Change.keep();
        private Change<SessionStatus> status = Change.keep();
        private Long expectedVersion;

        private Builder() {}

        /**
         * Optimistic locking: the update applies only while the stored session is still at this version
         * (adding messages moves the version too), else it raises {@link ConcurrencyConflictException}.
         *
         * @param version the version the caller read ({@link ChatSession#version()})
         * @return this builder
         */
        public Builder expectingVersion(long version) {
            expectedVersion = version;
            return this;
        }

        /**
         * @param value new owner, {@code null} detaches
         * @return this builder
         */
        public Builder userId(UUID value) {
            userId = Change.to(value);
            return this;
        }

        /**
         * @param value new title, {@code null} clears
         * @return this builder
         */
        public Builder title(String value) {
            title = Change.to(value);
            return this;
        }

        /**
         * @param value new profile
         * @return this builder
         */
        public Builder profile(String value) {
            profile = Change.to(value);
            return this;
        }

        /**
         * @param value replacement metadata object
         * @return this builder
         */
        public Builder metadata(JsonNode value) {
            metadata = Change.to(value);
            return this;
        }

        /**
         * @param value new status
         * @return this builder
         */
        public Builder status(SessionStatus value) {
            status = Change.to(value);
            return this;
        }

        /** @return the update */
        public ChatSessionUpdate build() {
            return new ChatSessionUpdate(userId, title, profile, metadata, status, expectedVersion);
        }
    }
}
