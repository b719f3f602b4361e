package dev.dal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration metadata IDEs complete dal.* properties from: every property listed, each described. */
class DalConfigurationMetadataTest {

    @Test
    void everyPropertyIsListedWithItsDescription() throws IOException {
        Map<String, String> described = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
            JsonNode metadata = new ObjectMapper().readTree(in);
            for (JsonNode property : metadata.path("properties")) {
                described.put(
                        property.path("name").asText(),
                        property.path("description").asText());
            }
        }
        assertThat(described)
                .containsOnlyKeys("dal.storage-type", "dal.data-dir", "dal.settings", "dal.health.degraded-status");
        assertThat(described.get("dal.storage-type")).contains("DATA_STORAGE_TYPE");
        assertThat(described.get("dal.data-dir")).contains("DATA_DIR");
        assertThat(described.get("dal.settings")).contains("upper case");
        assertThat(described.get("dal.health.degraded-status")).contains("DEGRADED");
    }
}
