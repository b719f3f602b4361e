package dev.dal.migration;

import dev.dal.api.bulk.IdRange;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Cuts the session id space into contiguous ranges of about {@link DigestTuning#chunk()} messages each, from the
 * sessions' message counts as a verify reads them (the larger of the two stores' counts for a session in
 * both). Counts only size the ranges: a range holding more or fewer messages than its sessions claim is still
 * compared exactly.
 *
 * <p>A {@linkplain #RangePlan(long) whole} plan covers every session id, so messages of sessions neither store
 * holds still fall in a range. A {@linkplain #selected(long) selected} plan covers only the sessions added to
 * it: a range spans a run of sessions added one after the other, and a session {@linkplain #gap() passed over}
 * between them ends the run, so no range holds a session that was passed over.
 */
final class RangePlan {
    /**
     * A range with the number of messages it is thought to hold.
     *
     * @param range the range
     * @param estimate about how many messages it holds
     */
    record Planned(IdRange range, long estimate) {}

    private final long chunk;
    private final boolean whole;
    private final List<Planned> ranges = new ArrayList<>();
    /** Where the open range starts; {@code null} in a selected plan between runs. */
    private UUID start;
    /** The last session in the open range. */
    private UUID end;

    private long inRange;
    private UUID pendingId;
    private long pendingCount;
    private boolean full;

    /** @param chunk messages a range holds at most, unless one session holds more */
    RangePlan(long chunk) {
        this(chunk, true);
    }

    private RangePlan(long chunk, boolean whole) {
        this.chunk = chunk;
        this.whole = whole;
        this.start = whole ? IdRange.ALL.first() : null;
    }

    /**
     * @param chunk messages a range holds at most, unless one session holds more
     * @return a plan of the sessions added only
     */
    static RangePlan selected(long chunk) {
        return new RangePlan(chunk, false);
    }

    /**
     * Adds a session, in scan order; the same session twice in a row (once per store) counts once, at the larger
     * count.
     *
     * @param sessionId the session
     * @param messages its message count
     */
    void add(UUID sessionId, long messages) {
        if (sessionId.equals(pendingId)) {
            pendingCount = Math.max(pendingCount, messages);
            return;
        }
        flush();
        pendingId = sessionId;
        pendingCount = messages;
    }

    /** Notes a session passed over, in scan order: in a selected plan, no range spans it. */
    void gap() {
        flush();
        if (!whole) {
            close();
        }
    }

    /** @return the ranges, first to last; in a whole plan they hold every session id together */
    List<Planned> finish() {
        flush();
        if (whole && !full) {
            ranges.add(new Planned(new IdRange(start, IdRange.ALL.last()), inRange));
        } else if (!whole) {
            close();
        }
        return List.copyOf(ranges);
    }

    private void flush() {
        if (pendingId == null) {
            return;
        }
        if (start == null) {
            start = pendingId;
        }
        end = pendingId;
        inRange += pendingCount;
        if (inRange >= chunk) {
            ranges.add(new Planned(new IdRange(start, pendingId), inRange));
            start = whole ? IdRange.next(pendingId) : null;
            full = whole && start == null;
            inRange = 0;
        }
        pendingId = null;
    }

    /** Ends the open run of a selected plan. */
    private void close() {
        if (start != null) {
            ranges.add(new Planned(new IdRange(start, end), inRange));
            start = null;
            inRange = 0;
        }
    }
}
