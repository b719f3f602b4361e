package dev.dal.dualwrite.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NotFoundException;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.CodePointOrder;
import dev.dal.api.spi.ScanBatches;
import dev.dal.api.spi.ScanCursors;
import dev.dal.dualwrite.RecordKind;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Brings the secondary up to date on one {@link Step}, from the primary's <em>current</em> state, under the
 * step's lock stripe. Because every step re-reads the primary (messages excepted: they never change once
 * stored), replaying a step late, twice, or out of order leaves the secondary equal to the primary. Across
 * processes, where no lock orders two replications of one record, versions do: the secondary's bulk upserts
 * skip a version it already holds or has passed, and a deletion is carried over with the primary's tombstone
 * (its version), so a replication that read the primary before the deletion cannot bring the record back.
 */
public final class SecondarySync {
    private final DataAccess primary;
    private final DataAccess secondary;
    private final Clock clock;
    /*
     * One lock table per record kind, so a session's stripe and its user's stripe are never the same lock. A step
     * takes its own record's lock; copying a parent the secondary lacks then takes the parent's lock too, always in
     * this order: session ids -> sessions -> users, memory -> users. A user step never takes another lock (and
     * never a second user lock), so no two threads can wait for each other in a cycle. The locks are re-entrant.
     */
    private final StripedLocks sessionIdLocks = new StripedLocks(256);
    private final StripedLocks sessionLocks = new StripedLocks(1024);
    private final StripedLocks memoryLocks = new StripedLocks(1024);
    private final StripedLocks userLocks = new StripedLocks(1024);
    private final ReentrantLock purgeLock = new ReentrantLock();
    /** Sessions to copy again once their lock is free (see {@link #resyncSessionSoon}). */
    private final java.util.Set<String> sessionsToResync = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param primary the source of truth
     * @param secondary the store brought up to date
     * @param clock the clock both stores use (for expiry)
     */
    public SecondarySync(DataAccess primary, DataAccess secondary, Clock clock) {
        this.primary = primary;
        this.secondary = secondary;
        this.clock = clock;
    }

    /**
     * Live replication: a memory step carries the entry the primary just stored (or the primary just deleted it).
     *
     * @param step what to bring up to date
     * @throws dev.dal.api.DataAccessException when the secondary refuses or cannot be reached
     */
    public void apply(Step step) {
        run(step, false);
    }

    /**
     * Resync and repair: the step carries no records, and memory the primary holds but reads hide (expired, not
     * yet purged) is found through the primary's bulk scan and copied as is, so the stores hold the same records.
     *
     * @param step what to bring up to date
     * @throws dev.dal.api.DataAccessException when the secondary refuses or cannot be reached
     */
    public void replay(Step step) {
        run(step, true);
    }

    private void run(Step step, boolean replay) {
        List<String> detached = List.of();
        ReentrantLock lock = lockOf(step);
        lock.lock();
        try {
            switch (step.kind()) {
                case USER -> syncUser(UUID.fromString(step.keys().get(0)));
                case USER_DELETION ->
                    detached = deleteUser(
                            UUID.fromString(step.keys().get(0)),
                            DeleteMode.valueOf(step.keys().get(1)));
                case SESSION -> syncSession(step.keys().get(0));
                case MESSAGES -> syncMessages(step);
                case SESSION_TAIL -> syncSessionTail(step.keys().get(0));
                case MESSAGES_BY_SESSION_ID -> syncMessagesBySessionId(step);
                case MEMORY -> syncMemory(step, replay);
                case MEMORY_TYPE ->
                    syncMemoryType(
                            UUID.fromString(step.keys().get(0)), step.keys().get(1), replay);
                case EXPIRED_MEMORY -> secondary.purgeExpiredMemory();
                case VOTE -> syncVote(step.voteKey());
                case TOKEN_USAGE -> syncTokenUsage(step.usageId());
            }
        } finally {
            lock.unlock();
        }
        // Outside the user's lock (a user step takes no other lock): the sessions the deletion detached moved one
        // version on each store, from wherever each store had them; the primary's version is the one to keep.
        for (String chatId : detached) {
            resyncSessionSoon(chatId, step.operation());
        }
        if (EnumSet.of(RecordKind.SESSION, RecordKind.SESSION_TAIL, RecordKind.MESSAGES)
                .contains(step.kind())) {
            String chatId = step.keys().get(0);
            if (sessionsToResync.contains(chatId)) {
                resyncSessionSoon(chatId, step.operation());
            }
        }
    }

