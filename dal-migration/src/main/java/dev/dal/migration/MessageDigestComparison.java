package dev.dal.migration;

import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Compares the messages of two stores by range digests, both computed inside the stores: ranges whose counts
 * and digests are equal hold the same messages and are not read; a range that differs is narrowed to the
 * sessions holding its messages and split in {@link DigestTuning#parts()}, and only ranges of at most
 * {@link DigestTuning#leaf()} messages (or one session) that still differ are read record by record. Differences are found and reported in scan
 * order, as the record-by-record comparison reports them.
 */
final class MessageDigestComparison {
    /** Messages one digest call covers at most, by estimate, so that each statement ends well within timeouts. */
    static final long CALL_BUDGET = 250_000;

    private final BulkAccess source;
    private final BulkAccess target;
    private final int batchSize;
    private final DigestTuning tuning;
    private final Tally tally = new Tally();
    private long rangesDigested;
    private long rangesRead;
    /** Messages counted through equal digests, which no scan read. */
    private long unreadMatching;

    MessageDigestComparison(BulkAccess source, BulkAccess target, int batchSize, DigestTuning tuning) {
        this.source = source;
        this.target = target;
        this.batchSize = batchSize;
        this.tuning = tuning;
    }

    /** @return whether both stores compute digests inside, without which reading is cheaper than digesting */
    static boolean applies(BulkAccess source, BulkAccess target) {
        return source.digestsMessagesInStore() && target.digestsMessagesInStore();
    }

    /** A range still to compare: planned (digests not yet asked) or with both stores' digests. */
    private record Work(RangePlan.Planned planned, RangeDigest left, RangeDigest right) {}

    /** Runs the target's digest calls while the source computes its own. */
    private final ExecutorService targetCalls = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "dal-verify-target-digests");
        thread.setDaemon(true);
        return thread;
    });

    KindCounts compare(List<RangePlan.Planned> plan, StoreVerifier.Sink sink) {
        try {
            return settle(plan, sink);
        } finally {
            targetCalls.shutdownNow();
        }
    }

    private static List<RangeDigest> joined(CompletableFuture<List<RangeDigest>> call) {
        try {
            return call.join();
        } catch (CompletionException e) {
            // The target's own exception (a DataAccessException naming the failure), as a direct call throws it.
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private KindCounts settle(List<RangePlan.Planned> plan, StoreVerifier.Sink sink) {
        // Ranges are settled strictly first to last (parts of a split range go first), so differences come in
        // scan order, as the record-by-record comparison finds them.
        Deque<Work> pending = new ArrayDeque<>();
        plan.forEach(p -> pending.addLast(new Work(p, null, null)));
        while (!pending.isEmpty()) {
            Work head = pending.pollFirst();
            if (head.left() == null) {
                pending.addFirst(head);
                digestNext(pending);
                continue;
            }
            List<RangePlan.Planned> parts = compare(head.left(), head.right(), sink);
            for (int i = parts.size() - 1; i >= 0; i--) {
                pending.addFirst(new Work(parts.get(i), null, null));
            }
        }
        return tally.counts();
    }

    /** Asks both stores for the digests of the planned ranges at the head, as many as one call takes. */
    private void digestNext(Deque<Work> pending) {
        List<RangePlan.Planned> call = new ArrayList<>();
        long estimate = 0;
        while (!pending.isEmpty()
                && pending.peekFirst().left() == null
                && call.size() < BulkAccess.MAX_DIGEST_RANGES
                && (call.isEmpty() || estimate + pending.peekFirst().planned().estimate() <= CALL_BUDGET)) {
            RangePlan.Planned next = pending.pollFirst().planned();
            call.add(next);
            estimate += next.estimate();
        }
        List<IdRange> ranges = call.stream().map(RangePlan.Planned::range).toList();
        // Both stores digest at once: each call is the store's own work (bounded by its query timeout).
        CompletableFuture<List<RangeDigest>> fromTarget =
                CompletableFuture.supplyAsync(() -> target.digestMessages(ranges), targetCalls);
        List<RangeDigest> left = source.digestMessages(ranges);
        List<RangeDigest> right = joined(fromTarget);
        rangesDigested += ranges.size();
        for (int i = ranges.size() - 1; i >= 0; i--) {
            pending.addFirst(new Work(call.get(i), left.get(i), right.get(i)));
        }
    }

    DigestFigures figures() {
        return new DigestFigures(rangesDigested, rangesRead, tally.read() - unreadMatching);
    }

    /** @return the parts still to compare, empty when the range was settled */
    private List<RangePlan.Planned> compare(RangeDigest left, RangeDigest right, StoreVerifier.Sink sink) {
        if (left.sameContent(right)) {
            tally.matchingUnread(left.count(), right.count());
            unreadMatching += left.count() + right.count();
            return List.of();
        }
        IdRange span = new IdRange(
                lower(left.firstSessionId(), right.firstSessionId()),
                higher(left.lastSessionId(), right.lastSessionId()));
        long larger = Math.max(left.count(), right.count());
        if (larger <= tuning.leaf() || span.single()) {
            read(span, left.count(), right.count(), sink);
            return List.of();
        }
        List<IdRange> parts = span.split(tuning.parts());
        long each = Math.max(1, larger / parts.size());
        return parts.stream().map(p -> new RangePlan.Planned(p, each)).toList();
    }

    private void read(IdRange span, long inSource, long inTarget, StoreVerifier.Sink sink) {
        rangesRead++;
        MessageRangeRead.run(source, target, span, inSource, inTarget, batchSize, sink, tally);
    }

    /** Either id when the other is {@code null} (that store holds no message there). */
    private static UUID lower(UUID a, UUID b) {
        return a == null ? b : b == null || IdRange.compare(a, b) <= 0 ? a : b;
    }

    private static UUID higher(UUID a, UUID b) {
        return a == null ? b : b == null || IdRange.compare(a, b) >= 0 ? a : b;
    }
}
