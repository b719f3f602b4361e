package dev.dal.file.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.SessionOverview;
import dev.dal.api.Timestamps;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.TransactionWork;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.Ids;
import dev.dal.file.internal.StoredIndexes.ChatIdTombstone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The file store's {@link DataAccess}. Every operation runs under the store lock (threads and
 * processes queue), reads straight from disk (another process may have written), and every write
 * is a journaled unit of work: all of it reaches the disk, or none of it does.
 */
public final class FileStore implements DataAccess {
    private static final Comparator<ChatSession> MOST_RECENT_FIRST = Comparator
            .comparing(ChatSession::lastActivityAt).reversed()
            .thenComparing(s -> s.id().toString(), Comparator.reverseOrder());

    private final Path root;
    private final Clock clock;
    private final StoreLock lock;
    private final UnitOfWork unit;
    private final RecordFiles records;
    private final FileBulkAccess bulk;
    private final Duration healthWait;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FileStore(Path root, Clock clock, StoreLock lock, Duration lockWait, Duration healthWait) {
        this.root = root;
        this.clock = clock;
        this.lock = lock;
        this.healthWait = healthWait;
        this.unit = new UnitOfWork(lock, lockWait);
        this.records = new RecordFiles(new StoreLayout(root), new FileRecords(), unit.files());
        this.bulk = new FileBulkAccess(unit, records);
    }

    /**
     * Opens (creating if needed) the store in a directory, with the default deadlines: a call waits at most
     * 30 s for the store lock ({@code DB_QUERY_TIMEOUT}'s default), a health check 2 s
     * ({@code DAL_HEALTH_TIMEOUT}'s).
     *
     * @param dataDir the store root
     * @param clock the clock for timestamps and expiry
     * @return the open store
     * @throws IOException when the directory cannot be created or locked
     */
    public static FileStore open(Path dataDir, Clock clock) throws IOException {
        return open(dataDir, clock, Duration.ofSeconds(30), Duration.ofSeconds(2));
    }

    /**
     * Opens (creating if needed) the store in a directory.
     *
     * @param dataDir the store root
     * @param clock the clock for timestamps and expiry
     * @param lockWait the longest one call waits for the store lock, queueing behind this process's other
     *     threads included ({@code DB_QUERY_TIMEOUT}); past it the call fails with a
     *     {@link dev.dal.api.TransientDataAccessException} and writes nothing
     * @param healthWait the longest {@link #healthCheck()} waits for the lock ({@code DAL_HEALTH_TIMEOUT})
     * @return the open store
     * @throws IOException when the directory cannot be created or locked
     * @throws dev.dal.api.TransientDataAccessException when the lock was not free within {@code lockWait}
     */
    public static FileStore open(Path dataDir, Clock clock, Duration lockWait, Duration healthWait)
            throws IOException {
        Path root = dataDir.toAbsolutePath().normalize();
        DurableFiles.createDirectories(root);
        StoreLock lock = StoreLock.forDirectory(root);
        FileStore store = new FileStore(root, clock, lock, lockWait, healthWait);
        try {
            // Taking the lock once recovers whatever a crashed writer left behind.
            store.unit.read("open", () -> null);
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
        return store;
    }

    private Instant now() {
        return Timestamps.now(clock);
    }

    // ---- users ----

    @Override
    public User createUser(NewUser newUser) {
        return unit.write("createUser", () -> {
            if (newUser.externalId() != null && records.userIdByExternalId(newUser.externalId()).isPresent()) {
                throw RecordFiles.duplicateExternalId();
            }
            User user = newUser.toUser(Ids.newId(), now());
            if (records.user(user.id()).isPresent()) {
                throw new DuplicateKeyException(DuplicateKeyException.Key.USER_ID);
            }
            // A caller-chosen id used again continues above the deleted user's version.
            Optional<Long> tombstone = records.userTombstone(user.id());
            user = user.withVersion(tombstone.map(v -> v + 1).orElse(1L));
            records.putUser(user);
            if (user.externalId() != null) {
                records.putExternalId(user.externalId(), user.id());
            }
            if (tombstone.isPresent()) {
                records.deleteUserTombstone(user.id());
            }
            return user;
        });
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return unit.read("getUser", () -> records.user(id));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return unit.read("getUserByExternalId", () -> {
            Optional<UUID> id = records.userIdByExternalId(externalId);
            return id.isEmpty() ? Optional.empty() : records.user(id.get());
        });
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return unit.write("updateUser", () -> {
            User current = records.user(id).orElseThrow(() -> NotFoundException.of("user", id));
            User updated = update.applyTo(current, now());
            records.moveExternalId(id, current.externalId(), updated.externalId());
            records.putUser(updated);
            return updated;
        });
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return unit.write("deleteUser", () -> {
            Optional<User> user = records.user(id);
            if (user.isEmpty()) {
                return false;
            }
            records.deleteUser(user.get(), mode, user.get().version() + 1);
            return true;
        });
    }

    // ---- sessions ----

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        return unit.write("createChatSession", () -> {
            if (records.sessionIdByChatId(newSession.chatId()).isPresent()) {
                throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
            }
            records.requireUser(newSession.userId());
            // A chat id used again continues above the deleted session's version.
            Optional<ChatIdTombstone> tombstone = records.sessionTombstone(newSession.chatId());
            ChatSession session = newSession.toSession(Ids.newId(), now())
                    .withVersion(tombstone.map(t -> t.version() + 1).orElse(1L));
            records.putSession(session);
            records.putChatId(session.chatId(), session.id());
            records.changeOwner(session.id(), null, session.userId());
            if (tombstone.isPresent()) {
                records.deleteSessionTombstone(session.chatId());
            }
            return session;
        });
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return unit.read("getChatSession", () -> records.sessionByChatId(chatId));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return unit.write("updateChatSession", () -> {
            ChatSession current = records.sessionByChatId(chatId)
                    .orElseThrow(() -> NotFoundException.of("chat session", chatId));
            ChatSession updated = update.applyTo(current, now());
            if (!Objects.equals(current.userId(), updated.userId())) {
                records.requireUser(updated.userId());
                records.changeOwner(current.id(), current.userId(), updated.userId());
            }
            records.putSession(updated);
            return updated;
        });
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return unit.write("deleteChatSession", () -> {
            Optional<ChatSession> session = records.sessionByChatId(chatId);
            if (session.isEmpty()) {
                return false;
            }
            records.deleteSessionLeavingTombstone(session.get(), session.get().version() + 1);
            return true;
        });
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, int limit, int offset) {
        return unit.read("listUserSessions", () -> pageOfSessions(userId, limit, offset));
    }

