package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * What a caller supplies to create a {@link User}; Dal adds the timestamps and, unless the caller
 * chose one with {@link Builder#id}, the id.
 *
 * @param externalId the identity provider's id, unique when present; may be {@code null}
 * @param email may be {@code null}
 * @param name may be {@code null}
 * @param profile a JSON object; {@code null} means empty
 * @param preferences a JSON object; {@code null} means empty
 * @param status {@code null} means {@link UserStatus#ACTIVE}
 * @param id the caller's id for the user, or {@code null} for one Dal assigns
 */
public record NewUser(
        String externalId,
        String email,
        String name,
        JsonNode profile,
        JsonNode preferences,
        UserStatus status,
        UUID id) {

    /**
     * A user whose id Dal assigns.
     *
     * @param externalId the identity provider's id, unique when present; may be {@code null}
     * @param email may be {@code null}
     * @param name may be {@code null}
     * @param profile a JSON object; {@code null} means empty
     * @param preferences a JSON object; {@code null} means empty
     * @param status {@code null} means {@link UserStatus#ACTIVE}
     */
    public NewUser(
            String externalId, String email, String name, JsonNode profile, JsonNode preferences, UserStatus status) {
        this(externalId, email, name, profile, preferences, status, null);
    }

    /**
     * Normalizes defaults: empty objects, {@code ACTIVE}.
     *
     * @param externalId the identity provider's id, unique when present; may be {@code null}
     * @param email may be {@code null}
     * @param name may be {@code null}
     * @param profile a JSON object; {@code null} means empty
     * @param preferences a JSON object; {@code null} means empty
     * @param status {@code null} means {@link UserStatus#ACTIVE}
     * @param id the caller's id for the user, or {@code null} for one Dal assigns
     */
    public NewUser {
        status = status == null ? UserStatus.ACTIVE : status;
    }

    /** @return a builder with every field unset */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param externalId the identity provider's id
     * @return a new user request with only an external id
     */
    public static NewUser withExternalId(String externalId) {
        return builder().externalId(externalId).build();
    }

    /**
     * Builds the stored record. Called by Dal after validation.
     *
     * @param assignedId the id Dal assigned, used unless the caller chose one
     * @param now the creation time
     * @return the record to store
     */
    public User toUser(UUID assignedId, Instant now) {
        return new User(
                id == null ? assignedId : id,
                externalId,
                email,
                name,
                JsonValues.canonicalObject(profile, "user.profile"),
                JsonValues.canonicalObject(preferences, "user.preferences"),
                status,
                now,
                now,
                null);
    }

    /**
     * @param stored a stored user
     * @return whether it holds exactly what this request asks to create (id and times aside)
     */
    public boolean sameContentAs(User stored) {
        return java.util.Objects.equals(externalId, stored.externalId())
                && java.util.Objects.equals(email, stored.email())
                && java.util.Objects.equals(name, stored.name())
                && JsonValues.canonicalObject(profile, "user.profile").equals(stored.profile())
                && JsonValues.canonicalObject(preferences, "user.preferences").equals(stored.preferences())
                && status == stored.status();
    }

    /** Builder for {@link NewUser}. */
    public static final class Builder {
        private String externalId;
        private String email;
        private String name;
        private JsonNode profile;
        private JsonNode preferences;
        private UserStatus status;
        private UUID id;

        private Builder() {}

        /**
         * The caller's own id, which makes {@link DataAccess#createUser} safe to repeat: when a user
         * with this id is already stored with the same fields, the stored user is returned instead
         * of an error (the retry after an {@link OutcomeUnknownException}).
         *
         * @param value the id to store the user under
         * @return this builder
         */
        public Builder id(UUID value) {
            this.id = value;
            return this;
        }

        /**
         * @param value the external id
         * @return this builder
         */
        public Builder externalId(String value) {
            this.externalId = value;
            return this;
        }

        /**
         * @param value the e-mail address
         * @return this builder
         */
        public Builder email(String value) {
            this.email = value;
            return this;
        }

        /**
         * @param value the display name
         * @return this builder
         */
        public Builder name(String value) {
            this.name = value;
            return this;
        }

        /**
         * @param value a JSON object
         * @return this builder
         */
        public Builder profile(JsonNode value) {
            this.profile = value;
            return this;
        }

        /**
         * @param value a JSON object
         * @return this builder
         */
        public Builder preferences(JsonNode value) {
            this.preferences = value;
            return this;
        }

        /**
         * @param value the initial status
         * @return this builder
         */
        public Builder status(UserStatus value) {
            this.status = value;
            return this;
        }

        /** @return the request */
        public NewUser build() {
            return new NewUser(externalId, email, name, profile, preferences, status, id);
        }
    }
}
