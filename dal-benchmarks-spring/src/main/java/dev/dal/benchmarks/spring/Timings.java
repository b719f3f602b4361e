package dev.dal.benchmarks.spring;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * One series of timed calls on one thread: wall time, the calling thread's CPU time and its allocation per call
 * ({@code com.sun.management.ThreadMXBean}, as dal-benchmarks measures), the first {@code warmup} calls discarded.
 */
final class Timings {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

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

    static {
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
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

    /** @return mean wall time per call, ms */
    double meanMillis() {
        return Arrays.stream(wall).average().orElse(0) / 1e6;
    }

    /** @return median wall time per call, ms */
    double p50Millis() {
        return percentile(wall, 0.50) / 1e6;
    }

    /** @return 99th percentile of wall time per call, ms */
    double p99Millis() {
        return percentile(wall, 0.99) / 1e6;
    }

    /** @return mean CPU time of the calling thread per call, ms */
    double cpuMillis() {
        return Arrays.stream(cpu).average().orElse(0) / 1e6;
    }

    /** @return mean allocation of the calling thread per call, KB */
    double allocatedKb() {
        return Arrays.stream(allocated).average().orElse(0) / 1024;
    }

    private static double percentile(long[] values, double q) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(q * sorted.length) - 1))];
    }

    /**
     * @param label the row's name
     * @param unitsPerCall messages (or calls) one call handles, for the throughput column
     * @return one table row: mean, p50, p99 (ms), units per second at the mean, client CPU ms, allocation KB
     */
    String row(String label, int unitsPerCall) {
        return String.format(
                Locale.ROOT,
                "| %-52s | %9.3f | %9.3f | %9.3f | %,11.0f | %8.3f | %,10.1f |",
                label,
                meanMillis(),
                p50Millis(),
                p99Millis(),
                unitsPerCall / (meanMillis() / 1e3),
                cpuMillis(),
                allocatedKb());
    }

    static String header(String unit) {
        return String.format(
                Locale.ROOT,
                "| %-52s | %9s | %9s | %9s | %11s | %8s | %10s |%n|%s|%s|%s|%s|%s|%s|%s|",
                "operation",
                "mean ms",
                "p50 ms",
                "p99 ms",
                unit + "/s",
                "CPU ms",
                "alloc KB",
                "---",
                "---:",
                "---:",
                "---:",
                "---:",
                "---:",
                "---:");
    }

    /**
     * @param dal Dal's series
     * @param spring Spring Data's series, the same operation
     * @return Dal / Spring Data: throughput ratio at the mean and at the p50 (above 1: Dal faster), p99 ratio of
     *     latencies, allocation ratio
     */
    static String ratio(String label, Timings dal, Timings spring) {
        return String.format(
                Locale.ROOT,
                "| %-52s | %6.2f× | %6.2f× | %6.2f× | %6.2f× |",
                label,
                spring.meanMillis() / dal.meanMillis(),
                spring.p50Millis() / dal.p50Millis(),
                dal.p99Millis() / spring.p99Millis(),
                dal.allocatedKb() / spring.allocatedKb());
    }

    static String ratioHeader() {
        return "| Dal / Spring Data | throughput (mean) | throughput (p50) | p99 latency | allocation |\n"
                + "|---|---:|---:|---:|---:|";
    }
}
