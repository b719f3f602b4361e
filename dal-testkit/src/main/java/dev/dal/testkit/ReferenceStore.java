package dev.dal.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.SearchHit;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.SessionStatus;
import dev.dal.api.Timestamps;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.TransactionWork;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.ScanCursors;
import dev.dal.api.spi.SearchCursors;
import dev.dal.api.spi.SearchWords;
import dev.dal.api.spi.TokenTotals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A small, obviously correct in-memory store: the kit's own reference backend, and an in-memory
 * {@link DataAccess} for tests and examples. It passes the whole kit; its data lives in a {@link State}
 * that several handles may share, and is gone when the JVM ends. Writes and transactions hold the write
 * side of a read-write lock; reads take the read side, so readers overlap each other and interleave with
 * a writer between its calls. A transaction copies the state and restores it on failure. Every lock wait
 * is bounded by the given wait. The kit's own self-test can switch on one planted bug at a time.
 */
public final class ReferenceStore implements DataAccess, BulkAccess {

    /** Everything one store holds; the handles of the same store share it. Safe for many threads. */
    public static final class State {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final Map<UUID, Long> highWater = new HashMap<>();
        Map<UUID, User> users = new HashMap<>();
        Map<UUID, ChatSession> sessions = new HashMap<>();
        Map<UUID, TreeMap<Long, Message>> messages = new HashMap<>();
        TreeMap<MemoryKey, MemoryEntry> memory = new TreeMap<>();
        /** Session id, then sequence number, then the voters' votes. */
        Map<UUID, TreeMap<Long, Map<UUID, MessageVote>>> votes = new HashMap<>();
        /** Token usage records by id, in the order they were recorded. */
        Map<UUID, TokenUsage> tokenUsage = new LinkedHashMap<>();

        Map<UUID, Long> userTombstones = new HashMap<>();
        Map<String, Tombstone> sessionTombstones = new HashMap<>();
        TreeMap<MemoryKey, Long> memoryTombstones = new TreeMap<>();
        int txDepth;

        /** Creates an empty store's state. */
        public State() {
            // empty
        }

        State copy() {
            State copy = new State();
            copy.users = new HashMap<>(users);
            copy.sessions = new HashMap<>(sessions);
            messages.forEach((k, v) -> copy.messages.put(k, new TreeMap<>(v)));
            copy.memory = new TreeMap<>(memory);
            votes.forEach((session, bySequence) -> {
                TreeMap<Long, Map<UUID, MessageVote>> copied = new TreeMap<>();
                bySequence.forEach((seq, voters) -> copied.put(seq, new HashMap<>(voters)));
                copy.votes.put(session, copied);
            });
            copy.tokenUsage = new LinkedHashMap<>(tokenUsage);
            copy.userTombstones = new HashMap<>(userTombstones);
            copy.sessionTombstones = new HashMap<>(sessionTombstones);
            copy.memoryTombstones = new TreeMap<>(memoryTombstones);
            return copy;
        }

        void restore(State from) {
            users = from.users;
            sessions = from.sessions;
            messages = from.messages;
            memory = from.memory;
            votes = from.votes;
            tokenUsage = from.tokenUsage;
            userTombstones = from.userTombstones;
            sessionTombstones = from.sessionTombstones;
            memoryTombstones = from.memoryTombstones;
        }
    }

    /** Set only by the planted {@link PlantedBug#MEMORY_KEYS_CASE_INSENSITIVE}; the planted tests run one at a time. */
    static volatile boolean foldKeys;

    record MemoryKey(String userId, String type, String key) implements Comparable<MemoryKey> {
        static MemoryKey of(UUID userId, String type, String key) {
            return new MemoryKey(userId.toString(), type, key);
        }

        MemoryKey folded() {
            return new MemoryKey(userId, type, key.toLowerCase(java.util.Locale.ROOT));
        }

        @Override
        public int compareTo(MemoryKey o) {
            if (foldKeys) {
                return folded().compareTo0(o.folded());
            }
            return compareTo0(o);
        }

        private int compareTo0(MemoryKey o) {
            return Comparator.comparing(MemoryKey::userId)
                    .thenComparing(MemoryKey::type)
                    .thenComparing(MemoryKey::key)
                    .compare(this, o);
        }
    }

    private final State state;
    private final Clock clock;
    private final Set<Capability> capabilities;
    private final java.time.Duration lockWait;
    private final PlantedBug bug;
    private final String storageType;

    /**
     * Opens a handle on a store.
     *
     * @param storageType the type its health checks report, e.g. {@code "memory"}
     * @param state the store's data, shared with its other handles
     * @param clock the clock for timestamps and expiry
     * @param capabilities what the store declares; {@link Capability#TRANSACTIONS} turns
     *     {@link #inTransaction} on, the others only change what the kit expects
     * @param lockWait the longest a call waits for the store's lock
     */
    public ReferenceStore(
            String storageType, State state, Clock clock, Set<Capability> capabilities, java.time.Duration lockWait) {
        this(storageType, state, clock, capabilities, lockWait, null);
    }

    ReferenceStore(State state, Clock clock, Set<Capability> capabilities, java.time.Duration lockWait) {
        this("reference", state, clock, capabilities, lockWait, null);
    }

