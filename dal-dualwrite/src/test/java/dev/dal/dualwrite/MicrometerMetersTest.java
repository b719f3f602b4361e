package dev.dal.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.DataAccess;
import dev.dal.api.NewUser;
import dev.dal.api.UnsupportedDataAccess;
import dev.dal.api.User;
import dev.dal.dualwrite.internal.MeterBinding;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dual-write counters as Micrometer meters: registered in {@link Metrics#globalRegistry} when Micrometer is on
 * the class path (seen here through a {@link SimpleMeterRegistry} added to it), following the counters, removed on
 * close; and nothing at all, without failing, when Micrometer is absent.
 */
class MicrometerMetersTest {
    private static final String[] NAMES = {
        "dal.dualwrite.writes",
        "dal.dualwrite.secondary.failures",
        "dal.dualwrite.journal.size",
        "dal.dualwrite.reads.compared",
        "dal.dualwrite.mismatches",
        "dal.dualwrite.reads.races"
    };
    /** Store types no other test uses, so only this test's decorators carry these tags. */
    private static final Tags TAGS = Tags.of("primary", "meters-primary", "secondary", "meters-secondary");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @TempDir
    Path journal;

    @BeforeEach
    void addRegistry() {
        Metrics.globalRegistry.add(registry);
    }

    @AfterEach
    void removeRegistry() {
        Metrics.globalRegistry.remove(registry);
        registry.close();
    }

    private DualWriteDataAccess decorator(MemoryUserStore primary, MemoryUserStore secondary) {
        DualWriteSettings settings = DualWriteSettings.defaults()
                .withReadFrom(ReadFrom.COMPARE)
                .withFailurePolicy(SecondaryFailurePolicy.RECORD, journal);
        return new DualWriteDataAccess(
                "meters-primary", primary, "meters-secondary", secondary, settings, Clock.systemUTC());
    }

    /** Checks the counters, and that every meter shows the same figure. */
    private void assertCountersAndMeters(
            DualWriteDataAccess dual, long writes, long failures, long journalSize, long compared, long mismatches) {
        assertThat(MemoryUserStore.awaitRecheck(dual, mismatches))
                .isEqualTo(new DualWriteCounters(writes, failures, journalSize, compared, mismatches));
        assertThat(registry.get("dal.dualwrite.writes")
                        .tags(TAGS)
                        .functionCounter()
                        .count())
                .isEqualTo(writes);
        assertThat(registry.get("dal.dualwrite.secondary.failures")
                        .tags(TAGS)
                        .functionCounter()
                        .count())
                .isEqualTo(failures);
        assertThat(registry.get("dal.dualwrite.journal.size").tags(TAGS).gauge().value())
                .isEqualTo(journalSize);
        assertThat(registry.get("dal.dualwrite.reads.compared")
                        .tags(TAGS)
                        .functionCounter()
                        .count())
                .isEqualTo(compared);
        assertThat(registry.get("dal.dualwrite.mismatches")
                        .tags(TAGS)
                        .functionCounter()
                        .count())
                .isEqualTo(mismatches);
        assertThat(registry.get("dal.dualwrite.reads.races")
                        .tags(TAGS)
                        .functionCounter()
                        .count())
                .isZero();
    }

    private List<Meter> ourMeters() {
        return registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("dal.dualwrite."))
                .filter(m -> "meters-primary".equals(m.getId().getTag("primary")))
                .toList();
    }

    @Test
    void metersAreRegisteredDescribedAndTaggedWithBothStoreTypes() {
        try (DualWriteDataAccess dual = decorator(new MemoryUserStore(), new MemoryUserStore())) {
            assertThat(MeterBinding.micrometerPresent()).isTrue();
            assertThat(ourMeters()).extracting(m -> m.getId().getName()).containsExactlyInAnyOrder(NAMES);
            assertThat(ourMeters()).allSatisfy(m -> {
                assertThat(m.getId().getTag("secondary")).isEqualTo("meters-secondary");
                assertThat(m.getId().getDescription()).isNotBlank();
            });
            assertCountersAndMeters(dual, 0, 0, 0, 0, 0);
        }
    }

    @Test
    void metersFollowTheCountersThroughWritesFailuresComparedReadsMismatchesAndRepair() {
        MemoryUserStore primary = new MemoryUserStore();
        MemoryUserStore secondary = new MemoryUserStore();
        try (DualWriteDataAccess dual = decorator(primary, secondary)) {
            User kept = dual.createUser(NewUser.withExternalId("kept"));
            dual.createUser(NewUser.withExternalId("also-kept"));
            assertCountersAndMeters(dual, 2, 0, 0, 0, 0);

            secondary.failing = true;
            User lost = dual.createUser(NewUser.withExternalId("lost"));
            assertThat(secondary.getUser(lost.id())).isEmpty();
            assertCountersAndMeters(dual, 3, 1, 1, 0, 0);

            assertThat(dual.getUser(kept.id())).contains(kept);
            assertCountersAndMeters(dual, 3, 1, 1, 1, 0);

            secondary.put(new User(
                    kept.id(),
                    kept.externalId(),
                    kept.email(),
                    "changed behind its back",
                    kept.profile(),
                    kept.preferences(),
                    kept.status(),
                    kept.createdAt(),
                    kept.updatedAt(),
                    null));
            assertThat(dual.getUser(kept.id())).as("the primary's answer").contains(kept);
            assertCountersAndMeters(dual, 3, 1, 1, 2, 1);

            secondary.failing = false;
            assertThat(dual.repair().replayed()).isEqualTo(1);
            assertThat(secondary.getUser(lost.id())).contains(lost);
            assertCountersAndMeters(dual, 3, 1, 0, 2, 1);
        }
    }

    /**
     * Micrometer holds a function counter's and a gauge's source object weakly: the decorator must hold the source
     * itself, or the first collection freezes the counters and turns the journal gauge to NaN.
     */
    @Test
    void metersKeepFollowingTheCountersAfterAGarbageCollection() {
        try (DualWriteDataAccess dual = decorator(new MemoryUserStore(), new MemoryUserStore())) {
            dual.createUser(NewUser.withExternalId("before"));
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            dual.createUser(NewUser.withExternalId("after"));
            assertCountersAndMeters(dual, 2, 0, 0, 0, 0);
        }
    }

    /** The figures of one meter name across every live decorator of this test's store pair. */
    private List<Double> writesMeters() {
        return registry.find("dal.dualwrite.writes").tags(TAGS).functionCounters().stream()
                .map(c -> c.count())
                .toList();
    }

    /**
     * Two decorators over the same store types (a blue-green deployment, two named stores): each publishes its own
     * meters, told apart by an {@code instance} tag, and closing one leaves the other's meters in place.
     */
    @Test
    void twoDecoratorsOnTheSameStorePairKeepTheirOwnMetersAndClosingOneLeavesTheOther() {
        DualWriteSettings settings = DualWriteSettings.defaults();
        DualWriteDataAccess first = new DualWriteDataAccess(
                "meters-primary",
                new MemoryUserStore(),
                "meters-secondary",
                new MemoryUserStore(),
                settings,
                Clock.systemUTC());
        DualWriteDataAccess second = new DualWriteDataAccess(
                "meters-primary",
                new MemoryUserStore(),
                "meters-secondary",
                new MemoryUserStore(),
                settings,
                Clock.systemUTC());
        try {
            first.createUser(NewUser.withExternalId("one"));
            first.createUser(NewUser.withExternalId("two"));
            second.createUser(NewUser.withExternalId("three"));
            assertThat(ourMeters()).hasSize(2 * NAMES.length);
            assertThat(ourMeters())
                    .extracting(m -> m.getId().getTag("instance"))
                    .doesNotContainNull();
            assertThat(writesMeters()).containsExactlyInAnyOrder(2.0, 1.0);

            first.close();
            assertThat(ourMeters()).hasSize(NAMES.length);
            second.createUser(NewUser.withExternalId("four"));
            assertThat(writesMeters()).containsExactly(2.0);
        } finally {
            first.close();
            second.close();
        }
        assertThat(ourMeters()).isEmpty();
    }

    @Test
    void closeRemovesTheMeters() {
        DualWriteDataAccess dual = decorator(new MemoryUserStore(), new MemoryUserStore());
        assertThat(ourMeters()).hasSize(NAMES.length);
        dual.close();
        assertThat(ourMeters()).isEmpty();
        assertThat(Metrics.globalRegistry.getMeters())
                .noneMatch(m -> "meters-primary".equals(m.getId().getTag("primary")));
    }

    @Test
    void withoutMicrometerTheBindingRegistersNothingAndTheDecoratorStillCounts() throws Exception {
        URL[] dalClasses = Stream.of(
                        MeterBinding.class, MemoryUserStore.class, DataAccess.class, UnsupportedDataAccess.class)
                .map(c -> c.getProtectionDomain().getCodeSource().getLocation())
                .distinct()
                .toArray(URL[]::new);
        try (URLClassLoader loader = new URLClassLoader(
                dalClasses, new HidingMicrometerAndDal(MicrometerMetersTest.class.getClassLoader()))) {
            assertThatThrownBy(() -> Class.forName(Metrics.class.getName(), false, loader))
                    .isInstanceOf(ClassNotFoundException.class);

            Class<?> binding = Class.forName(MeterBinding.class.getName(), true, loader);
            assertThat(binding.getClassLoader())
                    .as("dal-dualwrite loaded afresh, blind to Micrometer")
                    .isSameAs(loader);
            assertThat((Boolean) binding.getMethod("micrometerPresent").invoke(null))
                    .isFalse();
            Supplier<Object> untouched = () -> {
                throw new AssertionError("without Micrometer nothing reads the counters");
            };
            Runnable unbind = (Runnable) binding.getMethod("bind", Supplier.class, String.class, String.class)
                    .invoke(null, untouched, "hidden-primary", "hidden-secondary");
            unbind.run();

            var exercise = Class.forName(MemoryUserStore.class.getName(), true, loader)
                    .getDeclaredMethod("exerciseDualWrite", String.class);
            exercise.setAccessible(true);
            long[] counters = (long[]) exercise.invoke(null, journal.toString());
            assertThat(counters)
                    .as("writes, failures, journal size, compared, mismatches")
                    .containsExactly(2, 1, 1, 2, 1);
        }
        assertThat(Metrics.globalRegistry.getMeters())
                .noneMatch(m -> m.getId().getName().startsWith("dal.")
                        && "memory".equals(m.getId().getTag("primary")));
    }

    /**
     * The parent of a loader that defines Dal's classes itself: it refuses Micrometer (as if absent) and Dal's
     * classes (so the child loads them from the class directories instead of sharing the test's copies).
     */
    private static final class HidingMicrometerAndDal extends ClassLoader {
        HidingMicrometerAndDal(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.micrometer.") || name.startsWith("dev.dal.")) {
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            return name.startsWith("io/micrometer/") ? null : super.getResource(name);
        }
    }
}