    /**
     * Resyncs a session now if its lock is free, else leaves it to the replication holding the lock, which looks
     * here once it let the lock go: a deletion never waits for another record's replication (which may itself be
     * waiting on the secondary), and no resync is lost between the two.
     */
    private void resyncSessionSoon(String chatId, String operation) {
        sessionsToResync.add(chatId);
        ReentrantLock lock = sessionLocks.forKey(Step.session(chatId, operation).lockKey());
        if (lock.tryLock()) {
            try {
                if (sessionsToResync.remove(chatId)) {
                    syncSession(chatId);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private ReentrantLock lockOf(Step step) {
        return switch (step.kind()) {
            case USER, USER_DELETION -> userLocks.forKey(step.lockKey());
            case SESSION, SESSION_TAIL, MESSAGES -> sessionLocks.forKey(step.lockKey());
            case MESSAGES_BY_SESSION_ID -> sessionIdLocks.forKey(step.lockKey());
            case MEMORY, MEMORY_TYPE -> memoryLocks.forKey(step.lockKey());
            case EXPIRED_MEMORY -> purgeLock;
            case VOTE, TOKEN_USAGE -> sessionIdLocks.forKey(step.lockKey());
        };
    }

    private void syncUser(UUID id) {
        Optional<User> current = primary.getUser(id);
        if (current.isPresent()) {
            upsertUser(current.get());
        } else {
            // The deletion itself replicates as its own USER_DELETION step, with its mode; the tombstone alone
            // keeps a late copy of an older version out (and deletes like KEEP_SESSIONS, which a PURGE completes).
            copyTombstones(RecordKey.user(id));
        }
    }

    /** @return the chat ids of the sessions the deletion detached on the secondary (KEEP_SESSIONS) */
    private List<String> deleteUser(UUID id, DeleteMode mode) {
        Optional<User> stillThere = primary.getUser(id);
        if (stillThere.isPresent()) {
            // The deletion never committed on the primary (its process stopped, or the primary's answer was lost,
            // between the intent and the commit): the secondary follows the primary, not the intent.
            upsertUser(stillThere.get());
            return List.of();
        }
        List<String> detached = new ArrayList<>();
        if (mode == DeleteMode.KEEP_SESSIONS) {
            int offset = 0;
            List<ChatSession> page;
            do {
                page = secondary.listUserSessions(id, 1000, offset);
                page.forEach(s -> detached.add(s.chatId()));
                offset += page.size();
            } while (page.size() == 1000);
        }
        secondary.deleteUser(id, mode);
        copyTombstones(RecordKey.user(id));
        return detached;
    }

    /** Carries the primary's tombstones for a key over to the secondary, at the primary's versions. */
    private void copyTombstones(RecordKey key) {
        List<Tombstone> tombstones = primary.bulk().findTombstones(List.of(key));
        if (!tombstones.isEmpty()) {
            secondary.bulk().upsertTombstones(tombstones);
        }
    }

    private void upsertUser(User user) {
        try {
            secondary.bulk().upsertUsers(List.of(user));
        } catch (DuplicateKeyException e) {
            // The secondary still gives this external id to another user: bring that one up to date first.
            Optional<User> holder =
                    user.externalId() == null ? Optional.empty() : secondary.getUserByExternalId(user.externalId());
            if (holder.isEmpty() || holder.get().id().equals(user.id())) {
                throw e;
            }
            Optional<User> holderNow = primary.getUser(holder.get().id());
            if (holderNow.isPresent()) {
                secondary.bulk().upsertUsers(List.of(holderNow.get()));
            } else {
                secondary.deleteUser(holder.get().id(), DeleteMode.KEEP_SESSIONS);
            }
            secondary.bulk().upsertUsers(List.of(user));
        }
    }

    /**
     * Upserts the user a record refers to, when the secondary lacks it (before or during the backfill), under the
     * user's lock (taken after the session's or memory's lock the caller holds: see the lock order above), so a
     * concurrent replication of a newer version of that user cannot land before this copy of an older one.
     */
    private boolean ensureUser(UUID userId) {
        if (userId == null) {
            return false;
        }
        ReentrantLock lock = userLocks.forKey(Step.user(userId, "").lockKey());
        lock.lock();
        try {
            Optional<User> user = primary.getUser(userId);
            user.ifPresent(this::upsertUser);
            return user.isPresent();
        } finally {
            lock.unlock();
        }
    }

    private Optional<ChatSession> syncSession(String chatId) {
        return syncSession(chatId, true);
    }

    /** @param retry whether a refusal for a user the primary no longer holds re-reads the session and tries again */
    private Optional<ChatSession> syncSession(String chatId, boolean retry) {
        Optional<ChatSession> current = primary.getChatSession(chatId);
        if (current.isEmpty()) {
            secondary.deleteChatSession(chatId);
            copyTombstones(RecordKey.session(chatId));
            return current;
        }
        ChatSession session = current.get();
        try {
            secondary.bulk().upsertSessions(List.of(session));
        } catch (NotFoundException e) {
            if (!ensureUser(session.userId())) {
                // The user was deleted after the session was read, and the deletion reached the secondary first:
                // the primary's session has moved on (no user, or gone); copy that instead, once.
                if (retry) {
                    return syncSession(chatId, false);
                }
                throw e;
            }
            secondary.bulk().upsertSessions(List.of(session));
        } catch (DuplicateKeyException e) {
            // The secondary holds an older session under this chat id (deleted and created again on the primary).
            secondary.deleteChatSession(chatId);
            secondary.bulk().upsertSessions(List.of(session));
        }
        return current;
    }

    private void syncMessages(Step step) {
        String chatId = step.keys().get(0);
        Optional<ChatSession> session = syncSession(chatId);
        if (session.isEmpty()) {
            return;
        }
        UUID sessionId = session.get().id();
        List<Message> stored = step.messages().isEmpty()
                ? primaryMessages(
                        chatId,
                        Long.parseLong(step.keys().get(1)),
                        Long.parseLong(step.keys().get(2)))
                : step.messages();
        List<Message> current =
                stored.stream().filter(m -> m.sessionId().equals(sessionId)).toList();
        if (!current.isEmpty()) {
            upsertMessagesOf(chatId, sessionId, current);
        }
    }

    /**
     * Upserts one session's messages. The secondary refuses them when it lacks the session: its user was
     * deleted after the primary was read (the secondary then skipped the session, as it skips a deleted user's
     * records), and the session with it or detached from it. Read the primary again: a session gone (or another
     * under the chat id) is a deletion that replicates itself; a session still there is copied again, once.
     */
    private void upsertMessagesOf(String chatId, UUID sessionId, List<Message> messages) {
        try {
            secondary.bulk().upsertMessages(messages);
        } catch (NotFoundException e) {
            Optional<ChatSession> now = primary.getChatSession(chatId);
            if (now.isEmpty() || !now.get().id().equals(sessionId)) {
                return;
            }
            if (syncSession(chatId, false).isEmpty()) {
                return;
            }
            secondary.bulk().upsertMessages(messages);
        }
    }

    /** Copies the session, then every message the primary holds after the secondary's newest one, a page at a time. */
    private void syncSessionTail(String chatId) {
        Optional<ChatSession> session = syncSession(chatId);
        if (session.isEmpty()) {
            return;
        }
        UUID sessionId = session.get().id();
        List<Message> newest = secondary.getChatHistory(chatId, dev.dal.api.HistoryQuery.latest(1));
        long after = newest.isEmpty() ? 0 : newest.get(0).sequenceNumber();
        while (true) {
            List<Message> page = primary.getChatHistory(chatId, dev.dal.api.HistoryQuery.after(after, 1000)).stream()
                    .filter(m -> m.sessionId().equals(sessionId))
                    .toList();
            if (page.isEmpty()) {
                return;
            }
            upsertMessagesOf(chatId, sessionId, page);
            after = page.get(page.size() - 1).sequenceNumber();
        }
    }

    private void syncMessagesBySessionId(Step step) {
        UUID sessionId = UUID.fromString(step.keys().get(0));
        if (!step.messages().isEmpty()) {
            try {
                secondary.bulk().upsertMessages(step.messages());
                return;
            } catch (NotFoundException e) {
                // the secondary lacks the session: find it on the primary and bring it over with its messages
            }
        }
        Optional<String> chatId = chatIdOf(sessionId);
        if (chatId.isEmpty()) {
            return; // the session is gone from the primary; its deletion reached (or will reach) the secondary
        }
        Step byChatId = new Step(
                RecordKind.MESSAGES,
                List.of(chatId.get(), step.keys().get(1), step.keys().get(2)),
                step.operation(),
                step.messages(),
                null);
        // The session's own lock too (session ids -> sessions), so this copy of the session is ordered with the rest.
        ReentrantLock lock = sessionLocks.forKey(byChatId.lockKey());
        lock.lock();
        try {
            syncMessages(byChatId);
        } finally {
            lock.unlock();
        }
    }

    /** The bulk interface names sessions by id and reads name them by chat id: scan for the one wanted. */
    private Optional<String> chatIdOf(UUID sessionId) {
        for (ScanBatch<? extends ChatSession> batch : ScanBatches.of(primary.bulk()::scanSessions, 1000)) {
            for (ChatSession s : batch.items()) {
                if (s.id().equals(sessionId)) {
                    return Optional.of(s.chatId());
                }
            }
        }
        return Optional.empty();
    }

    private List<Message> primaryMessages(String chatId, long first, long last) {
        List<Message> all = new ArrayList<>();
        long after = first - 1;
        while (after < last) {
            int limit = (int) Math.min(HistoryQuery.MAX_LIMIT, last - after);
            List<Message> page = primary.getChatHistory(chatId, HistoryQuery.after(after, limit));
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).sequenceNumber();
        }
        return all;
    }

    /**
     * Makes the secondary hold the primary's vote, or none. A vote on a message the secondary does not hold yet (its
     * replication failed and waits in the journal) is skipped by the secondary's upsert; that is a failure here, so
     * the vote is journaled too and replayed after the message.
     */
    private void syncVote(VoteKey key) {
        Optional<MessageVote> current = storedVote(primary, key);
        if (current.isEmpty()) {
            secondary.bulk().deleteVotes(List.of(key));
            return;
        }
        secondary.bulk().upsertVotes(List.of(current.get()));
        if (storedVote(secondary, key).isEmpty()) {
            throw new NotFoundException("The secondary does not hold the voted message or its voter yet");
        }
    }

    /**
     * Makes the secondary hold the primary's usage record, or none. A record on a message the secondary does not hold
     * yet is skipped by the secondary's upsert; as for votes, that is a failure here, so the record is journaled and
     * replayed after the message.
     */
    private void syncTokenUsage(UUID id) {
        Optional<TokenUsage> current = storedUsage(primary, id);
        if (current.isEmpty()) {
            secondary.bulk().deleteTokenUsage(List.of(id));
            return;
        }
        secondary.bulk().upsertTokenUsage(List.of(current.get()));
        if (storedUsage(secondary, id).isEmpty()) {
            throw new NotFoundException("The secondary does not hold the usage's message or its user yet");
        }
    }

    /** @return the usage record a store holds under an id: the first record of a scan that starts just before it */
    private static Optional<TokenUsage> storedUsage(DataAccess store, UUID id) {
        return store.bulk().scanTokenUsage(ScanCursors.beforeId(id), 1).items().stream()
                .filter(u -> u.id().equals(id))
                .findFirst();
    }

    /** @return the vote a store holds under a key: the first vote of a scan that starts just before it */
    private static Optional<MessageVote> storedVote(DataAccess store, VoteKey key) {
        return store.bulk().scanVotes(ScanCursors.beforeVote(key), 1).items().stream()
                .filter(key::names)
                .findFirst();
    }

    private void syncMemory(Step step, boolean replay) {
        UUID userId = UUID.fromString(step.keys().get(0));
        String type = step.keys().get(1);
        String key = step.keys().get(2);
        Optional<MemoryEntry> current = primary.getUserMemory(userId, type, key);
        MemoryEntry written = step.written();
        if (current.isEmpty() && written != null && written.isExpiredAt(clock.instant())) {
            // Reads hide an expired entry, yet the primary still holds it until a purge: copy it as written.
            current = Optional.of(written);
        } else if (current.isEmpty() && replay) {
            // No record attached: the scan shows whether the primary still holds it expired.
            current = primaryMemoryScanned(userId, type, key).stream().findFirst();
        }
        if (current.isPresent()) {
            upsertMemory(List.of(current.get()));
        } else {
            secondary.deleteUserMemory(userId, type, key);
            copyTombstones(RecordKey.memory(userId, type, key));
        }
    }

    private void syncMemoryType(UUID userId, String type, boolean replay) {
        // Live, the primary has just deleted the whole type (expired entries too): visible entries are all there is.
        List<MemoryEntry> current =
                replay ? primaryMemoryScanned(userId, type, null) : primary.getUserMemory(userId, type);
        if (current.isEmpty()) {
            secondary.deleteUserMemory(userId, type);
        } else {
            // Delete only the keys the primary no longer holds: a deletion's tombstone would keep out the very
            // entries copied next (same versions).
            java.util.Set<String> kept = new java.util.HashSet<>();
            current.forEach(e -> kept.add(e.key()));
            for (MemoryEntry held : memoryScanned(secondary, userId, type, null)) {
                if (!kept.contains(held.key())) {
                    secondary.deleteUserMemory(userId, type, held.key());
                }
            }
        }
        copyTombstones(RecordKey.memoryType(userId, type));
        if (!current.isEmpty()) {
            upsertMemory(current);
        }
    }

    /**
     * The primary's entries of a user's type (or of one key), expired ones included: reads hide those, bulk scans do
     * not. Scans are ordered by user id, type and key (code point order), so the scan stops once past them; its
     * cursors are opaque, so it starts from the beginning. Only resync and repair pay for it.
     */
    private List<MemoryEntry> primaryMemoryScanned(UUID userId, String type, String key) {
        return memoryScanned(primary, userId, type, key);
    }

    private static List<MemoryEntry> memoryScanned(DataAccess store, UUID userId, String type, String key) {
        String user = userId.toString();
        List<MemoryEntry> found = new ArrayList<>();
        for (ScanBatch<? extends MemoryEntry> batch : ScanBatches.of(store.bulk()::scanMemory, 1000)) {
            for (MemoryEntry e : batch.items()) {
                int order = CodePointOrder.compare(e.userId().toString(), user);
                if (order == 0) {
                    order = CodePointOrder.compare(e.memoryType(), type);
                }
                if (order == 0 && key != null) {
                    order = CodePointOrder.compare(e.key(), key);
                }
                if (order == 0) {
                    found.add(e);
                } else if (order > 0) {
                    return found;
                }
            }
        }
        return found;
    }

    /** @param entries one user's entries */
    private void upsertMemory(List<MemoryEntry> entries) {
        try {
            secondary.bulk().upsertMemory(entries);
        } catch (NotFoundException e) {
            UUID userId = entries.get(0).userId();
            if (!ensureUser(userId)) {
                if (primary.getUser(userId).isEmpty()) {
                    // The user was deleted (with their memory) after the entries were read, and the deletion
                    // reached the secondary first: the entries are deleted there already.
                    return;
                }
                throw e;
            }
            secondary.bulk().upsertMemory(entries);
        }
    }
}
