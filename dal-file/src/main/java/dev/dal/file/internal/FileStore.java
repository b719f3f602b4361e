package dev.dal.file.internal;

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
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.TransactionWork;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.bulk.BulkAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The file store's {@link DataAccess}. Every operation runs under the store lock (threads and
 * processes queue), reads straight from disk (another process may have written), and every write
 * is a journaled unit of work: all of it reaches the disk, or none of it does. It runs each call
 * and hands the work to {@link FileReads} or {@link FileWrites}; {@link FileStores} opens it.
 */
public final class FileStore implements DataAccess {
    private final Path root;
    private final StoreLock lock;
    private final UnitOfWork unit;
    private final FileReads reads;
    private final FileWrites writes;
    private final FileBulkAccess bulk;
    private final FileHealth health;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param root the store root, absolute and normalized
     * @param clock the clock for timestamps and expiry
     * @param lock the directory's lock, one {@link StoreLock#forDirectory} reference this store releases on close
     * @param unit the unit of work over that lock, with the call deadline ({@code DB_QUERY_TIMEOUT})
     * @param healthWait the longest {@link #healthCheck()} waits for the lock ({@code DAL_HEALTH_TIMEOUT})
     */
    FileStore(Path root, Clock clock, StoreLock lock, UnitOfWork unit, Duration healthWait) {
        this.root = root;
        this.lock = lock;
        this.unit = unit;
        RecordDirectory records =
                new RecordDirectory(new StoreLayout(root), new FileRecords(), unit.files(), new DirectoryListings());
        this.reads = new FileReads(records, clock);
        this.writes = new FileWrites(records, clock);
        this.bulk = new FileBulkAccess(unit, records);
        this.health = new FileHealth(unit, root, healthWait);
    }

    // ---- users ----

    @Override
    public User createUser(NewUser newUser) {
        return unit.write("createUser", () -> writes.createUser(newUser));
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return unit.read("getUser", () -> reads.user(id));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return unit.read("getUserByExternalId", () -> reads.userByExternalId(externalId));
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return unit.write("updateUser", () -> writes.updateUser(id, update));
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return unit.write("deleteUser", () -> writes.deleteUser(id, mode));
    }

    // ---- sessions ----

    @Override
    public ChatSession createChatSession(NewChatSession newSession) {
        return unit.write("createChatSession", () -> writes.createChatSession(newSession));
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return unit.read("getChatSession", () -> reads.chatSession(chatId));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return unit.write("updateChatSession", () -> writes.updateChatSession(chatId, update));
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return unit.write("deleteChatSession", () -> writes.deleteChatSession(chatId));
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return unit.read("listUserSessions", () -> reads.userSessions(userId, filter, limit, offset));
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        return unit.read(
                "listUserSessionsWithLastMessage",
                () -> reads.userSessionsWithLastMessage(userId, filter, limit, offset));
    }

    // ---- messages ----

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return addMessages(chatId, List.of(message)).get(0);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> newMessages) {
        return unit.write("addMessages", () -> writes.addMessages(chatId, newMessages));
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return unit.read("getChatHistory", () -> reads.chatHistory(chatId, limit, offset));
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return unit.read("getChatHistory", () -> reads.chatHistory(chatId, query));
    }

    @Override
    public SearchPage searchMessages(SearchQuery query) {
        return unit.read("searchMessages", () -> reads.search(query));
    }

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        return unit.write("voteMessage", () -> writes.voteMessage(chatId, sequenceNumber, userId, vote));
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        return unit.write("clearVote", () -> writes.clearVote(chatId, sequenceNumber, userId));
    }

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        return unit.read("getVoteTallies", () -> reads.voteTallies(chatId, fromSequence, toSequence));
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        return unit.read("getUserVotes", () -> reads.userVotes(chatId, userId, fromSequence, toSequence));
    }

    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        return unit.write("recordTokenUsage", () -> writes.recordTokenUsage(usage));
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        return unit.read("getTokenUsageTotals", () -> reads.tokenUsageTotals(query));
    }

    @Override
    public long getMessageCount(String chatId) {
        return unit.read("getMessageCount", () -> reads.messageCount(chatId));
    }

    // ---- memory ----

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        return unit.write("setUserMemory", () -> writes.setUserMemory(userId, memoryType, key, value, expiresAt));
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return unit.read("getUserMemory", () -> reads.memory(userId, memoryType, key));
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return unit.read("getUserMemory", () -> reads.memory(userId, memoryType));
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return unit.write("deleteUserMemory", () -> writes.deleteMemory(userId, memoryType, key)) > 0;
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return unit.write("deleteUserMemory", () -> writes.deleteMemory(userId, memoryType, null));
    }

    @Override
    public int purgeExpiredMemory() {
        return unit.write("purgeExpiredMemory", writes::purgeExpiredMemory);
    }

    // ---- transactions, health, lifecycle ----

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        // The whole unit runs under the store lock; operations inside join its journal.
        return unit.write("inTransaction", () -> work.run(this));
    }

    @Override
    public HealthStatus healthCheck() {
        return health.check();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.TRANSACTIONS,
                Capability.MULTI_PROCESS,
                Capability.FULL_TEXT_SEARCH,
                Capability.MESSAGE_VOTES,
                Capability.TOKEN_USAGE);
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
