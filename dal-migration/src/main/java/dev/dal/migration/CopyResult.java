package dev.dal.migration;

import java.time.Duration;
import java.util.Map;

/**
 * What a copy did.
 *
 * @param written records written per kind, including those of the runs this one resumed
 * @param resumed whether the copy continued from a checkpoint
 * @param elapsed how long this run took
 */
public record CopyResult(Map<RecordType, Long> written, boolean resumed, Duration elapsed) {

    /**
     * Copies the map.
     *
     * @param written records written per kind, including those of the runs this one resumed
     * @param resumed whether the copy continued from a checkpoint
     * @param elapsed how long this run took
     */
    public CopyResult {
        written = Map.copyOf(written);
    }

    /** @return records written, all kinds */
    public long total() {
        return written.values().stream().mapToLong(Long::longValue).sum();
    }
}