    ReferenceStore(
            State state, Clock clock, Set<Capability> capabilities, java.time.Duration lockWait, PlantedBug bug) {
        this("reference", state, clock, capabilities, lockWait, bug);
    }

    private ReferenceStore(
            String storageType,
            State state,
            Clock clock,
            Set<Capability> capabilities,
            java.time.Duration lockWait,
            PlantedBug bug) {
        this.storageType = Objects.requireNonNull(storageType, "storageType");
        this.bug = bug;
        this.state = state;
        this.clock = clock;
        this.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
        this.lockWait = lockWait;
    }

    private boolean has(PlantedBug planted) {
        return bug == planted;
    }

    /** Takes the write lock, waiting at most DB_QUERY_TIMEOUT, as every store bounds its lock waits. */
    private void lock() {
        lock(state.lock.writeLock());
    }

    private void lock(Lock which) {
        if (has(PlantedBug.LOCK_WAIT_UNBOUNDED)) {
            which.lock();
            return;
        }
        try {
            if (!which.tryLock(lockWait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                throw dev.dal.api.spi.StoreFailures.of("The reference store").lockTimeout("a call", lockWait, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.dal.api.TransientDataAccessException("Interrupted while waiting for the lock", null);
        }
    }

    private <T> T locked(Supplier<T> work) {
        lock();
        try {
            return work.get();
        } finally {
            state.lock.writeLock().unlock();
        }
    }

    /** Runs a read under the read lock: readers share it; the writer's lock (and a transaction's) excludes them. */
    private <T> T read(Supplier<T> work) {
        Lock readLock = state.lock.readLock();
        lock(readLock);
        try {
            return work.get();
        } finally {
            readLock.unlock();
        }
    }

    private Instant now() {
        return Timestamps.now(clock);
    }

    // ---- users ----

    private void checkExternalId(String externalId, UUID self) {
        if (has(PlantedBug.UPDATE_SKIPS_EXTERNAL_ID_CHECK) && self != null && state.users.containsKey(self)) {
            return;
        }
        if (externalId != null
                && state.users.values().stream()
                        .anyMatch(u -> externalId.equals(u.externalId()) && !u.id().equals(self))) {
            throw new DuplicateKeyException(DuplicateKeyException.Key.EXTERNAL_ID);
        }
    }

    @Override
    public User createUser(NewUser user) {
        if (has(PlantedBug.RACY_EXTERNAL_ID_CHECK)) {
            read(() -> {
                checkExternalId(user.externalId(), null);
                return null;
            });
            Thread.yield();
        }
        return locked(() -> {
            if (!has(PlantedBug.RACY_EXTERNAL_ID_CHECK)) {
                checkExternalId(user.externalId(), null);
            }
            User created = user.toUser(Ids.newId(), now());
            Long tombstone = state.userTombstones.remove(created.id());
            if (tombstone != null) {
                created = created.withVersion(tombstone + 1);
            }
            state.users.put(created.id(), created);
            return created;
        });
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return read(() -> Optional.ofNullable(state.users.get(id)));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return read(() -> state.users.values().stream()
                .filter(u -> externalId.equals(u.externalId()))
                .findFirst());
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return locked(() -> {
            User current = state.users.get(id);
            if (current == null) {
                throw NotFoundException.of("user", id);
            }
            User updated = update.applyTo(
                    current,
                    has(PlantedBug.UPDATE_KEEPS_UPDATED_AT)
                            ? current.updatedAt()
                            : has(PlantedBug.UPDATE_USES_SYSTEM_CLOCK) ? Timestamps.now(Clock.systemUTC()) : now());
            checkExternalId(updated.externalId(), id);
            state.users.put(id, updated);
            return updated;
        });
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return locked(() -> {
            User removed = state.users.remove(id);
            if (removed == null) {
                return false;
            }
            state.userTombstones.put(id, removed.version() + 1);
            if (!has(PlantedBug.DELETE_USER_KEEPS_MEMORY)) {
                state.memory.keySet().removeIf(k -> k.userId().equals(id.toString()));
            }
            if (!has(PlantedBug.DELETED_USERS_VOTES_COUNTED)) {
                state.votes.values().forEach(bySequence -> bySequence.values().forEach(voters -> voters.remove(id)));
            }
            if (!has(PlantedBug.DELETED_USERS_USAGE_COUNTED)) {
                state.tokenUsage.values().removeIf(u -> u.userId().equals(id));
            }
            for (ChatSession session : List.copyOf(state.sessions.values())) {
                if (id.equals(session.userId())) {
                    if (mode == DeleteMode.PURGE || has(PlantedBug.KEEP_MODE_PURGES_SESSIONS)) {
                        state.sessions.remove(session.id());
                        state.messages.remove(session.id());
                        state.votes.remove(session.id());
                        removeUsageOf(session.id());
                        state.sessionTombstones.put(
                                session.chatId(),
                                Tombstone.ofSession(session.chatId(), session.id(), session.version() + 1));
                    } else {
                        state.sessions.put(session.id(), session.withUserId(null));
                    }
                }
            }
            return true;
        });
    }

    // ---- sessions ----

    private Optional<ChatSession> byChatId(String chatId) {
        return state.sessions.values().stream()
                .filter(s -> s.chatId().equals(chatId))
                .findFirst();
    }

    private ChatSession requireSession(String chatId) {
        return byChatId(chatId).orElseThrow(() -> NotFoundException.of("chat session", chatId));
    }

    private void requireUser(UUID userId) {
        if (userId != null && !state.users.containsKey(userId)) {
            throw NotFoundException.of("user", userId);
        }
    }

    @Override
    public ChatSession createChatSession(NewChatSession session) {
        boolean racy = has(PlantedBug.RACY_CHAT_ID_CHECK);
        if (racy && read(() -> byChatId(session.chatId()).isPresent())) {
            throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
        }
        if (racy) {
            Thread.yield();
        }
        return locked(() -> {
            if (!racy && byChatId(session.chatId()).isPresent()) {
                throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
            }
            requireUser(session.userId());
            ChatSession created = session.toSession(Ids.newId(), now());
            Tombstone tombstone = state.sessionTombstones.remove(created.chatId());
            if (tombstone != null) {
                created = created.withVersion(tombstone.version() + 1);
            }
            state.sessions.put(created.id(), created);
            return created;
        });
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return read(() -> byChatId(chatId));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return locked(() -> {
            ChatSession current = requireSession(chatId);
            ChatSession updated = update.applyTo(current, now());
            requireUser(updated.userId());
            state.sessions.put(updated.id(), updated);
            return updated;
        });
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return locked(() -> byChatId(chatId)
                .map(s -> {
                    state.sessions.remove(s.id());
                    state.sessionTombstones.put(chatId, Tombstone.ofSession(chatId, s.id(), s.version() + 1));
                    if (!has(PlantedBug.DELETE_ORPHANS_MESSAGES)) {
                        state.messages.remove(s.id());
                    }
                    state.votes.remove(s.id());
                    removeUsageOf(s.id());
                    return true;
                })
                .orElse(false));
    }

    private List<ChatSession> page(UUID userId, SessionFilter filter, int limit, int offset) {
        List<ChatSession> page = state.sessions.values().stream()
                .filter(s -> userId.equals(s.userId()))
                .filter(s -> has(PlantedBug.SESSION_FILTER_AFTER_PAGE) || admits(filter, s))
                .sorted(Comparator.comparing(ChatSession::lastActivityAt)
                        .reversed()
                        .thenComparing(
                                has(PlantedBug.WRONG_SORT_TIE_BREAK)
                                        ? Comparator.comparing((ChatSession s) -> s.id().toString())
                                        : Comparator.comparing((ChatSession s) -> s.id().toString())
                                                .reversed()))
                .skip(offset)
                .limit(limit)
                .toList();
        return has(PlantedBug.SESSION_FILTER_AFTER_PAGE)
                ? page.stream().filter(s -> admits(filter, s)).toList()
                : page;
    }

    private boolean admits(SessionFilter filter, ChatSession session) {
        if (has(PlantedBug.SESSION_PROFILE_IGNORES_CASE) && filter.profile() != null) {
            return (filter.includeArchived() || session.status() == SessionStatus.ACTIVE)
                    && filter.profile().equalsIgnoreCase(session.profile());
        }
        return filter.admits(session);
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return read(() -> page(userId, filter, limit, offset));
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        return read(() -> page(userId, filter, limit, offset).stream()
                .map(s -> {
                    TreeMap<Long, Message> history = state.messages.get(s.id());
                    return new SessionOverview(
                            s,
                            history == null || history.isEmpty()
                                    ? null
                                    : has(PlantedBug.OVERVIEW_CARRIES_FIRST_MESSAGE)
                                            ? history.firstEntry().getValue()
                                            : history.lastEntry().getValue());
                })
                .toList());
    }

    // ---- messages ----

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return addMessages(chatId, List.of(message)).get(0);
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        if (has(PlantedBug.NON_ATOMIC_ADD_MESSAGES) && messages.size() > 1) {
            List<Message> added = new ArrayList<>();
            for (NewMessage m : messages) {
                added.addAll(addMessages(chatId, List.of(m)));
                Thread.yield();
            }
            return added;
        }
        if (has(PlantedBug.TRANSACTION_FAILS_EARLY) && state.lock.isWriteLockedByCurrentThread() && state.txDepth > 0) {
            throw new dev.dal.api.TransientDataAccessException("planted: the transaction failed early", null);
        }
        if (has(PlantedBug.RACY_SEQUENCE_NUMBER)) {
            long counted = read(() -> requireSession(chatId).messageCount());
            Thread.yield();
            return locked(() -> append(requireSession(chatId), counted, messages));
        }
        return locked(() -> {
            ChatSession session = requireSession(chatId);
            long seq = session.messageCount();
            if (has(PlantedBug.GAP_AFTER_ROLLBACK)) {
                seq = Math.max(seq, state.highWater.getOrDefault(session.id(), 0L));
            }
            return append(session, seq, messages);
        });
    }

    private List<Message> append(ChatSession session, long from, List<NewMessage> messages) {
        {
            Instant now = now();
            long seq = from;
            List<Message> added = new ArrayList<>();
            TreeMap<Long, Message> history = state.messages.computeIfAbsent(session.id(), k -> new TreeMap<>());
            for (NewMessage m : messages) {
                Message stored = m.toMessage(Ids.newId(), session.id(), ++seq, now);
                history.put(stored.sequenceNumber(), stored);
                added.add(stored);
            }
            state.sessions.put(session.id(), session.withMessages(seq, now));
            state.highWater.put(session.id(), seq);
            return added;
        }
    }

    private List<Message> history(String chatId) {
        return byChatId(chatId)
                .map(s -> state.messages.getOrDefault(s.id(), new TreeMap<>()))
                .map(h -> List.copyOf(h.values()))
                .orElse(List.of());
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return read(() -> history(chatId).stream()
                .skip(has(PlantedBug.HISTORY_IGNORES_OFFSET) ? 0 : offset)
                .limit(limit)
                .toList());
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return read(() -> {
            List<Message> all = history(chatId);
            List<Message> window = switch (query.direction()) {
                case LATEST -> all;
                case AFTER ->
                    all.stream()
                            .filter(m -> has(PlantedBug.HISTORY_AFTER_INCLUSIVE)
                                    ? m.sequenceNumber() >= query.cursor()
                                    : m.sequenceNumber() > query.cursor())
                            .toList();
                case BEFORE ->
                    all.stream()
                            .filter(m -> m.sequenceNumber() < query.cursor())
                            .toList();
            };
            if (query.direction() == HistoryQuery.Direction.AFTER) {
                return window.stream().limit(query.limit()).toList();
            }
            return window.subList(Math.max(0, window.size() - query.limit()), window.size());
        });
    }

    @Override
    public long getMessageCount(String chatId) {
        return read(() -> byChatId(chatId).map(ChatSession::messageCount).orElse(0L));
    }

    @Override
    public SearchPage searchMessages(SearchQuery query) {
        if (!capabilities.contains(Capability.FULL_TEXT_SEARCH)) {
            throw new UnsupportedCapabilityException(
                    Capability.FULL_TEXT_SEARCH, "this reference store was built without");
        }
        List<String> words = SearchWords.of(query.text());
        SearchCursors.Position after = query.cursor() == null ? null : SearchCursors.decode(query.cursor());
        return read(() -> {
            List<SearchHit> hits = new ArrayList<>();
            for (ChatSession session : state.sessions.values()) {
                boolean inScope = query.chatId() != null
                        ? query.chatId().equals(session.chatId())
                        : query.userId().equals(session.userId());
                TreeMap<Long, Message> history = state.messages.get(session.id());
                if (!inScope || history == null) {
                    continue;
                }
                for (Message m : history.values()) {
                    if (has(PlantedBug.SEARCH_MATCHES_PARTS_OF_WORDS)
                            ? words.stream()
                                    .allMatch(w -> m.content()
                                            .toLowerCase(java.util.Locale.ROOT)
                                            .contains(w))
                            : SearchWords.allIn(words, m.content())) {
                        double score = SearchWords.occurrences(words, m.content());
                        if (after == null
                                || SearchCursors.isAfter(after, score, m.id())
                                || (has(PlantedBug.SEARCH_CURSOR_REPEATS_LAST_HIT)
                                        && m.id().equals(after.messageId()))) {
                            hits.add(new SearchHit(m, session.chatId(), score));
                        }
                    }
                }
            }
            hits.sort(SearchCursors.SEARCH_ORDER);
            return SearchCursors.page(hits, query.limit());
        });
    }

    // ---- votes ----

    private void requireVotes() {
        if (!capabilities.contains(Capability.MESSAGE_VOTES)) {
            throw new UnsupportedCapabilityException(
                    Capability.MESSAGE_VOTES, "this reference store was built without");
        }
    }

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        requireVotes();
        return locked(() -> {
            ChatSession session = requireSession(chatId);
            Message message = Optional.ofNullable(state.messages.get(session.id()))
                    .map(history -> history.get(sequenceNumber))
                    .orElseThrow(() -> NotFoundException.of("message", chatId + "#" + sequenceNumber));
            requireUser(userId);
            MessageVote cast = new MessageVote(message.id(), session.id(), sequenceNumber, userId, vote, now());
            Map<UUID, MessageVote> voters = state.votes
                    .computeIfAbsent(session.id(), k -> new TreeMap<>())
                    .computeIfAbsent(sequenceNumber, k -> new HashMap<>());
            // The planted bug keeps the first vote and files the second under a fresh key.
            voters.put(has(PlantedBug.SECOND_VOTE_ADDS) && voters.containsKey(userId) ? Ids.newId() : userId, cast);
            return cast;
        });
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        requireVotes();
        return locked(() -> byChatId(chatId)
                .map(session -> state.votes.getOrDefault(session.id(), new TreeMap<>()))
                .map(bySequence ->
                        bySequence.getOrDefault(sequenceNumber, new HashMap<>()).remove(userId) != null)
                .orElse(false));
    }

    private List<Map<UUID, MessageVote>> votersIn(String chatId, long fromSequence, long toSequence) {
        return byChatId(chatId)
                .map(session -> state.votes.getOrDefault(session.id(), new TreeMap<>()))
                .map(bySequence -> List.copyOf(
                        bySequence.subMap(fromSequence, true, toSequence, true).values()))
                .orElse(List.of());
    }

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        requireVotes();
        return read(() -> {
            List<VoteTally> tallies = new ArrayList<>();
            for (Map<UUID, MessageVote> voters : votersIn(chatId, fromSequence, toSequence)) {
                if (voters.isEmpty()) {
                    continue;
                }
                long up = voters.values().stream()
                        .filter(v -> v.vote() == Vote.UP)
                        .count();
                long seq = voters.values().iterator().next().sequenceNumber();
                tallies.add(new VoteTally(seq, up, voters.size() - up));
            }
            return tallies;
        });
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        requireVotes();
        return read(() -> votersIn(chatId, fromSequence, toSequence).stream()
                .map(voters -> voters.get(userId))
                .filter(Objects::nonNull)
                .toList());
    }

