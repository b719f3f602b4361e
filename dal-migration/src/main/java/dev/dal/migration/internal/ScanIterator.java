package dev.dal.migration.internal;

import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import java.util.List;

/** Walks one kind of a store in scan order, one batch in memory at a time. */
public final class ScanIterator {
    private final KindAccess access;
    private final BulkAccess bulk;
    private final int batchSize;
    private List<?> items = List.of();
    private int position;
    private String cursor;
    private boolean exhausted;

    /**
     * @param access the kind
     * @param bulk the store
     * @param batchSize records per scan
     */
    public ScanIterator(KindAccess access, BulkAccess bulk, int batchSize) {
        this.access = access;
        this.bulk = bulk;
        this.batchSize = batchSize;
    }

    /** @return the next record without consuming it, or {@code null} at the end */
    public Object peek() {
        while (position >= items.size()) {
            if (exhausted) {
                return null;
            }
            ScanBatch<?> batch = access.scan(bulk, cursor, batchSize);
            items = batch.items();
            position = 0;
            cursor = batch.nextCursor();
            exhausted = cursor == null;
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
