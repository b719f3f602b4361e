package dev.dal.dualwrite.internal;

import dev.dal.api.bulk.BulkAccess;
import java.util.List;
import java.util.function.Consumer;

/** Where a write tells what the secondary now owes: replicated at once by the decorator, or collected by a transaction. */
public interface ReplicationSink {

    /**
     * Called before a write reaches the primary, with what it may change, so that a complete journal can
     * record the intent durably first. An exception stops the write before the primary sees it.
     *
     * @param steps what the coming write may change
     */
    default void intend(List<Step> steps) {}

    /** @param steps what the secondary owes, in the order written */
    void owe(List<Step> steps);

    /**
     * A bulk upsert: the secondary can take the same exact records in one batch; {@code steps} name them
     * record by record for the journal (and for a fallback when the batch is refused).
     *
     * @param steps the records, one step each
     * @param exact upserts the same batch into a store's bulk interface
     */
    default void oweExact(List<Step> steps, Consumer<BulkAccess> exact) {
        owe(steps);
    }
}
