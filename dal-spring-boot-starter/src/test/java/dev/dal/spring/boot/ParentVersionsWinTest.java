package dev.dal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Spring Boot's BOM is imported by this module only, and Dal's parent POM's versions must win over it: the libraries
 * both manage run here at the parent's versions.
 */
class ParentVersionsWinTest {

    @Test
    void jacksonMicrometerJunitAndSlf4jAreTheParentsVersions() throws IOException {
        Properties parent = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/parent-versions.properties")) {
            parent.load(in);
        }
        assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
                .isEqualTo(parent.getProperty("jackson"));
        assertThat(io.micrometer.core.instrument.MeterRegistry.class
                        .getPackage()
                        .getImplementationVersion())
                .isEqualTo(parent.getProperty("micrometer"));
        assertThat(io.micrometer.observation.Observation.class.getPackage().getImplementationVersion())
                .isEqualTo(parent.getProperty("micrometer"));
        assertThat(org.junit.jupiter.api.Test.class.getPackage().getImplementationVersion())
                .isEqualTo(parent.getProperty("junit"));
        assertThat(org.slf4j.Logger.class.getPackage().getImplementationVersion())
                .isEqualTo(parent.getProperty("slf4j"));
    }
}
