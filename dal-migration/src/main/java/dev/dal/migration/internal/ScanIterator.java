package dev.dal.migration.internal;

import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.ScanBatches;
import java.util.List;

/**
 * Walks one kind of a store in scan order, one batch in memory at a time.
 *
 * @param <T> the kind's record type
 */
public final class ScanIterator<T> {
    private final ScanBatches<T> batches;
    private List<? extends T> items = List.of();
    private int position;

    /**
     * @param access the kind
     * @param bulk the store
     * @param batchSize records per scan
     */
    public ScanIterator(KindAccess<T> access, BulkAccess bulk, int batchSize) {
        this(access, bulk, null, batchSize);
    }

    /**
     * @param access the kind
     * @param bulk the store
     * @param cursor where the scan starts, {@code null} for the beginning
     * @param batchSize records per scan
     */
    public ScanIterator(KindAccess<T> access, BulkAccess bulk, String cursor, int batchSize) {
        this.batches = access.batches(bulk, cursor, batchSize);
    }

    /** @return the next record without consuming it, or {@code null} at the end */
    public T peek() {
        while (position >= items.size()) {
            if (!batches.hasNext()) {
                return null;
            }
            items = batches.next().items();
            position = 0;
        }
        return items.get(position);
    }

    /** @return the next record, consumed, or {@code null} at the end */
    public T next() {
        T record = peek();
        if (record != null) {
            position++;
        }
        return record;
    }
}
