package dev.dal.dualwrite.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import dev.dal.api.spi.ForwardingBulkAccess;
import dev.dal.dualwrite.DualWriteKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The bulk interface of a dual-write store: upserts go to the primary, then the same exact batch to the
 * secondary (record by record, re-reading the primary and bringing missing parents along, when the secondary
 * refuses the batch); scans of each kind come from whichever store answers that kind's reads. Tombstones are
 * looked up where deletions happen first: the primary.
 */
public final class StepRecordingBulkAccess extends ForwardingBulkAccess {
    private final Function<DualWriteKind, BulkAccess> scans;
    private final BulkAccess writes;
    private final ReplicationSink sink;

    /**
     * @param scans the store each kind's scans read
     * @param writes the primary's bulk interface
     * @param sink receives the steps of each upsert
     */
    public StepRecordingBulkAccess(Function<DualWriteKind, BulkAccess> scans, BulkAccess writes, ReplicationSink sink) {
        this.scans = scans;
        this.writes = writes;
        this.sink = sink;
    }

    /** @return the primary's bulk interface, which answers tombstone look-ups */
    @Override
    protected BulkAccess delegate() {
        return writes;
    }

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        return scans.apply(DualWriteKind.USERS).scanUsers(cursor, batchSize);
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        return scans.apply(DualWriteKind.SESSIONS).scanSessions(cursor, batchSize);
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        return scans.apply(DualWriteKind.SESSIONS).scanMessages(cursor, batchSize);
    }

    @Override
    public List<RangeDigest> digestMessages(List<IdRange> ranges) {
        return scans.apply(DualWriteKind.SESSIONS).digestMessages(ranges);
    }

    @Override
    public boolean digestsMessagesInStore() {
        return scans.apply(DualWriteKind.SESSIONS).digestsMessagesInStore();
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        return scans.apply(DualWriteKind.MEMORY).scanMemory(cursor, batchSize);
    }

    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        return scans.apply(DualWriteKind.SESSIONS).scanVotes(cursor, batchSize);
    }

    @Override
    public void upsertVotes(List<MessageVote> votes) {
        List<Step> steps =
                votes.stream().map(v -> Step.vote(VoteKey.of(v), "upsertVotes")).toList();
        sink.intend(steps);
        writes.upsertVotes(votes);
        // Vote by vote, not as the batch: the secondary skips a vote whose message it lacks without an error, and
        // only the check after each one finds that (and journals the vote).
        sink.owe(steps);
    }

    @Override
    public void deleteVotes(List<VoteKey> keys) {
        List<Step> steps = keys.stream().map(k -> Step.vote(k, "deleteVotes")).toList();
        sink.intend(steps);
        writes.deleteVotes(keys);
        sink.oweExact(steps, b -> b.deleteVotes(keys));
    }

    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        return scans.apply(DualWriteKind.SESSIONS).scanTokenUsage(cursor, batchSize);
    }

    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        List<Step> steps = usage.stream()
                .map(u -> Step.tokenUsage(u.id(), "upsertTokenUsage"))
                .toList();
        sink.intend(steps);
        writes.upsertTokenUsage(usage);
        // Record by record, as votes: the secondary skips one whose message it lacks without an error.
        sink.owe(steps);
    }

    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        List<Step> steps =
                ids.stream().map(id -> Step.tokenUsage(id, "deleteTokenUsage")).toList();
        sink.intend(steps);
        writes.deleteTokenUsage(ids);
        sink.oweExact(steps, b -> b.deleteTokenUsage(ids));
    }

    @Override
    public void upsertUsers(List<User> users) {
        List<Step> steps =
                users.stream().map(u -> Step.user(u.id(), "upsertUsers")).toList();
        sink.intend(steps);
        writes.upsertUsers(users);
        sink.oweExact(steps, b -> b.upsertUsers(users));
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        List<Step> steps = sessions.stream()
                .map(s -> Step.session(s.chatId(), "upsertSessions"))
                .toList();
        sink.intend(steps);
        writes.upsertSessions(sessions);
        sink.oweExact(steps, b -> b.upsertSessions(sessions));
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        Map<UUID, List<Message>> bySession = new LinkedHashMap<>();
        messages.forEach(m ->
                bySession.computeIfAbsent(m.sessionId(), k -> new ArrayList<>()).add(m));
        List<Step> steps = bySession.entrySet().stream()
                .map(e -> Step.messagesBySessionId(e.getKey(), e.getValue(), "upsertMessages"))
                .toList();
        sink.intend(steps);
        writes.upsertMessages(messages);
        sink.oweExact(steps, b -> b.upsertMessages(messages));
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        List<Step> steps = entries.stream()
                .map(e -> Step.memory(e.userId(), e.memoryType(), e.key(), e, "upsertMemory"))
                .toList();
        sink.intend(steps);
        writes.upsertMemory(entries);
        sink.oweExact(steps, b -> b.upsertMemory(entries));
    }

    @Override
    public void overwriteUsers(List<User> users) {
        List<Step> steps =
                users.stream().map(u -> Step.user(u.id(), "overwriteUsers")).toList();
        sink.intend(steps);
        writes.overwriteUsers(users);
        sink.oweExact(steps, b -> b.overwriteUsers(users));
    }

    @Override
    public void overwriteSessions(List<ChatSession> sessions) {
        List<Step> steps = sessions.stream()
                .map(s -> Step.session(s.chatId(), "overwriteSessions"))
                .toList();
        sink.intend(steps);
        writes.overwriteSessions(sessions);
        sink.oweExact(steps, b -> b.overwriteSessions(sessions));
    }

    @Override
    public void overwriteMemory(List<MemoryEntry> entries) {
        List<Step> steps = entries.stream()
                .map(e -> Step.memory(e.userId(), e.memoryType(), e.key(), e, "overwriteMemory"))
                .toList();
        sink.intend(steps);
        writes.overwriteMemory(entries);
        sink.oweExact(steps, b -> b.overwriteMemory(entries));
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        List<Step> steps =
                tombstones.stream().map(StepRecordingBulkAccess::stepOf).toList();
        sink.intend(steps);
        writes.upsertTombstones(tombstones);
        sink.oweExact(steps, b -> b.upsertTombstones(tombstones));
    }

    private static Step stepOf(Tombstone tombstone) {
        RecordKey key = tombstone.key();
        return switch (key.kind()) {
            case USER -> Step.user(key.userId(), "upsertTombstones");
            case SESSION -> Step.session(key.chatId(), "upsertTombstones");
            case MEMORY -> Step.memory(key.userId(), key.memoryType(), key.key(), null, "upsertTombstones");
        };
    }
}
