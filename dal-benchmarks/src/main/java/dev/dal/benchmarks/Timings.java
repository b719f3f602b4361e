package dev.dal.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/** Wall and calling-thread CPU time of each call; the warm-up's are dropped. */
final class Timings {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private final int warmup;
    private final long[] wall;
    private final long[] cpu;
    private final long[] allocated;

    Timings(int warmup, int timed) {
        this.warmup = warmup;
        this.wall = new long[timed];
        this.cpu = new long[timed];
        this.allocated = new long[timed];
    }

    static long[] start() {
        return new long[] {
            THREADS.getCurrentThreadAllocatedBytes(), THREADS.getCurrentThreadCpuTime(), System.nanoTime()
        };
    }

    void stop(int round, long[] start) {
        long now = System.nanoTime();
        long cpuNow = THREADS.getCurrentThreadCpuTime();
        long allocatedNow = THREADS.getCurrentThreadAllocatedBytes();
        if (round >= warmup) {
            wall[round - warmup] = now - start[2];
            cpu[round - warmup] = cpuNow - start[1];
            allocated[round - warmup] = allocatedNow - start[0];
        }
    }

    Stats wall() {
        return Stats.of(wall);
    }

    /**
     * @param batch records per call
     * @return the header line above {@link #row} lines
     */
    static String header(int batch) {
        return String.format(
                Locale.ROOT,
                "%-48s %8s %8s %8s %11s %11s %8s %8s",
                "writes, ms per batch of " + String.format(Locale.ROOT, "%,d", batch),
                "mean",
                "p50",
                "p90",
                "msg/s mean",
                "msg/s p50",
                "CPU ms",
                "alloc MB");
    }

    String row(String label, int batch) {
        Stats w = wall();
        return String.format(
                Locale.ROOT,
                "%-48s %8.2f %8.2f %8.2f %,11.0f %,11.0f %8.2f %8.2f",
                label,
                w.mean(),
                w.p50(),
                w.p90(),
                batch / (w.mean() / 1e3),
                batch / (w.p50() / 1e3),
                Stats.of(cpu).mean(),
                Arrays.stream(allocated).average().orElse(0) / (1024 * 1024));
    }
}
