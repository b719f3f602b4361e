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
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The face every store shows its callers: validates each argument before the store is called,
 * refuses calls after {@link #close()}, and turns anything a backend forgot to translate into a
 * {@link dev.dal.api.DataAccessException} (see {@link ErrorGuard}). It also keeps the rules that
 * are the same on every store: writes with caller-chosen ids are safe to repeat
 * ({@link IdempotentWrites}), a health check answers within its deadline, and health reports the
 * mean call latency of the last minute. Each call that passed validation, and each transaction's end, is
 * reported to its {@link CallObserver}.
 */
public final class ValidatingDataAccess implements DataAccess {
    /** Runs health probes so that a caller's wait is bounded even when a probe is not. */
    private static final ExecutorService HEALTH_PROBES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dal-health-probe");
        t.setDaemon(true);
        return t;
    });

    private final DataAccess store;
    private final String storageType;
    private final Validator v;
    private final RecordValidator records;
    private final ErrorGuard guard;
    private final AtomicBoolean closed;
    private final BulkAccess bulk;
    private final Duration healthTimeout;
    private final CallLatency latency;
    private final boolean inTransaction;
    private final CallObserver observer;
    /** The probe still running, shared by callers so a hung store holds one probe thread, not one per call. */
    private final AtomicReference<CompletableFuture<HealthStatus>> probe = new AtomicReference<>();

    /**
     * A store whose calls are not observed (the stores inside are, as for a dual-write store).
     *
     * @param store the backend's store
     * @param storageType its type, for messages
     * @param validator the rules
     * @param healthTimeout the longest {@link #healthCheck()} waits for the store's answer
     */
    public ValidatingDataAccess(DataAccess store, String storageType, Validator validator, Duration healthTimeout) {
        this(store, storageType, validator, healthTimeout, CallObserver.silent());
    }

    /**
     * @param store the backend's store
     * @param storageType its type, for messages
     * @param validator the rules
     * @param healthTimeout the longest {@link #healthCheck()} waits for the store's answer
     * @param observer where each call's time and outcome and each transaction's end are reported
     */
    public ValidatingDataAccess(
            DataAccess store, String storageType, Validator validator, Duration healthTimeout, CallObserver observer) {
        this(store, storageType, validator, new AtomicBoolean(), healthTimeout, new CallLatency(), false, observer);
    }

    private ValidatingDataAccess(
            DataAccess store,
            String storageType,
            Validator validator,
            AtomicBoolean closed,
            Duration healthTimeout,
            CallLatency latency,
            boolean inTransaction,
            CallObserver observer) {
        this.store = store;
        this.storageType = storageType;
        this.v = validator;
        this.records = new RecordValidator(validator);
        this.guard = new ErrorGuard(storageType);
        this.closed = closed;
        this.bulk = new ValidatingBulkAccess(store.bulk(), records, guard, this::ensureOpen);
        this.healthTimeout = healthTimeout;
        this.latency = latency;
        this.inTransaction = inTransaction;
        this.observer = observer;
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

    private <T> T call(String operation, Supplier<T> work) {
        ensureOpen();
        long start = System.nanoTime();
        try {
            T result = guard.call(operation, work);
            observer.called(operation, start, null);
            return result;
        } catch (RuntimeException e) {
            observer.called(operation, start, e);
            throw e;
        } finally {
            latency.record(start);
        }
    }

    /**
     * A write with caller-chosen ids: first the stored copy, if there is one; then the write; and
     * after a duplicate-key failure (another attempt of the same write won a race) the stored copy
     * again. Inside a transaction only the first look applies: a failed statement may have ended
     * the transaction, so the failure goes to the caller, who repeats the whole transaction.
     */
    private <T> T repeatable(String operation, Supplier<Optional<T>> stored, Supplier<T> write) {
        return call(operation, () -> {
            Optional<T> before = stored.get();
            if (before.isPresent()) {
                return before.get();
            }
            try {
                return write.get();
            } catch (dev.dal.api.DuplicateKeyException e) {
                if (inTransaction) {
                    throw e;
                }
                return stored.get().orElseThrow(() -> e);
            }
        });
    }

    @Override
    public User createUser(NewUser user) {
        records.newUser(user);
        if (user.id() != null) {
            return repeatable(
                    "createUser", () -> IdempotentWrites.storedUser(store, user), () -> store.createUser(user));
        }
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
        if (session.id() != null) {
            return repeatable(
                    "createChatSession",
                    () -> IdempotentWrites.storedSession(store, session),
                    () -> store.createChatSession(session));
        }
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
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        checkUserPage(userId, filter, limit, offset);
        return call("listUserSessions", () -> store.listUserSessions(userId, filter, limit, offset));
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        checkUserPage(userId, filter, limit, offset);
        return call(
                "listUserSessionsWithLastMessage",
                () -> store.listUserSessionsWithLastMessage(userId, filter, limit, offset));
    }

    private void checkUserPage(UUID userId, SessionFilter filter, int limit, int offset) {
        v.required("userId", userId);
        records.sessionFilter(filter);
        v.limit("limit", limit);
        v.notNegative("offset", offset);
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        v.key("chatId", chatId);
        records.newMessage("message", message);
        if (message.id() != null) {
            return repeatable(
                    "addMessage",
                    () -> IdempotentWrites.storedMessages(store, chatId, List.of(message))
                            .map(m -> m.get(0)),
                    () -> store.addMessage(chatId, message));
        }
        return call("addMessage", () -> store.addMessage(chatId, message));
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        v.key("chatId", chatId);
        v.batch("messages", messages);
        for (int i = 0; i < messages.size(); i++) {
            records.newMessage("messages", i, messages.get(i));
        }
        List<NewMessage> copy = List.copyOf(messages);
        boolean withIds = copy.get(0).id() != null;
        java.util.Set<UUID> ids = new java.util.HashSet<>();
        for (int i = 0; i < copy.size(); i++) {
            UUID id = copy.get(i).id();
            if ((id != null) != withIds) {
                throw new dev.dal.api.ValidationException(
                        "messages[" + i + "].id", "must be given for every message of the call or for none");
            }
            if (id != null && !ids.add(id)) {
                throw new dev.dal.api.ValidationException("messages[" + i + "].id", "must not repeat within the call");
            }
        }
        if (withIds) {
            return repeatable(
                    "addMessages",
                    () -> IdempotentWrites.storedMessages(store, chatId, copy),
                    () -> store.addMessages(chatId, copy));
        }
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
    public SearchPage searchMessages(SearchQuery query) {
        records.searchQuery(query);
        return call("searchMessages", () -> store.searchMessages(query));
    }

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        records.votedMessage(chatId, sequenceNumber, userId);
        v.required("vote", vote);
        return call("voteMessage", () -> store.voteMessage(chatId, sequenceNumber, userId, vote));
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        records.votedMessage(chatId, sequenceNumber, userId);
        return call("clearVote", () -> store.clearVote(chatId, sequenceNumber, userId));
    }

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        v.key("chatId", chatId);
        records.sequenceRange(fromSequence, toSequence);
        return call("getVoteTallies", () -> store.getVoteTallies(chatId, fromSequence, toSequence));
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        v.key("chatId", chatId);
        v.required("userId", userId);
        records.sequenceRange(fromSequence, toSequence);
        return call("getUserVotes", () -> store.getUserVotes(chatId, userId, fromSequence, toSequence));
    }

    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        records.newTokenUsage(usage);
        return call("recordTokenUsage", () -> store.recordTokenUsage(usage));
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        records.tokenUsageQuery(query);
        return call("getTokenUsageTotals", () -> store.getTokenUsageTotals(query));
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
        long start = System.nanoTime();
        int[] attempts = {0};
        try {
            T result = guard.transaction(store, work, tx -> {
                attempts[0]++;
                return tx == store
                        ? this
                        : new ValidatingDataAccess(tx, storageType, v, closed, healthTimeout, latency, true, observer);
            });
            observer.called("inTransaction", start, null);
            if (!inTransaction) {
                observer.transactionEnded(attempts[0], true);
            }
            return result;
        } catch (RuntimeException e) {
            observer.called("inTransaction", start, e);
            if (!inTransaction) {
                // A nested call joins the outer transaction, which alone commits or rolls back.
                observer.transactionEnded(attempts[0], false);
            }
            throw e;
        }
    }

    @Override
    public HealthStatus healthCheck() {
        if (closed.get()) {
            return down(Duration.ZERO, "store is closed");
        }
        long start = System.nanoTime();
        CompletableFuture<HealthStatus> running = probe.updateAndGet(
                p -> p != null && !p.isDone() ? p : CompletableFuture.supplyAsync(store::healthCheck, HEALTH_PROBES));
        try {
            return withLatency(running.get(healthTimeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return down(
                    Duration.ofNanos(System.nanoTime() - start),
                    "no answer within DAL_HEALTH_TIMEOUT (" + healthTimeout.toMillis() + " ms)");
        } catch (ExecutionException e) {
            return down(Duration.ofNanos(System.nanoTime() - start), "health check failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(Duration.ofNanos(System.nanoTime() - start), "interrupted while waiting for the health check");
        }
    }

    private HealthStatus down(Duration waited, String why) {
        return withLatency(
                new HealthStatus(HealthStatus.Status.DOWN, storageType, waited, Map.of(), why, Instant.now()));
    }

    /** Adds the figures every store reports the same way: calls and their mean latency over the last minute. */
    private HealthStatus withLatency(HealthStatus status) {
        double[] lastMinute = latency.lastMinute();
        Map<String, Object> details = new java.util.LinkedHashMap<>(status.details());
        details.put("callsLastMinute", (long) lastMinute[0]);
        details.put("meanCallLatencyMs", Math.round(lastMinute[1] * 1000) / 1000.0);
        return new HealthStatus(
                status.status(), status.storageType(), status.latency(), details, status.error(), status.checkedAt());
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
        return stage.toCompletableFuture()
                .orTimeout(healthTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(this::withLatency)
                .exceptionally(e -> down(
                        healthTimeout,
                        e instanceof TimeoutException || e.getCause() instanceof TimeoutException
                                ? "no answer within DAL_HEALTH_TIMEOUT (" + healthTimeout.toMillis() + " ms)"
                                : "health check failed"));
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
            try {
                guard.call("close", () -> {
                    store.close();
                    return null;
                });
            } finally {
                observer.closed();
            }
        }
    }

    @Override
    public String toString() {
        return "DataAccess[" + storageType + "]";
    }
}
