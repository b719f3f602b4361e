package dev.dal.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.DataAccessProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The factory finds this module's decorator on the class path and builds it from the configuration. */
class DualWriteComposerTest {

    /** Hands out one in-memory store and counts how often it was asked. */
    private static final class OneStoreProvider implements DataAccessProvider {
        final MemoryUserStore store = new MemoryUserStore();
        int created;

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public DataAccess create(DalConfig config) {
            created++;
            return store;
        }
    }

    private static DalConfig dualWrite(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.put(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true");
        settings.put(DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE, "memory");
        return DalConfig.fromMap(settings);
    }

    @Test
    void theFactoryBuildsTheDecoratorOverBothStoresBehindValidation() {
        OneStoreProvider primary = new OneStoreProvider();
        OneStoreProvider secondary = new OneStoreProvider();
        DalConfig config = dualWrite(Map.of("MIGRATION_SECONDARY_DB_PASSWORD", "s3cret"));

        try (DataAccess store = DataAccessFactory.create(config, primary, secondary)) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            assertThat(dual.settings()).isEqualTo(DualWriteSettings.from(config));
            assertThatThrownBy(() -> store.createUser(NewUser.withExternalId("nul \u0000")))
                    .isInstanceOf(ValidationException.class);

            User written = store.createUser(NewUser.withExternalId("replicated"));

            assertThat(secondary.store.getUser(written.id())).contains(written);
        }
        assertThat(primary.created).isEqualTo(1);
        assertThat(secondary.created).isEqualTo(1);
        assertThat(primary.store.healthCheck().status()).isEqualTo(HealthStatus.Status.DOWN);
        assertThat(secondary.store.healthCheck().status()).isEqualTo(HealthStatus.Status.DOWN);
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @ParameterizedTest
    @CsvSource({
        "MIGRATION_DUAL_WRITE_KINDS, widgets",
        "MIGRATION_READ_FROM, both",
        "MIGRATION_SECONDARY_FAILURE, ignore",
        "MIGRATION_COMPARE_SAMPLE_RATE, 1.5",
        "MIGRATION_COMPARE_SAMPLE_RATE, half",
        "MIGRATION_SECONDARY_TIMEOUT, 0",
        "MIGRATION_SECONDARY_TIMEOUT, soon",
        "MIGRATION_COMPARE_IGNORE, updatedAt",
    })
    void malformedDualWriteSettingsFailNamingTheSettingBeforeEitherStoreOpens(String name, String value) {
        OneStoreProvider provider = new OneStoreProvider();
        DalConfig config = dualWrite(Map.of(name, value));

        assertThatThrownBy(() -> DataAccessFactory.create(config, provider, provider))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(name);
        assertThat(provider.created).isZero();
    }

    @Test
    void recordPolicyWithoutAJournalFailsNamingTheJournalSettingBeforeEitherStoreOpens() {
        OneStoreProvider provider = new OneStoreProvider();
        DalConfig config = dualWrite(Map.of(DualWriteSettings.SECONDARY_FAILURE.name(), "record"));

        assertThatThrownBy(() -> DataAccessFactory.create(config, provider, provider))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(DualWriteSettings.REPAIR_JOURNAL_DIR.name());
        assertThat(provider.created).isZero();
    }

    @Test
    void theDecoratorsOwnSettingsUnderTheSecondaryPrefixStayOutOfTheSecondarysConfiguration() {
        DalConfig config = dualWrite(Map.of(
                "MIGRATION_SECONDARY_DATA_DIR",
                "/new",
                "MIGRATION_SECONDARY_TIMEOUT",
                "5",
                "MIGRATION_SECONDARY_FAILURE",
                "record",
                "MIGRATION_REPAIR_JOURNAL_DIR",
                "/journal"));

        DalConfig secondary = config.secondaryConfig().orElseThrow();
        DualWriteSettings settings = DualWriteSettings.from(config);

        assertThat(secondary.setting("DATA_DIR")).contains("/new");
        assertThat(secondary.settings()).doesNotContainKeys("TIMEOUT", "FAILURE");
        assertThat(settings.secondaryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.failurePolicy()).isEqualTo(SecondaryFailurePolicy.RECORD);
        assertThat(settings.journalDir()).isEqualTo(Path.of("/journal"));
    }

    @Test
    void unsetSettingsReadAsTheDocumentedDefaults() {
        DualWriteSettings settings = DualWriteSettings.from(dualWrite(Map.of()));

        assertThat(settings).isEqualTo(DualWriteSettings.defaults().withKinds(DualWriteKind.all()));
        for (var setting : DualWriteSettings.DECLARED) {
            assertThat(setting.name()).startsWith("MIGRATION_");
        }
    }

    @Test
    void findSeesNoDecoratorBehindAPlainStore() {
        OneStoreProvider provider = new OneStoreProvider();

        try (DataAccess store = DataAccessFactory.create(DalConfig.builder().build(), provider)) {
            assertThat(DualWriteDataAccess.find(store)).isEmpty();
        }
    }
}
