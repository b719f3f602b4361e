package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Store URIs to settings, passwords from the URI or the environment, never shown. */
class StoreUriTest {
    private static final Map<String, String> ENV = Map.of("DB_PASSWORD", "envpw", "NEO4J_PASSWORD", "neopw",
            "DB_MAX_CONNECTIONS", "5", "DATABASE_URL", "postgresql://elsewhere/db", "DATA_DIR", "/elsewhere");

    @Test
    void eachSchemeBecomesItsSettings() {
        DalConfig file = StoreUri.parse("file:./tmp/x", ENV).config();
        assertThat(file.storageType()).isEqualTo("file");
        assertThat(file.dataDir().toString()).isEqualTo("./tmp/x");
        assertThat(file.databaseUrl()).as("location settings of the environment do not leak in").isEmpty();

        DalConfig pg = StoreUri.parse("postgresql://dal@db:5433/chat", ENV).config();
        assertThat(pg.storageType()).isEqualTo("postgresql");
        assertThat(pg.databaseUrl()).contains("postgresql://dal@db:5433/chat");
        assertThat(pg.dbPassword()).contains("envpw");
        assertThat(pg.maxConnections()).isEqualTo(5);
        assertThat(StoreUri.parse("postgres://dal:urlpw@db/chat", ENV).config().dbPassword()).isEmpty();

        DalConfig mongo = StoreUri.parse("mongodb://h:27017/chat", ENV).config();
        assertThat(mongo.mongodbDatabase()).contains("chat");
        assertThat(mongo.mongodbUrl()).contains("mongodb://h:27017/chat");

        DalConfig neo = StoreUri.parse("bolt://neo:pw1@graph:7687", ENV).config();
        assertThat(neo.storageType()).isEqualTo("neo4j");
        assertThat(neo.neo4jUri()).contains("bolt://graph:7687");
        assertThat(neo.neo4jUser()).contains("neo");
        assertThat(neo.neo4jPassword()).contains("pw1");
        assertThat(StoreUri.parse("neo4j://graph", ENV).config().neo4jPassword()).contains("neopw");
    }

    @Test
    void passwordsAreMaskedAndUnknownSchemesListTheKnownOnes() {
        StoreUri pg = StoreUri.parse("postgresql://dal:s3cret@db/chat", Map.of());
        assertThat(pg.toString()).isEqualTo("postgresql://dal:****@db/chat");
        assertThat(pg.config().toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> StoreUri.parse("redis://u:s3cret@x/1", Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("known: file:PATH")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> StoreUri.parse("mongodb://h:1", Map.of())).hasMessageContaining("name the database");
    }
}
