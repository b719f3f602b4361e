package dev.dal.api.spi;

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
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * A {@link BulkAccess} that hands every call to another one, {@link #delegate()}: the base of decorators and
 * test doubles of bulk access, which override only the calls they change.
 */
public abstract class ForwardingBulkAccess implements BulkAccess {

    /** For subclasses. */
    protected ForwardingBulkAccess() {}

    /** @return the bulk access every call is handed to; the same one on every call */
    protected abstract BulkAccess delegate();

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        return delegate().scanUsers(cursor, batchSize);
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        return delegate().scanSessions(cursor, batchSize);
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        return delegate().scanMessages(cursor, batchSize);
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        return delegate().scanMemory(cursor, batchSize);
    }

    @Override
    public List<RangeDigest> digestMessages(List<IdRange> ranges) {
        return delegate().digestMessages(ranges);
    }

    @Override
    public boolean digestsMessagesInStore() {
        return delegate().digestsMessagesInStore();
    }

    @Override
    public void upsertUsers(List<User> users) {
        delegate().upsertUsers(users);
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        delegate().upsertSessions(sessions);
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        delegate().upsertMessages(messages);
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        delegate().upsertMemory(entries);
    }

    @Override
    public void overwriteUsers(List<User> users) {
        delegate().overwriteUsers(users);
    }

    @Override
    public void overwriteSessions(List<ChatSession> sessions) {
        delegate().overwriteSessions(sessions);
    }

    @Override
    public void overwriteMemory(List<MemoryEntry> entries) {
        delegate().overwriteMemory(entries);
    }

    @Override
    public List<Tombstone> findTombstones(Collection<RecordKey> keys) {
        return delegate().findTombstones(keys);
    }

    @Override
    public void upsertTombstones(List<Tombstone> tombstones) {
        delegate().upsertTombstones(tombstones);
    }

    @Override
    public ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        return delegate().scanVotes(cursor, batchSize);
    }

    @Override
    public void upsertVotes(List<MessageVote> votes) {
        delegate().upsertVotes(votes);
    }

    @Override
    public void deleteVotes(List<VoteKey> keys) {
        delegate().deleteVotes(keys);
    }

    @Override
    public ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        return delegate().scanTokenUsage(cursor, batchSize);
    }

    @Override
    public void upsertTokenUsage(List<TokenUsage> usage) {
        delegate().upsertTokenUsage(usage);
    }

    @Override
    public void deleteTokenUsage(List<UUID> ids) {
        delegate().deleteTokenUsage(ids);
    }
}
