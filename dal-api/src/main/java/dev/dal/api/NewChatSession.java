package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * What a caller supplies to create a {@link ChatSession}; Dal adds the id and timestamps.
 *
 * @param chatId the caller's key, required and unique
 * @param userId the owning user, or {@code null}; must exist when given
 * @param title may be {@code null}
 * @param profile {@code null} means {@link ChatSession#DEFAULT_PROFILE}
 * @param metadata a JSON object; {@code null} means empty
 */
public record NewChatSession(String chatId, UUID userId, String title, String profile, JsonNode metadata) {

    /**
     * @param chatId the caller's key
     * @return a session request with only a chat id
     */
    public static NewChatSession of(String chatId) {
        return new NewChatSession(chatId, null, null, null, null);
    }

    /**
     * @param chatId the caller's key
     * @param userId the owning user
     * @return a session request owned by a user
     */
    public static NewChatSession of(String chatId, UUID userId) {
        return new NewChatSession(chatId, userId, null, null, null);
    }

    /**
     * Builds the stored record. Called by Dal after validation.
     *
     * @param id the id Dal assigned
     * @param now the creation time
     * @return the record to store, with no messages
     */
    public ChatSession toSession(UUID id, Instant now) {
        return new ChatSession(id, chatId, userId, title, profile,
                JsonValues.canonicalObject(metadata, "session.metadata"), SessionStatus.ACTIVE, now, now, null, 0);
    }
}
