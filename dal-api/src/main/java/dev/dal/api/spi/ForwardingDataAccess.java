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
import java.util.concurrent.CompletionStage;

/**
 * A {@link DataAccess} that hands every call to another one, {@link #delegate()}: the base of decorators and
 * test doubles, which override only the calls they change. Every abstract method of {@code DataAccess} is
 * forwarded, and so are {@link #healthCheckAsync()} and {@link #bulk()} (a decorator that changes bulk calls
 * wraps the delegate's in a {@link ForwardingBulkAccess}). The other default methods
 * ({@code deleteUser(UUID)}, the four-argument {@code setUserMemory}, {@code useTransaction}) are not
 * overridden: they run as {@code DataAccess} defines them, through the methods above, so an override of
 * {@code deleteUser(UUID, DeleteMode)} sees {@code deleteUser(UUID)} calls too.
 */
public abstract class ForwardingDataAccess implements DataAccess {

    /** For subclasses. */
    protected ForwardingDataAccess() {}

    /** @return the store every call is handed to; the same one on every call */
    protected abstract DataAccess delegate();

    @Override
    public User createUser(NewUser user) {
        return delegate().createUser(user);
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return delegate().getUser(id);
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return delegate().getUserByExternalId(externalId);
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return delegate().updateUser(id, update);
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return delegate().deleteUser(id, mode);
    }

    @Override
    public ChatSession createChatSession(NewChatSession session) {
        return delegate().createChatSession(session);
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return delegate().getChatSession(chatId);
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return delegate().updateChatSession(chatId, update);
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return delegate().deleteChatSession(chatId);
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return delegate().listUserSessions(userId, filter, limit, offset);
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        return delegate().listUserSessionsWithLastMessage(userId, filter, limit, offset);
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return delegate().addMessage(chatId, message);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        return delegate().addMessages(chatId, messages);
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return delegate().getChatHistory(chatId, limit, offset);
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return delegate().getChatHistory(chatId, query);
    }

    @Override
    public long getMessageCount(String chatId) {
        return delegate().getMessageCount(chatId);
    }

    @Override
    public SearchPage searchMessages(SearchQuery query) {
        return delegate().searchMessages(query);
    }

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        return delegate().voteMessage(chatId, sequenceNumber, userId, vote);
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        return delegate().clearVote(chatId, sequenceNumber, userId);
    }

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        return delegate().getVoteTallies(chatId, fromSequence, toSequence);
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        return delegate().getUserVotes(chatId, userId, fromSequence, toSequence);
    }

    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        return delegate().recordTokenUsage(usage);
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        return delegate().getTokenUsageTotals(query);
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        return delegate().setUserMemory(userId, memoryType, key, value, expiresAt);
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return delegate().getUserMemory(userId, memoryType, key);
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return delegate().getUserMemory(userId, memoryType);
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return delegate().deleteUserMemory(userId, memoryType, key);
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return delegate().deleteUserMemory(userId, memoryType);
    }

    @Override
    public int purgeExpiredMemory() {
        return delegate().purgeExpiredMemory();
    }

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        return delegate().inTransaction(work);
    }

    @Override
    public HealthStatus healthCheck() {
        return delegate().healthCheck();
    }

    @Override
    public CompletionStage<HealthStatus> healthCheckAsync() {
        return delegate().healthCheckAsync();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate().capabilities();
    }

    @Override
    public BulkAccess bulk() {
        return delegate().bulk();
    }

    @Override
    public void close() {
        delegate().close();
    }
}
