package dev.dal.api.spi;

import dev.dal.api.bulk.ScanBatch;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The batches of one {@link dev.dal.api.bulk.BulkAccess} scan, from a cursor to the scan's end, read one at a
 * time as they are asked for: the one loop over scan cursors that copies, counts, exports and compares share.
 * The first batch is read by the first {@link #next()}; the scan ends after a batch whose
 * {@link ScanBatch#nextCursor()} is {@code null} (a batch may be empty). Not thread-safe.
 *
 * @param <T> the record type
 */
public final class ScanBatches<T> implements Iterable<ScanBatch<? extends T>>, Iterator<ScanBatch<? extends T>> {

    /**
     * One call of a scan, such as {@code bulk::scanUsers}.
     *
     * @param <T> the record type
     */
    @FunctionalInterface
    public interface Scan<T> {
        /**
         * @param cursor {@code null} for the first batch, else the previous batch's next cursor
         * @param batchSize 1 to {@link dev.dal.api.bulk.BulkAccess#MAX_BATCH_SIZE}
         * @return the next batch
         */
        ScanBatch<? extends T> batch(String cursor, int batchSize);
    }

    private final Scan<T> scan;
    private final int batchSize;
    private String cursor;
    private boolean done;

    private ScanBatches(Scan<T> scan, String cursor, int batchSize) {
        this.scan = Objects.requireNonNull(scan, "scan");
        this.cursor = cursor;
        this.batchSize = batchSize;
    }

    /**
     * @param scan the scan
     * @param batchSize records per batch, 1 to {@link dev.dal.api.bulk.BulkAccess#MAX_BATCH_SIZE}
     * @param <T> the record type
     * @return the scan's batches from its beginning
     */
    public static <T> ScanBatches<T> of(Scan<T> scan, int batchSize) {
        return from(scan, null, batchSize);
    }

    /**
     * @param scan the scan
     * @param cursor where to resume (a cursor the scan returned, such as a saved checkpoint), {@code null} for
     *     the beginning
     * @param batchSize records per batch, 1 to {@link dev.dal.api.bulk.BulkAccess#MAX_BATCH_SIZE}
     * @param <T> the record type
     * @return the scan's batches from the cursor on
     */
    public static <T> ScanBatches<T> from(Scan<T> scan, String cursor, int batchSize) {
        return new ScanBatches<>(scan, cursor, batchSize);
    }

    /** @return this, for a {@code for} loop; the batches can be walked once */
    @Override
    public Iterator<ScanBatch<? extends T>> iterator() {
        return this;
    }

    /** @return whether another batch is to be read */
    @Override
    public boolean hasNext() {
        return !done;
    }

    /**
     * Reads the next batch.
     *
     * @return the batch
     * @throws NoSuchElementException when the scan has ended
     */
    @Override
    public ScanBatch<? extends T> next() {
        if (done) {
            throw new NoSuchElementException("the scan has ended");
        }
        ScanBatch<? extends T> batch = scan.batch(cursor, batchSize);
        cursor = batch.nextCursor();
        done = cursor == null;
        return batch;
    }
}
