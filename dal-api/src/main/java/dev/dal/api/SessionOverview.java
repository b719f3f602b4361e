package dev.dal.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A session together with its newest message, as returned by
 * {@link DataAccess#listUserSessionsWithLastMessage}.
 *
 * @param session the session
 * @param lastMessage its newest message, or {@code null} when it has none
 */
public record SessionOverview(ChatSession session, Message lastMessage) {

    /**
     * Checks the session is present.
     *
     * @param session the session
     * @param lastMessage its newest message, or {@code null} when it has none
     */
    public SessionOverview {
        Objects.requireNonNull(session, "session");
    }

    /** @return the newest message, if any */
    public Optional<Message> findLastMessage() {
        return Optional.ofNullable(lastMessage);
    }
}
