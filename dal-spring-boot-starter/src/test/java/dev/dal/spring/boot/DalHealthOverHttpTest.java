package dev.dal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A web application on the file store: /actuator/health, read over HTTP, shows the dal component UP. */
@SpringBootTest(
        classes = DalHealthOverHttpTest.Application.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"dal.storage-type=file", "management.endpoint.health.show-details=always"})
@DirtiesContext
class DalHealthOverHttpTest {

    @TempDir
    static Path dir;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("dal.data-dir", () -> dir.toString());
    }

    @Test
    void theHealthEndpointReportsTheStoreUp() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        JsonNode dal = body.path("components").path("dal");
        assertThat(dal.path("status").asText()).as(response.body()).isEqualTo("UP");
        assertThat(dal.path("details").path("storageType").asText()).isEqualTo("file");
        assertThat(dal.path("details").path("status").asText()).isEqualTo("UP");
    }

    /** The application: nothing but auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {}
}
