package dev.dal.migration.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.CodePointOrder;
import dev.dal.api.spi.ScanBatches;
import dev.dal.api.spi.ScanCursors;
import dev.dal.migration.Partition;
import dev.dal.migration.RecordType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What the tools need of one kind of record: scan, upsert, the scan-order key, the id to report,
 * and which partition owns it. One constant per kind, typed by its record.
 *
 * @param <T> the record type of the kind
 */
public final class KindAccess<T> {
    /** Users, in scan order by id; every partition copies them all. */
    public static final KindAccess<User> USERS = new KindAccess<>(
            RecordType.USERS,
            User.class,
            BulkAccess::scanUsers,
            BulkAccess::upsertUsers,
            BulkAccess::overwriteUsers,
            Comparator.comparing(u -> u.id().toString()),
            u -> u.id().toString(),
            u -> null,
            User::id,
            ScanCursors::beforeId,
            true);

    /** Sessions, in scan order by id; owned by the partition of their id. */
    public static final KindAccess<ChatSession> SESSIONS = new KindAccess<>(
            RecordType.SESSIONS,
            ChatSession.class,
            BulkAccess::scanSessions,
            BulkAccess::upsertSessions,
            BulkAccess::overwriteSessions,
            Comparator.comparing(s -> s.id().toString()),
            s -> s.id().toString(),
            ChatSession::id,
            ChatSession::id,
            ScanCursors::beforeId,
            true);

    /**
     * Messages, in scan order by session id and sequence number; owned by the partition of their session.
     * They carry no version, so overwriting them is upserting them.
     */
    public static final KindAccess<Message> MESSAGES = new KindAccess<>(
            RecordType.MESSAGES,
            Message.class,
            BulkAccess::scanMessages,
            BulkAccess::upsertMessages,
            BulkAccess::upsertMessages,
            Comparator.<Message, String>comparing(m -> m.sessionId().toString())
                    .thenComparingLong(Message::sequenceNumber),
            m -> m.id() + " (session " + m.sessionId() + " #" + m.sequenceNumber() + ")",
            Message::sessionId,
            Message::sessionId,
            ScanCursors::beforeMessagesOf,
            true);

    /**
     * Memory entries, in scan order by user id, then type and key in code point order; owned by the partition
     * of their user.
     */
    public static final KindAccess<MemoryEntry> MEMORY = new KindAccess<>(
            RecordType.MEMORY,
            MemoryEntry.class,
            BulkAccess::scanMemory,
            BulkAccess::upsertMemory,
            BulkAccess::overwriteMemory,
            Comparator.<MemoryEntry, String>comparing(e -> e.userId().toString())
                    .thenComparing(MemoryEntry::memoryType, CodePointOrder.COMPARATOR)
                    .thenComparing(MemoryEntry::key, CodePointOrder.COMPARATOR),
            e -> e.userId() + "/" + e.memoryType() + "/" + e.key(),
            MemoryEntry::userId,
            MemoryEntry::userId,
            ScanCursors::beforeMemoryOf,
            true);

    /**
     * Votes, in scan order by session id, sequence number and voter id; owned by the partition of their session.
     * They carry no version: overwriting them is upserting them.
     */
    public static final KindAccess<MessageVote> VOTES = new KindAccess<>(
            RecordType.VOTES,
            MessageVote.class,
            BulkAccess::scanVotes,
            BulkAccess::upsertVotes,
            BulkAccess::upsertVotes,
            Comparator.<MessageVote, String>comparing(v -> v.sessionId().toString())
                    .thenComparingLong(MessageVote::sequenceNumber)
                    .thenComparing(v -> v.userId().toString()),
            v -> "user " + v.userId() + " on message " + v.messageId() + " (session " + v.sessionId() + " #"
                    + v.sequenceNumber() + ")",
            MessageVote::sessionId,
            MessageVote::sessionId,
            ScanCursors::beforeVotesOf,
            true);

    /**
     * Token usage, in scan order by id; owned by the partition of its session, so it is copied after its message.
     * Its scan is not in session order: a partition reads all of it and keeps its sessions' records. Usage
     * carries no version: overwriting it is upserting it.
     */
    public static final KindAccess<TokenUsage> TOKEN_USAGE = new KindAccess<>(
            RecordType.TOKEN_USAGE,
            TokenUsage.class,
            BulkAccess::scanTokenUsage,
            BulkAccess::upsertTokenUsage,
            BulkAccess::upsertTokenUsage,
            Comparator.comparing(u -> u.id().toString()),
            u -> u.id() + " (" + u.model() + " for user " + u.userId() + " on message " + u.messageId() + ", session "
                    + u.sessionId() + " #" + u.sequenceNumber() + ")",
            TokenUsage::sessionId,
            TokenUsage::sessionId,
            first -> null,
            false);

    /**
     * One scan call of a kind on a store.
     *
     * @param <T> the record type
     */
    @FunctionalInterface
    private interface Scan<T> {
        ScanBatch<T> batch(BulkAccess bulk, String cursor, int size);
    }

