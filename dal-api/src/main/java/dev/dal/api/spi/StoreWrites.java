package dev.dal.api.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.TokenUsage;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Every write of {@link DataAccess}, as a backend implements them in one place (its {@code XWrites}); each
 * method keeps the contract of the {@code DataAccess} method of the same name. A backend's store hands
 * its writes here through {@link SplitDataAccess}.
 */
public interface StoreWrites {

    /**
     * As {@link DataAccess#createUser(NewUser)}.
     *
     * @param newUser the user to create
     * @return the created user
     */
    User createUser(NewUser newUser);

    /**
     * As {@link DataAccess#updateUser(UUID,UserUpdate)}.
     *
     * @param id the user's id
     * @param update the changes, and the version expected if any
     * @return the updated user
     */
    User updateUser(UUID id, UserUpdate update);

    /**
     * As {@link DataAccess#deleteUser(UUID,DeleteMode)}.
     *
     * @param id the user's id
     * @param mode what becomes of the user's sessions
     * @return whether a user was deleted
     */
    boolean deleteUser(UUID id, DeleteMode mode);

    /**
     * As {@link DataAccess#createChatSession(NewChatSession)}.
     *
     * @param newSession the session to create
     * @return the created session
     */
    ChatSession createChatSession(NewChatSession newSession);

    /**
     * As {@link DataAccess#updateChatSession(String,ChatSessionUpdate)}.
     *
     * @param chatId the session's chat id
     * @param update the changes, and the version expected if any
     * @return the updated session
     */
    ChatSession updateChatSession(String chatId, ChatSessionUpdate update);

    /**
     * As {@link DataAccess#deleteChatSession(String)}.
     *
     * @param chatId the session's chat id
     * @return whether a session was deleted
     */
    boolean deleteChatSession(String chatId);

    /**
     * As {@link DataAccess#addMessage(String,NewMessage)}; by default the one-message case of {@link #addMessages}.
     *
     * @param chatId the session's chat id
     * @param message the message to append
     * @return the stored message
     */
    default Message addMessage(String chatId, NewMessage message) {
        return addMessages(chatId, List.of(message)).get(0);
    }

    /**
     * As {@link DataAccess#addMessages(String,List<NewMessage>)}.
     *
     * @param chatId the session's chat id
     * @param newMessages the messages to append, in order
     * @return the stored messages, in order
     */
    List<Message> addMessages(String chatId, List<NewMessage> newMessages);

    /**
     * As {@link DataAccess#voteMessage(String,long,UUID,Vote)}. Stores without {@link Capability#MESSAGE_VOTES}
     * keep this default.
     *
     * @param chatId the session's chat id
     * @param sequenceNumber the message's place in the session
     * @param userId who votes
     * @param vote up or down
     * @return the vote as stored
     */
    default MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * As {@link DataAccess#clearVote(String,long,UUID)}. Stores without {@link Capability#MESSAGE_VOTES} keep
     * this default.
     *
     * @param chatId the session's chat id
     * @param sequenceNumber the message's place in the session
     * @param userId who voted
     * @return whether a vote was removed
     */
    default boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        throw new UnsupportedCapabilityException(Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * As {@link DataAccess#recordTokenUsage(NewTokenUsage)}; the usage is valid. Stores without
     * {@link Capability#TOKEN_USAGE} keep this default.
     *
     * @param usage the usage to record
     * @return the record as stored
     */
    default TokenUsage recordTokenUsage(NewTokenUsage usage) {
        throw UnsupportedCapabilityException.notDeclared(Capability.TOKEN_USAGE);
    }

    /**
     * As {@link DataAccess#setUserMemory(UUID,String,String,JsonNode,Instant)}.
     *
     * @param userId the owner's id
     * @param memoryType the memory type, e.g. {@code context}
     * @param key the key within the type
     * @param value the JSON value stored
     * @param expiresAt when the entry stops being visible, or {@code null} for never
     * @return the stored entry
     */
    MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt);

    /**
     * As {@link DataAccess#deleteUserMemory(UUID,String,String)}.
     *
     * @param userId the owner's id
     * @param memoryType the memory type, e.g. {@code context}
     * @param key the key within the type
     * @return whether a live entry was deleted
     */
    boolean deleteUserMemory(UUID userId, String memoryType, String key);

    /**
     * As {@link DataAccess#deleteUserMemory(UUID,String)}.
     *
     * @param userId the owner's id
     * @param memoryType the memory type, e.g. {@code context}
     * @return how many live entries were deleted
     */
    int deleteUserMemory(UUID userId, String memoryType);

    /**
     * As {@link DataAccess#purgeExpiredMemory()}.
     *
     * @return how many expired entries were removed
     */
    int purgeExpiredMemory();
}
