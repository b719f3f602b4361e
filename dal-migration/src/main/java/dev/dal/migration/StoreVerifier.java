package dev.dal.migration;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.migration.internal.KindAccess;
import dev.dal.migration.internal.ScanIterator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Compares two stores record by record: both are scanned in the same keyset order and merged, and
 * each pair of records is compared by the SHA-256 of its canonical JSON (so a change in any field,
 * nested JSON included, is found, not only a change in counts). Memory holds one batch per store.
 *
 * <p>In {@link VerifyMode#DIGEST} (the default), messages, by far the most records, are compared by range
 * digests where both stores compute them inside: equal ranges are counted without being read, and only small
 * ranges that differ are read and merged as above. The report is the same in both modes.
 *
 * <p>A verifier {@linkplain #since(Instant) since an instant} checks only what changed at or after it, the
 * cut-over check after a dual-write phase: users, sessions and memory entries whose {@code updatedAt} (or
 * {@code createdAt} where there is none) on either side is at or after the instant, and all the messages of
 * the sessions so checked whose {@code updatedAt} or {@code lastMessageAt} is (a message never changes once
 * stored, and adding one moves its session's {@code lastMessageAt}). Messages of other sessions are neither
 * compared nor digested: digests cover only the ranges of runs of those sessions, and record by record each run
 * is scanned from its first session and stops within one batch past its last. Memory holds those ranges besides
 * one batch per store. Its limit: a record deleted from one store whose copy in the other last changed before
 * the instant is not seen, nor is a change that moves no timestamp (a session left without its owner when the
 * user is deleted); a verify without an instant finds both.
 */
public final class StoreVerifier {
    private final DataAccess source;
    private final DataAccess target;
    private final int batchSize;
    private final int retain;
    private final VerifyMode mode;
    private final DigestTuning tuning;
    private final ChangedSince since;

    /**
     * A verifier in {@link VerifyMode#DIGEST}.
     *
     * @param source the reference store
     * @param target the store checked against it
     * @param batchSize records per scan
     * @param retain how many differences the report lists (all of them reach a listener)
     */
    public StoreVerifier(DataAccess source, DataAccess target, int batchSize, int retain) {
        this(source, target, batchSize, retain, VerifyMode.DIGEST);
    }

    /**
     * @param source the reference store
     * @param target the store checked against it
     * @param batchSize records per scan
     * @param retain how many differences the report lists (all of them reach a listener)
     * @param mode how messages are compared
     */
    public StoreVerifier(DataAccess source, DataAccess target, int batchSize, int retain, VerifyMode mode) {
        this(source, target, batchSize, retain, mode, DigestTuning.DEFAULT);
    }

    StoreVerifier(
            DataAccess source, DataAccess target, int batchSize, int retain, VerifyMode mode, DigestTuning tuning) {
        this(source, target, batchSize, retain, mode, tuning, null);
    }

    private StoreVerifier(
            DataAccess source,
            DataAccess target,
            int batchSize,
            int retain,
            VerifyMode mode,
            DigestTuning tuning,
            ChangedSince since) {
        this.tuning = tuning;
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.batchSize = batchSize;
        this.retain = retain;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.since = since;
    }

    /**
     * A verifier like this one that checks only the records changed at or after an instant (see the class
     * description for what that covers and what it cannot see). Its report counts the records checked.
     *
     * @param instant the instant, included; records whose last change is older on both sides are not checked
     * @return the new verifier; this one is unchanged
     * @throws NullPointerException when {@code instant} is {@code null}
     */
    public StoreVerifier since(Instant instant) {
        return new StoreVerifier(source, target, batchSize, retain, mode, tuning, new ChangedSince(instant));
    }

    /** @return the report, listing up to the retention limit of differences */
    public VerifyReport verify() {
        return verify(d -> {});
    }

    /**
     * @param listener hears every difference as it is found
     * @return the report
     */
    public VerifyReport verify(Consumer<Difference> listener) {
        return verify((difference, sourceRecord) -> listener.accept(difference), kind -> {});
    }

    /** Hears differences with the source record (for repair). */
    interface Sink {
        void found(Difference difference, Object sourceRecord);
    }

    VerifyReport verify(Sink sink, Consumer<RecordType> kindDone) {
        Map<RecordType, KindCounts> counts = new EnumMap<>(RecordType.class);
        Listing listing = new Listing(sink);
        RangePlan plan = since == null ? new RangePlan(tuning.chunk()) : RangePlan.selected(tuning.chunk());
        DigestFigures digests = null;
        for (RecordType kind : RecordType.values()) {
            switch (kind) {
                case USERS ->
                    counts.put(
                            kind, compare(KindAccess.USERS, since == null ? all() : since.users(), listing, u -> {}));
                case SESSIONS ->
                    counts.put(
                            kind,
                            compare(
                                    KindAccess.SESSIONS,
                                    planning(plan),
                                    listing,
                                    s -> plan.add(s.id(), s.messageCount())));
                case MESSAGES -> {
                    if (mode == VerifyMode.DIGEST && MessageDigestComparison.applies(source.bulk(), target.bulk())) {
                        MessageDigestComparison messages =
                                new MessageDigestComparison(source.bulk(), target.bulk(), batchSize, tuning);
                        counts.put(kind, messages.compare(plan.finish(), listing));
                        digests = messages.figures();
                    } else if (since != null) {
                        counts.put(kind, readRanges(plan.finish(), listing));
                    } else {
                        counts.put(kind, compare(KindAccess.MESSAGES, all(), listing, m -> {}));
                    }
                }
                case MEMORY ->
                    counts.put(
                            kind, compare(KindAccess.MEMORY, since == null ? all() : since.memory(), listing, e -> {}));
                // Votes carry no time of change that a check of changes only could select by: always all of them.
                case VOTES -> counts.put(kind, compare(KindAccess.VOTES, all(), listing, v -> {}));
                // Usage is compared whole for the same reason: a bulk upsert may replace a record of any age.
                case TOKEN_USAGE -> counts.put(kind, compare(KindAccess.TOKEN_USAGE, all(), listing, u -> {}));
            }
            kindDone.accept(kind);
        }
        return new VerifyReport(counts, listing.listed, listing.truncated, digests);
    }

    /** The sessions compared, each passed over one ending a run of the plan when only changes are checked. */
    private RecordMerge.Selection<ChatSession> planning(RangePlan plan) {
        if (since == null) {
            return all();
        }
        RecordMerge.Selection<ChatSession> changed = since.sessions();
        return new RecordMerge.Selection<>() {
            @Override
            public boolean selects(ChatSession session) {
                return changed.selects(session);
            }

            @Override
            public void passedOver(ChatSession session) {
                plan.gap();
            }
        };
    }

    /** Messages of the planned ranges only, each read record by record from its first session. */
    private KindCounts readRanges(List<RangePlan.Planned> ranges, Sink sink) {
        Tally tally = new Tally();
        for (RangePlan.Planned planned : ranges) {
            MessageRangeRead.run(
                    source.bulk(),
                    target.bulk(),
                    planned.range(),
                    planned.estimate(),
                    planned.estimate(),
                    batchSize,
                    sink,
                    tally);
        }
        return tally.counts();
    }

    private static <T> RecordMerge.Selection<T> all() {
        return RecordMerge.Selection.all();
    }

    /** Lists differences up to the retention limit, notes whether more were found, and passes each on. */
    private final class Listing implements Sink {
        private final Sink next;
        private final List<Difference> listed = new ArrayList<>();
        private boolean truncated;

        Listing(Sink next) {
            this.next = next;
        }

        @Override
        public void found(Difference difference, Object sourceRecord) {
            if (listed.size() < retain) {
                listed.add(difference);
            } else {
                truncated = true;
            }
            next.found(difference, sourceRecord);
        }
    }

    private <T> KindCounts compare(
            KindAccess<T> access, RecordMerge.Selection<? super T> selection, Sink sink, Consumer<? super T> seen) {
        Tally tally = new Tally();
        RecordMerge.run(
                access,
                new ScanIterator<>(access, source.bulk(), batchSize),
                new ScanIterator<>(access, target.bulk(), batchSize),
                r -> true,
                selection,
                sink,
                tally,
                seen);
        return tally.counts();
    }
}
