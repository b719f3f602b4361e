package dev.dal.migration;

import dev.dal.api.DataAccess;
import dev.dal.migration.internal.KindAccess;
import dev.dal.migration.internal.ScanIterator;
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
 */
public final class StoreVerifier {
    private final DataAccess source;
    private final DataAccess target;
    private final int batchSize;
    private final int retain;
    private final VerifyMode mode;
    private final DigestTuning tuning;

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
        this.tuning = tuning;
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.batchSize = batchSize;
        this.retain = retain;
        this.mode = Objects.requireNonNull(mode, "mode");
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
        RangePlan plan = new RangePlan(tuning.chunk());
        DigestFigures digests = null;
        for (RecordType kind : RecordType.values()) {
            if (kind == RecordType.SESSIONS) {
                counts.put(kind, compare(KindAccess.SESSIONS, listing, s -> plan.add(s.id(), s.messageCount())));
            } else if (kind == RecordType.MESSAGES
                    && mode == VerifyMode.DIGEST
                    && MessageDigestComparison.applies(source.bulk(), target.bulk())) {
                MessageDigestComparison messages =
                        new MessageDigestComparison(source.bulk(), target.bulk(), batchSize, tuning);
                counts.put(kind, messages.compare(plan.finish(), listing));
                digests = messages.figures();
            } else {
                counts.put(kind, compare(KindAccess.of(kind), listing, r -> {}));
            }
            kindDone.accept(kind);
        }
        return new VerifyReport(counts, listing.listed, listing.truncated, digests);
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

    private <T> KindCounts compare(KindAccess<T> access, Sink sink, Consumer<? super T> seen) {
        Tally tally = new Tally();
        RecordMerge.run(
                access,
                new ScanIterator<>(access, source.bulk(), batchSize),
                new ScanIterator<>(access, target.bulk(), batchSize),
                r -> true,
                sink,
                tally,
                seen);
        return tally.counts();
    }
}
