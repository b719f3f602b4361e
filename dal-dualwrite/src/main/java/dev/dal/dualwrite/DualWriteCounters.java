package dev.dal.dualwrite;

/**
 * A snapshot of {@link DualWriteDataAccess}'s counters since it was opened (the journal size is the
 * journal's, which outlives the process). Also published as Micrometer meters when Micrometer is on the
 * class path: {@code dal.dualwrite.writes}, {@code dal.dualwrite.secondary.failures},
 * {@code dal.dualwrite.journal.size}, {@code dal.dualwrite.reads.compared}, {@code dal.dualwrite.mismatches},
 * tagged {@code primary} and {@code secondary} (the store types) and {@code instance} (a number unique to each
 * decorator in the JVM, so two decorators over the same store types keep separate meters; sum over it for a
 * total). A decorator's meters are removed when it closes.
 *
 * @param writes write operations the primary committed and that were replicated or attempted
 * @param secondaryFailures replications that failed or timed out
 * @param journalSize entries now waiting in the repair journal
 * @param readsCompared reads answered by both stores and compared
 * @param mismatches compared reads whose answers still differed when read again a moment later
 * @param readRaces compared reads whose answers differed at first but agreed when read again (a read that
 *     raced an in-flight replication), published as {@code dal.dualwrite.reads.races}
 */
public record DualWriteCounters(
        long writes, long secondaryFailures, long journalSize, long readsCompared, long mismatches, long readRaces) {

    /**
     * Counters with no races.
     *
     * @param writes write operations replicated or attempted
     * @param secondaryFailures replications that failed or timed out
     * @param journalSize entries waiting in the repair journal
     * @param readsCompared reads compared
     * @param mismatches confirmed mismatches
     */
    public DualWriteCounters(
            long writes, long secondaryFailures, long journalSize, long readsCompared, long mismatches) {
        this(writes, secondaryFailures, journalSize, readsCompared, mismatches, 0);
    }
}
