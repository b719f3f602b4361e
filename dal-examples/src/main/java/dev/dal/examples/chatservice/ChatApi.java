package dev.dal.examples.chatservice;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.dal.api.ChatSession;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.User;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The JSON bodies of {@link ChatController}: what a client sends and what it gets back. The service's own shapes,
 * so the wire format does not change when a Dal record gains a field.
 */
public final class ChatApi {
    private ChatApi() {}

    /**
     * The body of {@code POST /users}.
     *
     * @param externalId the caller's own id for the user (e.g. an identity provider's), unique among users
     * @param name a display name, or {@code null}
     * @param email an address, or {@code null}
     */
    public record NewUserRequest(String externalId, String name, String email) {}

    /**
     * A stored user.
     *
     * @param id Dal's id
     * @param externalId the caller's id
     * @param name the display name, or {@code null}
     * @param email the address, or {@code null}
     * @param createdAt when it was created
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UserView(UUID id, String externalId, String name, String email, Instant createdAt) {
        static UserView of(User user) {
            return new UserView(user.id(), user.externalId(), user.name(), user.email(), user.createdAt());
        }
    }

    /**
     * The body of {@code POST /chats}.
     *
     * @param chatId the caller's id for the chat, unique among chats
     * @param userId the owner's {@link UserView#id()}, or {@code null} for a chat without an owner
     * @param title a title, or {@code null}
     */
    public record NewChatRequest(String chatId, UUID userId, String title) {}

    /**
     * A stored chat.
     *
     * @param chatId the caller's id for it
     * @param userId the owner, or {@code null}
     * @param title the title, or {@code null}
     * @param messageCount how many messages it holds
     * @param createdAt when it was created
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatView(String chatId, UUID userId, String title, long messageCount, Instant createdAt) {
        static ChatView of(ChatSession session) {
            return new ChatView(
                    session.chatId(), session.userId(), session.title(), session.messageCount(), session.createdAt());
        }
    }

    /**
     * The body of {@code POST /chats/{chatId}/messages}.
     *
     * @param role {@code user}, {@code assistant}, {@code system} or {@code tool}
     * @param content the text
     */
    public record NewMessageRequest(String role, String content) {}

    /**
     * A stored message.
     *
     * @param id Dal's id
     * @param sequenceNumber its place in the chat, from 1
     * @param role who wrote it
     * @param content the text
     * @param createdAt when it was stored
     */
    public record MessageView(UUID id, long sequenceNumber, Role role, String content, Instant createdAt) {
        static MessageView of(Message message) {
            return new MessageView(
                    message.id(), message.sequenceNumber(), message.role(), message.content(), message.createdAt());
        }
    }

    /**
     * A page of a chat's history, oldest message first. {@code ?before=} the first sequence number reads the
     * page before it, {@code ?after=} the last one the page after it.
     *
     * @param chatId the chat
     * @param messages the page, in ascending sequence order; empty past either end
     * @param firstSequenceNumber the first message's number, or {@code null} when the page is empty
     * @param lastSequenceNumber the last message's number, or {@code null} when the page is empty
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryPage(
            String chatId, List<MessageView> messages, Long firstSequenceNumber, Long lastSequenceNumber) {
        /** Copies the page, so the record is a value. */
        public HistoryPage {
            messages = List.copyOf(messages);
        }

        static HistoryPage of(String chatId, List<Message> page) {
            List<MessageView> views = page.stream().map(MessageView::of).toList();
            return views.isEmpty()
                    ? new HistoryPage(chatId, views, null, null)
                    : new HistoryPage(
                            chatId,
                            views,
                            views.get(0).sequenceNumber(),
                            views.get(views.size() - 1).sequenceNumber());
        }
    }
}
