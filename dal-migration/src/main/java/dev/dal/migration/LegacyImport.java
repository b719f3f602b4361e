package dev.dal.migration;

import dev.dal.api.DataAccess;
import dev.dal.migration.internal.ImportPlan;
import dev.dal.migration.internal.PlanWriter;

/**
 * A legacy input that has been read and checked in full ({@link TinyDbImporter#read},
 * {@link JsonDirImporter#read}) and not yet written: reading first lets a caller refuse a bad input
 * before it even sets up the target (a new database's schema included). It holds the whole input in
 * memory; it is not changed by writing, and writing it again adds nothing.
 */
public final class LegacyImport {
    private final ImportPlan plan;
    private final int batchSize;

    LegacyImport(ImportPlan plan, int batchSize) {
        this.plan = plan;
        this.batchSize = batchSize;
    }

    /**
     * Writes the input into a store through its bulk upserts, parents first.
     *
     * @param store where to write
     * @return counts, skips, unused parts of the input and warnings
     */
    public ImportReport writeTo(DataAccess store) {
        return new PlanWriter(batchSize).write(plan, store);
    }
}
