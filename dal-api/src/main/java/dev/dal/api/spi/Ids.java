package dev.dal.api.spi;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Dal's record ids: UUID version 7 (RFC 9562), time-ordered, so that ids sort by creation time
 * both as UUIDs and as their canonical strings. Ids from one process are strictly increasing:
 * within one millisecond a 12-bit counter orders them.
 */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int COUNTER_MAX = 0xFFF;

    private static long lastMillis;
    private static int counter;

    private Ids() {}

    /** @return a new, unique, time-ordered id */
    public static synchronized UUID newId() {
        long now = System.currentTimeMillis();
        if (now > lastMillis) {
            lastMillis = now;
            // A random start leaves room for the ids that follow in the same millisecond.
            counter = RANDOM.nextInt(COUNTER_MAX / 2);
        } else if (++counter > COUNTER_MAX) {
            lastMillis++;
            counter = 0;
        }
        long msb = (lastMillis << 16) | (0x7L << 12) | counter;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
