package dev.dal.api.bulk;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Record-level access to a store: scan every record of a kind in a stable order, and upsert
 * exact records. Copy, verify, repair, export, import and dual-write are built on this alone.
 *
 * <p><b>Scans</b> return batches in keyset order; pass a batch's {@link ScanBatch#nextCursor()} to
 * get the next; a {@code null} cursor means there is nothing more (a non-null cursor may lead to
 * an empty last batch). The order is the same in every store: users and sessions by the
 * canonical string form of their id; messages by session id (string form), then sequence number;
 * memory by user id (string form), then type and key in Unicode code point order; votes by session id (string
 * form), then sequence number, then voter id (string form).
 * Scans see expired memory too (they copy stores, they do not read as an application).
 *
 * <p><b>Upserts</b> store the records exactly as given (ids, timestamps, sequence numbers, counts),
 * insert or replace by key, and are idempotent: upserting a batch twice equals upserting it once.
 * A batch is applied in the store's fast path (COPY, {@code insertMany}, {@code UNWIND}, appends).
 * Messages and sessions refer to their parents: upsert users, then sessions, then messages and
 * memory. Upserting messages does not move a session's counters: the session record carries its
 * own {@code messageCount} and {@code lastMessageAt}. Records are validated like any other input;
 * a cursor the store did not return is a {@link dev.dal.api.ValidationException}.
 *
 * <p><b>Versions decide, not arrival order.</b> Users, sessions and memory entries carry a {@code version}
 * (1 on create, one more on every change). An upserted user, session or memory entry is applied only when
 * its version is greater than the version the store holds for the same key (users by id, sessions by chat id,
 * memory by user, type and key), live or deleted, or when the store holds none; an equal or older one is
 * skipped without an error (a late replication, a backfill racing live writes). Every deletion (through
 * {@link dev.dal.api.DataAccess}, a purge of expired memory, or {@link #upsertTombstones}) leaves a
 * {@link Tombstone}: the key and the deleted version plus one (a user deleted with
 * {@link dev.dal.api.DeleteMode#PURGE} leaves one for each of their sessions too; their memory entries need none,
 * as they name the user). So a late, older upsert cannot bring a deleted
 * record back; a newer one applies and clears the tombstone, and a record created again through
 * {@code DataAccess} under a tombstoned key (a memory key set again, a chat id or a caller-chosen user id used
 * again) continues above the tombstone's version. Records whose parent is tombstoned and absent (sessions and
 * memory of a deleted user, messages of a deleted session) are skipped the same way; a parent that is absent
 * and was never deleted is a {@link dev.dal.api.NotFoundException}. Messages never change once stored and
 * carry no version. Scans return live records only, never tombstones. A key created again after its deletion
 * holds one tombstone no more: messages of a session whose chat id was used again, or memory of a user whose
 * caller-chosen id was used again, are then no longer known as deleted (a copy racing such a reuse may be
 * refused with {@code NotFoundException}, or bring such a record over; verify finds it).
 */
public interface BulkAccess {

    /** The largest batch a scan returns. */
    int MAX_BATCH_SIZE = 10_000;

    /**
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
     * @return the next batch of users
     */
    ScanBatch<User> scanUsers(String cursor, int batchSize);

    /**
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
     * @return the next batch of sessions
     */
    ScanBatch<ChatSession> scanSessions(String cursor, int batchSize);

    /**
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
     * @return the next batch of messages
     */
    ScanBatch<Message> scanMessages(String cursor, int batchSize);

    /** The most ranges one {@link #digestMessages} call takes. */
    int MAX_DIGEST_RANGES = 1_000;

    /**
     * Digests the messages of session ranges: per range, how many messages it holds and an order-independent
     * digest of their content, defined alike for every store (see {@link dev.dal.api.spi.MessageDigests}), so two
     * stores can be compared range by range without reading the messages, and only ranges whose digests differ
     * need reading. A store that {@linkplain #digestsMessagesInStore() computes them inside} answers in one
     * round trip; the default reads the ranges' messages through {@link #scanMessages}.
     *
     * @param ranges 1 to {@link #MAX_DIGEST_RANGES} ranges, each digested alone (they may overlap)
     * @return one digest per range, in the order given
     */
    default List<RangeDigest> digestMessages(List<IdRange> ranges) {
        return dev.dal.api.spi.MessageDigests.stream(this, ranges);
    }

    /**
     * @return whether {@link #digestMessages} is computed inside the store, without reading the messages out of
     *     it; {@code false} when it streams them
     */
    default boolean digestsMessagesInStore() {
        return false;
    }

    /**
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
     * @return the next batch of memory entries, expired ones included
     */
    ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize);

    /**
     * Votes, by session id (string form), then sequence number, then voter id (string form). A store that does not
     * declare {@link dev.dal.api.Capability#MESSAGE_VOTES} holds none and keeps this default: one empty last batch.
     *
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
     * @return the next batch of votes
     */
    default ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
        dev.dal.api.spi.ScanCursors.afterVote(cursor);
        return new ScanBatch<>(List.of(), null);
    }

    /**
     * Stores exact votes, verdict and time as given, each replacing the stored vote of the same user on the same
     * message. Votes carry no version: the last upsert wins, as the last vote does. A vote whose message (that
     * sequence number of that session, with that message id) or whose user the store does not hold is skipped
     * without an error: its parent was deleted after the vote was read (a verify of the stores finds a vote lost
     * any other way).
     *
     * @param votes exact records
     * @throws dev.dal.api.UnsupportedCapabilityException when the store does not declare
     *     {@link dev.dal.api.Capability#MESSAGE_VOTES}
     */
    default void upsertVotes(List<MessageVote> votes) {
        throw new dev.dal.api.UnsupportedCapabilityException(
                dev.dal.api.Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * Removes votes, whatever their verdict and time. Votes the store does not hold are ignored.
     *
     * @param keys the votes to remove
     * @throws dev.dal.api.UnsupportedCapabilityException when the store does not declare
     *     {@link dev.dal.api.Capability#MESSAGE_VOTES}
     */
    default void deleteVotes(List<VoteKey> keys) {
        throw new dev.dal.api.UnsupportedCapabilityException(
                dev.dal.api.Capability.MESSAGE_VOTES, "this store keeps no message votes");
    }

    /**
     * Token usage records, by id (string form). A store that does not declare
     * {@link dev.dal.api.Capability#TOKEN_USAGE} holds none and keeps this default: one empty last batch.
     *
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
     * @return the next batch of usage records
     */
    default ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
        dev.dal.api.spi.ScanCursors.afterTokenUsage(cursor);
        return new ScanBatch<>(List.of(), null);
    }

    /**
     * Stores exact usage records, each replacing the stored record of the same id. Records carry no version: the
     * last upsert wins. A record whose message (that sequence number of that session, with that message id) or
     * whose user the store does not hold is skipped without an error: its parent was deleted after the record was
     * read (a verify of the stores finds a record lost any other way).
     *
     * @param usage exact records
     * @throws dev.dal.api.UnsupportedCapabilityException when the store does not declare
     *     {@link dev.dal.api.Capability#TOKEN_USAGE}
     */
    default void upsertTokenUsage(List<TokenUsage> usage) {
        throw dev.dal.api.UnsupportedCapabilityException.notDeclared(dev.dal.api.Capability.TOKEN_USAGE);
    }

    /**
     * Removes usage records by id. Ids the store does not hold are ignored.
     *
     * @param ids the records to remove
     * @throws dev.dal.api.UnsupportedCapabilityException when the store does not declare
     *     {@link dev.dal.api.Capability#TOKEN_USAGE}
     */
    default void deleteTokenUsage(List<UUID> ids) {
        throw dev.dal.api.UnsupportedCapabilityException.notDeclared(dev.dal.api.Capability.TOKEN_USAGE);
    }

    /**
     * @param users exact records; replaced by id when present
     * @throws dev.dal.api.DuplicateKeyException when an external id belongs to another user
     */
    void upsertUsers(List<User> users);

    /**
     * @param sessions exact records, counters included; replaced by id when present
     * @throws dev.dal.api.NotFoundException when a session names a user that does not exist
     */
    void upsertSessions(List<ChatSession> sessions);

    /**
     * @param messages exact records; replaced by id when present
     * @throws dev.dal.api.NotFoundException when a message names a session that does not exist
     */
    void upsertMessages(List<Message> messages);

    /**
     * @param entries exact records; replaced by (user, type, key) when present
     * @throws dev.dal.api.NotFoundException when an entry names a user that does not exist
     */
    void upsertMemory(List<MemoryEntry> entries);

    /**
     * Replaces users whatever version the store holds for their ids, live or deleted: the source of a repair
     * wins over a target that was changed or deleted behind its back. Otherwise as {@link #upsertUsers}.
     *
     * @param users exact records, versions included
     * @throws dev.dal.api.DuplicateKeyException when an external id belongs to another user
     */
    void overwriteUsers(List<User> users);

    /**
     * Replaces sessions whatever version the store holds for their chat ids, live or deleted (a live session
     * under the chat id with another id is still a {@link dev.dal.api.DuplicateKeyException}). Otherwise as
     * {@link #upsertSessions}; the parent rule is the same.
     *
     * @param sessions exact records, versions and counters included
     */
    void overwriteSessions(List<ChatSession> sessions);

    /**
     * Replaces memory entries whatever version the store holds for their keys, live or deleted. Otherwise as
     * {@link #upsertMemory}; the parent rule is the same.
     *
     * @param entries exact records, versions included
     */
    void overwriteMemory(List<MemoryEntry> entries);

    /**
     * Looks deletions up, for a replicator that must carry a deletion's version to another store.
     *
     * @param keys the keys to look up; a {@link RecordKey#memoryType whole-type key} finds every tombstoned key
     *     of that type
     * @return the tombstones the store holds for those keys (a key that is live or was never deleted has none),
     *     in no particular order
     */
    List<Tombstone> findTombstones(Collection<RecordKey> keys);

    /**
     * Applies deletions replicated from another store. A tombstone is skipped when the store holds its key at the
     * same or a newer version, live or deleted; otherwise a live record at an older version is deleted as
     * {@code DataAccess} deletes it (a user with {@link dev.dal.api.DeleteMode#KEEP_SESSIONS}, a session with its
     * messages), and the tombstone is kept at the given version. Idempotent.
     *
     * @param tombstones the deletions, at the versions the other store gave them
     */
    void upsertTombstones(List<Tombstone> tombstones);
}
