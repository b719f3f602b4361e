package dev.dal.migration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.migration.internal.CanonicalJson;
import dev.dal.migration.internal.KindAccess;
import dev.dal.migration.internal.ScanIterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The record-by-record comparison: two scans of one kind in the same keyset order, merged, each pair compared by
 * the SHA-256 of its canonical JSON. Memory holds one batch per store.
 */
final class RecordMerge {
    private RecordMerge() {}

    /**
     * Merges two scans until both end or leave the range.
     *
     * @param access the kind
     * @param left the source's scan
     * @param right the target's scan
     * @param within whether a record still belongs to what is compared; the first that does not ends that scan
     * @param sink hears every difference
     * @param tally receives the figures
     * @param seen hears every record compared, from either store, in scan order
     * @param <T> the record type
     */
    static <T> void run(
            KindAccess<T> access,
            ScanIterator<T> left,
            ScanIterator<T> right,
            Predicate<? super T> within,
            StoreVerifier.Sink sink,
            Tally tally,
            Consumer<? super T> seen) {
        run(access, left, right, within, Selection.all(), sink, tally, seen);
    }

    /**
     * Which records a merge compares: a pair (or a record only one store holds) is compared when either side
     * is selected; the others are passed over, neither counted nor compared.
     *
     * @param <T> the record type
     */
    interface Selection<T> {
        /**
         * @param record a record of either store
         * @return whether it, and the record of the same key in the other store, are compared
         */
        boolean selects(T record);

        /**
         * Hears a key passed over, once per key (with the source's record when both stores hold it).
         *
         * @param record the record passed over
         */
        default void passedOver(T record) {}

        /**
         * @param <T> the record type
         * @return the selection of every record
         */
        static <T> Selection<T> all() {
            return record -> true;
        }
    }

    /**
     * Merges two scans until both end or leave the range, comparing only the selected records.
     *
     * @param access the kind
     * @param left the source's scan
     * @param right the target's scan
     * @param within whether a record still belongs to what is compared; the first that does not ends that scan
     * @param selection which records are compared; records passed over reach neither the tally nor the sink
     * @param sink hears every difference
     * @param tally receives the figures
     * @param seen hears every record compared, from either store, in scan order
     * @param <T> the record type
     */
    static <T> void run(
            KindAccess<T> access,
            ScanIterator<T> left,
            ScanIterator<T> right,
            Predicate<? super T> within,
            Selection<? super T> selection,
            StoreVerifier.Sink sink,
            Tally tally,
            Consumer<? super T> seen) {
        while (true) {
            T a = next(left, within);
            T b = next(right, within);
            if (a == null && b == null) {
                return;
            }
            int order = a == null ? 1 : b == null ? -1 : access.compare(a, b);
            boolean selected = order < 0
                    ? selection.selects(a)
                    : order > 0 ? selection.selects(b) : selection.selects(a) || selection.selects(b);
            if (!selected) {
                if (order <= 0) {
                    left.next();
                }
                if (order >= 0) {
                    right.next();
                }
                selection.passedOver(order <= 0 ? a : b);
            } else if (order < 0) {
                left.next();
                seen.accept(a);
                tally.source++;
                tally.missing++;
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
                seen.accept(b);
                tally.target++;
                tally.extra++;
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
                seen.accept(a);
                seen.accept(b);
                tally.source++;
                tally.target++;
                ObjectNode x = CanonicalJson.toTree(a);
                ObjectNode y = CanonicalJson.toTree(b);
                String hx = CanonicalJson.hash(x);
                String hy = CanonicalJson.hash(y);
                if (hx.equals(hy)) {
                    tally.matching++;
                } else {
                    tally.differing++;
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
    }

    private static <T> T next(ScanIterator<T> scan, Predicate<? super T> within) {
        T record = scan.peek();
        return record != null && within.test(record) ? record : null;
    }
}
