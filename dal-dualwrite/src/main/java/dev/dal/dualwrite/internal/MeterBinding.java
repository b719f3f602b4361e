package dev.dal.dualwrite.internal;

import dev.dal.dualwrite.DualWriteCounters;
import java.util.function.Supplier;

/**
 * Publishes the counters as Micrometer meters when Micrometer is on the class path; does nothing otherwise.
 * Only {@link MicrometerMeters} names Micrometer types, and it is loaded only after the presence check, so
 * the decorator runs without Micrometer.
 */
public final class MeterBinding {
    private static final String REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

    private MeterBinding() {}

    /** @return whether Micrometer can be loaded by this module's class loader */
    public static boolean micrometerPresent() {
        try {
            Class.forName(REGISTRY, false, MeterBinding.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Registers the meters in Micrometer's global registry, when Micrometer is present.
     *
     * @param counters reads the current counters
     * @param primary the primary's store type, a tag
     * @param secondary the secondary's store type, a tag
     * @return what removes the meters again (a no-op without Micrometer)
     */
    public static Runnable bind(Supplier<DualWriteCounters> counters, String primary, String secondary) {
        if (!micrometerPresent()) {
            return () -> {};
        }
        return MicrometerMeters.register(counters, primary, secondary);
    }
}