    private final RecordType kind;
    private final Class<T> type;
    private final Scan<T> scan;
    private final BiConsumer<BulkAccess, List<T>> upsert;
    private final BiConsumer<BulkAccess, List<T>> overwrite;
    private final Comparator<T> order;
    private final Function<T, String> id;
    private final Function<T, UUID> partitionKey;
    private final Function<T, UUID> rangeKey;
    private final Function<UUID, String> startAt;
    private final boolean scannedInRangeKeyOrder;

    private KindAccess(
            RecordType kind,
            Class<T> type,
            Scan<T> scan,
            BiConsumer<BulkAccess, List<T>> upsert,
            BiConsumer<BulkAccess, List<T>> overwrite,
            Comparator<T> order,
            Function<T, String> id,
            Function<T, UUID> partitionKey,
            Function<T, UUID> rangeKey,
            Function<UUID, String> startAt,
            boolean scannedInRangeKeyOrder) {
        this.kind = kind;
        this.type = type;
        this.scan = scan;
        this.upsert = upsert;
        this.overwrite = overwrite;
        this.order = order;
        this.id = id;
        this.partitionKey = partitionKey;
        this.rangeKey = rangeKey;
        this.startAt = startAt;
        this.scannedInRangeKeyOrder = scannedInRangeKeyOrder;
    }

    /**
     * @param kind a kind
     * @return its access
     */
    public static KindAccess<?> of(RecordType kind) {
        return switch (Objects.requireNonNull(kind, "kind")) {
            case USERS -> USERS;
            case SESSIONS -> SESSIONS;
            case MESSAGES -> MESSAGES;
            case MEMORY -> MEMORY;
            case VOTES -> VOTES;
            case TOKEN_USAGE -> TOKEN_USAGE;
        };
    }

    /** @return the kind */
    public RecordType kind() {
        return kind;
    }

    /**
     * Scans one batch.
     *
     * @param bulk the store
     * @param cursor {@code null} for the first batch, else the previous batch's next cursor
     * @param size records per batch
     * @return the batch
     */
    public ScanBatch<T> scan(BulkAccess bulk, String cursor, int size) {
        return scan.batch(bulk, cursor, size);
    }

    /**
     * @param bulk the store
     * @param cursor where to resume, {@code null} for the beginning
     * @param size records per batch
     * @return the kind's batches from the cursor to the end of the scan
     */
    public ScanBatches<T> batches(BulkAccess bulk, String cursor, int size) {
        return ScanBatches.from((c, n) -> scan(bulk, c, n), cursor, size);
    }

    /**
     * Upserts records of this kind.
     *
     * @param bulk the store
     * @param records the records
     */
    public void upsert(BulkAccess bulk, List<T> records) {
        upsert.accept(bulk, records);
    }

    /**
     * Writes records whatever version the store holds (messages carry none: the same as {@link #upsert}).
     *
     * @param bulk the target
     * @param records records of this kind
     */
    public void overwrite(BulkAccess bulk, List<T> records) {
        overwrite.accept(bulk, records);
    }

    /**
     * @param a a record
     * @param b another of the same kind
     * @return their order in the scan (negative when {@code a} comes first)
     */
    public int compare(T a, T b) {
        return order.compare(a, b);
    }

    /**
     * @param record a record
     * @return how reports name it, e.g. a user's id or {@code sessionId#3}
     */
    public String id(T record) {
        return id.apply(record);
    }

    /**
     * @param record a record
     * @param partition a partition
     * @return whether the partition copies it (every partition copies users)
     */
    public boolean owned(T record, Partition partition) {
        UUID key = partitionKey.apply(record);
        return key == null || partition.owns(key);
    }

    /**
     * @param record a record
     * @return the id that places it in an id range: its own id for users and sessions, its session's for
     *     messages, its user's for memory
     */
    public UUID rangeKey(T record) {
        return rangeKey.apply(record);
    }

    /**
     * @return whether the scan visits records in the order of their {@link #rangeKey}, so a copy of one range
     *     can start at its first key and stop past its last; otherwise it reads the whole scan and keeps the
     *     range's records
     */
    public boolean scannedInRangeKeyOrder() {
        return scannedInRangeKeyOrder;
    }

    /**
     * @param first the lowest range key to scan
     * @return the cursor from which this kind's scan starts at that key
     */
    public String startAt(UUID first) {
        return startAt.apply(first);
    }

    /**
     * Checks records whose type was not known where they were collected, such as records read from an archive
     * line by line.
     *
     * @param records records that must all be of this kind
     * @return the same records, in a new list of this kind's type
     * @throws ClassCastException when a record is of another kind
     */
    public List<T> typed(List<?> records) {
        List<T> typed = new ArrayList<>(records.size());
        for (Object record : records) {
            typed.add(type.cast(record));
        }
        return typed;
    }
}
