package dev.dal.migration.cli;

import dev.dal.migration.CopyListener;
import dev.dal.migration.RecordType;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy's progress: a bar with records done, rate and ETA on a terminal; a plain log line every
 * few seconds otherwise.
 */
final class Progress implements CopyListener {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;

    private final PrintStream terminal;
    private final long expected;
    private final long startedAt = System.nanoTime();
    private final long startCount;
    private long lastShown;
    private boolean first = true;
    private long base;

    /**
     * @param terminal where to draw the bar, or {@code null} to log instead
     * @param expected records expected in all, or 0 when unknown
     * @param alreadyDone records written by earlier runs
     */
    Progress(PrintStream terminal, long expected, long alreadyDone) {
        this.terminal = terminal;
        this.expected = expected;
        this.startCount = alreadyDone;
    }

    @Override
    public void batchDone(RecordType kind, int scanned, int written, long totalWritten) {
        if (first) {
            base = totalWritten - written;
            first = false;
        }
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - startedAt) / 1e9);
        double rate = (totalWritten - base) / seconds;
        if (terminal != null) {
            if (now - lastShown < 200_000_000L) {
                return;
            }
            lastShown = now;
            String eta = expected > 0 && rate > 0 ? formatSeconds((expected - totalWritten) / rate) : "?";
            int width = 30;
            int filled = expected > 0 ? (int) Math.min(width, width * totalWritten / expected) : 0;
            terminal.printf(
                    "\r[%s%s] %,d%s records  %s  %,.0f/s  ETA %s   ",
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    totalWritten,
                    expected > 0 ? "/" + String.format("%,d", expected) : "",
                    kind.wireName(),
                    rate,
                    eta);
            terminal.flush();
        } else if (now - lastShown >= LOG_EVERY_NANOS) {
            lastShown = now;
            LOG.info("copy: {} records written ({}), {} records/s", totalWritten, kind.wireName(), Math.round(rate));
        }
    }

    void finish() {
        if (terminal != null) {
            terminal.println();
        }
    }

    long startCount() {
        return startCount;
    }

    private static String formatSeconds(double s) {
        long total = Math.max(0, Math.round(s));
        return String.format("%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60);
    }
}
