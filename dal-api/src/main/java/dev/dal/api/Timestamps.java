package dev.dal.api;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Dal's rule for time: {@link Instant}s in UTC, truncated to milliseconds before they are stored. */
public final class Timestamps {
    private Timestamps() {}

    /**
     * @param clock the clock to read
     * @return the clock's current instant, truncated to milliseconds
     */
    public static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * @param instant an instant, or {@code null}
     * @return the instant truncated to milliseconds, or {@code null}
     */
    public static Instant truncate(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
    }
}
