package dev.dal.migration;

/** The figures of one kind while a verify runs; {@link #counts()} freezes them. */
final class Tally {
    long source;
    long target;
    long matching;
    long missing;
    long extra;
    long differing;

    /** Counts records found equal without reading them (an equal range digest). */
    void matchingUnread(long inSource, long inTarget) {
        source += inSource;
        target += inTarget;
        matching += inSource;
    }

    /** @return how many records were read from both stores together */
    long read() {
        return source + target;
    }

    KindCounts counts() {
        return new KindCounts(source, target, matching, missing, extra, differing);
    }
}
