package dev.dal.migration;

/**
 * The sizes a verify by range digests works with.
 *
 * @param chunk messages a first range holds at most (unless one session holds more)
 * @param leaf messages a differing range may hold to be read rather than split
 * @param parts parts a differing range is split into, 2 or more
 */
record DigestTuning(long chunk, long leaf, int parts) {
    /**
     * Ranges of 50,000 messages, a digest of which takes a fraction of a second in a server; differing ranges
     * split in 16 down to 500 messages, which one scan call per store reads.
     */
    static final DigestTuning DEFAULT = new DigestTuning(50_000, 500, 16);
}
