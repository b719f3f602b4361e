package dev.dal.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.spring.boot.health.DalHealthAutoConfiguration;
import dev.dal.spring.boot.internal.DalConfigurationFailureAnalyzer;
import dev.dal.spring.boot.metrics.DalMetricsAutoConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** The store bean: opened from Dal's settings and the dal.* properties, the application's own beans winning. */
class DalAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    DalAutoConfiguration.class, DalHealthAutoConfiguration.class, DalMetricsAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void theStoreIsOpenedOnTheFileStoreThePropertiesName() {
        runner.withPropertyValues("dal.storage-type=file", "dal.data-dir=" + dir)
                .run(context -> {
                    assertThat(context).hasSingleBean(DataAccess.class).hasSingleBean(DalConfig.class);
                    DataAccess store = context.getBean(DataAccess.class);
                    User user = store.createUser(NewUser.withExternalId("clerk_boot"));
                    store.createChatSession(NewChatSession.of("chat-boot", user.id()));
                    store.addMessages("chat-boot", List.of(NewMessage.user("Hi"), NewMessage.assistant("Hello!")));
                    assertThat(store.getUserByExternalId("clerk_boot")).contains(user);
                    assertThat(store.getMessageCount("chat-boot")).isEqualTo(2);
                    assertThat(store.healthCheck().storageType()).isEqualTo("file");
                    assertThat(filesUnder(dir)).isNotEmpty();
                });
    }

    @Test
    void aSettingsKeyInUpperCaseLowerCaseOrBracketsNamesTheDalSetting() {
        runner.withPropertyValues(
                        "dal.data-dir=" + dir,
                        "dal.settings.DAL_MAX_CONTENT_LENGTH=10",
                        "dal.settings.dal-max-json-depth=5",
                        "dal.settings[DAL_TX_RETRIES]=7")
                .run(context -> {
                    DalConfig config = context.getBean(DalConfig.class);
                    assertThat(config.maxContentLength()).isEqualTo(10);
                    assertThat(config.maxJsonDepth()).isEqualTo(5);
                    assertThat(config.txRetries()).isEqualTo(7);
                    DataAccess store = context.getBean(DataAccess.class);
                    User user = store.createUser(NewUser.withExternalId("clerk_limits"));
                    store.createChatSession(NewChatSession.of("chat-limits", user.id()));
                    assertThatThrownBy(() -> store.addMessage("chat-limits", NewMessage.user("eleven chars")))
                            .isInstanceOf(ValidationException.class);
                });
    }

    @Test
    void aSpringPropertyWinsOverTheSameSettingAsSystemPropertyAndTheOthersStillApply() throws IOException {
        Path other = Files.createDirectory(dir.resolve("from-system-property"));
        Path chosen = Files.createDirectory(dir.resolve("from-spring"));
        System.setProperty("DATA_DIR", other.toString());
        System.setProperty("DAL_MAX_JSON_DEPTH", "9");
        try {
            runner.withPropertyValues("dal.data-dir=" + chosen).run(context -> {
                DalConfig config = context.getBean(DalConfig.class);
                assertThat(config.setting("DATA_DIR")).contains(chosen.toString());
                assertThat(config.maxJsonDepth()).isEqualTo(9);
                context.getBean(DataAccess.class).createUser(NewUser.withExternalId("clerk_where"));
                assertThat(filesUnder(chosen)).isNotEmpty();
                assertThat(filesUnder(other)).isEmpty();
            });
        } finally {
            System.clearProperty("DATA_DIR");
            System.clearProperty("DAL_MAX_JSON_DEPTH");
        }
    }

    @Test
    void aSpringPropertyReplacesAMalformedSystemProperty() {
        System.setProperty("DAL_MAX_JSON_DEPTH", "deep");
        try {
            runner.withPropertyValues("dal.data-dir=" + dir, "dal.settings.DAL_MAX_JSON_DEPTH=4")
                    .run(context -> assertThat(context.getBean(DalConfig.class).maxJsonDepth())
                            .isEqualTo(4));
        } finally {
            System.clearProperty("DAL_MAX_JSON_DEPTH");
        }
    }

    @Test
    void springsRelaxedBindingMakesDalDataDirInTheEnvironmentTheDataDirProperty() throws IOException {
        Path chosen = Files.createDirectory(dir.resolve("from-environment"));
        runner.withInitializer(context -> TestPropertyValues.of("DAL_DATA_DIR=" + chosen)
                        .applyTo(
                                context.getEnvironment(),
                                TestPropertyValues.Type.SYSTEM_ENVIRONMENT,
                                "test-environment"))
                .run(context -> assertThat(context.getBean(DalConfig.class).setting("DATA_DIR"))
                        .contains(chosen.toString()));
    }

    @Test
    void theApplicationsOwnStoreWinsAndNoConfigurationIsBuilt() throws IOException {
        Path own = Files.createDirectory(dir.resolve("own"));
        Path ignored = Files.createDirectory(dir.resolve("ignored"));
        DataAccess ownStore = DataAccessFactory.create(
                DalConfig.builder().setting("DATA_DIR", own.toString()).build());
        runner.withBean(DataAccess.class, () -> ownStore)
                .withPropertyValues("dal.data-dir=" + ignored, "dal.settings.DAL_MAX_JSON_DEPTH=not-read")
                .run(context -> {
                    assertThat(context)
                            .hasNotFailed()
                            .hasSingleBean(DataAccess.class)
                            .doesNotHaveBean(DalConfig.class);
                    assertThat(context.getBean(DataAccess.class)).isSameAs(ownStore);
                    ownStore.createUser(NewUser.withExternalId("clerk_own"));
                });
        assertThat(filesUnder(own)).isNotEmpty();
        assertThat(filesUnder(ignored)).isEmpty();
    }

    @Test
    void theApplicationsOwnConfigurationIsTheOneTheStoreIsOpenedFrom() throws IOException {
        Path own = Files.createDirectory(dir.resolve("own"));
        Path ignored = Files.createDirectory(dir.resolve("ignored"));
        DalConfig ownConfig = DalConfig.builder()
                .setting("DATA_DIR", own.toString())
                .setting("DAL_TX_RETRIES", "1")
                .build();
        runner.withBean(DalConfig.class, () -> ownConfig)
                .withPropertyValues("dal.data-dir=" + ignored)
                .run(context -> {
                    assertThat(context).hasSingleBean(DalConfig.class);
                    assertThat(context.getBean(DalConfig.class)).isSameAs(ownConfig);
                    context.getBean(DataAccess.class).createUser(NewUser.withExternalId("clerk_config"));
                });
        assertThat(filesUnder(own)).isNotEmpty();
        assertThat(filesUnder(ignored)).isEmpty();
    }

    @Test
    void aMalformedSettingFailsTheStartWithDalsMessageNamingIt() {
        runner.withPropertyValues("dal.data-dir=" + dir, "dal.settings.DAL_MAX_JSON_DEPTH=deep")
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    ConfigurationException cause = rootConfigurationException(failure);
                    assertThat(cause.getMessage())
                            .contains("DAL_MAX_JSON_DEPTH")
                            .contains("deep");
                    // Spring Boot's own analyzers need constructor arguments; only ours matters here.
                    List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
                            .load(FailureAnalyzer.class, (type, name, error) -> {});
                    assertThat(analyzers).hasAtLeastOneElementOfType(DalConfigurationFailureAnalyzer.class);
                    FailureAnalysis analysis = new DalConfigurationFailureAnalyzer().analyze(failure);
                    assertThat(analysis.getDescription()).contains("DAL_MAX_JSON_DEPTH");
                    assertThat(analysis.getAction()).contains("dal.settings.<NAME>");
                });
    }

    @Test
    void anUnknownStoreTypeFailsTheStartNamingDataStorageType() {
        runner.withPropertyValues("dal.storage-type=nosuchstore").run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootConfigurationException(context.getStartupFailure()).getMessage())
                    .contains("DATA_STORAGE_TYPE=nosuchstore")
                    .contains("file");
        });
    }

    @Test
    void theStoreIsClosedWhenTheContextCloses() {
        AtomicReference<DataAccess> opened = new AtomicReference<>();
        runner.withPropertyValues("dal.data-dir=" + dir).run(context -> {
            opened.set(context.getBean(DataAccess.class));
            assertThat(opened.get().healthCheck().isUp()).isTrue();
        });
        assertThatThrownBy(() -> opened.get().getUser(UUID.randomUUID())).isInstanceOf(UnavailableException.class);
        assertThat(opened.get().healthCheck().isUp()).isFalse();
    }

    @Test
    void theAutoConfigurationsAreRegisteredForSpringBootToFind() {
        List<String> found = ImportCandidates.load(
                        AutoConfiguration.class, getClass().getClassLoader())
                .getCandidates();
        assertThat(found)
                .contains(
                        DalAutoConfiguration.class.getName(),
                        DalHealthAutoConfiguration.class.getName(),
                        DalMetricsAutoConfiguration.class.getName());
    }

    static ConfigurationException rootConfigurationException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConfigurationException e) {
                return e;
            }
        }
        throw new AssertionError("no ConfigurationException in the failure", failure);
    }

    static List<Path> filesUnder(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
