package dev.dal.spring.boot.health;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.spring.boot.DalAutoConfiguration;
import dev.dal.spring.boot.DalProperties;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures {@link DalHealthIndicator} as the {@code dal} health component when Actuator is on the class path
 * and the context holds one {@link DataAccess} bean. {@code management.health.dal.enabled=false} turns it off; an
 * application's own bean named {@code dalHealthIndicator} replaces it.
 */
@AutoConfiguration(after = DalAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnSingleCandidate(DataAccess.class)
@ConditionalOnEnabledHealthIndicator("dal")
@EnableConfigurationProperties(DalProperties.class)
public class DalHealthAutoConfiguration {
    /** Slack over the store's own health timeout, so a store that answers at its deadline is still heard. */
    private static final Duration GRACE = Duration.ofMillis(500);

    /** Created by Spring. */
    public DalHealthAutoConfiguration() {}

    /**
     * @param store the application's store
     * @param config the store's configuration, whose {@code DAL_HEALTH_TIMEOUT} bounds the probe (2 s without one)
     * @param properties the {@code dal.*} properties, for {@code dal.health.degraded-status}
     * @return the indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "dalHealthIndicator")
    public DalHealthIndicator dalHealthIndicator(
            DataAccess store, ObjectProvider<DalConfig> config, DalProperties properties) {
        DalConfig known = config.getIfUnique();
        Duration timeout = known == null ? DalConfig.builder().build().healthTimeout() : known.healthTimeout();
        return new DalHealthIndicator(
                store, timeout.plus(GRACE), properties.getHealth().getDegradedStatus());
    }
}
