package dev.dal.spring.boot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.api.NewUser;
import dev.dal.spring.boot.DalAutoConfiguration;
import dev.dal.spring.boot.internal.MeterBindings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Meters: the dual-write decorator's on the application's registry, and the binder hook's lifecycle. */
class DalMetricsAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DalAutoConfiguration.class, DalMetricsAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void aDualWriteStoresMetersReachTheApplicationsRegistryUntilTheContextCloses() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(MeterRegistry.class, () -> registry)
                .withPropertyValues(
                        "dal.data-dir=" + dir.resolve("primary"),
                        "dal.settings.MIGRATION_ENABLE_DUAL_WRITE=true",
                        "dal.settings.migration-secondary-storage-type=file",
                        "dal.settings.MIGRATION_SECONDARY_DATA_DIR=" + dir.resolve("secondary"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DataAccess store = context.getBean(DataAccess.class);
                    store.createUser(NewUser.withExternalId("clerk_meter_1"));
                    store.createUser(NewUser.withExternalId("clerk_meter_2"));
                    FunctionCounter writes = registry.find("dal.dualwrite.writes")
                            .tag("primary", "file")
                            .tag("secondary", "file")
                            .functionCounter();
                    assertThat(writes)
                            .as("dal.dualwrite.writes in the application's registry")
                            .isNotNull();
                    assertThat(writes.count()).isEqualTo(2.0);
                    assertThat(registry.find("dal.dualwrite.secondary.failures")
                                    .functionCounter()
                                    .count())
                            .isZero();
                });
        assertThat(Metrics.globalRegistry.getRegistries()).doesNotContain(registry);
        assertThat(registry.find("dal.dualwrite.writes").meters()).isEmpty();
    }

    @Test
    void withSpringBootsOwnRegistryTheDualWriteMetersAreThereThroughSpringBootsGlobalRegistration() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        DalAutoConfiguration.class,
                        DalMetricsAutoConfiguration.class))
                .withPropertyValues(
                        "dal.data-dir=" + dir.resolve("primary"),
                        "dal.settings.MIGRATION_ENABLE_DUAL_WRITE=true",
                        "dal.settings.MIGRATION_SECONDARY_STORAGE_TYPE=file",
                        "dal.settings.MIGRATION_SECONDARY_DATA_DIR=" + dir.resolve("secondary"))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(MeterBindings.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(Metrics.globalRegistry.getRegistries()).contains(registry);
                    context.getBean(DataAccess.class).createUser(NewUser.withExternalId("clerk_boot_registry"));
                    assertThat(registry.find("dal.dualwrite.writes")
                                    .tag("primary", "file")
                                    .functionCounters())
                            .anySatisfy(writes -> assertThat(writes.count()).isEqualTo(1.0));
                });
    }

    @Test
    void aStoresCallsAreTimedInTheApplicationsRegistryWhileTheContextRuns() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(MeterRegistry.class, () -> registry)
                .withPropertyValues("dal.data-dir=" + dir)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasBean("dalStoreMeterBinder");
                    context.getBean(DataAccess.class).createUser(NewUser.withExternalId("clerk_timed"));
                    assertThat(registry.find("dal.calls")
                                    .tag("store", "file")
                                    .tag("operation", "createUser")
                                    .tag("outcome", "success")
                                    .timer())
                            .as("dal.calls for createUser in the application's registry")
                            .isNotNull()
                            .satisfies(timer -> assertThat(timer.count()).isEqualTo(1));
                });
    }

    @Test
    void aPlainStoreAddsNothingToTheGlobalRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(MeterRegistry.class, () -> registry)
                .withPropertyValues("dal.data-dir=" + dir)
                .run(context -> {
                    assertThat(context).hasSingleBean(MeterBindings.class);
                    assertThat(Metrics.globalRegistry.getRegistries()).doesNotContain(registry);
                });
    }

    @Test
    void everyMeterBinderBeanIsBoundOnceStartedAndUnboundAtShutdownWhileTheStoreIsStillOpen() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<String> calls = new ArrayList<>();
        DalMeterBinder binder = (store, into) -> {
            calls.add("bound " + (into == registry) + " " + store.healthCheck().storageType());
            return () -> calls.add("unbound, store up: " + store.healthCheck().isUp());
        };
        runner.withBean(MeterRegistry.class, () -> registry)
                .withBean(DalMeterBinder.class, () -> binder)
                .withPropertyValues("dal.data-dir=" + dir)
                .run(context -> assertThat(calls).containsExactly("bound true file"));
        assertThat(calls).containsExactly("bound true file", "unbound, store up: true");
    }

    @Test
    void withoutAMeterRegistryBeanOrWithoutMicrometerNothingIsBound() {
        runner.withPropertyValues("dal.data-dir=" + dir)
                .run(context ->
                        assertThat(context).hasSingleBean(DataAccess.class).doesNotHaveBean(MeterBindings.class));
        runner.withPropertyValues("dal.data-dir=" + dir)
                .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context ->
                        assertThat(context).hasSingleBean(DataAccess.class).doesNotHaveBean(MeterBindings.class));
    }
}
