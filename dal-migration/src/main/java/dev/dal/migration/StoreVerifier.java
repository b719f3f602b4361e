package dev.dal.migration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.migration.internal.CanonicalJson;
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
 */
public final class StoreVerifier {
    private final DataAccess source;
    private final DataAccess target;
    private final int batchSize;
    private final int retain;

    /**
     * @param source the reference store
     * @param target the store checked against it
     * @param batchSize records per scan
     * @param retain how many differences the report lists (all of them reach a listener)
     */
    public StoreVerifier(DataAccess source, DataAccess target, int batchSize, int retain) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.batchSize = batchSize;
        this.retain = retain;
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
        for (RecordType kind : RecordType.values()) {
            counts.put(kind, compare(KindAccess.of(kind), listing));
            kindDone.accept(kind);
        }
        return new VerifyReport(counts, listing.listed, listing.truncated);
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

    private <T> KindCounts compare(KindAccess<T> access, Sink sink) {
        ScanIterator<T> left = new ScanIterator<>(access, source.bulk(), batchSize);
        ScanIterator<T> right = new ScanIterator<>(access, target.bulk(), batchSize);
        long inSource = 0;
        long inTarget = 0;
        long matching = 0;
        long missing = 0;
        long extra = 0;
        long differing = 0;
        while (true) {
            T a = left.peek();
            T b = right.peek();
            if (a == null && b == null) {
                break;
            }
            int order = a == null ? 1 : b == null ? -1 : access.compare(a, b);
            if (order < 0) {
                left.next();
                inSource++;
                missing++;
                sink.found(
                        new Difference(
                                access.kind(),
                                Difference.Type.MISSING,
                                access.id(a),
                                List.of(),
                                CanonicalJson.hash(CanonicalJson.toTree(a)),
                                null),
                        a);
            } else if (order > 0) {
                right.next();
                inTarget++;
                extra++;
                sink.found(
                        new Difference(
                                access.kind(),
                                Difference.Type.EXTRA,
                                access.id(b),
                                List.of(),
                                null,
                                CanonicalJson.hash(CanonicalJson.toTree(b))),
                        null);
            } else {
                left.next();
                right.next();
                inSource++;
                inTarget++;
                ObjectNode x = CanonicalJson.toTree(a);
                ObjectNode y = CanonicalJson.toTree(b);
                String hx = CanonicalJson.hash(x);
                String hy = CanonicalJson.hash(y);
                if (hx.equals(hy)) {
                    matching++;
                } else {
                    differing++;
                    sink.found(
                            new Difference(
                                    access.kind(),
                                    Difference.Type.DIFFERENT,
                                    access.id(a),
                                    CanonicalJson.differingFields(x, y),
                                    hx,
                                    hy),
                            a);
                }
            }
        }
        return new KindCounts(inSource, inTarget, matching, missing, extra, differing);
    }
}
