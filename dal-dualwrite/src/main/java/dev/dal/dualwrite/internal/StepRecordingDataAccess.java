package dev.dal.dualwrite.internal;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.dal.api.TransactionWork;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.ForwardingDataAccess;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes to the primary (or a transaction of it) and tells a sink which {@link Step}s the secondary now owes:
 * the decorator's sink replicates them at once, a transaction's sink collects them until the commit. Reads go
 * to the same primary handle, so work inside a transaction sees its own writes; so do health checks, and
 * {@link #close()} closes that handle.
 */
public final class StepRecordingDataAccess extends ForwardingDataAccess {
    private final DataAccess target;
    private final ReplicationSink sink;

    /**
     * @param target the primary, or the primary's transaction handle
     * @param sink receives the steps of each write, after the write returned
     */
    public StepRecordingDataAccess(DataAccess target, ReplicationSink sink) {
        this.target = target;
        this.sink = sink;
    }

    @Override
    protected DataAccess delegate() {
        return target;
    }

    private <T> T wrote(T result, Step... steps) {
        sink.owe(List.of(steps));
        return result;
    }

    @Override
    public User createUser(NewUser user) {
        // The id is chosen here, not by the primary, so the intent can name it before the write.
        NewUser withId = user.id() != null
                ? user
                : new NewUser(
                        user.externalId(),
                        user.email(),
                        user.name(),
                        user.profile(),
                        user.preferences(),
                        user.status(),
                        dev.dal.api.spi.Ids.newId());
        sink.intend(List.of(Step.user(withId.id(), "createUser")));
        User created = target.createUser(withId);
        return wrote(created, Step.user(created.id(), "createUser"));
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        sink.intend(List.of(Step.user(id, "updateUser")));
        return wrote(target.updateUser(id, update), Step.user(id, "updateUser"));
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        sink.intend(List.of(Step.userDeletion(id, mode, "deleteUser")));
        boolean deleted = target.deleteUser(id, mode);
        return deleted ? wrote(true, Step.userDeletion(id, mode, "deleteUser")) : false;
    }

    @Override
    public ChatSession createChatSession(NewChatSession session) {
        sink.intend(List.of(Step.session(session.chatId(), "createChatSession")));
        ChatSession created = target.createChatSession(session);
        return wrote(created, Step.session(created.chatId(), "createChatSession"));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        sink.intend(List.of(Step.session(chatId, "updateChatSession")));
        return wrote(target.updateChatSession(chatId, update), Step.session(chatId, "updateChatSession"));
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        sink.intend(List.of(Step.session(chatId, "deleteChatSession")));
        boolean deleted = target.deleteChatSession(chatId);
        return deleted ? wrote(true, Step.session(chatId, "deleteChatSession")) : false;
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        sink.intend(List.of(Step.sessionTail(chatId, "addMessage")));
        Message stored = target.addMessage(chatId, message);
        return wrote(stored, Step.messages(chatId, List.of(stored), "addMessage"));
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        sink.intend(List.of(Step.sessionTail(chatId, "addMessages")));
        List<Message> stored = target.addMessages(chatId, messages);
        return stored.isEmpty() ? stored : wrote(stored, Step.messages(chatId, stored, "addMessages"));
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        sink.intend(List.of(Step.memory(userId, memoryType, key, null, "setUserMemory")));
        MemoryEntry stored = target.setUserMemory(userId, memoryType, key, value, expiresAt);
        return wrote(stored, Step.memory(userId, memoryType, key, stored, "setUserMemory"));
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        // Replicated even when nothing visible was deleted: an expired entry may have been removed.
        sink.intend(List.of(Step.memory(userId, memoryType, key, null, "deleteUserMemory")));
        return wrote(
                target.deleteUserMemory(userId, memoryType, key),
                Step.memory(userId, memoryType, key, null, "deleteUserMemory"));
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        sink.intend(List.of(Step.memoryType(userId, memoryType, "deleteUserMemory")));
        return wrote(
                target.deleteUserMemory(userId, memoryType), Step.memoryType(userId, memoryType, "deleteUserMemory"));
    }

    @Override
    public int purgeExpiredMemory() {
        sink.intend(List.of(Step.expiredMemory("purgeExpiredMemory")));
        return wrote(target.purgeExpiredMemory(), Step.expiredMemory("purgeExpiredMemory"));
    }

    /**
     * Reads the session's id first, so the intent can name the vote before the write (the repair journal keys votes
     * by session id, as the bulk interface does); an unknown session writes nothing and needs no intent.
     */
    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        Optional<VoteKey> key = voteKey(chatId, sequenceNumber, userId);
        key.ifPresent(k -> sink.intend(List.of(Step.vote(k, "voteMessage"))));
        MessageVote cast = target.voteMessage(chatId, sequenceNumber, userId, vote);
        return wrote(cast, Step.vote(VoteKey.of(cast), "voteMessage"));
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        Optional<VoteKey> key = voteKey(chatId, sequenceNumber, userId);
        if (key.isEmpty()) {
            return target.clearVote(chatId, sequenceNumber, userId);
        }
        sink.intend(List.of(Step.vote(key.get(), "clearVote")));
        return wrote(target.clearVote(chatId, sequenceNumber, userId), Step.vote(key.get(), "clearVote"));
    }

    /**
     * Gives the record its id before the write (unless the caller chose one), so the intent names it: the request is
     * repeatable under that id, and the repair journal keys usage by id.
     */
    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        NewTokenUsage withId = usage.id() != null ? usage : usage.withId(dev.dal.api.spi.Ids.newId());
        sink.intend(List.of(Step.tokenUsage(withId.id(), "recordTokenUsage")));
        TokenUsage recorded = target.recordTokenUsage(withId);
        return wrote(recorded, Step.tokenUsage(recorded.id(), "recordTokenUsage"));
    }

    private Optional<VoteKey> voteKey(String chatId, long sequenceNumber, UUID userId) {
        return target.getChatSession(chatId).map(s -> new VoteKey(s.id(), sequenceNumber, userId));
    }

    /** Joins the running transaction; writes of the nested work go to the same sink. */
    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        return target.inTransaction(
                inner -> work.run(inner == target ? this : new StepRecordingDataAccess(inner, sink)));
    }

    /** Bulk upserts are recorded like any other write; scans read the same handle. */
    @Override
    public BulkAccess bulk() {
        BulkAccess own = target.bulk();
        return new StepRecordingBulkAccess(kind -> own, own, sink);
    }
}
