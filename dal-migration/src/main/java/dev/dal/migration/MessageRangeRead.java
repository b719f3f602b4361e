package dev.dal.migration;

import dev.dal.api.Message;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.spi.ScanCursors;
import dev.dal.migration.internal.KindAccess;
import dev.dal.migration.internal.ScanIterator;

/**
 * Reads the messages of one session range from both stores and merges them record by record: each scan starts
 * at the range's first session and stops at the first message past its last, so messages outside the range are
 * neither compared nor counted; a scan reads past the range's end only as far as the batch that ends it (sized to
 * the range's estimate plus one, so usually one message).
 */
final class MessageRangeRead {
    private MessageRangeRead() {}

    /**
     * @param source the reference store
     * @param target the store checked against it
     * @param span the sessions whose messages are compared
     * @param inSource about how many messages the source holds there
     * @param inTarget about how many messages the target holds there
     * @param batchSize records per scan at most
     * @param sink hears every difference
     * @param tally receives the figures
     */
    static void run(
            BulkAccess source,
            BulkAccess target,
            IdRange span,
            long inSource,
            long inTarget,
            int batchSize,
            StoreVerifier.Sink sink,
            Tally tally) {
        String cursor = ScanCursors.beforeMessagesOf(span.first());
        // One more than expected, so a range read whole usually takes one scan call per store.
        ScanIterator<Message> left =
                new ScanIterator<>(KindAccess.MESSAGES, source, cursor, scanSize(batchSize, inSource));
        ScanIterator<Message> right =
                new ScanIterator<>(KindAccess.MESSAGES, target, cursor, scanSize(batchSize, inTarget));
        RecordMerge.run(KindAccess.MESSAGES, left, right, m -> span.contains(m.sessionId()), sink, tally, m -> {});
    }

    private static int scanSize(int batchSize, long expected) {
        return (int) Math.max(1, Math.min(Math.min(batchSize, BulkAccess.MAX_BATCH_SIZE), expected + 1));
    }
}
