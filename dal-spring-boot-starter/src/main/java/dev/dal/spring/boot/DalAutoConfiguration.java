package dev.dal.spring.boot;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.spring.boot.internal.SpringDalSettings;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures one {@link DataAccess} bean, opened at start-up by {@link DataAccessFactory#create(DalConfig)}
 * and closed when the application context closes.
 *
 * <p>Its {@link DalConfig} bean holds the settings {@link DalConfig#fromEnvironment()} reads (environment
 * variables, a system property of the same name winning) with the {@code dal.*} properties of
 * {@link DalProperties} over them. Dual-write is configured by the same settings
 * ({@code MIGRATION_ENABLE_DUAL_WRITE=true} and the {@code MIGRATION_*} ones) when {@code dev.dal:dal-dualwrite}
 * is on the class path.
 *
 * <p>An application's own beans win: with its own {@link DataAccess} bean neither bean is created here; with its
 * own {@link DalConfig} bean that one configures the store. A missing or malformed setting fails the start with
 * Dal's {@link dev.dal.api.ConfigurationException}, which names the setting.
 */
@AutoConfiguration
@EnableConfigurationProperties(DalProperties.class)
public class DalAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(DalAutoConfiguration.class);

    /** Created by Spring. */
    public DalAutoConfiguration() {}

    /**
     * The configuration the store is opened from, unless the application has its own configuration or store.
     *
     * @param properties the {@code dal.*} properties
     * @return the environment's settings with the properties over them, checked
     * @throws dev.dal.api.ConfigurationException naming the first malformed setting
     */
    @Bean
    @ConditionalOnMissingBean({DalConfig.class, DataAccess.class})
    public DalConfig dalConfig(DalProperties properties) {
        return SpringDalSettings.config(properties, System.getenv(), systemProperties());
    }

    /**
     * The application's store, closed with the context.
     *
     * @param config the configuration, the application's own bean if it has one
     * @return the open store, behind Dal's validation (and the dual-write decorator when configured)
     * @throws dev.dal.api.ConfigurationException when a setting is missing or malformed, or the store type is not
     *     on the class path
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public DataAccess dataAccess(DalConfig config) {
        DataAccess store = DataAccessFactory.create(config);
        LOG.info("Dal: opened the {} store{}", config.storageType(), config.dualWriteEnabled() ? " (dual-write)" : "");
        return store;
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> found = new TreeMap<>();
        System.getProperties().forEach((k, v) -> found.put(String.valueOf(k), String.valueOf(v)));
        return found;
    }
}
