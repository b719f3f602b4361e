package dev.dal.api.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The mean latency of the calls a store served over the last minute, for health figures: sixty
 * one-second buckets of (count, total nanoseconds), reused as the clock moves on. Lock-free and
 * cheap enough for every call.
 */
final class CallLatency {
    private static final int SECONDS = 60;

    /** Per bucket: the second it holds, its call count, its total nanoseconds. */
    private final AtomicLongArray seconds = new AtomicLongArray(SECONDS);

    private final AtomicLongArray counts = new AtomicLongArray(SECONDS);
    private final AtomicLongArray nanos = new AtomicLongArray(SECONDS);

    void record(long startNanos) {
        long now = System.nanoTime();
        long second = now / 1_000_000_000L;
        int slot = (int) Math.floorMod(second, (long) SECONDS);
        long held = seconds.get(slot);
        if (held != second && seconds.compareAndSet(slot, held, second)) {
            // A racing caller may still add to the old second's totals: a rounding error, not a failure.
            counts.set(slot, 0);
            nanos.set(slot, 0);
        }
        counts.incrementAndGet(slot);
        nanos.addAndGet(slot, now - startNanos);
    }

    /** @return calls and mean milliseconds over the last minute: {count, mean} */
    double[] lastMinute() {
        long second = System.nanoTime() / 1_000_000_000L;
        long count = 0;
        long total = 0;
        for (int i = 0; i < SECONDS; i++) {
            if (second - seconds.get(i) < SECONDS) {
                count += counts.get(i);
                total += nanos.get(i);
            }
        }
        return new double[] {count, count == 0 ? 0 : total / 1e6 / count};
    }
}
