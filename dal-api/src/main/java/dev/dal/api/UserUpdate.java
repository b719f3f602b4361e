package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Changes to a {@link User}. Fields not mentioned stay as they are; {@code updatedAt} always moves
 * to the time of the update. Build with {@link #builder()}.
 *
 * @param externalId new external id ({@code null} clears it)
 * @param email new e-mail ({@code null} clears it)
 * @param name new name ({@code null} clears it)
 * @param profile replacement profile object ({@code null} means empty)
 * @param preferences replacement preferences object ({@code null} means empty)
 * @param status new status (must not be {@code null} when set)
 * @param lastActiveAt new last-activity time ({@code null} clears it)
 * @param expectedVersion the version the caller read, or {@code null} to update whatever is stored; a stored
 *     user at another version refuses the update with {@link ConcurrencyConflictException} (optimistic locking)
 */
public record UserUpdate(
        Change<String> externalId,
        Change<String> email,
        Change<String> name,
        Change<JsonNode> profile,
        Change<JsonNode> preferences,
        Change<UserStatus> status,
        Change<Instant> lastActiveAt,
        Long expectedVersion) {

    /**
     * An update of whatever version is stored.
     *
     * @param externalId new external id
     * @param email new e-mail
     * @param name new name
     * @param profile replacement profile object
     * @param preferences replacement preferences object
     * @param status new status
     * @param lastActiveAt new last-activity time
     */
    public UserUpdate(
            Change<String> externalId,
            Change<String> email,
            Change<String> name,
            Change<JsonNode> profile,
            Change<JsonNode> preferences,
            Change<UserStatus> status,
            Change<Instant> lastActiveAt) {
        this(externalId, email, name, profile, preferences, status, lastActiveAt, null);
    }

    /**
     * Treats a {@code null} change as {@link Change#keep()}.
     *
     * @param externalId new external id ({@code null} clears it)
     * @param email new e-mail ({@code null} clears it)
     * @param name new name ({@code null} clears it)
     * @param profile replacement profile object ({@code null} means empty)
     * @param preferences replacement preferences object ({@code null} means empty)
     * @param status new status (must not be {@code null} when set)
     * @param lastActiveAt new last-activity time ({@code null} clears it)
     * @param expectedVersion the version the caller read, or {@code null} to update whatever is stored; a stored
     *     user at another version refuses the update with {@link ConcurrencyConflictException} (optimistic locking)
     */
    public UserUpdate {
        externalId = Change.orKeep(externalId);
        email = Change.orKeep(email);
        name = Change.orKeep(name);
        profile = Change.orKeep(profile);
        preferences = Change.orKeep(preferences);
        status = Change.orKeep(status);
        lastActiveAt = Change.orKeep(lastActiveAt);
    }

    /** @return a builder that changes nothing until told to */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Applies this update to the stored record. Called by the backends inside their own
     * read-modify-write (on the record read under the write's lock), after Dal validated the update.
     *
     * @param current the stored user
     * @param now the time of the update
     * @return the user as it is to be stored, one version later
     * @throws ConcurrencyConflictException when an expected version was given and the stored one differs
     */
    public User applyTo(User current, Instant now) {
        if (expectedVersion != null && expectedVersion != current.version()) {
            throw new ConcurrencyConflictException(
                    "The user was changed since version " + expectedVersion + " was read (it is at version "
                            + current.version() + "); read it again and retry",
                    null);
        }
        return new User(
                current.id(),
                externalId.apply(current.externalId()),
                email.apply(current.email()),
                name.apply(current.name()),
                JsonValues.canonicalObject(profile.apply(current.profile()), "user.profile"),
                JsonValues.canonicalObject(preferences.apply(current.preferences()), "user.preferences"),
                status.apply(current.status()),
                current.createdAt(),
                now,
                lastActiveAt.apply(current.lastActiveAt()),
                current.version() + 1);
    }

    /** Builder for {@link UserUpdate}. */
    public static final class Builder {
        private Change<String> externalId = Change.keep();
        private Change<String> email = Change.keep();
        private Change<String> name = Change.keep();
        private Change<JsonNode> profile = Change.keep();
        private Change<JsonNode> preferences = Change.keep();
        private Change<UserStatus> status = Change.keep();
        private Change<Instant> lastActiveAt = Change.keep();
        private Long expectedVersion;

        private Builder() {}

        /**
         * Optimistic locking (what {@code @Version} does in JPA and Spring Data): the update applies only
         * while the stored user is still at this version, else it raises {@link ConcurrencyConflictException}
         * and changes nothing.
         *
         * @param version the version the caller read ({@link User#version()})
         * @return this builder
         */
        public Builder expectingVersion(long version) {
            expectedVersion = version;
            return this;
        }

        /**
         * @param value new external id, {@code null} clears
         * @return this builder
         */
        public Builder externalId(String value) {
            externalId = Change.to(value);
            return this;
        }

        /**
         * @param value new e-mail, {@code null} clears
         * @return this builder
         */
        public Builder email(String value) {
            email = Change.to(value);
            return this;
        }

        /**
         * @param value new name, {@code null} clears
         * @return this builder
         */
        public Builder name(String value) {
            name = Change.to(value);
            return this;
        }

        /**
         * @param value replacement profile object
         * @return this builder
         */
        public Builder profile(JsonNode value) {
            profile = Change.to(value);
            return this;
        }

        /**
         * @param value replacement preferences object
         * @return this builder
         */
        public Builder preferences(JsonNode value) {
            preferences = Change.to(value);
            return this;
        }

        /**
         * @param value new status
         * @return this builder
         */
        public Builder status(UserStatus value) {
            status = Change.to(value);
            return this;
        }

        /**
         * @param value new last-activity time, {@code null} clears
         * @return this builder
         */
        public Builder lastActiveAt(Instant value) {
            lastActiveAt = Change.to(value);
            return this;
        }

        /** @return the update */
        public UserUpdate build() {
            return new UserUpdate(externalId, email, name, profile, preferences, status, lastActiveAt, expectedVersion);
        }
    }
}
