package dev.dal.migration.internal;

import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.ScanBatches;
import java.util.List;

/** Walks one kind of a store in scan order, one batch in memory at a time. */
public final class ScanIterator {
    private final ScanBatches<Object> batches;
    private List<?> items = List.of();
    private int position;

    /**
     * @param access the kind
     * @param bulk the store
     * @param batchSize records per scan
     */
    public ScanIterator(KindAccess access, BulkAccess bulk, int batchSize) {
        this.batches = ScanBatches.of((cursor, size) -> access.scan(bulk, cursor, size), batchSize);
    }

    /** @return the next record without consuming it, or {@code null} at the end */
    public Object peek() {
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
    public Object next() {
        Object record = peek();
        if (record != null) {
            position++;
        }
        return record;
    }
}
