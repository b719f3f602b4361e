package dev.dal.api;

/**
 * A keyset page of a conversation's history. Whatever the direction, the messages come back in
 * ascending sequence order; the last one's number is the cursor for the next page after, the
 * first one's for the next page before.
 *
 * @param direction which end the page is taken from
 * @param cursor the sequence number the page starts from (exclusive); ignored for {@link Direction#LATEST}
 * @param limit the most messages to return, 1 to {@link #MAX_LIMIT}
 */
public record HistoryQuery(Direction direction, long cursor, int limit) {

    /** The largest page Dal returns in one call. */
    public static final int MAX_LIMIT = 1000;

    /** Where a page is taken from. */
    public enum Direction {
        /** The newest {@code limit} messages. */
        LATEST,
        /** The first {@code limit} messages with a sequence number greater than the cursor. */
        AFTER,
        /** The last {@code limit} messages with a sequence number smaller than the cursor. */
        BEFORE
    }

    /**
     * @param limit page size
     * @return the newest {@code limit} messages, oldest of them first
     */
    public static HistoryQuery latest(int limit) {
        return new HistoryQuery(Direction.LATEST, 0, limit);
    }

    /**
     * @param sequenceNumber exclusive lower bound; 0 starts at the first message
     * @param limit page size
     * @return the page after a sequence number
     */
    public static HistoryQuery after(long sequenceNumber, int limit) {
        return new HistoryQuery(Direction.AFTER, sequenceNumber, limit);
    }

    /**
     * @param sequenceNumber exclusive upper bound
     * @param limit page size
     * @return the page before a sequence number
     */
    public static HistoryQuery before(long sequenceNumber, int limit) {
        return new HistoryQuery(Direction.BEFORE, sequenceNumber, limit);
    }

    /**
     * The inclusive range of sequence numbers this page covers in a conversation with
     * {@code messageCount} messages; empty when {@code first > last}. Backends use it so every
     * store reads the same window.
     *
     * @param messageCount the conversation's message count
     * @return {@code {first, last}}
     */
    public long[] window(long messageCount) {
        return switch (direction) {
            case LATEST -> new long[] {Math.max(1, messageCount - limit + 1), messageCount};
            case AFTER ->
                cursor >= messageCount
                        ? new long[] {1, 0}
                        : new long[] {cursor + 1, Math.min(messageCount, cursor + limit)};
            case BEFORE -> {
                long last = Math.min(messageCount, cursor - 1);
                yield new long[] {Math.max(1, last - limit + 1), last};
            }
        };
    }
}
