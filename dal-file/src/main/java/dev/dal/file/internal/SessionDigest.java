package dev.dal.file.internal;

import dev.dal.api.Message;
import dev.dal.api.spi.MessageDigests;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * One session's messages summed as {@link MessageDigests} defines it: how many there are and the four sums of
 * their hashes. Kept on disk as {@code messages.digest}, fixed {@value #SIZE} bytes, big-endian: magic {@code DDG1}
 * (4) | length of {@code messages.ndjson} it sums (8) | count (8) | four sums (4 &times; 8) | CRC-32 of the bytes
 * before it (4). The log only grows, so a file whose log length is not the log's (another writer, such as an
 * older Dal, appended since) is as unusable as a torn or missing one: the session is then summed from its
 * messages.
 */
final class SessionDigest {
    /** The size of {@code messages.digest}. */
    static final int SIZE = 56;

    private static final int MAGIC = 0x44444731; // "DDG1"
    private static final int BODY = SIZE - 4;

    private long count;
    private final long[] sums = new long[4];

    /** Adds a stored message. */
    void add(Message message) {
        long[] hash = MessageDigests.hash(message);
        count++;
        for (int i = 0; i < 4; i++) {
            sums[i] += hash[i];
        }
    }

    /** Takes away a message the session no longer holds (replaced in its slot). */
    void remove(Message message) {
        long[] hash = MessageDigests.hash(message);
        count--;
        for (int i = 0; i < 4; i++) {
            sums[i] -= hash[i];
        }
    }

    /** @return how many messages are summed */
    long count() {
        return count;
    }

    /** Adds the session, pre-summed, to a range's digest. */
    void addTo(MessageDigests.Accumulator range, UUID sessionId) {
        range.add(sessionId, count, sums.clone());
    }

    /** @return the file's bytes, for a log of {@code logLength} bytes */
    byte[] encode(long logLength) {
        ByteBuffer out =
                ByteBuffer.allocate(SIZE).putInt(MAGIC).putLong(logLength).putLong(count);
        for (long sum : sums) {
            out.putLong(sum);
        }
        return out.putInt(crc(out.array())).array();
    }

    /**
     * @param bytes the file's bytes
     * @param logLength the length of the session's log now
     * @return what they hold, or {@code null} when they are not a whole digest of a log of that length
     */
    static SessionDigest decode(byte[] bytes, long logLength) {
        if (bytes.length != SIZE) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.getInt() != MAGIC || in.getInt(BODY) != crc(bytes) || in.getLong() != logLength) {
            return null;
        }
        SessionDigest digest = new SessionDigest();
        digest.count = in.getLong();
        for (int i = 0; i < 4; i++) {
            digest.sums[i] = in.getLong();
        }
        return digest.count < 0 ? null : digest;
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, BODY);
        return (int) crc.getValue();
    }
}
