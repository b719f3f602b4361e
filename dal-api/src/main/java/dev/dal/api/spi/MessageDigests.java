package dev.dal.api.spi;

import dev.dal.api.Message;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.ScanBatch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The one definition of a {@link RangeDigest}, shared by every store, so that digests computed inside one store
 * (an SQL aggregate, a store's own index) equal digests computed from the records of another.
 *
 * <p>A message's <b>hash</b> is the MD5 of the UTF-8 bytes of its <b>form</b>: id, session id, sequence number,
 * role (wire name), creation time in epoch milliseconds, token count (empty when absent) and abuse flag
 * ({@code 1} or {@code 0}), each followed by {@code |}; then the content's length in UTF-8 bytes, {@code |}, the
 * content; then the metadata as {@link JsonbText}. Every part before the content holds no {@code |}, the
 * content's length is given, and the metadata ends the form, so two different messages never share a form. The
 * hash is read as four signed (two's complement) 32-bit integers, big-endian; a range's digest is the sum of each
 * of the four over its messages, which does not depend on the order they are read in (no sum can overflow a
 * {@code long} below 2<sup>31</sup> messages, and SQL sums 32-bit integers into 64-bit ones). MD5 serves here as a checksum against accidental differences, not against an adversary who writes
 * to both stores.
 */
public final class MessageDigests {
    /** Messages read per scan call when a digest is computed by streaming. */
    public static final int STREAM_BATCH = 2_000;

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    });

    private MessageDigests() {}

    /**
     * @param message a message
     * @return the text its hash is computed over
     */
    public static String form(Message message) {
        String content = message.content();
        StringBuilder out = new StringBuilder(128 + content.length());
        out.append(message.id())
                .append('|')
                .append(message.sessionId())
                .append('|')
                .append(message.sequenceNumber())
                .append('|')
                .append(message.role().wireName())
                .append('|')
                .append(message.createdAt().toEpochMilli())
                .append('|')
                .append(message.tokenCount() == null ? "" : message.tokenCount().toString())
                .append('|')
                .append(message.abuseFlagged() ? '1' : '0')
                .append('|')
                .append(content.getBytes(StandardCharsets.UTF_8).length)
                .append('|')
                .append(content);
        JsonbText.write(RecordTrees.metadata(message), out);
        return out.toString();
    }

    /**
     * @param message a message
     * @return its hash as four signed 32-bit integers, each in a {@code long}
     */
    public static long[] hash(Message message) {
        byte[] md5 = MD5.get().digest(form(message).getBytes(StandardCharsets.UTF_8));
        long[] parts = new long[4];
        for (int i = 0; i < 4; i++) {
            parts[i] = (md5[4 * i] << 24)
                    | ((md5[4 * i + 1] & 0xFF) << 16)
                    | ((md5[4 * i + 2] & 0xFF) << 8)
                    | (md5[4 * i + 3] & 0xFF);
        }
        return parts;
    }

    /**
     * @param sums the four sums of a range
     * @return the digest text of {@link RangeDigest#digest()}
     */
    public static String hex(long[] sums) {
        StringBuilder out = new StringBuilder(64);
        for (long sum : sums) {
            String part = Long.toHexString(sum);
            out.append("0".repeat(16 - part.length())).append(part);
        }
        return out.toString();
    }

    /**
     * Computes digests by reading the ranges' messages: the way for a store that cannot compute them inside, and
     * the reference a store's own digests are checked against.
     *
     * @param bulk the store
     * @param ranges the ranges, each digested alone
     * @return one digest per range, in the order given
     */
    public static List<RangeDigest> stream(BulkAccess bulk, List<IdRange> ranges) {
        List<RangeDigest> out = new ArrayList<>(ranges.size());
        for (IdRange range : ranges) {
            Accumulator sum = new Accumulator();
            String cursor = ScanCursors.beforeMessagesOf(range.first());
            read:
            while (true) {
                ScanBatch<Message> batch = bulk.scanMessages(cursor, STREAM_BATCH);
                for (Message m : batch.items()) {
                    if (!range.contains(m.sessionId())) {
                        break read;
                    }
                    sum.add(m);
                }
                if (!batch.hasMore()) {
                    break;
                }
                cursor = batch.nextCursor();
            }
            out.add(sum.digest(range));
        }
        return out;
    }

    /** Sums hashes into a digest; not thread-safe. */
    public static final class Accumulator {
        private final long[] sums = new long[4];
        private long count;
        private UUID first;
        private UUID last;

        /**
         * Adds one message.
         *
         * @param message a message of the range
         */
        public void add(Message message) {
            add(message.sessionId(), 1, hash(message));
        }

        /**
         * Adds messages already summed (a session's, kept in a store's index).
         *
         * @param sessionId the session they belong to
         * @param messages how many
         * @param partSums their four sums
         */
        public void add(UUID sessionId, long messages, long[] partSums) {
            if (messages == 0) {
                return;
            }
            count += messages;
            for (int i = 0; i < 4; i++) {
                sums[i] += partSums[i];
            }
            if (first == null || IdRange.compare(sessionId, first) < 0) {
                first = sessionId;
            }
            if (last == null || IdRange.compare(sessionId, last) > 0) {
                last = sessionId;
            }
        }

        /**
         * @param range the range summed
         * @return its digest
         */
        public RangeDigest digest(IdRange range) {
            return new RangeDigest(range, count, hex(sums), first, last);
        }
    }
}
