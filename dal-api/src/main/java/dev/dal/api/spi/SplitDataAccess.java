package dev.dal.api.spi;

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
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The base of a backend's {@link DataAccess} that talks to its server over a pool of connections: every
 * read goes to the {@link StoreParts#reads() reads} of its {@link #parts()} and every write to their
 * {@link StoreParts#writes() writes}, and the health check, the capabilities, the bulk access and the pool's
 * figures are the parts' too, so the hand-off of each call is written once for every backend. A subclass adds
 * what only it knows: how a transaction of its own runs, and closing.
 */
public abstract class SplitDataAccess implements DataAccess, PooledStore {

    private final boolean boundToTransaction;

    /**
     * For subclasses.
     *
     * @param boundToTransaction whether this store is the one a running transaction hands its work: its
     *     {@link #inTransaction} then runs nested work in that transaction
     */
    protected SplitDataAccess(boolean boundToTransaction) {
        this.boundToTransaction = boundToTransaction;
    }

    /** @return whether this store runs its calls in a running transaction (see the constructor) */
    protected final boolean boundToTransaction() {
        return boundToTransaction;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On a store bound to a running transaction the work runs in that transaction; otherwise in a
     * {@link #newTransaction new transaction}.
     */
    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        return boundToTransaction ? work.run(this) : newTransaction(work);
    }

    /**
     * Runs work in a transaction of its own, handing it a store bound to that transaction.
     *
     * @param work the work
     * @param <T> its result's type
     * @return the work's result, once committed
     */
    protected abstract <T> T newTransaction(TransactionWork<T> work);

    /** @return what this store hands its calls to; the same object on every call */
    protected abstract StoreParts parts();

    /** @return where this store's reads go; the same object on every call */
    protected StoreReads reads() {
        return parts().reads();
    }

    /** @return where this store's writes go; the same object on every call */
    protected StoreWrites writes() {
        return parts().writes();
    }

    @Override
    public HealthStatus healthCheck() {
        return parts().server().health().get();
    }

    @Override
    public Set<Capability> capabilities() {
        return parts().server().capabilities();
    }

    @Override
    public BulkAccess bulk() {
        return parts().bulk();
    }

    @Override
    public PoolFigures poolFigures() {
        return parts().server().pool().poolFigures();
    }

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
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return reads().listUserSessions(userId, filter, limit, offset);
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        return reads().listUserSessionsWithLastMessage(userId, filter, limit, offset);
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
    public SearchPage searchMessages(SearchQuery query) {
        return reads().searchMessages(query);
    }

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        return writes().voteMessage(chatId, sequenceNumber, userId, vote);
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        return writes().clearVote(chatId, sequenceNumber, userId);
    }

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        return reads().getVoteTallies(chatId, fromSequence, toSequence);
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        return reads().getUserVotes(chatId, userId, fromSequence, toSequence);
    }

    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        return writes().recordTokenUsage(usage);
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        return reads().getTokenUsageTotals(query);
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
