package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DalConfigTest {

    @Test
    void defaultsApplyWhenNothingIsSet() {
        DalConfig config = DalConfig.fromMap(Map.of());

        assertThat(config.storageType()).isEqualTo("file");
        assertThat(config.maxConnections()).isEqualTo(20);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxLifetime()).isEqualTo(Duration.ofSeconds(1800));
        assertThat(config.migrationBatchSize()).isEqualTo(1000);
        assertThat(config.dualWriteEnabled()).isFalse();
        assertThat(config.maxContentLength()).isEqualTo(100_000);
        assertThat(config.maxJsonDepth()).isEqualTo(32);
    }

    @Test
    void builderWithNoSettingsEqualsTheDefaults() {
        DalConfig config = DalConfig.builder().build();

        assertThat(config.storageType()).isEqualTo("file");
        assertThat(config.maxConnections()).isEqualTo(20);
        assertThat(config.settings()).isEmpty();
    }

    @Test
    void blankValuesCountAsUnset() {
        DalConfig config = DalConfig.fromMap(
                Map.of("DB_PORT", "  ", DalConfig.DATA_STORAGE_TYPE, "", DalConfig.DB_MAX_CONNECTIONS, " "));

        assertThat(config.setting("DB_PORT")).isEmpty();
        assertThat(config.storageType()).isEqualTo("file");
        assertThat(config.maxConnections()).isEqualTo(20);
    }

    @Test
    void fromMapParsesEveryCommonSettingAndKeepsTheBackendsOnesAsGiven() {
        Map<String, String> settings = new HashMap<>();
        settings.put(DalConfig.DATA_STORAGE_TYPE, "  PostgreSQL ");
        settings.put("DATA_DIR", "/var/lib/dal");
        settings.put("DB_PORT", "5433");
        settings.put("NEO4J_PASSWORD", "npw");
        settings.put(DalConfig.DB_MAX_CONNECTIONS, "50");
        settings.put(DalConfig.DB_IDLE_TIMEOUT, "60");
        settings.put(DalConfig.DB_CONNECTION_TIMEOUT, "PT2.5S");
        settings.put(DalConfig.DB_MAX_LIFETIME, "PT1H");
        settings.put(DalConfig.MIGRATION_BATCH_SIZE, "250");
        settings.put(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "TRUE");
        settings.put(DalConfig.DAL_MAX_CONTENT_LENGTH, "5000");
        settings.put(DalConfig.DAL_MAX_JSON_DEPTH, "8");
        settings.put("DB_AUTO_MIGRATE", " yes ");

        DalConfig config = DalConfig.fromMap(settings);

        assertThat(config.storageType()).isEqualTo("postgresql");
        assertThat(config.setting("DATA_DIR")).contains("/var/lib/dal");
        assertThat(config.setting("DB_PORT")).contains("5433");
        assertThat(config.settings()).containsEntry("NEO4J_PASSWORD", "npw");
        assertThat(config.maxConnections()).isEqualTo(50);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.connectionTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.maxLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(config.migrationBatchSize()).isEqualTo(250);
        assertThat(config.dualWriteEnabled()).isTrue();
        assertThat(config.maxContentLength()).isEqualTo(5000);
        assertThat(config.maxJsonDepth()).isEqualTo(8);
        assertThat(config.setting("DB_AUTO_MIGRATE")).contains("yes");
        assertThat(config.autoMigrate(false)).isTrue();
        assertThat(DalConfig.fromMap(Map.of()).autoMigrate(true))
                .as("the backend's default")
                .isTrue();
    }

    @Test
    void builderSetsAndRemovesSettings() {
        Clock clock = Clock.fixed(Instant.parse("2024-01-02T03:04:05Z"), ZoneOffset.UTC);
        DalConfig config = DalConfig.builder()
                .storageType("MONGO")
                .setting(DalConfig.DB_MAX_CONNECTIONS, "7")
                .setting("DB_NAME", "x")
                .setting("DB_NAME", null)
                .clock(clock)
                .build();

        assertThat(config.storageType()).isEqualTo("mongo");
        assertThat(config.maxConnections()).isEqualTo(7);
        assertThat(config.setting("DB_NAME")).isEmpty();
        assertThat(config.settings()).doesNotContainKey("DB_NAME");
        assertThat(config.clock()).isSameAs(clock);

        DalConfig copy =
                config.toBuilder().setting(DalConfig.DB_MAX_CONNECTIONS, "1").build();
        assertThat(copy.storageType()).isEqualTo("mongo");
        assertThat(copy.maxConnections()).isEqualTo(1);
        assertThat(copy.clock()).isSameAs(clock);
        assertThat(config.maxConnections()).as("the original is immutable").isEqualTo(7);
    }

    @Test
    void settingsMapIsACopyAndUnmodifiable() {
        Map<String, String> source = new HashMap<>(Map.of(DalConfig.DB_MAX_CONNECTIONS, "5"));
        DalConfig config = DalConfig.fromMap(source);
        source.put(DalConfig.DB_MAX_CONNECTIONS, "1");

        assertThat(config.maxConnections()).isEqualTo(5);
        assertThatThrownBy(() -> config.settings().put("DB_X", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest
    @CsvSource({"300, 300000", "0, 0", "PT30S, 30000", "PT0.25S, 250", "PT5M, 300000", "P1D, 86400000", "' 45 ', 45000"
    })
    void durationsAreSecondsOrIso8601(String value, long expectedMillis) {
        DalConfig config = DalConfig.fromMap(Map.of(DalConfig.DB_IDLE_TIMEOUT, value));

        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMillis(expectedMillis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "1", "yes", "on"})
    void dualWriteAcceptsTrueSpellings(String value) {
        assertThat(DalConfig.fromMap(Map.of(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, value))
                        .dualWriteEnabled())
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "False", "0", "no", "off"})
    void dualWriteAcceptsFalseSpellings(String value) {
        assertThat(DalConfig.fromMap(Map.of(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, value))
                        .dualWriteEnabled())
                .isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "DB_MAX_CONNECTIONS, 0",
        "DB_MAX_CONNECTIONS, many",
        "DB_IDLE_TIMEOUT, -5",
        "DB_IDLE_TIMEOUT, abc",
        "DB_IDLE_TIMEOUT, -PT5S",
        "DB_IDLE_TIMEOUT, 99999999999999999999999",
        "DB_CONNECTION_TIMEOUT, 5s",
        "DB_MAX_LIFETIME, 1.5",
        "MIGRATION_BATCH_SIZE, 0",
        "MIGRATION_ENABLE_DUAL_WRITE, maybe",
        "DAL_MAX_CONTENT_LENGTH, 0",
        "DAL_MAX_JSON_DEPTH, deep",
    })
    void malformedValueFailsNamingTheVariable(String name, String value) {
        assertThatThrownBy(() -> DalConfig.fromMap(Map.of(name, value)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(name);
        assertThatThrownBy(() -> DalConfig.builder().setting(name, value).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(name);
    }

    @Test
    void malformedFlagFailsNamingTheVariable() {
        DalConfig config = DalConfig.fromMap(Map.of("DB_AUTO_MIGRATE", "sometimes"));

        assertThatThrownBy(() -> config.autoMigrate(false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_AUTO_MIGRATE");
    }

    @Test
    void toStringMasksPasswordsAndUrlCredentials() {
        Map<String, String> settings = new HashMap<>();
        settings.put("DB_USER", "app");
        settings.put("DB_PASSWORD", "dbSecret1");
        settings.put("NEO4J_PASSWORD", "neoSecret2");
        settings.put("DATABASE_URL", "postgresql://u:urlSecret3@h:5432/db");
        settings.put("MONGODB_URL", "mongodb+srv://admin:mongoSecret4@cluster0.example.net/chat?retryWrites=true");
        settings.put("NEO4J_URI", "neo4j://neo:neoUriSecret5@graph:7687");

        String shown = DalConfig.fromMap(settings).toString();

        assertThat(shown).doesNotContain("dbSecret1", "neoSecret2", "urlSecret3", "mongoSecret4", "neoUriSecret5");
        assertThat(shown)
                .contains(
                        "DB_USER=app",
                        "DB_PASSWORD=****",
                        "NEO4J_PASSWORD=****",
                        "postgresql://u:****@h:5432/db",
                        "mongodb+srv://admin:****@cluster0.example.net/chat?retryWrites=true");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "jdbc:postgresql://h:5432/db?user=u&password=qSecret6&ssl=true",
                "jdbc:postgresql://h:5432/db?PASSWORD=qSecret6",
                "postgresql://h/db?password=qSecret6",
            })
    void toStringMasksPasswordQueryParameters(String url) {
        String shown = DalConfig.fromMap(Map.of("DATABASE_URL", url)).toString();

        assertThat(shown).doesNotContain("qSecret6").containsIgnoringCase("password=****");
    }

    @Test
    void toStringKeepsUrlsWithoutCredentialsReadable() {
        String shown = DalConfig.fromMap(Map.of("MONGODB_URL", "mongodb://h1:27017,h2:27017/chat"))
                .toString();

        assertThat(shown).contains("mongodb://h1:27017,h2:27017/chat");
    }

    @Test
    void redactMasksAnySecretLookingName() {
        assertThat(DalConfig.redact("DAL_API_TOKEN", "t0k")).isEqualTo("****");
        assertThat(DalConfig.redact("DB_SECRET_KEY", "k")).isEqualTo("****");
        assertThat(DalConfig.redact("DB_NAME", "chat")).isEqualTo("chat");
        assertThat(DalConfig.redact("DB_NAME", null)).isNull();
    }

    @Test
    void configurationErrorsDoNotEchoSecrets() {
        Map<String, String> settings = Map.of("DB_PASSWORD", "pwSecret7", DalConfig.DB_MAX_CONNECTIONS, "nope");

        assertThatThrownBy(() -> DalConfig.fromMap(settings)).hasMessageNotContaining("pwSecret7");
    }

    @Test
    void fromEnvironmentReadsDalSystemPropertiesOnly() {
        String key = "DAL_TEST_" + UUID.randomUUID().toString().replace('-', '_');
        String foreign = "NOT_DAL_" + UUID.randomUUID().toString().replace('-', '_');
        System.setProperty(key, "from-property");
        System.setProperty(foreign, "x");
        try {
            DalConfig config = DalConfig.fromEnvironment();

            assertThat(config.setting(key)).contains("from-property");
            assertThat(config.settings()).doesNotContainKey(foreign);
            assertThat(config.settings().keySet())
                    .allSatisfy(name -> assertThat(name).matches("(DATA_STORAGE_TYPE|DB_|MIGRATION_|DAL_).*"));
        } finally {
            System.clearProperty(key);
            System.clearProperty(foreign);
        }
    }

    @Test
    void fromEnvironmentFailsOnAMalformedProperty() {
        String previous = System.getProperty(DalConfig.DB_MAX_CONNECTIONS);
        System.setProperty(DalConfig.DB_MAX_CONNECTIONS, "not-a-number");
        try {
            assertThatThrownBy(DalConfig::fromEnvironment)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(DalConfig.DB_MAX_CONNECTIONS);
        } finally {
            if (previous == null) {
                System.clearProperty(DalConfig.DB_MAX_CONNECTIONS);
            } else {
                System.setProperty(DalConfig.DB_MAX_CONNECTIONS, previous);
            }
        }
    }

    /**
     * An environment variable cannot be set inside this JVM, so a child JVM gets one and a system
     * property of the same name; the property must win.
     */
    @Test
    void systemPropertyWinsOverEnvironmentVariable() throws IOException, InterruptedException {
        String key = "DAL_TEST_" + UUID.randomUUID().toString().replace('-', '_');
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-D" + key + "=from-property",
                EnvironmentProbe.class.getName(),
                key));
        builder.environment().put(key, "from-environment");
        builder.environment().put(key + "_ENV_ONLY", "env-only");
        builder.redirectErrorStream(true);

        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).isEqualTo("from-property|env-only");
    }

    @Test
    void theSecondaryIsConfiguredByThePrefixedSettingsAndInheritsOnlyTheLimits() {
        DalConfig config = DalConfig.fromMap(Map.of(
                "DATA_STORAGE_TYPE",
                "file",
                "DATA_DIR",
                "/old",
                "DAL_MAX_JSON_DEPTH",
                "8",
                "MIGRATION_SECONDARY_STORAGE_TYPE",
                "postgresql",
                "MIGRATION_SECONDARY_DATABASE_URL",
                "postgresql://app:pw@db/chat"));

        DalConfig secondary = config.secondaryConfig().orElseThrow();

        assertThat(secondary.storageType()).isEqualTo("postgresql");
        assertThat(secondary.setting("DATABASE_URL")).contains("postgresql://app:pw@db/chat");
        assertThat(secondary.maxJsonDepth()).isEqualTo(8);
        assertThat(secondary.settings()).doesNotContainKeys("DATA_DIR");
        assertThat(config.toString()).doesNotContain("pw@");
    }

    @Test
    void malformedPrefixedSecondarySettingsNameThePrefix() {
        DalConfig config = DalConfig.fromMap(Map.of(
                "MIGRATION_SECONDARY_STORAGE_TYPE", "postgresql", "MIGRATION_SECONDARY_DB_MAX_CONNECTIONS", "none"));

        assertThatThrownBy(config::secondaryConfig)
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("MIGRATION_SECONDARY_")
                .hasMessageContaining("DB_MAX_CONNECTIONS");
    }
}
