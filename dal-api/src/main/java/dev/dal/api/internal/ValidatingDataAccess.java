package dev.dal.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.SessionOverview;
import dev.dal.api.TransactionWork;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.BulkAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The face every store shows its callers: validates each argument before the store is called,
 * refuses calls after {@link #close()}, and turns anything a backend forgot to translate into a
 * {@link dev.dal.api.DataAccessException} (see {@link ErrorGuard}).
 */
public final class ValidatingDataAccess implements DataAccess {
    private final DataAccess store;
    private final String storageType;
    private final Validator v;
    private final RecordValidator records;
    private final ErrorGuard guard;
    private final AtomicBoolean closed;
    private final BulkAccess bulk;

    /**
     * @param store the backend's store
     * @param storageType its type, for messages
     * @param validator the rules
     */
    public ValidatingDataAccess(DataAccess store, String storageType, Validator validator) {
        this(store, storageType, validator, new AtomicBoolean());
    }

    private ValidatingDataAccess(DataAccess store, String storageType, Validator validator, AtomicBoolean closed) {
        this.store = store;
        this.storageType = storageType;
        this.v = validator;
        this.records = new RecordValidator(validator);
        this.guard = new ErrorGuard(storageType);
        this.closed = closed;
        this.bulk = new ValidatingBulkAccess(store.bulk(), records, guard, this::ensureOpen);
    }

    /** @return the backend store behind the validation (for decorators and tests) */
    public DataAccess unwrap() {
        return store;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new UnavailableException("The " + storageType + " store is closed");
        }
    }

    private <T> T call(String operation, java.util.function.Supplier<T> work) {
        ensureOpen();
        return guard.call(operation, work);
    }

    @Override
    public User createUser(NewUser user) {
        records.newUser(user);
        return call("createUser", () -> store.createUser(user));
    }

    @Override
    public Optional<User> getUser(UUID id) {
        v.required("id", id);
        return call("getUser", () -> store.getUser(id));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        v.key("externalId", externalId);
        return call("getUserByExternalId", () -> store.getUserByExternalId(externalId));
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        v.required("id", id);
        records.userUpdate(update);
        return call("updateUser", () -> store.updateUser(id, update));
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        v.required("id", id);
        v.required("mode", mode);
        return call("deleteUser", () -> store.deleteUser(id, mode));
    }

    @Override
    public ChatSession createChatSession(NewChatSession session) {
        records.newSession(session);
        return call("createChatSession", () -> store.createChatSession(session));
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        v.key("chatId", chatId);
        return call("getChatSession", () -> store.getChatSession(chatId));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        v.key("chatId", chatId);
        records.sessionUpdate(update);
        return call("updateChatSession", () -> store.updateChatSession(chatId, update));
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        v.key("chatId", chatId);
        return call("deleteChatSession", () -> store.deleteChatSession(chatId));
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        checkUserPage(userId, limit, offset);
        return call("listUserSessions", () -> store.listUserSessions(userId, limit, offset));
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, int limit, int offset) {
        checkUserPage(userId, limit, offset);
        return call("listUserSessionsWithLastMessage",
                () -> store.listUserSessionsWithLastMessage(userId, limit, offset));
    }

    private void checkUserPage(UUID userId, int limit, int offset) {
        v.required("userId", userId);
        v.limit("limit", limit);
        v.notNegative("offset", offset);
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        v.key("chatId", chatId);
        records.newMessage("message", message);
        return call("addMessage", () -> store.addMessage(chatId, message));
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        v.key("chatId", chatId);
        v.batch("messages", messages);
        for (int i = 0; i < messages.size(); i++) {
            records.newMessage("messages[" + i + "]", messages.get(i));
        }
        List<NewMessage> copy = List.copyOf(messages);
        return call("addMessages", () -> store.addMessages(chatId, copy));
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        v.key("chatId", chatId);
        v.limit("limit", limit);
        v.notNegative("offset", offset);
        return call("getChatHistory", () -> store.getChatHistory(chatId, limit, offset));
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        v.key("chatId", chatId);
        v.required("query", query);
        v.required("query.direction", query.direction());
        v.notNegative("query.cursor", query.cursor());
        v.limit("query.limit", query.limit());
        return call("getChatHistory", () -> store.getChatHistory(chatId, query));
    }

    @Override
    public long getMessageCount(String chatId) {
        v.key("chatId", chatId);
        return call("getMessageCount", () -> store.getMessageCount(chatId));
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        v.required("userId", userId);
        records.memoryAddress(memoryType, v.required("key", key));
        v.json("value", value);
        return call("setUserMemory", () -> store.setUserMemory(userId, memoryType, key, value, expiresAt));
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        v.required("userId", userId);
        records.memoryAddress(memoryType, v.required("key", key));
        return call("getUserMemory", () -> store.getUserMemory(userId, memoryType, key));
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        v.required("userId", userId);
        records.memoryAddress(memoryType, null);
        return call("getUserMemory", () -> store.getUserMemory(userId, memoryType));
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        v.required("userId", userId);
        records.memoryAddress(memoryType, v.required("key", key));
        return call("deleteUserMemory", () -> store.deleteUserMemory(userId, memoryType, key));
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        v.required("userId", userId);
        records.memoryAddress(memoryType, null);
        return call("deleteUserMemory", () -> store.deleteUserMemory(userId, memoryType));
    }

    @Override
    public int purgeExpiredMemory() {
        return call("purgeExpiredMemory", store::purgeExpiredMemory);
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        v.required("work", work);
        ensureOpen();
        return guard.transaction(store, work,
                tx -> tx == store ? this : new ValidatingDataAccess(tx, storageType, v, closed));
    }

    @Override
    public HealthStatus healthCheck() {
        if (closed.get()) {
            return new HealthStatus(HealthStatus.Status.DOWN, storageType, Duration.ZERO, Map.of(), "store is closed",
                    Instant.now());
        }
        try {
            return store.healthCheck();
        } catch (RuntimeException e) {
            return new HealthStatus(HealthStatus.Status.DOWN, storageType, Duration.ZERO, Map.of(),
                    "health check failed", Instant.now());
        }
    }

    @Override
    public CompletionStage<HealthStatus> healthCheckAsync() {
        if (closed.get()) {
            return CompletableFuture.completedFuture(healthCheck());
        }
        CompletionStage<HealthStatus> stage;
        try {
            stage = store.healthCheckAsync();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.exceptionally(e -> new HealthStatus(HealthStatus.Status.DOWN, storageType, Duration.ZERO,
                Map.of(), "health check failed", Instant.now()));
    }

    @Override
    public Set<Capability> capabilities() {
        return store.capabilities();
    }

    @Override
    public BulkAccess bulk() {
        ensureOpen();
        return bulk;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            guard.call("close", () -> {
                store.close();
                return null;
            });
        }
    }

    @Override
    public String toString() {
        return "DataAccess[" + storageType + "]";
    }
}
