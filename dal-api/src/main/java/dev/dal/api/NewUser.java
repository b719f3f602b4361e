package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * What a caller supplies to create a {@link User}; Dal adds the id and timestamps.
 *
 * @param externalId the identity provider's id, unique when present; may be {@code null}
 * @param email may be {@code null}
 * @param name may be {@code null}
 * @param profile a JSON object; {@code null} means empty
 * @param preferences a JSON object; {@code null} means empty
 * @param status {@code null} means {@link UserStatus#ACTIVE}
 */
public record NewUser(
        String externalId, String email, String name, JsonNode profile, JsonNode preferences, UserStatus status) {

    /** Normalizes defaults: empty objects, {@code ACTIVE}. */
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
     * @param id the id Dal assigned
     * @param now the creation time
     * @return the record to store
     */
    public User toUser(UUID id, Instant now) {
        return new User(id, externalId, email, name, JsonValues.canonicalObject(profile, "user.profile"),
                JsonValues.canonicalObject(preferences, "user.preferences"), status, now, now, null);
    }

    /** Builder for {@link NewUser}. */
    public static final class Builder {
        private String externalId;
        private String email;
        private String name;
        private JsonNode profile;
        private JsonNode preferences;
        private UserStatus status;

        private Builder() {
        }

        /** @param value the external id @return this builder */
        public Builder externalId(String value) {
            this.externalId = value;
            return this;
        }

        /** @param value the e-mail address @return this builder */
        public Builder email(String value) {
            this.email = value;
            return this;
        }

        /** @param value the display name @return this builder */
        public Builder name(String value) {
            this.name = value;
            return this;
        }

        /** @param value a JSON object @return this builder */
        public Builder profile(JsonNode value) {
            this.profile = value;
            return this;
        }

        /** @param value a JSON object @return this builder */
        public Builder preferences(JsonNode value) {
            this.preferences = value;
            return this;
        }

        /** @param value the initial status @return this builder */
        public Builder status(UserStatus value) {
            this.status = value;
            return this;
        }

        /** @return the request */
        public NewUser build() {
            return new NewUser(externalId, email, name, profile, preferences, status);
        }
    }
}
