package dev.dal.spring.boot.internal;

import dev.dal.api.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a start that failed on Dal's configuration with Dal's own message, which names the setting, instead of
 * the bean-creation chain around it.
 */
public final class DalConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {

    /** Created by Spring Boot's failure reporting. */
    public DalConfigurationFailureAnalyzer() {}

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis(
                "Dal could not open its store: " + cause.getMessage(),
                "Correct the Dal setting named above. Set it as an environment variable or system property of that"
                        + " name, or as the Spring property dal.settings.<NAME> (dal.storage-type for"
                        + " DATA_STORAGE_TYPE, dal.data-dir for DATA_DIR); a Spring property wins.",
                cause);
    }
}
