package dev.dal.file.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NotFoundException;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.CodePointOrder;
import dev.dal.api.spi.ScanCursors;
import dev.dal.api.spi.VersionedBulkAccess;
import dev.dal.file.internal.StoredIndexes.ChatIdTombstone;
import dev.dal.file.internal.StoredIndexes.MemoryTombstone;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Bulk scan and exact upsert for the file store. Each upsert batch is one journaled unit: the
 * whole batch lands or none of it. Message upserts append to the session's log in one write; memory and
 * memory tombstones are read and written once per user per batch. Users, sessions and memory entries are
 * applied only over an older version of their key (live or tombstoned); tombstones live under
 * {@code tombstones/}, written by the same journaled, atomic replace as the records.
 */
final class FileBulkAccess extends VersionedBulkAccess {
    private final UnitOfWork unit;
    private final RecordDirectory records;

    FileBulkAccess(UnitOfWork unit, RecordDirectory records) {
        this.unit = unit;
        this.records = records;
    }

    // ---- scans ----

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        return unit.read(
                "scanUsers",
                () -> scanById(
                        records.idsIn(records.layout().usersDir()),
                        ScanCursors.afterUser(cursor),
                        batchSize,
                        records::user));
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        return unit.read(
                "scanSessions",
                () -> scanById(
                        records.idsIn(records.layout().sessionsDir()),
                        ScanCursors.afterSession(cursor),
                        batchSize,
                        records::session));
    }

    /** Loads a record by id. */
    private interface Loader<T> {
        Optional<T> load(UUID id) throws IOException;
    }

    /** @param after the id the scan resumes after, {@code null} for the first batch */
    private static <T> ScanBatch<T> scanById(List<UUID> ids, UUID after, int batchSize, Loader<T> loader)
            throws IOException {
        List<T> items = new ArrayList<>();
        String last = null;
        boolean more = false;
        // Canonical id strings are ASCII: UTF-16 order is their code point order.
        for (int i = DirectoryListings.firstAfter(ids, after == null ? null : after.toString()); i < ids.size(); i++) {
            UUID id = ids.get(i);
            String key = id.toString();
            if (items.size() == batchSize) {
                more = true;
                break;
            }
            Optional<T> record = loader.load(id);
            if (record.isPresent()) {
                items.add(record.get());
                last = key;
            }
        }
        return new ScanBatch<>(items, more ? last : null);
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        return unit.read("scanMessages", () -> {
            ScanCursors.MessagePosition position = ScanCursors.afterMessage(cursor);
            String startSession = position == null ? null : position.sessionId().toString();
            long after = position == null ? 0 : position.sequenceNumber();
            List<Message> items = new ArrayList<>();
            List<UUID> sessions = records.idsIn(records.layout().sessionsDir());
            for (int i = firstAtOrAfter(sessions, startSession); i < sessions.size(); i++) {
                UUID sessionId = sessions.get(i);
                boolean cursorSession = sessionId.toString().equals(startSession);
                long from = cursorSession ? after + 1 : 1;
                MessageLog log = records.messages(sessionId);
                long slots = log.slotCount();
                while (from <= slots && items.size() < batchSize) {
                    long to = Math.min(slots, from + (batchSize - items.size()) - 1);
                    items.addAll(log.readRange(from, to));
                    from = to + 1;
                }
                if (items.size() == batchSize) {
                    Message last = items.get(items.size() - 1);
                    return new ScanBatch<>(items, ScanCursors.ofMessage(last));
                }
            }
            return new ScanBatch<>(items, null);
        });
    }

    /** Adds up the sessions' digest files ({@link FileDigests}) under the store lock, reading no message. */
    @Override
    public List<RangeDigest> digestMessages(List<IdRange> ranges) {
        return unit.read("digestMessages", () -> FileDigests.digest(records, ranges));
    }

    @Override
    public boolean digestsMessagesInStore() {
        return true;
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        return unit.read("scanMemory", () -> {
            MemoryKey after = MemoryKey.after(ScanCursors.afterMemory(cursor));
            List<MemoryEntry> items = new ArrayList<>();
            List<UUID> users = records.idsIn(records.layout().memoryDir());
            int first = after == null ? 0 : DirectoryListings.firstAfter(users, after.userId());
            if (after != null && first > 0 && users.get(first - 1).toString().equals(after.userId())) {
                first--; // the cursor's user: its later entries
            }
            for (int i = first; i < users.size(); i++) {
                UUID userId = users.get(i);
                for (MemoryEntry entry : records.memoryOf(userId)) {
                    if (after != null && MemoryKey.of(entry).compareTo(after) <= 0) {
                        continue;
                    }
                    if (items.size() == batchSize) {
                        return new ScanBatch<>(items, ScanCursors.ofMemory(items.get(items.size() - 1)));
                    }
                    items.add(entry);
                }
            }
            return new ScanBatch<>(items, null);
        });
    }

    /** The scan key of a memory entry: user id, type, key. */
    private record MemoryKey(String userId, String memoryType, String key) implements Comparable<MemoryKey> {
        static MemoryKey of(MemoryEntry e) {
            return new MemoryKey(e.userId().toString(), e.memoryType(), e.key());
        }

        /** @return the scan key of the position, {@code null} for none */
        static MemoryKey after(ScanCursors.MemoryPosition position) {
            return position == null
                    ? null
                    : new MemoryKey(position.userId().toString(), position.memoryType(), position.key());
        }

        @Override
        public int compareTo(MemoryKey o) {
            int c = userId.compareTo(o.userId);
            if (c == 0) {
                c = CodePointOrder.compare(memoryType, o.memoryType);
            }
            return c != 0 ? c : CodePointOrder.compare(key, o.key);
        }
    }

    // ---- upserts ----

    // Versions decide: a user, session or memory entry is applied only over an older version of its key, live or
    // deleted. Each batch is one unit under the store lock, so the versions compared are the ones it replaces.

    /**
     * Stores users, each only over an older version of its id (live or tombstoned) unless the rule overwrites; a
     * stored user clears its id's tombstone.
     */
    @Override
    protected void putUsers(List<User> users, VersionRule rule) {
        String operation = rule.operation("Users");
        boolean overwrite = rule.overwrites();
        unit.write(operation, () -> {
            for (User user : users) {
                Optional<User> existing = records.user(user.id());
                Optional<Long> tombstone = records.userTombstone(user.id());
                long stored = Math.max(existing.map(User::version).orElse(0L), tombstone.orElse(0L));
                if (!overwrite && user.version() <= stored) {
                    continue;
                }
                records.moveExternalId(user.id(), existing.map(User::externalId).orElse(null), user.externalId());
                records.putUser(user);
                if (tombstone.isPresent()) {
                    records.deleteUserTombstone(user.id());
                }
            }
            return null;
        });
    }

    /** @return whether a record of this user is to be skipped: the user is absent and was deleted */
    private boolean ownerDeleted(UUID userId) throws IOException {
        if (userId == null || records.user(userId).isPresent()) {
            return false;
        }
        if (records.userTombstone(userId).isPresent()) {
            return true;
        }
        throw NotFoundException.of("user", userId);
    }

    /**
     * Stores sessions, each only over an older version of its chat id (live or tombstoned) unless
     * the rule overwrites; a stored session clears its chat id's tombstone. A live session under the chat id with
     * another id is a duplicate key either way (the batch, one unit, is then undone).
     */
    @Override
    protected void putSessions(List<ChatSession> sessions, VersionRule rule) {
        String operation = rule.operation("Sessions");
        boolean overwrite = rule.overwrites();
        unit.write(operation, () -> {
            for (ChatSession session : sessions) {
                if (ownerDeleted(session.userId())) {
                    continue;
                }
                Optional<ChatSession> holder = records.sessionByChatId(session.chatId());
                Optional<ChatIdTombstone> tombstone = records.sessionTombstone(session.chatId());
                long stored = Math.max(
                        holder.map(ChatSession::version).orElse(0L),
                        tombstone.map(ChatIdTombstone::version).orElse(0L));
                if (!overwrite && session.version() <= stored) {
                    continue;
                }
                if (holder.isPresent() && !holder.get().id().equals(session.id())) {
                    throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
                }
                Optional<ChatSession> existing = records.session(session.id());
                if (existing.isPresent() && !existing.get().chatId().equals(session.chatId())) {
                    records.files()
                            .delete(records.layout().chatIdIndex(existing.get().chatId()));
                }
                records.putSession(session);
                records.putChatId(session.chatId(), session.id());
                records.changeOwner(
                        session.id(), existing.map(ChatSession::userId).orElse(null), session.userId());
                if (tombstone.isPresent()) {
                    records.deleteSessionTombstone(session.chatId());
                }
            }
            return null;
        });
    }

    /** @return the index of the first session id at or after {@code start} (its later records), 0 for none */
    private static int firstAtOrAfter(List<UUID> sessions, String start) {
        if (start == null) {
            return 0;
        }
        int first = DirectoryListings.firstAfter(sessions, start);
        return first > 0 && sessions.get(first - 1).toString().equals(start) ? first - 1 : first;
    }

    /** Each session's votes file in session id order; the file is sorted by sequence number and voter already. */
    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        return unit.read("scanVotes", () -> {
            ScanCursors.VotePosition position = ScanCursors.afterVote(cursor);
            List<UUID> sessions = records.idsIn(records.layout().sessionsDir());
            List<MessageVote> items = new ArrayList<>();
            int first = firstAtOrAfter(
                    sessions, position == null ? null : position.sessionId().toString());
            for (int i = first; i < sessions.size(); i++) {
                for (MessageVote vote : records.votesOf(sessions.get(i))) {
                    if (position != null && !position.precedes(vote)) {
                        continue;
                    }
                    items.add(vote);
                    if (items.size() == batchSize) {
                        return new ScanBatch<>(items, ScanCursors.ofVote(vote));
                    }
                }
            }
            return new ScanBatch<>(items, null);
        });
    }

    /** One read and one write of a session's votes file per session of the batch. */
    @Override
    public void upsertVotes(List<MessageVote> votes) {
        unit.write("upsertVotes", () -> {
            for (Map.Entry<UUID, List<MessageVote>> group :
                    bySession(votes, MessageVote::sessionId).entrySet()) {
                UUID sessionId = group.getKey();
                if (records.session(sessionId).isEmpty()) {
                    continue; // a vote without its session is skipped
                }
                MessageLog log = records.messages(sessionId);
                List<MessageVote> stored = new ArrayList<>(records.votesOf(sessionId));
                for (MessageVote vote : group.getValue()) {
                    boolean messageHeld = log.read(vote.sequenceNumber())
                            .filter(m -> m.id().equals(vote.messageId()))
                            .isPresent();
                    if (!messageHeld || records.user(vote.userId()).isEmpty()) {
                        continue; // a vote without its message or its user is skipped
                    }
                    stored.removeIf(VoteKey.of(vote)::names);
                    stored.add(vote);
                    records.addVotedSession(vote.userId(), sessionId);
                }
                records.putVotes(sessionId, stored);
            }
            return null;
        });
    }

    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        return unit.read(
                "scanTokenUsage", () -> records.tokenUsage().scan(ScanCursors.afterTokenUsage(cursor), batchSize));
    }

    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        unit.write("upsertTokenUsage", () -> {
            List<TokenUsage> held = new ArrayList<>();
            for (TokenUsage u : usage) {
                boolean messageHeld = records.session(u.sessionId()).isPresent()
                        && records.messages(u.sessionId())
                                .read(u.sequenceNumber())
                                .filter(m -> m.id().equals(u.messageId()))
                                .isPresent();
                if (messageHeld && records.user(u.userId()).isPresent()) {
                    held.add(u); // usage without its message or its user is skipped
                }
            }
            records.tokenUsage().upsert(held);
            return null;
        });
    }

    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        unit.write("deleteTokenUsage", () -> {
            records.tokenUsage().delete(ids);
            return null;
        });
    }

    @Override
    public void deleteVotes(List<VoteKey> keys) {
        unit.write("deleteVotes", () -> {
            for (Map.Entry<UUID, List<VoteKey>> group :
                    bySession(keys, VoteKey::sessionId).entrySet()) {
                UUID sessionId = group.getKey();
                if (records.session(sessionId).isEmpty()) {
                    continue;
                }
                List<MessageVote> stored = new ArrayList<>(records.votesOf(sessionId));
                if (stored.removeIf(v -> group.getValue().stream().anyMatch(key -> key.names(v)))) {
                    records.putVotes(sessionId, stored);
                }
            }
            return null;
        });
    }

    private static <T> Map<UUID, List<T>> bySession(List<T> items, Function<T, UUID> sessionOf) {
        Map<UUID, List<T>> bySession = new LinkedHashMap<>();
        items.forEach(item -> bySession
                .computeIfAbsent(sessionOf.apply(item), k -> new ArrayList<>())
                .add(item));
        return bySession;
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        Map<UUID, List<Message>> bySession = new LinkedHashMap<>();
        messages.forEach(m ->
                bySession.computeIfAbsent(m.sessionId(), k -> new ArrayList<>()).add(m));
        unit.write("upsertMessages", () -> {
            for (Map.Entry<UUID, List<Message>> group : bySession.entrySet()) {
                if (records.session(group.getKey()).isEmpty()) {
                    if (records.sessionWasDeleted(group.getKey())) {
                        continue; // messages of a deleted session: a late replication
                    }
                    throw NotFoundException.of("chat session", group.getKey());
                }
                List<Message> sorted = new ArrayList<>(group.getValue());
                sorted.sort(Comparator.comparingLong(Message::sequenceNumber));
                records.messages(group.getKey()).upsert(records.files(), sorted);
            }
            return null;
        });
    }

    /**
     * Stores memory entries, each only over an older version of its key (live or tombstoned) unless
     * the rule overwrites; a stored entry clears its key's tombstone. One read and one write per user and file.
     */
    @Override
    protected void putMemory(List<MemoryEntry> entries, VersionRule rule) {
        String operation = rule.operation("Memory");
        boolean overwrite = rule.overwrites();
        Map<UUID, List<MemoryEntry>> byUser = new LinkedHashMap<>();
        entries.forEach(
                e -> byUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e));
        unit.write(operation, () -> {
            for (Map.Entry<UUID, List<MemoryEntry>> group : byUser.entrySet()) {
                if (ownerDeleted(group.getKey())) {
                    continue;
                }
                UserMemoryState memory = records.memoryState(group.getKey());
                for (MemoryEntry entry : group.getValue()) {
                    if (overwrite || entry.version() > memory.storedVersion(entry.memoryType(), entry.key())) {
                        memory.put(entry);
                    }
                }
                records.flush(memory);
            }
            return null;
        });
    }

    // ---- tombstones ----

    @Override
    public List<Tombstone> findTombstones(Collection<RecordKey> keys) {
        return unit.read("findTombstones", () -> {
            Set<Tombstone> found = new LinkedHashSet<>();
            Map<UUID, List<MemoryTombstone>> memory = new HashMap<>();
            for (RecordKey key : keys) {
                switch (key.kind()) {
                    case USER ->
                        records.userTombstone(key.userId())
                                .ifPresent(v -> found.add(Tombstone.ofUser(key.userId(), v)));
                    case SESSION ->
                        records.sessionTombstone(key.chatId())
                                .ifPresent(t -> found.add(Tombstone.ofSession(t.chatId(), t.sessionId(), t.version())));
                    case MEMORY -> {
                        List<MemoryTombstone> ofUser = memory.get(key.userId());
                        if (ofUser == null) {
                            ofUser = records.memoryTombstonesOf(key.userId());
                            memory.put(key.userId(), ofUser);
                        }
                        for (MemoryTombstone t : ofUser) {
                            if (t.memoryType().equals(key.memoryType())
                                    && (key.isWholeType() || t.key().equals(key.key()))) {
                                found.add(Tombstone.ofMemory(key.userId(), t.memoryType(), t.key(), t.version()));
                            }
                        }
                    }
                    default -> throw new IllegalStateException("unknown kind " + key.kind());
                }
            }
            return List.copyOf(found);
        });
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        Map<UUID, List<Tombstone>> memoryByUser = new LinkedHashMap<>();
        tombstones.stream()
                .filter(t -> t.key().kind() == RecordKey.Kind.MEMORY)
                .forEach(t -> memoryByUser
                        .computeIfAbsent(t.key().userId(), k -> new ArrayList<>())
                        .add(t));
        unit.write("upsertTombstones", () -> {
            for (Tombstone t : tombstones) {
                switch (t.key().kind()) {
                    case USER -> deleteUserAt(t.key().userId(), t.version());
                    case SESSION -> deleteSessionAt(t.key().chatId(), t.sessionId(), t.version());
                    case MEMORY -> {
                        // grouped per user below: one write per file
                    }
                    default ->
                        throw new IllegalStateException(
                                "unknown kind " + t.key().kind());
                }
            }
            for (Map.Entry<UUID, List<Tombstone>> group : memoryByUser.entrySet()) {
                UserMemoryState memory = records.memoryState(group.getKey());
                for (Tombstone t : group.getValue()) {
                    if (t.version()
                            > memory.storedVersion(t.key().memoryType(), t.key().key())) {
                        memory.delete(t.key().memoryType(), t.key().key(), t.version());
                    }
                }
                records.flush(memory);
            }
            return null;
        });
    }

    private void deleteUserAt(UUID id, long version) throws IOException {
        Optional<User> live = records.user(id);
        if (version <= records.storedUserVersion(id, live)) {
            return;
        }
        if (live.isPresent()) {
            records.deleteUser(live.get(), DeleteMode.KEEP_SESSIONS, version);
        } else {
            records.putUserTombstone(id, version);
        }
    }

    private void deleteSessionAt(String chatId, UUID sessionId, long version) throws IOException {
        Optional<ChatSession> live = records.sessionByChatId(chatId);
        if (version <= records.storedSessionVersion(chatId, live)) {
            return;
        }
        if (live.isPresent()) {
            records.changeOwner(live.get().id(), live.get().userId(), null);
            records.deleteSession(live.get());
            records.markSessionDeleted(live.get().id());
        }
        records.putSessionTombstone(chatId, sessionId, version);
    }
}
