package dev.dal.migration;

/** How {@link StoreVerifier} compares the messages of two stores; both give the same report. */
public enum VerifyMode {
    /**
     * Messages by range digests where both stores compute them inside ({@code BulkAccess.digestsMessagesInStore}):
     * ranges of sessions are compared by count and digest, ranges that differ are split and compared again, and
     * only small ranges that still differ are read record by record. Equal stores are verified without reading
     * their messages. Where a store can only stream digests, messages are compared record by record.
     */
    DIGEST,
    /** Every record of every kind read from both stores and compared by its content hash. */
    FULL
}
