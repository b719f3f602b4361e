package dev.dal.migration;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.migration.internal.Checkpoint;
import dev.dal.migration.internal.KindAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every user, session, message and memory entry of one store into another through the
 * bulk SPI, in batches, with memory bounded by one batch whatever the store's size.
 *
 * <p><b>Resumable.</b> With a checkpoint file, the position (kind and scan cursor) is saved
 * durably after each batch is written. A copy killed at any moment and started again with the same
 * checkpoint continues after the last saved batch; the batch that was being written when it died
 * is written again, which the bulk upserts make harmless (they are exact and idempotent), so the
 * result has neither gaps nor duplicates. A completed copy deletes its checkpoint; running it
 * again rewrites the same records and changes nothing.
 *
 * <p><b>Partitions.</b> With {@link Partition} {@code I/N}, this copier writes only the records
 * that partition owns (see {@link Partition}); N processes with the N partitions together copy
 * everything, each with a checkpoint of its own. Alone, a partition reads the whole source and keeps its
 * share; {@linkplain #withPlan with a plan} it reads only its id ranges (see {@link PartitionPlan}), and
 * brings along the users of its sessions that another partition's range holds, read one by one, so that no
 * session waits for another worker.
 */
public final class StoreCopier {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCopier.class);

    private final DataAccess source;
    private final DataAccess target;
    private final int batchSize;
    private final Partition partition;
    private final Path checkpointFile;
    private final String checkpointKey;
    private final CopyListener listener;
    private final PartitionPlan plan;
    /** Users of other ranges already brought along by this copier (bounded, so a huge store cannot fill it). */
    private final Set<UUID> broughtUsers = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > 100_000;
        }
    });

    /**
     * @param source the store to read
     * @param target the store to write
     * @param batchSize records per batch, 1 to {@link BulkAccess#MAX_BATCH_SIZE}
     * @param partition the share of the records to copy; {@link Partition#ALL} for everything
     * @param checkpointFile where to keep the position, or {@code null} for a copy that cannot resume
     * @param checkpointKey identifies the copy (e.g. from {@link #checkpointKey}); a checkpoint with
     *     another key is refused
     * @param listener hears about each batch; may be {@code null}
     * @throws ValidationException when the batch size is out of range
     */
    public StoreCopier(
            DataAccess source,
            DataAccess target,
            int batchSize,
            Partition partition,
            Path checkpointFile,
            String checkpointKey,
            CopyListener listener) {
        this(source, target, batchSize, partition, checkpointFile, checkpointKey, listener, null);
    }

    private StoreCopier(
            DataAccess source,
            DataAccess target,
            int batchSize,
            Partition partition,
            Path checkpointFile,
            String checkpointKey,
            CopyListener listener,
            PartitionPlan plan) {
        if (batchSize < 1 || batchSize > BulkAccess.MAX_BATCH_SIZE) {
            throw new ValidationException(
                    "batchSize", "must be from 1 to " + BulkAccess.MAX_BATCH_SIZE + ", got " + batchSize);
        }
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.batchSize = batchSize;
        this.partition = partition == null ? Partition.ALL : partition;
        this.checkpointFile = checkpointFile;
        this.checkpointKey = checkpointKey == null ? "copy" : checkpointKey;
        this.listener = listener == null ? CopyListener.NONE : listener;
        this.plan = plan;
        if (plan != null && plan.count() != this.partition.count()) {
            throw new ValidationException(
                    "partition", "must be one of the plan's " + plan.count() + " partitions, got " + this.partition);
        }
    }

    /**
     * A copier that reads only its partition's id ranges of the plan.
     *
     * @param partitionPlan the plan every worker of this copy is given
     * @return the copier
     * @throws ValidationException when the partition is not of the plan's count
     */
    public StoreCopier withPlan(PartitionPlan partitionPlan) {
        return new StoreCopier(
                source,
                target,
                batchSize,
                partition,
                checkpointFile,
                checkpointKey,
                listener,
                Objects.requireNonNull(partitionPlan, "partitionPlan"));
    }

    /**
     * The key of a copy, the same for every run of it: source, target and partition (passwords are
     * not part of it).
     *
     * @param source the source, as shown (redacted)
     * @param target the target, as shown (redacted)
     * @param partition the partition
     * @return the key
     */
    public static String checkpointKey(String source, String target, Partition partition) {
        return source + " -> " + target + " [" + partition + "]";
    }

    /**
     * @param directory the checkpoint directory
     * @param key a copy's key
     * @return the checkpoint file of that copy in the directory
     */
    public static Path checkpointFile(Path directory, String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return directory.resolve("copy-" + HexFormat.of().formatHex(digest, 0, 8) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * Copies, continuing from the checkpoint when there is one.
     *
     * @return what was written
     * @throws dev.dal.api.DataAccessException when a store fails; the checkpoint keeps the position
     *     of the last batch written, so running again continues from there
     */
    public CopyResult copy() {
        long started = System.nanoTime();
        Checkpoint state = checkpointFile == null
                ? Checkpoint.start(checkpointKey)
                : Checkpoint.load(checkpointFile, checkpointKey);
        boolean resumed = state.kindIndex() > 0 || state.cursor() != null;
        if (resumed) {
            LOG.info("Resuming the copy at {} after {} records", kindName(state.kindIndex()), state.total());
        }
        RecordType[] kinds = RecordType.values();
        for (int k = state.kindIndex(); k < kinds.length; k++) {
            String from = state.kindIndex() == k ? state.cursor() : null;
            state = copyKind(KindAccess.of(kinds[k]), from, state);
        }
        if (checkpointFile != null) {
            try {
                Files.deleteIfExists(checkpointFile);
            } catch (IOException e) {
                throw new UncheckedIOException("The finished copy's checkpoint could not be removed", e);
            }
        }
        return new CopyResult(state.written(), resumed, Duration.ofNanos(System.nanoTime() - started));
    }

    /** Copies one kind from a cursor to the end of its scan (or of its range), saving the position after each batch. */
    private <T> Checkpoint copyKind(KindAccess<T> access, String from, Checkpoint state) {
        Optional<IdRange> range = plan == null ? Optional.empty() : plan.range(access.kind(), partition.index());
        if (plan != null && range.isEmpty()) {
            return state.after(access.kind(), 0, null);
        }
        String start = from != null || range.isEmpty() || !access.scannedInRangeKeyOrder()
                ? from
                : access.startAt(range.get().first());
        for (ScanBatch<? extends T> batch : access.batches(source.bulk(), start, batchSize)) {
            List<T> owned = new ArrayList<>(batch.items().size());
            boolean past = false;
            for (T record : batch.items()) {
                if (range.isPresent()) {
                    UUID key = access.rangeKey(record);
                    if (access.scannedInRangeKeyOrder()
                            && IdRange.compare(key, range.get().last()) > 0) {
                        past = true;
                        break;
                    }
                    if (range.get().contains(key)) {
                        owned.add(record);
                    }
                } else if (access.owned(record, partition)) {
                    owned.add(record);
                }
            }
            if (!owned.isEmpty()) {
                if (range.isPresent() && access.kind() == RecordType.SESSIONS) {
                    bringUsers(owned);
                }
                access.upsert(target.bulk(), owned);
            }
            state = state.after(access.kind(), owned.size(), past ? null : batch.nextCursor());
            if (checkpointFile != null) {
                state.save(checkpointFile);
            }
            listener.batchDone(access.kind(), batch.items().size(), owned.size(), state.total());
            if (past) {
                break;
            }
        }
        return state;
    }

    /** Copies the users of these sessions that another partition's user range holds, unless brought already. */
    private void bringUsers(List<?> sessions) {
        IdRange own = plan.users(partition.index()).orElse(null);
        Set<UUID> wanted = new LinkedHashSet<>();
        for (Object record : sessions) {
            UUID user = ((ChatSession) record).userId();
            if (user != null && (own == null || !own.contains(user)) && !broughtUsers.contains(user)) {
                wanted.add(user);
            }
        }
        List<User> users = new ArrayList<>(wanted.size());
        for (UUID id : wanted) {
            source.getUser(id).ifPresent(users::add);
        }
        if (!users.isEmpty()) {
            KindAccess.USERS.upsert(target.bulk(), users);
        }
        broughtUsers.addAll(wanted);
    }

    /**
     * Counts a store's records by scanning it (for progress totals; costs one full read).
     *
     * @param store the store
     * @param batchSize records per scan
     * @return the number of records of each kind
     */
    public static Map<RecordType, Long> count(DataAccess store, int batchSize) {
        Map<RecordType, Long> counts = new EnumMap<>(RecordType.class);
        for (RecordType kind : RecordType.values()) {
            long n = 0;
            for (ScanBatch<?> batch : KindAccess.of(kind).batches(store.bulk(), null, batchSize)) {
                n += batch.items().size();
            }
            counts.put(kind, n);
        }
        return counts;
    }

    private static String kindName(int index) {
        return index < RecordType.values().length ? RecordType.values()[index].wireName() : "the end";
    }
}
