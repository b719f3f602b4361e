package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Declared settings: parsing, defaults, blank values, masking, and the provider's view. */
class SettingTest {
    private static final Setting<Optional<Integer>> PORT = Setting.optionalWholeNumber("X_PORT", 1, 65_535);
    private static final Setting<List<String>> HOSTS = Setting.list("X_HOST", "host");
    private static final Setting<Optional<String>> PASSWORD = Setting.secret("X_PASSWORD");
    private static final Setting<Optional<String>> URL = Setting.credentialUrl("X_URL");

    @Test
    void absentAndBlankValuesGiveTheDefault() {
        assertThat(PORT.read(Map.of())).isEmpty();
        assertThat(PORT.read(Map.of("X_PORT", "  "))).isEmpty();
        assertThat(Setting.path("X_DIR", Path.of("data")).read(Map.of("X_DIR", "")))
                .isEqualTo(Path.of("data"));
        assertThat(Setting.flag("X_ON", true).read(Map.of())).isTrue();
        assertThat(Setting.duration("X_WAIT", Duration.ofSeconds(3)).defaultText())
                .contains("3 s");
    }

    @Test
    void valuesAreTrimmedButSecretsAreReadAsGiven() {
        assertThat(PORT.read(Map.of("X_PORT", " 5433 "))).contains(5433);
        assertThat(HOSTS.read(Map.of("X_HOST", " primary.db , replica1.db,replica2.db ,")))
                .containsExactly("primary.db", "replica1.db", "replica2.db");
        assertThat(PASSWORD.read(Map.of("X_PASSWORD", " pw "))).contains(" pw ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "70000", "0", "-1", "54.32"})
    void aMalformedNumberFailsNamingTheSettingAndTheRule(String value) {
        assertThatThrownBy(() -> PORT.read(Map.of("X_PORT", value)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("X_PORT must be a whole number from 1 to 65535");
    }

    @ParameterizedTest
    @ValueSource(strings = {" , ", ","})
    void aListWithNoItemFails(String value) {
        assertThatThrownBy(() -> HOSTS.read(Map.of("X_HOST", value)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("X_HOST must name at least one host");
    }

    @Test
    void secretsAreMaskedAndUrlsLoseTheirPasswords() {
        assertThat(PASSWORD.secret()).isTrue();
        assertThat(PASSWORD.display("s3cret")).isEqualTo("****");
        assertThat(URL.display("postgresql://u:s3cret@h/db?password=s3cret"))
                .doesNotContain("s3cret")
                .startsWith("postgresql://u:****@h/db");
        assertThat(URL.display("mongodb://h1,h2/chat")).isEqualTo("mongodb://h1,h2/chat");
        assertThat(PASSWORD.toString())
                .contains("X_PASSWORD")
                .contains("secret")
                .doesNotContain("s3cret");
    }

    @Test
    void aSettingNameIsUpperCase() {
        assertThatThrownBy(() -> Setting.text("db_host")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLocatingMarkIsKeptWithTheRest() {
        Setting<Optional<String>> locating = URL.locating();
        assertThat(locating.isLocating()).isTrue();
        assertThat(URL.isLocating()).isFalse();
        assertThat(locating.shown()).isEqualTo(Setting.Shown.CREDENTIALS_MASKED);
    }

    @Test
    void aViewReadsOnlyWhatItsProviderDeclares() {
        DalConfig config = DalConfig.fromMap(Map.of("X_PORT", "80", "X_HOST", "h"));
        SettingsView view = SettingsView.of(config, List.of(PORT));

        assertThat(view.get(PORT)).contains(80);
        assertThat(view.isSet(PORT)).isTrue();
        assertThat(view.common()).isSameAs(config);
        assertThatThrownBy(() -> view.get(HOSTS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X_HOST")
                .hasMessageContaining("not declared");
    }

    @Test
    void malformedBackendSettingsFailWhenTheirViewReadsThemNotWhenTheConfigurationIsBuilt() {
        DalConfig config = DalConfig.fromMap(Map.of("X_PORT", "nope"));

        assertThatThrownBy(() -> SettingsView.of(config, List.of(PORT)).get(PORT))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("X_PORT");
    }
}
