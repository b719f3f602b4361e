package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/**
 * What a caller supplies to create a {@link ChatSession}; Dal adds the timestamps and, unless the
 * caller chose one with {@link #withId}, the id.
 *
 * @param chatId the caller's key, required and unique
 * @param userId the owning user, or {@code null}; must exist when given
 * @param title may be {@code null}
 * @param profile {@code null} means {@link ChatSession#DEFAULT_PROFILE}
 * @param metadata a JSON object; {@code null} means empty
 * @param id the caller's id for the session, or {@code null} for one Dal assigns
 */
public record NewChatSession(String chatId, UUID userId, String title, String profile, JsonNode metadata, UUID id) {

    /**
     * A session whose id Dal assigns.
     *
     * @param chatId the caller's key, required and unique
     * @param userId the owning user, or {@code null}; must exist when given
     * @param title may be {@code null}
     * @param profile {@code null} means {@link ChatSession#DEFAULT_PROFILE}
     * @param metadata a JSON object; {@code null} means empty
     */
    public NewChatSession(String chatId, UUID userId, String title, String profile, JsonNode metadata) {
        this(chatId, userId, title, profile, metadata, null);
    }

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
     * A copy carrying the caller's own id, which makes {@link DataAccess#createChatSession} safe to
     * repeat: when the chat id is already stored under this id with the same fields, the stored
     * session is returned instead of a {@link DuplicateKeyException} (the retry after an
     * {@link OutcomeUnknownException}).
     *
     * @param sessionId the id to store the session under
     * @return a copy with that id
     */
    public NewChatSession withId(UUID sessionId) {
        return new NewChatSession(chatId, userId, title, profile, metadata, sessionId);
    }

    /**
     * @param stored a stored session
     * @return whether it holds exactly what this request asks to create (times and counters aside)
     */
    public boolean sameContentAs(ChatSession stored) {
        return java.util.Objects.equals(id, stored.id())
                && chatId.equals(stored.chatId())
                && java.util.Objects.equals(userId, stored.userId())
                && java.util.Objects.equals(title, stored.title())
                && (profile == null ? ChatSession.DEFAULT_PROFILE : profile).equals(stored.profile())
                && JsonValues.canonicalObject(metadata, "session.metadata").equals(stored.metadata());
    }

    /**
     * Builds the stored record. Called by Dal after validation.
     *
     * @param assignedId the id Dal assigned, used unless the caller chose one
     * @param now the creation time
     * @return the record to store, with no messages
     */
    public ChatSession toSession(UUID assignedId, Instant now) {
        return new ChatSession(
                id == null ? assignedId : id,
                chatId,
                userId,
                title,
                profile,
                JsonValues.canonicalObject(metadata, "session.metadata"),
                SessionStatus.ACTIVE,
                now,
                now,
                null,
                0);
    }
}