    private List<ChatSession> pageOfSessions(UUID userId, int limit, int offset) throws IOException {
        List<ChatSession> sessions = new ArrayList<>();
        for (UUID id : records.sessionIdsOf(userId)) {
            records.session(id).ifPresent(sessions::add);
        }
        sessions.sort(MOST_RECENT_FIRST);
        if (offset >= sessions.size()) {
            return List.of();
        }
        return List.copyOf(sessions.subList(offset, Math.min(sessions.size(), offset + limit)));
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(UUID userId, int limit, int offset) {
        return unit.read("listUserSessionsWithLastMessage", () -> {
            List<SessionOverview> page = new ArrayList<>();
            for (ChatSession session : pageOfSessions(userId, limit, offset)) {
                Message last = session.messageCount() == 0 ? null
                        : records.messages(session.id()).read(session.messageCount()).orElse(null);
                page.add(new SessionOverview(session, last));
            }
            return page;
        });
    }

    // ---- messages ----

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return addMessages(chatId, List.of(message)).get(0);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        return unit.write("addMessages", () -> {
            ChatSession session = records.sessionByChatId(chatId)
                    .orElseThrow(() -> NotFoundException.of("chat session", chatId));
            Instant now = now();
            long next = session.messageCount() + 1;
            List<Message> messages = new ArrayList<>(newMessages.size());
            for (NewMessage m : newMessages) {
                messages.add(m.toMessage(Ids.newId(), session.id(), next++, now));
            }
            records.prepareMessageAppend(session.id());
            records.messages(session.id()).append(records.files(), messages);
            records.putSession(session.withMessages(next - 1, now));
            return List.copyOf(messages);
        });
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return unit.read("getChatHistory", () -> {
            Optional<ChatSession> session = records.sessionByChatId(chatId);
            if (session.isEmpty()) {
                return List.of();
            }
            long last = Math.min(session.get().messageCount(), (long) offset + limit);
            return records.messages(session.get().id()).readRange((long) offset + 1, last);
        });
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return unit.read("getChatHistory", () -> {
            Optional<ChatSession> session = records.sessionByChatId(chatId);
            if (session.isEmpty()) {
                return List.of();
            }
            long[] window = query.window(session.get().messageCount());
            return records.messages(session.get().id()).readRange(window[0], window[1]);
        });
    }

    @Override
    public long getMessageCount(String chatId) {
        return unit.read("getMessageCount",
                () -> records.sessionByChatId(chatId).map(ChatSession::messageCount).orElse(0L));
    }

