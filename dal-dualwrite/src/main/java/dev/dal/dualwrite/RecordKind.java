package dev.dal.dualwrite;

/**
 * What a {@link RepairEntry} names, and so how it is replayed. Every kind but {@link #USER_DELETION} and
 * {@link #EXPIRED_MEMORY} is replayed by reading the primary's <em>current</em> state of the named record and
 * making the secondary equal to it, which is why replay is idempotent and independent of order.
 */
public enum RecordKind {
    /** A user, keyed by {@code [id]}: upserted from the primary, or deleted from the secondary when gone. */
    USER,
    /**
     * A user deletion, keyed by {@code [id, mode]}: replayed as the same {@code deleteUser} on the secondary
     * (ids are never reused, so replaying it is always right).
     */
    USER_DELETION,
    /**
     * A session, keyed by {@code [chatId]}: upserted from the primary with its counters, or deleted (with its
     * messages) from the secondary when the primary no longer has it.
     */
    SESSION,
    /**
     * Messages of a session, keyed by {@code [chatId, firstSequenceNumber, lastSequenceNumber]}: the session
     * as for {@link #SESSION}, then the primary's messages in that range.
     */
    MESSAGES,
    /**
     * Messages written through the bulk interface, keyed by {@code [sessionId, firstSequenceNumber,
     * lastSequenceNumber]}: replayed like {@link #MESSAGES} once the session's chat id is found by a scan of the
     * primary's sessions (slow, but only repair pays it).
     */
    MESSAGES_BY_SESSION_ID,
    /**
     * The end of a session's history, keyed by {@code [chatId]}: the session as for {@link #SESSION}, then every
     * message the primary holds after the secondary's last one. What a write of messages intends before it knows
     * its sequence numbers.
     */
    SESSION_TAIL,
    /** One memory entry, keyed by {@code [userId, memoryType, key]}. */
    MEMORY,
    /** All memory of one type, keyed by {@code [userId, memoryType]}: the secondary's is replaced by the primary's. */
    MEMORY_TYPE,
    /** A purge of expired memory, keyed by {@code []}: replayed as {@code purgeExpiredMemory} on the secondary. */
    EXPIRED_MEMORY,
    /**
     * One user's vote on one message, keyed by {@code [sessionId, sequenceNumber, userId]}: upserted from the
     * primary, or removed from the secondary when the primary no longer holds it.
     */
    VOTE,
    /**
     * One token usage record, keyed by {@code [id]}: upserted from the primary, or removed from the secondary when
     * the primary no longer holds it.
     */
    TOKEN_USAGE
}