    // ---- token usage ----

    private void requireTokenUsage() {
        if (!capabilities.contains(Capability.TOKEN_USAGE)) {
            throw new UnsupportedCapabilityException(Capability.TOKEN_USAGE, "this reference store was built without");
        }
    }

    private void removeUsageOf(UUID sessionId) {
        state.tokenUsage.values().removeIf(u -> u.sessionId().equals(sessionId));
    }

    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        requireTokenUsage();
        return locked(() -> {
            ChatSession session = requireSession(usage.chatId());
            Message message = Optional.ofNullable(state.messages.get(session.id()))
                    .map(history -> history.get(usage.sequenceNumber()))
                    .orElseThrow(() -> NotFoundException.of("message", usage.chatId() + "#" + usage.sequenceNumber()));
            requireUser(usage.userId());
            TokenUsage stored = usage.id() == null ? null : state.tokenUsage.get(usage.id());
            if (stored != null) {
                return usage.repeatedBy(session.id(), stored);
            }
            TokenUsage recorded = new TokenUsage(
                    usage.id() != null ? usage.id() : Ids.newId(),
                    message.id(),
                    session.id(),
                    usage.sequenceNumber(),
                    usage.userId(),
                    usage.model(),
                    usage.promptTokens(),
                    usage.completionTokens(),
                    usage.costMicros(),
                    usage.currency(),
                    now());
            state.tokenUsage.put(recorded.id(), recorded);
            return recorded;
        });
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        requireTokenUsage();
        return read(() -> {
            UUID sessionId = null;
            if (query.chatId() != null) {
                Optional<ChatSession> session = byChatId(query.chatId());
                if (session.isEmpty()) {
                    return List.of();
                }
                sessionId = session.get().id();
            }
            TokenUsageQuery counted = query;
            if (has(PlantedBug.TOTALS_INCLUDE_RANGE_END)) {
                counted = new TokenUsageQuery(
                        query.groupBy(),
                        query.from(),
                        query.to().plusMillis(1),
                        query.userId(),
                        query.chatId(),
                        query.limit(),
                        query.afterKey());
            }
            List<TokenUsageTotal> totals = TokenTotals.total(state.tokenUsage.values(), counted, sessionId);
            if (has(PlantedBug.COSTS_ADDED_ACROSS_CURRENCIES)) {
                return totals.stream()
                        .map(t -> new TokenUsageTotal(
                                t.key(),
                                t.promptTokens(),
                                t.completionTokens(),
                                t.records(),
                                t.costMicros().isEmpty()
                                        ? Map.of()
                                        : Map.of(
                                                t.costMicros()
                                                        .keySet()
                                                        .iterator()
                                                        .next(),
                                                t.costMicros().values().stream()
                                                        .mapToLong(Long::longValue)
                                                        .sum())))
                        .toList();
            }
            return totals;
        });
    }

    // ---- memory ----

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        return locked(() -> {
            if (!state.users.containsKey(userId)) {
                throw NotFoundException.of("user", userId);
            }
            Instant now = now();
            MemoryKey k = MemoryKey.of(userId, memoryType, key);
            MemoryEntry existing = state.memory.get(k);
            Instant created = existing != null
                            && !existing.isExpiredAt(now)
                            && !has(PlantedBug.MEMORY_OVERWRITE_RESETS_CREATED_AT)
                    ? existing.createdAt()
                    : now;
            Long tombstone = state.memoryTombstones.remove(k);
            long version = existing != null ? existing.version() + 1 : tombstone != null ? tombstone + 1 : 1;
            MemoryEntry entry = new MemoryEntry(userId, memoryType, key, value, created, now, expiresAt, version);
            state.memory.put(k, entry);
            return entry;
        });
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return read(() -> Optional.ofNullable(state.memory.get(MemoryKey.of(userId, memoryType, key)))
                .filter(e -> has(PlantedBug.EXPIRED_MEMORY_VISIBLE) || !e.isExpiredAt(now())));
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return read(() -> state.memory.values().stream()
                .filter(e -> e.userId().equals(userId) && e.memoryType().equals(memoryType))
                .filter(e -> has(PlantedBug.EXPIRED_MEMORY_LISTED) || !e.isExpiredAt(now()))
                .toList());
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return locked(() -> removeMemory(e -> e.userId().equals(userId)
                        && e.memoryType().equals(memoryType)
                        && e.key().equals(key))
                > 0);
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return locked(() -> {
            return removeMemory(e -> e.userId().equals(userId)
                    && (has(PlantedBug.DELETE_TYPE_DELETES_ALL_TYPES)
                            || e.memoryType().equals(memoryType)));
        });
    }

    @Override
    public int purgeExpiredMemory() {
        return locked(() -> {
            Instant now = now();
            Instant cutoff = has(PlantedBug.PURGE_REMOVES_LIVE_MEMORY) ? now.plus(Duration.ofHours(1)) : now;
            return removeMemory(e -> e.isExpiredAt(cutoff));
        });
    }

    /** Removes the matching entries, each leaving a tombstone; called under the write lock. */
    private int removeMemory(java.util.function.Predicate<MemoryEntry> which) {
        List<MemoryEntry> gone = state.memory.values().stream().filter(which).toList();
        for (MemoryEntry e : gone) {
            MemoryKey k = MemoryKey.of(e.userId(), e.memoryType(), e.key());
            state.memory.remove(k);
            state.memoryTombstones.put(k, e.version() + 1);
        }
        return gone.size();
    }

    // ---- transactions, health, lifecycle ----

    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        if (!capabilities.contains(Capability.TRANSACTIONS)) {
            throw new UnsupportedCapabilityException(Capability.TRANSACTIONS, "this reference store was built without");
        }
        if (has(PlantedBug.TRANSACTION_VISIBLE_BEFORE_COMMIT) || has(PlantedBug.LOST_UPDATE_IN_TRANSACTIONS)) {
            return unlockedTransaction(work);
        }
        lock();
        try {
            if (state.txDepth > 0) {
                return work.run(this);
            }
            State saved = state.copy();
            state.txDepth++;
            try {
                return work.run(this);
            } catch (RuntimeException | Error e) {
                if (has(PlantedBug.ROLLBACK_KEEPS_MEMORY)) {
                    saved.memory = state.memory;
                }
                state.restore(saved);
                throw e;
            } finally {
                state.txDepth--;
            }
        } finally {
            state.lock.writeLock().unlock();
        }
    }

    /** The planted transaction bugs: work runs without holding the lock. */
    private <T> T unlockedTransaction(TransactionWork<T> work) {
        if (has(PlantedBug.TRANSACTION_VISIBLE_BEFORE_COMMIT)) {
            State saved = locked(state::copy);
            try {
                return work.run(this);
            } catch (RuntimeException | Error e) {
                locked(() -> {
                    state.restore(saved);
                    return null;
                });
                throw e;
            }
        }
        // LOST_UPDATE_IN_TRANSACTIONS: a private snapshot, installed whole at commit (last writer wins).
        State snapshot = read(state::copy);
        ReferenceStore tx = new ReferenceStore(snapshot, clock, EnumSet.noneOf(Capability.class), lockWait, null);
        T result = work.run(tx);
        locked(() -> {
            state.restore(snapshot);
            return null;
        });
        return result;
    }

    @Override
    public HealthStatus healthCheck() {
        int users = read(() -> state.users.size());
        Map<String, Object> details = has(PlantedBug.HEALTH_LEAKS_SECRET)
                ? Map.of("users", users, "url", "postgresql://dal:hunter2@db.internal:5432/dal")
                : Map.of("users", users);
        return new HealthStatus(HealthStatus.Status.UP, storageType, Duration.ZERO, details, null, Instant.now());
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities.isEmpty() ? Set.of() : EnumSet.copyOf(capabilities);
    }

    @Override
    public BulkAccess bulk() {
        return this;
    }

    @Override
    public void close() {}

    // ---- bulk ----

    /**
     * @param key the scan order's key of a record
     * @param from the key of the record the scan resumes after, {@code null} for the first batch
     * @param cursorOf the cursor of a record
     */
    private <T> ScanBatch<T> scan(
            List<T> sorted, Function<T, String> key, String from, Function<T, String> cursorOf, int batchSize) {
        List<T> after = from == null
                ? sorted
                : sorted.stream()
                        .filter(item -> key.apply(item).compareTo(from) > 0
                                || has(PlantedBug.SCAN_CURSOR_REPEATS)
                                        && key.apply(item).equals(from))
                        .toList();
        List<T> items = after.subList(0, Math.min(batchSize, after.size()));
        String next = after.size() > batchSize
                ? cursorOf.apply(
                        has(PlantedBug.SCAN_CURSOR_SKIPS) ? after.get(items.size()) : items.get(items.size() - 1))
                : null;
        return new ScanBatch<>(items, next);
    }

    private static String messageKey(UUID sessionId, long sequenceNumber) {
        return sessionId + "/" + String.format("%020d", sequenceNumber);
    }

    private static String messageKey(Message m) {
        return messageKey(m.sessionId(), m.sequenceNumber());
    }

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        UUID from = ScanCursors.afterUser(cursor);
        return read(() -> scan(
                state.users.values().stream()
                        .sorted(Comparator.comparing(u -> u.id().toString()))
                        .toList(),
                u -> u.id().toString(),
                from == null ? null : from.toString(),
                ScanCursors::ofUser,
                batchSize));
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        UUID from = ScanCursors.afterSession(cursor);
        return read(() -> scan(
                state.sessions.values().stream()
                        .sorted(Comparator.comparing(s -> s.id().toString()))
                        .toList(),
                s -> s.id().toString(),
                from == null ? null : from.toString(),
                ScanCursors::ofSession,
                batchSize));
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        ScanCursors.MessagePosition from = ScanCursors.afterMessage(cursor);
        return read(() -> scan(
                state.messages.values().stream()
                        .flatMap(h -> h.values().stream())
                        .sorted(Comparator.comparing(ReferenceStore::messageKey))
                        .toList(),
                ReferenceStore::messageKey,
                from == null ? null : messageKey(from.sessionId(), from.sequenceNumber()),
                ScanCursors::ofMessage,
                batchSize));
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        ScanCursors.MemoryPosition position = ScanCursors.afterMemory(cursor);
        MemoryKey from =
                position == null ? null : MemoryKey.of(position.userId(), position.memoryType(), position.key());
        return read(() -> {
            List<MemoryEntry> after =
                    new ArrayList<>((from == null ? state.memory : state.memory.tailMap(from, false)).values());
            List<MemoryEntry> items = after.subList(0, Math.min(batchSize, after.size()));
            String next = after.size() > batchSize ? ScanCursors.ofMemory(items.get(items.size() - 1)) : null;
            return new ScanBatch<>(items, next);
        });
    }

    @Override
    public void upsertUsers(List<User> users) {
        putUsers(users, false);
    }

    @Override
    public void overwriteUsers(List<User> users) {
        putUsers(users, true);
    }

    private void putUsers(List<User> users, boolean overwrite) {
        locked(() -> {
            for (User user : users) {
                User live = state.users.get(user.id());
                long stored = live != null ? live.version() : state.userTombstones.getOrDefault(user.id(), 0L);
                if (!overwrite && user.version() <= stored) {
                    continue;
                }
                checkExternalId(user.externalId(), user.id());
                state.users.put(user.id(), user);
                state.userTombstones.remove(user.id());
            }
            return null;
        });
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        putSessions(sessions, false);
    }

    @Override
    public void overwriteSessions(List<ChatSession> sessions) {
        putSessions(sessions, true);
    }

    private void putSessions(List<ChatSession> sessions, boolean overwrite) {
        locked(() -> {
            for (ChatSession session : sessions) {
                if (userDeleted(session.userId())) {
                    continue;
                }
                requireUser(session.userId());
                Optional<ChatSession> live = byChatId(session.chatId());
                Tombstone tombstone = state.sessionTombstones.get(session.chatId());
                long stored = live.map(ChatSession::version).orElse(tombstone == null ? 0L : tombstone.version());
                if (!overwrite && session.version() <= stored) {
                    continue;
                }
                live.filter(s -> !s.id().equals(session.id())).ifPresent(s -> {
                    throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
                });
                state.sessionTombstones.remove(session.chatId());
                state.sessions.put(
                        session.id(),
                        has(PlantedBug.UPSERT_SESSION_DROPS_COUNTERS) ? session.withMessages(0, null) : session);
            }
            return null;
        });
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        locked(() -> {
            for (Message message : messages) {
                if (!state.sessions.containsKey(message.sessionId())) {
                    if (state.sessionTombstones.values().stream()
                            .anyMatch(t -> t.sessionId().equals(message.sessionId()))) {
                        continue;
                    }
                    throw NotFoundException.of("chat session", message.sessionId());
                }
                state.messages.values().forEach(h -> h.values().removeIf(m -> m.id().equals(message.id())));
                state.messages
                        .computeIfAbsent(message.sessionId(), k -> new TreeMap<>())
                        .put(message.sequenceNumber(), message);
                if (has(PlantedBug.BULK_UPSERT_MOVES_COUNTERS)) {
                    ChatSession owner = state.sessions.get(message.sessionId());
                    state.sessions.put(owner.id(), owner.withMessages(owner.messageCount() + 1, message.createdAt()));
                }
            }
            return null;
        });
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        putMemory(entries, false);
    }

    @Override
    public void overwriteMemory(List<MemoryEntry> entries) {
        putMemory(entries, true);
    }

    private void putMemory(List<MemoryEntry> entries, boolean overwrite) {
        locked(() -> {
            for (MemoryEntry entry : entries) {
                if (userDeleted(entry.userId())) {
                    continue;
                }
                requireUser(Objects.requireNonNull(entry.userId()));
                MemoryKey k = MemoryKey.of(entry.userId(), entry.memoryType(), entry.key());
                MemoryEntry live = state.memory.get(k);
                long stored = live != null ? live.version() : state.memoryTombstones.getOrDefault(k, 0L);
                if (!overwrite && entry.version() <= stored) {
                    continue;
                }
                state.memory.put(k, entry);
                state.memoryTombstones.remove(k);
            }
            return null;
        });
    }

    /** @return whether the user is absent and tombstoned (what belongs to them is skipped, not refused) */
    private boolean userDeleted(UUID userId) {
        return userId != null && !state.users.containsKey(userId) && state.userTombstones.containsKey(userId);
    }

    @Override
    public List<Tombstone> findTombstones(java.util.Collection<RecordKey> keys) {
        return read(() -> {
            List<Tombstone> found = new ArrayList<>();
            for (RecordKey key : keys) {
                switch (key.kind()) {
                    case USER -> {
                        Long v = state.userTombstones.get(key.userId());
                        if (v != null) {
                            found.add(Tombstone.ofUser(key.userId(), v));
                        }
                    }
                    case SESSION -> {
                        Tombstone t = state.sessionTombstones.get(key.chatId());
                        if (t != null) {
                            found.add(t);
                        }
                    }
                    case MEMORY ->
                        state.memoryTombstones.forEach((k, v) -> {
                            if (k.userId().equals(key.userId().toString())
                                    && k.type().equals(key.memoryType())
                                    && (key.isWholeType() || k.key().equals(key.key()))) {
                                found.add(Tombstone.ofMemory(key.userId(), k.type(), k.key(), v));
                            }
                        });
                }
            }
            return found;
        });
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        locked(() -> {
            for (Tombstone t : tombstones) {
                RecordKey key = t.key();
                switch (key.kind()) {
                    case USER -> {
                        User live = state.users.get(key.userId());
                        long stored =
                                live != null ? live.version() : state.userTombstones.getOrDefault(key.userId(), 0L);
                        if (t.version() > stored) {
                            if (live != null) {
                                deleteUser(key.userId(), DeleteMode.KEEP_SESSIONS);
                            }
                            state.userTombstones.put(key.userId(), t.version());
                        }
                    }
                    case SESSION -> {
                        Optional<ChatSession> live = byChatId(key.chatId());
                        Tombstone held = state.sessionTombstones.get(key.chatId());
                        long stored = live.map(ChatSession::version).orElse(held == null ? 0L : held.version());
                        if (t.version() > stored) {
                            live.ifPresent(s -> deleteChatSession(s.chatId()));
                            state.sessionTombstones.put(key.chatId(), t);
                        }
                    }
                    case MEMORY -> {
                        MemoryKey k = MemoryKey.of(key.userId(), key.memoryType(), key.key());
                        MemoryEntry live = state.memory.get(k);
                        long stored = live != null ? live.version() : state.memoryTombstones.getOrDefault(k, 0L);
                        if (t.version() > stored) {
                            state.memory.remove(k);
                            state.memoryTombstones.put(k, t.version());
                        }
                    }
                }
            }
            return null;
        });
    }

    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        dev.dal.api.spi.ScanCursors.VotePosition after = dev.dal.api.spi.ScanCursors.afterVote(cursor);
        return read(() -> {
            List<MessageVote> all = new ArrayList<>();
            state.votes
                    .values()
                    .forEach(bySequence -> bySequence.values().forEach(voters -> all.addAll(voters.values())));
            List<MessageVote> page = all.stream()
                    .sorted(VOTE_SCAN_ORDER)
                    .filter(v -> after == null || after.precedes(v))
                    .limit(batchSize)
                    .toList();
            return dev.dal.api.spi.ScanCursors.batch(page, batchSize, dev.dal.api.spi.ScanCursors::ofVote);
        });
    }

    private static final Comparator<MessageVote> VOTE_SCAN_ORDER = Comparator.<MessageVote, String>comparing(
                    v -> v.sessionId().toString())
            .thenComparingLong(MessageVote::sequenceNumber)
            .thenComparing(v -> v.userId().toString());

    @Override
    public void upsertVotes(List<MessageVote> votes) {
        requireVotes();
        locked(() -> {
            for (MessageVote vote : votes) {
                Message message = Optional.ofNullable(state.messages.get(vote.sessionId()))
                        .map(history -> history.get(vote.sequenceNumber()))
                        .orElse(null);
                if (message == null
                        || !message.id().equals(vote.messageId())
                        || !state.users.containsKey(vote.userId())) {
                    continue; // its parent is gone
                }
                state.votes
                        .computeIfAbsent(vote.sessionId(), k -> new TreeMap<>())
                        .computeIfAbsent(vote.sequenceNumber(), k -> new HashMap<>())
                        .put(vote.userId(), vote);
            }
            return null;
        });
    }

    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        UUID after = ScanCursors.afterTokenUsage(cursor);
        return read(() -> {
            List<TokenUsage> page = state.tokenUsage.values().stream()
                    .filter(u -> after == null || u.id().toString().compareTo(after.toString()) > 0)
                    .sorted(Comparator.comparing(u -> u.id().toString()))
                    .limit(batchSize)
                    .toList();
            return ScanCursors.batch(page, batchSize, ScanCursors::ofTokenUsage);
        });
    }

    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        requireTokenUsage();
        locked(() -> {
            for (TokenUsage u : usage) {
                Message message = Optional.ofNullable(state.messages.get(u.sessionId()))
                        .map(history -> history.get(u.sequenceNumber()))
                        .orElse(null);
                if (message != null && message.id().equals(u.messageId()) && state.users.containsKey(u.userId())) {
                    state.tokenUsage.put(u.id(), u);
                }
            }
            return null;
        });
    }

    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        requireTokenUsage();
        locked(() -> {
            ids.forEach(state.tokenUsage::remove);
            return null;
        });
    }

    @Override
    public void deleteVotes(List<dev.dal.api.bulk.VoteKey> keys) {
        requireVotes();
        locked(() -> {
            for (dev.dal.api.bulk.VoteKey key : keys) {
                Optional.ofNullable(state.votes.get(key.sessionId()))
                        .map(bySequence -> bySequence.get(key.sequenceNumber()))
                        .ifPresent(voters -> voters.remove(key.userId()));
            }
            return null;
        });
    }
}
