package dev.dal.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.ForwardingBulkAccess;
import dev.dal.api.spi.ForwardingDataAccess;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A real store (the file store) that can be told to fail, or to hang, on its Nth write: fault injection in
 * front of a real backend, for the secondary's failure policies. Reads always work.
 */
final class FlakySecondary extends ForwardingDataAccess {
    private final DataAccess store;
    private final AtomicInteger writes = new AtomicInteger();
    private volatile int failFrom = Integer.MAX_VALUE;
    private volatile int failUntil = Integer.MAX_VALUE;
    private volatile CountDownLatch hang;

    FlakySecondary(DataAccess store) {
        this.store = store;
    }

    @Override
    protected DataAccess delegate() {
        return store;
    }

    /** Fails writes number {@code n} (1-based, counted from now) and every one after it. */
    void failFromWrite(int n) {
        failFrom = writes.get() + n;
        failUntil = Integer.MAX_VALUE;
        hang = null;
    }

    /** @return how many writes reached this secondary so far, failed ones included */
    int writesSeen() {
        return writes.get();
    }

    /** Fails write number {@code n} (counted from now) only. */
    void failWrite(int n) {
        failFrom = writes.get() + n;
        failUntil = failFrom;
    }

    /** Makes every write wait until the returned latch is released. */
    CountDownLatch hangWrites() {
        CountDownLatch latch = new CountDownLatch(1);
        hang = latch;
        return latch;
    }

    void heal() {
        failFrom = Integer.MAX_VALUE;
        CountDownLatch latch = hang;
        hang = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    private <T> T write(Supplier<T> call) {
        int n = writes.incrementAndGet();
        CountDownLatch latch = hang;
        if (latch != null) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (n >= failFrom && n <= failUntil) {
            throw new UnavailableException("injected failure of secondary write #" + n);
        }
        return call.get();
    }

    private void run(Runnable call) {
        write(() -> {
            call.run();
            return null;
        });
    }

    @Override
    public User createUser(NewUser user) {
        return write(() -> store.createUser(user));
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return write(() -> store.updateUser(id, update));
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return write(() -> store.deleteUser(id, mode));
    }

    @Override
    public ChatSession createChatSession(NewChatSession session) {
        return write(() -> store.createChatSession(session));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return write(() -> store.updateChatSession(chatId, update));
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return write(() -> store.deleteChatSession(chatId));
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return write(() -> store.addMessage(chatId, message));
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        return write(() -> store.addMessages(chatId, messages));
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        return write(() -> store.setUserMemory(userId, memoryType, key, value, expiresAt));
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return write(() -> store.deleteUserMemory(userId, memoryType, key));
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return write(() -> store.deleteUserMemory(userId, memoryType));
    }

    @Override
    public int purgeExpiredMemory() {
        return write(store::purgeExpiredMemory);
    }

    @Override
    public BulkAccess bulk() {
        BulkAccess bulk = store.bulk();
        return new ForwardingBulkAccess() {
            @Override
            protected BulkAccess delegate() {
                return bulk;
            }

            @Override
            public void upsertUsers(List<User> users) {
                run(() -> bulk.upsertUsers(users));
            }

            @Override
            public void upsertSessions(List<ChatSession> sessions) {
                run(() -> bulk.upsertSessions(sessions));
            }

            @Override
            public void upsertMessages(List<Message> messages) {
                run(() -> bulk.upsertMessages(messages));
            }

            @Override
            public void upsertMemory(List<MemoryEntry> entries) {
                run(() -> bulk.upsertMemory(entries));
            }

            @Override
            public void overwriteUsers(List<User> users) {
                run(() -> bulk.overwriteUsers(users));
            }

            @Override
            public void overwriteSessions(List<ChatSession> sessions) {
                run(() -> bulk.overwriteSessions(sessions));
            }

            @Override
            public void overwriteMemory(List<MemoryEntry> entries) {
                run(() -> bulk.overwriteMemory(entries));
            }

            @Override
            public void upsertTombstones(List<dev.dal.api.bulk.Tombstone> tombstones) {
                run(() -> bulk.upsertTombstones(tombstones));
            }

            @Override
            public void upsertVotes(List<dev.dal.api.MessageVote> votes) {
                run(() -> bulk.upsertVotes(votes));
            }

            @Override
            public void deleteVotes(List<dev.dal.api.bulk.VoteKey> keys) {
                run(() -> bulk.deleteVotes(keys));
            }

            @Override
            public void upsertTokenUsage(List<dev.dal.api.TokenUsage> usage) {
                run(() -> bulk.upsertTokenUsage(usage));
            }

            @Override
            public void deleteTokenUsage(List<UUID> ids) {
                run(() -> bulk.deleteTokenUsage(ids));
            }
        };
    }

    @Override
    public void close() {
        heal();
        store.close();
    }
}
