package dev.dal.dualwrite.internal;

import dev.dal.dualwrite.DualWriteCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** The Micrometer side of {@link MeterBinding}; loaded only when Micrometer is on the class path. */
final class MicrometerMeters {
    /** Numbers the decorators of this JVM, for the {@code instance} tag. */
    private static final AtomicLong INSTANCES = new AtomicLong();

    private MicrometerMeters() {}

    static Runnable register(Supplier<DualWriteCounters> counters, String primary, String secondary) {
        MeterRegistry registry = Metrics.globalRegistry;
        // Micrometer keeps one meter per name and tags: without a tag of its own, a second decorator over the same
        // store types would get the first one's meters (its own counts unseen) and closing either would remove both.
        Tags tags = Tags.of(
                "primary", primary, "secondary", secondary, "instance", Long.toString(INSTANCES.incrementAndGet()));
        List<Meter> meters = List.of(
                counter(
                        registry,
                        "dal.dualwrite.writes",
                        "writes replicated or attempted",
                        tags,
                        counters,
                        DualWriteCounters::writes),
                counter(
                        registry,
                        "dal.dualwrite.secondary.failures",
                        "secondary writes that failed or timed out",
                        tags,
                        counters,
                        DualWriteCounters::secondaryFailures),
                Gauge.builder(
                                "dal.dualwrite.journal.size",
                                counters,
                                c -> c.get().journalSize())
                        .description("divergences waiting in the repair journal")
                        .tags(tags)
                        .register(registry),
                counter(
                        registry,
                        "dal.dualwrite.reads.compared",
                        "reads answered by both stores and compared",
                        tags,
                        counters,
                        DualWriteCounters::readsCompared),
                counter(
                        registry,
                        "dal.dualwrite.mismatches",
                        "compared reads whose answers differed",
                        tags,
                        counters,
                        DualWriteCounters::mismatches),
                counter(
                        registry,
                        "dal.dualwrite.reads.races",
                        "compared reads that differed only while a replication" + " was in flight",
                        tags,
                        counters,
                        DualWriteCounters::readRaces));
        return () -> meters.forEach(registry::remove);
    }

    private static Meter counter(
            MeterRegistry registry,
            String name,
            String description,
            Tags tags,
            Supplier<DualWriteCounters> counters,
            ToDoubleFunction<DualWriteCounters> value) {
        return FunctionCounter.builder(name, counters, c -> value.applyAsDouble(c.get()))
                .description(description)
                .tags(tags)
                .register(registry);
    }
}
