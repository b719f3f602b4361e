package dev.dal.migration;

import dev.dal.api.ValidationException;
import java.util.UUID;

/**
 * One slice of a store for a parallel copy: partition {@code index} of {@code count}, chosen by a
 * hash of the owning id. Users go to every partition (they are few, and sessions and memory need
 * them first); a session and its messages go to the partition of the session id; memory goes to
 * the partition of its user id. Each process still reads the whole scan and skips what is not
 * its own: partitions divide the writing, which is the slow side of a copy.
 *
 * @param index 0-based, below {@code count}
 * @param count how many partitions, at least 1
 */
public record Partition(int index, int count) {

    /** The whole store in one partition. */
    public static final Partition ALL = new Partition(0, 1);

    /**
     * Checks the range.
     *
     * @param index 0-based, below {@code count}
     * @param count how many partitions, at least 1
     */
    public Partition {
        if (count < 1 || index < 0 || index >= count) {
            throw new ValidationException("partition", "must be I/N with 0 <= I < N, got " + index + "/" + count);
        }
    }

    /**
     * @param text {@code "I/N"}, e.g. {@code "0/4"}
     * @return the partition
     * @throws ValidationException when the text is not of that form
     */
    public static Partition parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("/");
        try {
            if (parts.length == 2) {
                return new Partition(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ValidationException("partition", "must be I/N with 0 <= I < N, e.g. 0/4, got '" + text + "'");
    }

    /**
     * @param owner the owning id (session id for sessions and messages, user id for memory)
     * @return whether this partition copies records owned by it
     */
    public boolean owns(UUID owner) {
        if (count == 1) {
            return true;
        }
        long mixed = owner.getMostSignificantBits() ^ owner.getLeastSignificantBits();
        mixed ^= mixed >>> 33;
        mixed *= 0xff51afd7ed558ccdL;
        mixed ^= mixed >>> 33;
        return Math.floorMod(mixed, count) == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
