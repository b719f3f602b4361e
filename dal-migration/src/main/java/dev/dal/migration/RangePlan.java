package dev.dal.migration;

import dev.dal.api.bulk.IdRange;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Cuts the whole session id space into contiguous ranges of about {@link DigestTuning#chunk()} messages each, from the
 * sessions' message counts as a verify reads them (the larger of the two stores' counts for a session in
 * both). Counts only size the ranges: a range holding more or fewer messages than its sessions claim is still
 * compared exactly, and messages of sessions neither store holds still fall in a range.
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
    private final List<Planned> ranges = new ArrayList<>();
    private UUID start = IdRange.ALL.first();
    private long inRange;
    private UUID pendingId;
    private long pendingCount;
    private boolean full;

    /** @param chunk messages a range holds at most, unless one session holds more */
    RangePlan(long chunk) {
        this.chunk = chunk;
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

    /** @return the ranges, first to last, which together hold every session id */
    List<Planned> finish() {
        flush();
        if (!full) {
            ranges.add(new Planned(new IdRange(start, IdRange.ALL.last()), inRange));
        }
        return List.copyOf(ranges);
    }

    private void flush() {
        if (pendingId == null) {
            return;
        }
        inRange += pendingCount;
        if (inRange >= chunk) {
            ranges.add(new Planned(new IdRange(start, pendingId), inRange));
            start = IdRange.next(pendingId);
            full = start == null;
            inRange = 0;
        }
        pendingId = null;
    }
}
