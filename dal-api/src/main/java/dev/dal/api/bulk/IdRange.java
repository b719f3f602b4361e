package dev.dal.api.bulk;

import dev.dal.api.ValidationException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A range of record ids (users, sessions), both ends included, in the order scans use: the canonical
 * (lower-case) string form of the id, which is the unsigned order of its 128 bits. A range of session ids also
 * names those sessions' messages; a range of user ids, those users' memory.
 *
 * @param first the lowest id in the range
 * @param last the highest id in the range, not below {@code first}
 */
public record IdRange(UUID first, UUID last) {
    private static final BigInteger ONE = BigInteger.ONE;
    private static final BigInteger MASK_64 = ONE.shiftLeft(64).subtract(ONE);

    /** Every id. */
    public static final IdRange ALL = new IdRange(new UUID(0L, 0L), new UUID(-1L, -1L));

    /**
     * Checks the order of the ends.
     *
     * @param first the lowest id in the range
     * @param last the highest id in the range, not below {@code first}
     */
    public IdRange {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
        if (compare(first, last) > 0) {
            throw new ValidationException("range", "must not end (" + last + ") before it starts (" + first + ")");
        }
    }

    /**
     * @param a an id
     * @param b another
     * @return their order in scans: negative when {@code a} comes first
     */
    public static int compare(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /**
     * @param id an id
     * @return the id right after it in scan order, {@code null} after the highest
     */
    public static UUID next(UUID id) {
        if (id.equals(ALL.last)) {
            return null;
        }
        long low = id.getLeastSignificantBits() + 1;
        return new UUID(id.getMostSignificantBits() + (low == 0 ? 1 : 0), low);
    }

    /**
     * @param id an id
     * @return the id right before it in scan order, {@code null} before the lowest
     */
    public static UUID previous(UUID id) {
        if (id.equals(ALL.first)) {
            return null;
        }
        long low = id.getLeastSignificantBits();
        return new UUID(id.getMostSignificantBits() - (low == 0 ? 1 : 0), low - 1);
    }

    /**
     * @param id an id
     * @return whether the range holds it
     */
    public boolean contains(UUID id) {
        return compare(first, id) <= 0 && compare(id, last) <= 0;
    }

    /** @return whether the range holds one id only */
    public boolean single() {
        return first.equals(last);
    }

    /**
     * Splits the range into contiguous parts of (nearly) equal width, in order, which together hold exactly
     * this range.
     *
     * @param parts how many parts at most, 2 or more (a narrower range gives fewer)
     * @return the parts, first to last
     */
    public List<IdRange> split(int parts) {
        if (parts < 2) {
            throw new ValidationException("parts", "must be 2 or more, got " + parts);
        }
        BigInteger low = number(first);
        BigInteger width = number(last).subtract(low).add(ONE);
        BigInteger count = width.min(BigInteger.valueOf(parts));
        List<IdRange> out = new ArrayList<>(count.intValue());
        BigInteger start = low;
        for (int i = 1; i <= count.intValue(); i++) {
            BigInteger end =
                    low.add(width.multiply(BigInteger.valueOf(i)).divide(count)).subtract(ONE);
            out.add(new IdRange(id(start), id(end)));
            start = end.add(ONE);
        }
        return out;
    }

    private static BigInteger number(UUID id) {
        return new BigInteger(Long.toUnsignedString(id.getMostSignificantBits()))
                .shiftLeft(64)
                .or(new BigInteger(Long.toUnsignedString(id.getLeastSignificantBits())));
    }

    private static UUID id(BigInteger number) {
        return new UUID(number.shiftRight(64).longValue(), number.and(MASK_64).longValue());
    }

    @Override
    public String toString() {
        return first + ".." + last;
    }
}
