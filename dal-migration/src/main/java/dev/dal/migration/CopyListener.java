package dev.dal.migration;

/** Hears about a copy's progress, once per batch. Implementations must be quick. */
@FunctionalInterface
public interface CopyListener {

    /** A listener that ignores everything. */
    CopyListener NONE = (kind, scanned, written, totalWritten) -> {};

    /**
     * Called after each batch is written and checkpointed.
     *
     * @param kind the kind of the batch
     * @param scanned records of the batch read from the source
     * @param written records of the batch written to the target (fewer with a partition)
     * @param totalWritten records written so far, all kinds, this run and the runs it resumes
     */
    void batchDone(RecordType kind, int scanned, int written, long totalWritten);
}
