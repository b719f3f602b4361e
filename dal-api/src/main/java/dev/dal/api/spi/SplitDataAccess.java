package dev.dal.api.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.SessionOverview;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The base of a backend's {@link DataAccess}: every read goes to {@link #reads()} and every write to
 * {@link #writes()}, so the hand-off of each call is written once for every backend. A subclass adds what only
 * it knows: transactions, health, capabilities, bulk access and closing.
 */
public abstract class SplitDataAccess implements DataAccess {

    /** For subclasses. */
    protected SplitDataAccess() {}

    /** @return where this store's reads go; the same object on every call */
    protected abstract StoreReads reads();

    /** @return where this store's writes go; the same object on every call */
    protected abstract StoreWrites writes();

    @Override
    public User createUser(NewUser newUser) {
        return writes().createUser(newUser);
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return reads().getUser(id);
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return reads().getUserByExternalId(externalId);
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return writes().updateUser(id, update);
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return writes().deleteUser(id, mode);
    }

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        return writes().createChatSession(newSession);
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return reads().getChatSession(chatId);
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return writes().updateChatSession(chatId, update);
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return writes().deleteChatSession(chatId);
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        return reads().listUserSessions(userId, limit, offset);
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, int limit, int offset) {
        return reads().listUserSessionsWithLastMessage(userId, limit, offset);
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return writes().addMessage(chatId, message);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        return writes().addMessages(chatId, newMessages);
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return reads().getChatHistory(chatId, limit, offset);
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return reads().getChatHistory(chatId, query);
    }

    @Override
    public long getMessageCount(String chatId) {
        return reads().getMessageCount(chatId);
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        return writes().setUserMemory(userId, memoryType, key, value, expiresAt);
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return reads().getUserMemory(userId, memoryType, key);
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return reads().getUserMemory(userId, memoryType);
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return writes().deleteUserMemory(userId, memoryType, key);
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return writes().deleteUserMemory(userId, memoryType);
    }

    @Override
    public int purgeExpiredMemory() {
        return writes().purgeExpiredMemory();
    }
}
