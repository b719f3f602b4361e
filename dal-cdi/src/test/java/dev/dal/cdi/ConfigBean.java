package dev.dal.cdi;

import dev.dal.api.DalConfig;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.inject.Singleton;

/**
 * Adds the {@link DalConfig} bean an application would produce, holding the configuration a test built. A
 * pseudo-scope ({@code @Singleton}; {@code @Dependent} works too): {@code DalConfig} is final, so no client proxy.
 */
final class ConfigBean implements Extension {
    private final DalConfig config;

    ConfigBean(DalConfig config) {
        this.config = config;
    }

    void addConfig(@Observes AfterBeanDiscovery event) {
        event.addBean()
                .types(DalConfig.class, Object.class)
                .scope(Singleton.class)
                .createWith(context -> config);
    }
}
