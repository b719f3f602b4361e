package dev.dal.api.bulk;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import java.util.List;

/**
 * Record-level access to a store: scan every record of a kind in a stable order, and upsert
 * exact records. Copy, verify, repair, export, import and dual-write are built on this alone.
 *
 * <p><b>Scans</b> return batches in keyset order; pass a batch's {@link ScanBatch#nextCursor()} to
 * get the next; a {@code null} cursor means there is nothing more (a non-null cursor may lead to
 * an empty last batch). The order is the same in every store: users and sessions by the
 * canonical string form of their id; messages by session id (string form), then sequence number;
 * memory by user id (string form), then type and key in Unicode code point order.
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
 * <p><b>Versions decide, not arrival order.</b> A user, session or memory entry is applied only when
 * its {@code version} is greater than the version the store holds for the same key (users and
 * sessions by id, memory by user, type and key), or when the store holds none; an equal or older one
 * is skipped without an error (a late replication, a backfill racing live writes). A record deleted
 * through {@link dev.dal.api.DataAccess} leaves a <em>tombstone</em> (its key and the version it had),
 * so an upsert of that key at the same or an older version is skipped too: a late, older replication
 * cannot bring a deleted record back. A newer version clears the tombstone (a memory key set again
 * after it was deleted continues above the deleted entry's version). Records that belong to a
 * tombstoned parent (messages of a deleted session, memory and sessions of a deleted user) are
 * skipped the same way. Messages never change once stored and carry no version. Scans return live
 * records only, never tombstones.
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

    /**
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
     * @return the next batch of memory entries, expired ones included
     */
    ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize);

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
}
