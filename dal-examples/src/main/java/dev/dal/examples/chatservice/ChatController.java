package dev.dal.examples.chatservice;

import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Role;
import dev.dal.api.ValidationException;
import dev.dal.examples.chatservice.ChatApi.ChatView;
import dev.dal.examples.chatservice.ChatApi.HistoryPage;
import dev.dal.examples.chatservice.ChatApi.MessageView;
import dev.dal.examples.chatservice.ChatApi.NewChatRequest;
import dev.dal.examples.chatservice.ChatApi.NewMessageRequest;
import dev.dal.examples.chatservice.ChatApi.NewUserRequest;
import dev.dal.examples.chatservice.ChatApi.UserView;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The chat endpoints, each one or two {@link DataAccess} calls. Dal validates every value before the store is
 * touched; its exceptions become the statuses {@link DalErrorHandler} lists.
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>request</th><th>answer</th></tr>
 * <tr><td>{@code POST /users} {@code {"externalId", "name", "email"}}</td><td>201, the user</td></tr>
 * <tr><td>{@code GET /users/{id}}</td><td>the user, or 404</td></tr>
 * <tr><td>{@code POST /chats} {@code {"chatId", "userId", "title"}}</td><td>201, the chat</td></tr>
 * <tr><td>{@code GET /chats/{chatId}}</td><td>the chat, or 404</td></tr>
 * <tr><td>{@code POST /chats/{chatId}/messages} {@code {"role", "content"}}</td><td>201, the message</td></tr>
 * <tr><td>{@code GET /chats/{chatId}/messages?limit=20}, with {@code &after=N} or {@code &before=N}</td>
 *     <td>the latest {@code limit} messages, or the keyset page after or before sequence number {@code N};
 *     oldest first</td></tr>
 * </table>
 *
 * <p>Path and query parameters are named in their annotations: the build does not compile with {@code -parameters}.
 */
@RestController
public class ChatController {
    private final DataAccess store;

    /**
     * @param store the starter's bean; Spring closes it, not this class
     */
    public ChatController(DataAccess store) {
        this.store = store;
    }

    /**
     * @param request the new user
     * @return the stored user
     */
    @PostMapping("/users")
    @ResponseStatus(HttpStatus.CREATED)
    public UserView createUser(@RequestBody NewUserRequest request) {
        return UserView.of(store.createUser(NewUser.builder()
                .externalId(request.externalId())
                .name(request.name())
                .email(request.email())
                .build()));
    }

    /**
     * @param id the user's id
     * @return the user
     * @throws NotFoundException when there is none
     */
    @GetMapping("/users/{id}")
    public UserView user(@PathVariable("id") UUID id) {
        return store.getUser(id).map(UserView::of).orElseThrow(() -> NotFoundException.of("user", id));
    }

    /**
     * @param request the new chat
     * @return the stored chat
     */
    @PostMapping("/chats")
    @ResponseStatus(HttpStatus.CREATED)
    public ChatView createChat(@RequestBody NewChatRequest request) {
        return ChatView.of(store.createChatSession(
                new NewChatSession(request.chatId(), request.userId(), request.title(), null, null)));
    }

    /**
     * @param chatId the chat's id
     * @return the chat
     * @throws NotFoundException when there is none
     */
    @GetMapping("/chats/{chatId}")
    public ChatView chat(@PathVariable("chatId") String chatId) {
        return store.getChatSession(chatId).map(ChatView::of).orElseThrow(() -> NotFoundException.of("chat", chatId));
    }

    /**
     * @param chatId the chat's id
     * @param request the message
     * @return the stored message, with its sequence number
     */
    @PostMapping("/chats/{chatId}/messages")
    @ResponseStatus(HttpStatus.CREATED)
    public MessageView send(@PathVariable("chatId") String chatId, @RequestBody NewMessageRequest request) {
        Role role = Role.fromWireName(request.role()); // a ValidationException naming "role" when unknown
        return MessageView.of(store.addMessage(chatId, NewMessage.of(role, request.content())));
    }

    /**
     * @param chatId the chat's id
     * @param limit the most messages, 1 to {@value HistoryQuery#MAX_LIMIT}
     * @param after the page after this sequence number, or {@code null}
     * @param before the page before this sequence number, or {@code null}
     * @return the page, oldest first
     * @throws NotFoundException when the chat does not exist
     * @throws ValidationException when both {@code after} and {@code before} are given
     */
    @GetMapping("/chats/{chatId}/messages")
    public HistoryPage history(
            @PathVariable("chatId") String chatId,
            @RequestParam(name = "limit", defaultValue = "20") int limit,
            @RequestParam(name = "after", required = false) Long after,
            @RequestParam(name = "before", required = false) Long before) {
        if (after != null && before != null) {
            throw new ValidationException("before", "must not be given with after");
        }
        HistoryQuery query = after != null
                ? HistoryQuery.after(after, limit)
                : before != null ? HistoryQuery.before(before, limit) : HistoryQuery.latest(limit);
        // An unknown chat has no history rather than an error in Dal; a client asking for one wants to know.
        if (store.getChatSession(chatId).isEmpty()) {
            throw NotFoundException.of("chat", chatId);
        }
        return HistoryPage.of(chatId, store.getChatHistory(chatId, query));
    }
}
