package dev.dal.migration;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link StoreVerifier#verify()}.
 *
 * @param counts figures per kind
 * @param differences the differences found, at most {@code StoreVerifier}'s retention limit (all of
 *     them reached the listener)
 * @param truncated whether more differences were found than are listed
 * @param digests what comparing messages by range digests did, {@code null} when they were compared record by
 *     record
 */
public record VerifyReport(
        Map<RecordType, KindCounts> counts, List<Difference> differences, boolean truncated, DigestFigures digests) {

    /**
     * Copies the collections.
     *
     * @param counts figures per kind
     * @param differences the differences found, at most {@code StoreVerifier}'s retention limit (all of
     *     them reached the listener)
     * @param truncated whether more differences were found than are listed
     * @param digests what comparing messages by range digests did, {@code null} when they were compared record by
     *     record
     */
    public VerifyReport {
        counts = Map.copyOf(counts);
        differences = List.copyOf(differences);
    }

    /** @return whether the two stores hold the same records */
    public boolean equal() {
        return counts.values().stream().allMatch(KindCounts::equal);
    }

    /** @return the number of differences, all kinds */
    public long differenceCount() {
        return counts.values().stream()
                .mapToLong(c -> c.missing() + c.extra() + c.differing())
                .sum();
    }
}
