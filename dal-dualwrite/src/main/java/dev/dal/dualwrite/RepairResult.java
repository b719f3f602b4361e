package dev.dal.dualwrite;

import java.util.List;

/**
 * What {@link DualWriteDataAccess#repair()} did.
 *
 * @param replayed journal entries replayed successfully and removed from the journal
 * @param remaining entries whose replay failed again; they stay in the journal for the next repair
 */
public record RepairResult(int replayed, List<RepairEntry> remaining) {

    /**
     * Copies the list.
     *
     * @param replayed journal entries replayed successfully and removed from the journal
     * @param remaining entries whose replay failed again; they stay in the journal for the next repair
     */
    public RepairResult {
        remaining = List.copyOf(remaining);
    }
}
