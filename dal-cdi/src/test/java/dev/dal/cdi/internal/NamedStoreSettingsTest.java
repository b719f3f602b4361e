package dev.dal.cdi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class NamedStoreSettingsTest {

    @Test
    void theNameBecomesAnUpperCasePrefix() {
        assertThat(NamedStoreSettings.prefix("archive")).isEqualTo("DAL_STORE_ARCHIVE_");
        assertThat(NamedStoreSettings.prefix("audit-log2")).isEqualTo("DAL_STORE_AUDIT_LOG2_");
    }

    @Test
    void aNameBreakingTheRuleIsRefusedWithTheRule() {
        for (String bad : new String[] {"", "2nd", "a b", "x.y", "ä"}) {
            assertThatThrownBy(() -> NamedStoreSettings.prefix(bad))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("starts with a letter and holds letters, digits, '_' and '-'");
        }
        assertThatThrownBy(() -> NamedStoreSettings.prefix(null)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void prefixedSettingsBecomeTheStoresOwnAndOnlyLimitsAndClockCarryOver() {
        Clock clock = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);
        DalConfig base = DalConfig.builder()
                .clock(clock)
                .setting(DalConfig.DATA_STORAGE_TYPE, "postgresql")
                .setting("DATABASE_URL", "jdbc:postgresql://main/db")
                .setting("DB_PASSWORD", "main-secret")
                .setting(DalConfig.DAL_MAX_JSON_DEPTH, "7")
                .setting(DalConfig.DAL_MAX_CONTENT_LENGTH, "500")
                .setting("DAL_STORE_ARCHIVE_DATA_STORAGE_TYPE", "file")
                .setting("DAL_STORE_ARCHIVE_DATA_DIR", "/var/archive")
                .setting("DAL_STORE_ARCHIVE_DAL_MAX_CONTENT_LENGTH", "900")
                .setting("DAL_STORE_OTHER_DATA_DIR", "/var/other")
                .build();

        DalConfig archive = NamedStoreSettings.of(base, "archive");

        assertThat(archive.storageType()).isEqualTo("file");
        assertThat(archive.setting("DATA_DIR")).contains("/var/archive");
        assertThat(archive.maxJsonDepth()).isEqualTo(7);
        assertThat(archive.maxContentLength()).isEqualTo(900);
        assertThat(archive.clock()).isSameAs(clock);
        assertThat(archive.setting("DATABASE_URL")).isEmpty();
        assertThat(archive.setting("DB_PASSWORD")).isEmpty();
        assertThat(archive.settings())
                .doesNotContainKeys("DAL_STORE_OTHER_DATA_DIR", "DATA_DIR_OTHER")
                .containsOnlyKeys("DATA_STORAGE_TYPE", "DATA_DIR", "DAL_MAX_JSON_DEPTH", "DAL_MAX_CONTENT_LENGTH");
    }

    @Test
    void aMissingStoreTypeNamesTheSettingsExpected() {
        DalConfig base = DalConfig.builder()
                .setting("DAL_STORE_ARCHIVE_DATA_DIR", "/var/archive")
                .build();
        assertThatThrownBy(() -> NamedStoreSettings.of(base, "archive"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("@DalStore(\"archive\") is not configured: set DAL_STORE_ARCHIVE_DATA_STORAGE_TYPE (file:"
                        + " the store types on the class path) and that store's settings with the same prefix, e.g."
                        + " DAL_STORE_ARCHIVE_DATA_DIR or DAL_STORE_ARCHIVE_DATABASE_URL (environment variables,"
                        + " system properties, or the application's DalConfig bean)");
    }

    @Test
    void aMalformedPrefixedSettingIsNamedWithItsPrefixAndNoSecretShows() {
        DalConfig base = DalConfig.builder()
                .setting("DAL_STORE_ARCHIVE_DATA_STORAGE_TYPE", "postgresql")
                .setting("DAL_STORE_ARCHIVE_DB_PASSWORD", "hunter2")
                .setting("DAL_STORE_ARCHIVE_DB_MAX_CONNECTIONS", "0")
                .build();
        assertThatThrownBy(() -> NamedStoreSettings.of(base, "archive"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("@DalStore(\"archive\") (settings prefixed DAL_STORE_ARCHIVE_): DB_MAX_CONNECTIONS must be"
                        + " a whole number from 1 to 10000, got '0'")
                .message()
                .doesNotContain("hunter2");
    }
}
