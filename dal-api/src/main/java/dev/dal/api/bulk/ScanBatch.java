package dev.dal.api.bulk;

import java.util.List;
import java.util.Objects;

/**
 * One batch of a {@link BulkAccess} scan.
 *
 * @param <T> the record type
 * @param items the records, in scan order
 * @param nextCursor where the next batch starts, or {@code null} when nothing follows; a plain
 *     string that may be saved as a checkpoint (a non-null cursor may lead to an empty batch)
 */
public record ScanBatch<T>(List<T> items, String nextCursor) {

    /**
     * Copies the list.
     *
     * @param items the records, in scan order
     * @param nextCursor where the next batch starts, or {@code null} when nothing follows; a plain
     *     string that may be saved as a checkpoint (a non-null cursor may lead to an empty batch)
     */
    public ScanBatch {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /** @return whether more batches follow */
    public boolean hasMore() {
        return nextCursor != null;
    }
}
