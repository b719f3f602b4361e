package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import org.junit.jupiter.api.Test;

class ServerUrisTest {

    @Test
    void aServerUriParsesWithItsHost() {
        assertThat(ServerUris.parse("postgresql://dal:pw@db.example.org:5433/chat", "shown")
                        .getHost())
                .isEqualTo("db.example.org");
    }

    @Test
    void aMalformedUriIsAConfigurationErrorThatShowsOnlyTheMaskedForm() {
        assertThatThrownBy(
                        () -> ServerUris.parse("mongodb://dal:s3cret@db host/chat", "mongodb://dal:***@db host/chat"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("mongodb://dal:***@db host/chat")
                .hasMessageContaining("not a valid URI")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aUriWithoutAHostIsAConfigurationError() {
        assertThatThrownBy(() -> ServerUris.parse("neo4j:///chat", "neo4j:///chat"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("names no host");
    }
}
