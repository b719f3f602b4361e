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
        Instant lastActiveAt) {

    /** Copies the JSON objects and truncates timestamps, so a record is a value. */
    public User {
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
