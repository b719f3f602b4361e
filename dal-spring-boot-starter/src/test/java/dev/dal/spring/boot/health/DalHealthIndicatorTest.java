package dev.dal.spring.boot.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.spring.boot.DalAutoConfiguration;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health indicator: the store's status mapped, its figures shown without secrets, its wait bounded. */
class DalHealthIndicatorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void anUpStoreIsUpWithItsTypeLatencyAndFigures() {
        Health health = new DalHealthIndicator(
                        answering(
                                status(HealthStatus.Status.UP, null, Map.of("poolActive", 2, "serverVersion", "17.6"))),
                        TIMEOUT,
                        "UP")
                .health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails())
                .containsEntry("storageType", "postgresql")
                .containsEntry("status", "UP")
                .containsEntry("latencyMs", 12L)
                .containsEntry("poolActive", 2)
                .containsEntry("serverVersion", "17.6")
                .containsKey("checkedAt")
                .doesNotContainKey("error");
    }

    @Test
    void aDownStoreIsDownWithItsError() {
        Health health = new DalHealthIndicator(
                        answering(status(HealthStatus.Status.DOWN, "connection refused", Map.of())), TIMEOUT, "UP")
                .health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails())
                .containsEntry("error", "connection refused")
                .containsEntry("status", "DOWN");
    }

    @Test
    void aDegradedStoreIsUpByDefaultWithItsOwnStatusInTheDetails() {
        Health health = new DalHealthIndicator(
                        answering(status(HealthStatus.Status.DEGRADED, null, Map.of("secondary", "DOWN"))),
                        TIMEOUT,
                        "UP")
                .health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("status", "DEGRADED").containsEntry("secondary", "DOWN");
    }

    @Test
    void aDegradedStoreGetsTheConfiguredStatusCode() {
        Health health = new DalHealthIndicator(
                        answering(status(HealthStatus.Status.DEGRADED, null, Map.of())), TIMEOUT, "degraded")
                .health();
        assertThat(health.getStatus()).isEqualTo(new Status("DEGRADED"));
    }

    @Test
    void aProbeThatDoesNotAnswerInTimeIsDownWithinTheTimeout() {
        DataAccess hanging = store(new CompletableFuture<>());
        long start = System.nanoTime();
        Health health = new DalHealthIndicator(hanging, Duration.ofMillis(200), "UP").health();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("error", "no answer within 200 ms");
    }

    @Test
    void aFigureThatLooksSecretIsMaskedAndAUrlLosesItsPassword() {
        Health health = new DalHealthIndicator(
                        answering(status(
                                HealthStatus.Status.UP,
                                null,
                                Map.of(
                                        "password",
                                        "hunter2",
                                        "authToken",
                                        12345,
                                        "DATABASE_URL",
                                        "postgresql://app:hunter3@db/chat"))),
                        TIMEOUT,
                        "UP")
                .health();
        assertThat(health.getDetails().toString())
                .doesNotContain("hunter2")
                .doesNotContain("12345")
                .doesNotContain("hunter3")
                .contains("db/chat");
    }

    @Test
    void theIndicatorIsConfiguredOnlyWithActuatorAndWhenNotTurnedOff() {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DalAutoConfiguration.class, DalHealthAutoConfiguration.class))
                .withPropertyValues("dal.data-dir=" + dir);
        runner.run(context -> {
            assertThat(context).hasBean("dalHealthIndicator");
            assertThat(context.getBean(HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
            assertThat(context.getBean(HealthIndicator.class).health().getDetails())
                    .containsEntry("storageType", "file");
        });
        runner.withPropertyValues("management.health.dal.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DalHealthIndicator.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(DataAccess.class)
                        .doesNotHaveBean("dalHealthIndicator"));
    }

    private static HealthStatus status(HealthStatus.Status status, String error, Map<String, Object> details) {
        return new HealthStatus(status, "postgresql", Duration.ofMillis(12), details, error, Instant.now());
    }

    private static DataAccess answering(HealthStatus status) {
        return store(CompletableFuture.completedFuture(status));
    }

    /** A store that only answers health checks, with the given stage. */
    private static DataAccess store(CompletionStage<HealthStatus> answer) {
        return (DataAccess) Proxy.newProxyInstance(
                DataAccess.class.getClassLoader(),
                new Class<?>[] {DataAccess.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "healthCheckAsync" -> answer;
                    case "healthCheck" -> answer.toCompletableFuture().join();
                    case "toString" -> "health-only store";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
