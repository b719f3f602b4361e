package dev.dal.dualwrite.internal;

import dev.dal.dualwrite.FieldDifference;
import dev.dal.dualwrite.Mismatch;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;

/**
 * Logs confirmed mismatches at WARN, at most {@code linesPerWindow} lines per window; past that it counts
 * them by operation and logs one summary line when the window has passed (at the next mismatch or at
 * close), so a store that diverges everywhere cannot flood the log. Lines name the operation, the ids and
 * the differing paths, never the values.
 */
public final class MismatchLog {
    private final Logger log;
    private final String primaryType;
    private final String secondaryType;
    private final int linesPerWindow;
    private final long windowNanos;
    private final Map<String, Long> suppressed = new TreeMap<>();
    private long windowStart = System.nanoTime();
    private int linesInWindow;

    /**
     * @param log where lines go
     * @param primaryType the primary's store type
     * @param secondaryType the secondary's store type
     * @param linesPerWindow most detail lines per window
     * @param window how long a window lasts
     */
    public MismatchLog(Logger log, String primaryType, String secondaryType, int linesPerWindow, Duration window) {
        this.log = log;
        this.primaryType = primaryType;
        this.secondaryType = secondaryType;
        this.linesPerWindow = linesPerWindow;
        this.windowNanos = window.toNanos();
    }

    /** @param mismatch a confirmed mismatch */
    public synchronized void mismatch(Mismatch mismatch) {
        rollWindow();
        if (linesInWindow < linesPerWindow) {
            linesInWindow++;
            log.warn(
                    "Dual-write compare: {} {} differs between the primary ({}) and the secondary ({}) in {}",
                    mismatch.operation(),
                    mismatch.ids(),
                    primaryType,
                    secondaryType,
                    mismatch.differences().stream().map(FieldDifference::path).toList());
        } else {
            suppressed.merge(mismatch.operation(), 1L, Long::sum);
        }
    }

    private void rollWindow() {
        long now = System.nanoTime();
        if (now - windowStart >= windowNanos) {
            flush();
            windowStart = now;
            linesInWindow = 0;
        }
    }

    /** Logs the summary of what was suppressed, if anything was. */
    public synchronized void flush() {
        if (!suppressed.isEmpty()) {
            long total = suppressed.values().stream().mapToLong(Long::longValue).sum();
            log.warn(
                    "Dual-write compare: {} more mismatch(es) not logged one by one in the last {} s, by operation {}",
                    total,
                    Duration.ofNanos(windowNanos).toSeconds(),
                    suppressed);
            suppressed.clear();
        }
    }
}