    // ---- memory ----

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        return unit.write("setUserMemory", () -> {
            records.requireUser(userId);
            Instant now = now();
            UserMemoryState memory = records.memoryState(userId);
            Optional<MemoryEntry> existing = memory.entry(memoryType, key);
            Instant createdAt = existing.filter(e -> !e.isExpiredAt(now)).map(MemoryEntry::createdAt).orElse(now);
            // Over a stored entry (expired or not) or a deleted key's tombstone, the version goes on from there.
            MemoryEntry entry = new MemoryEntry(userId, memoryType, key, value, createdAt, now, expiresAt,
                    memory.storedVersion(memoryType, key) + 1);
            memory.put(entry);
            records.flush(memory);
            return entry;
        });
    }

    private static Optional<MemoryEntry> find(List<MemoryEntry> entries, String memoryType, String key) {
        return entries.stream().filter(e -> e.memoryType().equals(memoryType) && e.key().equals(key)).findFirst();
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return unit.read("getUserMemory", () -> {
            Instant now = now();
            return find(records.memoryOf(userId), memoryType, key).filter(e -> !e.isExpiredAt(now));
        });
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return unit.read("getUserMemory", () -> {
            Instant now = now();
            return records.memoryOf(userId).stream()
                    .filter(e -> e.memoryType().equals(memoryType) && !e.isExpiredAt(now))
                    .sorted(MemoryOrder.BY_TYPE_AND_KEY)
                    .toList();
        });
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return deleteMemory(userId, memoryType, key) > 0;
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return deleteMemory(userId, memoryType, null);
    }

    /**
     * Deletes matching entries, leaving a tombstone for each.
     *
     * @return how many of them were visible (unexpired)
     */
    private int deleteMemory(UUID userId, String memoryType, String key) {
        return unit.write("deleteUserMemory", () -> {
            Instant now = now();
            UserMemoryState memory = records.memoryState(userId);
            int visible = 0;
            for (MemoryEntry e : memory.entries()) {
                boolean matches = e.memoryType().equals(memoryType) && (key == null || e.key().equals(key));
                if (matches) {
                    visible += e.isExpiredAt(now) ? 0 : 1;
                    memory.delete(e.memoryType(), e.key(), e.version() + 1);
                }
            }
            records.flush(memory);
            return visible;
        });
    }

    @Override
    public int purgeExpiredMemory() {
        return unit.write("purgeExpiredMemory", () -> {
            Instant now = now();
            int removed = 0;
            for (UUID userId : RecordFiles.idsIn(records.layout().memoryDir())) {
                List<MemoryEntry> entries = records.memoryOf(userId);
                if (entries.stream().noneMatch(e -> e.isExpiredAt(now))) {
                    continue;
                }
                UserMemoryState memory = new UserMemoryState(userId, entries, records.memoryTombstonesOf(userId));
                for (MemoryEntry e : entries) {
                    if (e.isExpiredAt(now)) {
                        memory.delete(e.memoryType(), e.key(), e.version() + 1);
                        removed++;
                    }
                }
                records.flush(memory);
            }
            return removed;
        });
    }

    // ---- transactions, health, lifecycle ----

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        // The whole unit runs under the store lock; operations inside join its journal.
        return unit.write("inTransaction", () -> work.run(this));
    }

    @Override
    public HealthStatus healthCheck() {
        long start = System.nanoTime();
        try {
            boolean writable = unit.read("healthCheck", healthWait, () -> Files.isWritable(root));
            Duration latency = Duration.ofNanos(System.nanoTime() - start);
            return new HealthStatus(writable ? HealthStatus.Status.UP : HealthStatus.Status.DEGRADED, "file", latency,
                    Map.of("dataDir", root.toString(), "writable", writable), writable ? null : "data directory is read-only",
                    Instant.now());
        } catch (TransientDataAccessException e) {
            return new HealthStatus(HealthStatus.Status.DOWN, "file", Duration.ofNanos(System.nanoTime() - start),
                    Map.of("dataDir", root.toString()), "the store lock was not free within "
                    + DalConfig.DAL_HEALTH_TIMEOUT + " (" + healthWait.toMillis() + " ms)", Instant.now());
        } catch (RuntimeException e) {
            return new HealthStatus(HealthStatus.Status.DOWN, "file", Duration.ofNanos(System.nanoTime() - start),
                    Map.of("dataDir", root.toString()), "file store unavailable", Instant.now());
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TRANSACTIONS, Capability.MULTI_PROCESS);
    }

    @Override
    public BulkAccess bulk() {
        return bulk;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        unit.markClosed();
        try {
            lock.release();
        } catch (IOException e) {
            throw FileErrors.io("close", e);
        }
    }

    @Override
    public String toString() {
        return "FileStore[" + root + "]";
    }
}
