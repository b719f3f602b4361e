package dev.dal.api.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.bulk.VoteKey;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/** Validation and error translation in front of a backend's {@link BulkAccess}. */
final class ValidatingBulkAccess implements BulkAccess {
    private final BulkAccess bulk;
    private final RecordValidator records;
    private final ErrorGuard guard;
    private final Runnable ensureOpen;

    ValidatingBulkAccess(BulkAccess bulk, RecordValidator records, ErrorGuard guard, Runnable ensureOpen) {
        this.bulk = bulk;
        this.records = records;
        this.guard = guard;
        this.ensureOpen = ensureOpen;
    }

    private void checkScan(int batchSize) {
        ensureOpen.run();
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new ValidationException(
                    "batchSize", "must be from 1 to " + MAX_BATCH_SIZE + " (was " + batchSize + ")");
        }
    }

    private <T> boolean checkUpsert(String field, List<T> items, Consumer<T> rule) {
        ensureOpen.run();
        if (items == null) {
            throw new ValidationException(field, "is required");
        }
        if (items.size() > MAX_BATCH_SIZE) {
            throw new ValidationException(
                    field, "must hold at most " + MAX_BATCH_SIZE + " records (was " + items.size() + ")");
        }
        items.forEach(rule);
        return !items.isEmpty();
    }

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        checkScan(batchSize);
        return guard.call("scanUsers", () -> bulk.scanUsers(cursor, batchSize));
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        checkScan(batchSize);
        return guard.call("scanSessions", () -> bulk.scanSessions(cursor, batchSize));
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        checkScan(batchSize);
        return guard.call("scanMessages", () -> bulk.scanMessages(cursor, batchSize));
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        checkScan(batchSize);
        return guard.call("scanMemory", () -> bulk.scanMemory(cursor, batchSize));
    }

    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        checkScan(batchSize);
        dev.dal.api.spi.ScanCursors.afterVote(cursor);
        return guard.call("scanVotes", () -> bulk.scanVotes(cursor, batchSize));
    }

    @Override
    public void upsertVotes(List<MessageVote> votes) {
        upsert("votes", votes, records::vote, bulk::upsertVotes);
    }

    @Override
    public void deleteVotes(List<VoteKey> keys) {
        upsert("keys", keys, records::voteKey, bulk::deleteVotes);
    }

    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        checkScan(batchSize);
        dev.dal.api.spi.ScanCursors.afterTokenUsage(cursor);
        return guard.call("scanTokenUsage", () -> bulk.scanTokenUsage(cursor, batchSize));
    }

    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        upsert("usage", usage, records::tokenUsage, bulk::upsertTokenUsage);
    }

    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        upsert("ids", ids, id -> records.required("ids", id), bulk::deleteTokenUsage);
    }

    @Override
    public List<RangeDigest> digestMessages(List<IdRange> ranges) {
        ensureOpen.run();
        if (ranges == null || ranges.isEmpty() || ranges.size() > MAX_DIGEST_RANGES) {
            throw new ValidationException(
                    "ranges",
                    "must hold 1 to " + MAX_DIGEST_RANGES + " ranges (was " + (ranges == null ? 0 : ranges.size())
                            + ")");
        }
        for (int i = 0; i < ranges.size(); i++) {
            if (ranges.get(i) == null) {
                throw new ValidationException("ranges[" + i + "]", "is required");
            }
        }
        List<IdRange> copy = List.copyOf(ranges);
        return guard.call("digestMessages", () -> bulk.digestMessages(copy));
    }

    @Override
    public boolean digestsMessagesInStore() {
        return bulk.digestsMessagesInStore();
    }

    @Override
    public void upsertUsers(List<User> users) {
        upsert("users", users, records::user, bulk::upsertUsers);
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        upsert("sessions", sessions, records::session, bulk::upsertSessions);
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        upsert("messages", messages, records::message, bulk::upsertMessages);
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        upsert("memory", entries, records::memory, bulk::upsertMemory);
    }

    @Override
    public void overwriteUsers(List<User> users) {
        upsert("users", users, records::user, bulk::overwriteUsers);
    }

    @Override
    public void overwriteSessions(List<ChatSession> sessions) {
        upsert("sessions", sessions, records::session, bulk::overwriteSessions);
    }

    @Override
    public void overwriteMemory(List<MemoryEntry> entries) {
        upsert("memory", entries, records::memory, bulk::overwriteMemory);
    }

    @Override
    public List<Tombstone> findTombstones(Collection<RecordKey> keys) {
        ensureOpen.run();
        if (keys == null) {
            throw new ValidationException("keys", "is required");
        }
        if (keys.size() > MAX_BATCH_SIZE) {
            throw new ValidationException(
                    "keys", "must hold at most " + MAX_BATCH_SIZE + " keys (was " + keys.size() + ")");
        }
        keys.forEach(records::recordKey);
        if (keys.isEmpty()) {
            return List.of();
        }
        List<RecordKey> copy = List.copyOf(keys);
        return guard.call("findTombstones", () -> List.copyOf(bulk.findTombstones(copy)));
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        upsert("tombstones", tombstones, records::tombstone, bulk::upsertTombstones);
    }

    /** Validates every record, then hands the backend an immutable copy; an empty batch is a no-op. */
    private <T> void upsert(String field, List<T> items, Consumer<T> rule, Consumer<List<T>> store) {
        if (checkUpsert(field, items, rule)) {
            List<T> copy = List.copyOf(items);
            guard.call("upsert " + field, () -> {
                store.accept(copy);
                return null;
            });
        }
    }
}
