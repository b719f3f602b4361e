package dev.dal.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A user of the chat application, as stored.
 *
 * @param id Dal-assigned id, the same in every store
 * @param externalId the identity provider's id (legacy {@code clerk_id}); unique when present, may be {@code null}
 * @param email may be {@code null}
 * @param name may be {@code null}
 * @param profile a JSON object, never {@code null}
 * @param preferences a JSON object, never {@code null}
 * @param status never {@code null}
 * @param createdAt when the user was created (milliseconds)
 * @param updatedAt when the user was last changed (milliseconds)
 * @param lastActiveAt when the application last saw the user, may be {@code null}
 * @param version 1 when created, one more after every change the store makes to the user; set by the
 *     store atomically with the change. Bulk upserts apply a user only over an older version, and
 *     {@link UserUpdate.Builder#expectingVersion} turns it into an optimistic lock.
 */
public record User(
        UUID id,
        String externalId,
        String email,
        String name,
        ObjectNode profile,
        ObjectNode preferences,
        UserStatus status,
        Instant createdAt,
        Instant updatedAt,
        Instant lastActiveAt,
        long version) {

    /**
     * A user at version 1, as just created.
     *
     * @param id Dal-assigned id
     * @param externalId the identity provider's id, may be {@code null}
     * @param email may be {@code null}
     * @param name may be {@code null}
     * @param profile a JSON object
     * @param preferences a JSON object
     * @param status never {@code null}
     * @param createdAt creation time
     * @param updatedAt last change
     * @param lastActiveAt may be {@code null}
     */
    public User(
            UUID id,
            String externalId,
            String email,
            String name,
            ObjectNode profile,
            ObjectNode preferences,
            UserStatus status,
            Instant createdAt,
            Instant updatedAt,
            Instant lastActiveAt) {
        this(id, externalId, email, name, profile, preferences, status, createdAt, updatedAt, lastActiveAt, 1);
    }

    /**
     * Copies the JSON objects and truncates timestamps, so a record is a value.
     *
     * @param id Dal-assigned id, the same in every store
     * @param externalId the identity provider's id (legacy {@code clerk_id}); unique when present, may be {@code null}
     * @param email may be {@code null}
     * @param name may be {@code null}
     * @param profile a JSON object, never {@code null}
     * @param preferences a JSON object, never {@code null}
     * @param status never {@code null}
     * @param createdAt when the user was created (milliseconds)
     * @param updatedAt when the user was last changed (milliseconds)
     * @param lastActiveAt when the application last saw the user, may be {@code null}
     * @param version 1 when created, one more after every change the store makes to the user; set by the
     *     store atomically with the change. Bulk upserts apply a user only over an older version, and
     *     {@link UserUpdate.Builder#expectingVersion} turns it into an optimistic lock.
     */
    public User {
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or more");
        }
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        profile = JsonValues.canonicalObject(profile, "user.profile");
        preferences = JsonValues.canonicalObject(preferences, "user.preferences");
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
        lastActiveAt = Timestamps.truncate(lastActiveAt);
    }

    /**
     * @param newVersion the version to carry
     * @return this user at another version (for stores that keep the version beside the record)
     */
    public User withVersion(long newVersion) {
        return new User(
                id,
                externalId,
                email,
                name,
                profile,
                preferences,
                status,
                createdAt,
                updatedAt,
                lastActiveAt,
                newVersion);
    }

    /** @return a copy of the profile object; changing it does not change this record */
    @Override
    public ObjectNode profile() {
        return profile.deepCopy();
    }

    /** @return a copy of the preferences object; changing it does not change this record */
    @Override
    public ObjectNode preferences() {
        return preferences.deepCopy();
    }
}
