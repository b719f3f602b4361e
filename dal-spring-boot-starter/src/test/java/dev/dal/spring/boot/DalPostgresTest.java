package dev.dal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.spring.boot.health.DalHealthIndicator;
import dev.dal.test.postgres.PostgresTestServer;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** An application on embedded PostgreSQL, started by the test, every setting given as dal.settings.*. */
@SpringBootTest(classes = DalPostgresTest.Application.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
class DalPostgresTest {

    @Autowired
    DataAccess store;

    @Autowired
    DalConfig config;

    @Autowired
    DalHealthIndicator health;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        PostgresTestServer.get().settings().forEach((name, value) -> registry.add("dal.settings." + name, () -> value));
    }

    @Test
    void theStoreIsPostgresAndWritesAndReadsThroughIt() {
        assertThat(config.storageType()).isEqualTo("postgresql");
        String externalId = "clerk_" + UUID.randomUUID();
        User user = store.createUser(NewUser.withExternalId(externalId));
        assertThat(store.getUserByExternalId(externalId)).contains(user);
        assertThat(store.healthCheck().storageType()).isEqualTo("postgresql");
    }

    @Test
    void theHealthIndicatorReportsPostgresUp() {
        var reported = health.health();
        assertThat(reported.getStatus()).isEqualTo(Status.UP);
        assertThat(reported.getDetails()).containsEntry("storageType", "postgresql");
        assertThat(reported.getDetails().toString()).doesNotContain("password");
    }

    /** The application: nothing but auto-configuration. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {}
}
