package dev.dal.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock the kit moves by hand, so expiry and timestamps can be tested without sleeping. Thread-safe. */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    /** @param start the first instant the clock shows */
    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** @return a clock at the current system time, with nanosecond digits so truncation is exercised */
    public static MutableClock startingNow() {
        return new MutableClock(Instant.now().plusNanos(123_456));
    }

    /** @param amount how far to move forward */
    public void advance(Duration amount) {
        now.updateAndGet(t -> t.plus(amount));
    }

    /** @param instant the instant to show from now on */
    public void set(Instant instant) {
        now.set(instant);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("MutableClock is always UTC");
    }
}
