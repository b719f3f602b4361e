package dev.dal.spring.boot.metrics;

import dev.dal.api.DataAccess;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.metrics.DalMetrics;
import dev.dal.spring.boot.DalAutoConfiguration;
import dev.dal.spring.boot.internal.DualWriteMeterBinder;
import dev.dal.spring.boot.internal.MeterBindings;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Binds the store's meters to the application's {@link MeterRegistry} when Micrometer is on the class path and the
 * context holds a registry and one {@link DataAccess} bean: each {@link DalMeterBinder} bean binds once the context
 * has started and unbinds when it closes. With several registries the primary one is used (Spring Boot's composite).
 *
 * <p>With {@code dev.dal:dal-dualwrite} on the class path a binder for the dual-write decorator is declared: a
 * dual-write store registers its meters ({@code dal.dualwrite.*}) in Micrometer's global registry, and the binder
 * adds the application's registry to it, unless it is there already (Spring Boot adds its own registries when
 * {@code management.metrics.use-global-registry} is true, the default), and removes it again at shutdown.
 *
 * <p>With {@code dev.dal:dal-metrics} on the class path a binder for the stores' own meters ({@code dal.calls},
 * {@code dal.transactions.*}, {@code dal.pool.*}) is declared: it binds them to the application's registry with
 * {@code DalMetrics.bindTo} while the context runs.
 */
@AutoConfiguration(
        after = DalAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnSingleCandidate(DataAccess.class)
public class DalMetricsAutoConfiguration {

    /** Created by Spring. */
    public DalMetricsAutoConfiguration() {}

    /**
     * @param store the application's store
     * @param registry the application's registry (the primary one when there are several)
     * @param binders every {@link DalMeterBinder} bean, in order
     * @return the bindings, made when the context has started and undone when it closes
     */
    @Bean
    public MeterBindings dalMeterBindings(
            DataAccess store, ObjectProvider<MeterRegistry> registry, ObjectProvider<DalMeterBinder> binders) {
        return new MeterBindings(store, registry::getIfUnique, binders::orderedStream);
    }

    /** The stores' own meters' binder, when dal-metrics is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DalMetrics.class)
    static class StoreMeters {

        @Bean
        @ConditionalOnMissingBean(name = "dalStoreMeterBinder")
        DalMeterBinder dalStoreMeterBinder() {
            return (store, registry) -> DalMetrics.bindTo(registry)::close;
        }
    }

    /** The dual-write decorator's binder, when dal-dualwrite is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DualWriteDataAccess.class)
    static class DualWriteMeters {

        @Bean
        @ConditionalOnMissingBean(name = "dalDualWriteMeterBinder")
        DalMeterBinder dalDualWriteMeterBinder() {
            return new DualWriteMeterBinder();
        }
    }
}
