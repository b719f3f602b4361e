package dev.dal.api.bulk;

import java.util.Objects;
import java.util.UUID;

/**
 * The messages of a {@link IdRange} in one value: how many there are and an order-independent digest of
 * their content. Two stores holding the same messages in a range give equal digests, whichever way each
 * computes them; a digest that differs means some message in the range differs, is missing or is extra.
 *
 * @param range the range digested
 * @param count how many messages the range holds
 * @param digest the component-wise sum of every message's content hash, in hex; equal sums of equal counts
 *     stand for equal content (a chance difference goes unseen with odds of about 2<sup>-128</sup>)
 * @param firstSessionId the lowest session id holding a message in the range, {@code null} when it holds none
 * @param lastSessionId the highest, {@code null} when it holds none
 */
public record RangeDigest(IdRange range, long count, String digest, UUID firstSessionId, UUID lastSessionId) {

    /**
     * Checks the parts.
     *
     * @param range the range digested
     * @param count how many messages the range holds
     * @param digest the component-wise sum of every message's content hash, in hex
     * @param firstSessionId the lowest session id holding a message in the range, {@code null} when it holds none
     * @param lastSessionId the highest, {@code null} when it holds none
     */
    public RangeDigest {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(digest, "digest");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if ((count == 0) != (firstSessionId == null) || (firstSessionId == null) != (lastSessionId == null)) {
            throw new IllegalArgumentException(
                    "a range holding messages names its first and last session, " + "an empty one neither");
        }
    }

    /**
     * @param other the same range's digest in another store
     * @return whether both hold the same messages (count and digest equal)
     */
    public boolean sameContent(RangeDigest other) {
        return count == other.count && digest.equals(other.digest);
    }
}
