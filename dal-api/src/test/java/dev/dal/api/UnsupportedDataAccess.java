package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A hand-written {@link DataAccess} that is no store at all: every method throws
 * {@link UnsupportedOperationException}. Tests override the one or two methods they need, to check
 * the wiring {@link DataAccessFactory} puts in front of a backend (validation, error translation,
 * close), never backend behaviour. {@link #calls} records which overridden methods ran. The
 * dual-write module's in-memory test store builds on it too (this module publishes it in its test jar).
 */
public abstract class UnsupportedDataAccess implements DataAccess {
    final List<String> calls = new ArrayList<>();

    protected UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("not needed by this test");
    }

    @Override
    public User createUser(NewUser user) {
        throw unsupported();
    }

    @Override
    public Optional<User> getUser(UUID id) {
        throw unsupported();
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        throw unsupported();
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        throw unsupported();
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        throw unsupported();
    }

    @Override
    public ChatSession createChatSession(NewChatSession session) {
        throw unsupported();
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        throw unsupported();
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        throw unsupported();
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        throw unsupported();
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        throw unsupported();
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        throw unsupported();
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        throw unsupported();
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        throw unsupported();
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        throw unsupported();
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        throw unsupported();
    }

    @Override
    public long getMessageCount(String chatId) {
        throw unsupported();
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        throw unsupported();
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        throw unsupported();
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        throw unsupported();
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        throw unsupported();
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        throw unsupported();
    }

    @Override
    public int purgeExpiredMemory() {
        throw unsupported();
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        throw unsupported();
    }

    @Override
    public HealthStatus healthCheck() {
        throw unsupported();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    /** Dal's wrapper asks for the bulk face when it is built, so this one must not throw. */
    @Override
    public BulkAccess bulk() {
        return new UnsupportedBulkAccess();
    }

    @Override
    public void close() {
        calls.add("close");
    }

    /** The bulk counterpart: every method throws. */
    public static class UnsupportedBulkAccess implements BulkAccess {
        @Override
        public ScanBatch<User> scanUsers(String cursor, int batchSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void upsertUsers(List<User> users) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void upsertSessions(List<ChatSession> sessions) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void upsertMessages(List<Message> messages) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void upsertMemory(List<MemoryEntry> entries) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void overwriteUsers(List<User> users) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void overwriteSessions(List<ChatSession> sessions) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void overwriteMemory(List<MemoryEntry> entries) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<dev.dal.api.bulk.Tombstone> findTombstones(java.util.Collection<dev.dal.api.bulk.RecordKey> keys) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void upsertTombstones(List<dev.dal.api.bulk.Tombstone> tombstones) {
            throw new UnsupportedOperationException();
        }
    }
}
