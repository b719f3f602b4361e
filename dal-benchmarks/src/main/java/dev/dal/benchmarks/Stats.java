package dev.dal.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/** Mean and percentiles of one series, in milliseconds. */
record Stats(double mean, double p50, double p90) {
    static Stats of(long[] ns) {
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        return new Stats(Arrays.stream(sorted).average().orElse(0) / 1e6, at(sorted, 0.50), at(sorted, 0.90));
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    String readRow(String label) {
        return String.format(Locale.ROOT, "%-48s %8.2f %8.2f %8.2f", label, mean, p50, p90);
    }
}
