package dev.dal.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How configuration becomes a JDBC URL and credentials. */
class PostgresSettingsTest {
    private static PostgresSettings settings(Map<String, String> values) {
        return PostgresSettings.from(DalConfig.fromMap(values));
    }

    @Test
    void singleHostUsesPortAndName() {
        PostgresSettings s = settings(
                Map.of("DB_HOST", "db1", "DB_PORT", "6543", "DB_NAME", "chat", "DB_USER", "app", "DB_PASSWORD", "pw"));
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:6543/chat");
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.password()).isEqualTo("pw");
        assertThat(s.readJdbcUrl()).isNull();
    }

    @Test
    void severalHostsFailOverToThePrimary() {
        PostgresSettings s = settings(Map.of("DB_HOST", "a, b:5433", "DB_NAME", "chat"));
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://a:5432,b:5433/chat?targetServerType=primary");
    }

    @Test
    void databaseUrlCredentialsAreTakenOutOfTheUrl() {
        PostgresSettings s =
                settings(Map.of("DATABASE_URL", "postgresql://app:s%40cret@h1:5432,h2:5432/chat?sslmode=require"));
        assertThat(s.jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5432/chat?sslmode=require")
                .doesNotContain("cret");
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.password()).isEqualTo("s@cret");
        assertThat(s.toString()).doesNotContain("cret");
    }

    @Test
    void dbUserAndPasswordWinOverTheUrl() {
        PostgresSettings s =
                settings(Map.of("DATABASE_URL", "postgres://app:one@h/chat", "DB_USER", "other", "DB_PASSWORD", "two"));
        assertThat(s.user()).isEqualTo("other");
        assertThat(s.password()).isEqualTo("two");
    }

    @Test
    void readHostsGetTheirOwnUrlOnTheSameDatabase() {
        PostgresSettings s = settings(Map.of("DB_HOST", "primary", "DB_NAME", "chat", "DB_READ_HOSTS", "r1, r2:6000"));
        // The primary last: preferSecondary falls back to it when no replica answers.
        assertThat(s.readJdbcUrl())
                .isEqualTo("jdbc:postgresql://r1:5432,r2:6000,primary:5432/chat"
                        + "?targetServerType=preferSecondary&loadBalanceHosts=true");
        assertThat(s.replicaUrls()).containsExactly("jdbc:postgresql://r1:5432/chat", "jdbc:postgresql://r2:6000/chat");
        assertThat(s.maxReplicaLag()).hasSeconds(30);
        assertThat(settings(Map.of("DB_NAME", "chat", "DB_READ_HOSTS", "r1", "DB_MAX_REPLICA_LAG", "PT0.5S"))
                        .maxReplicaLag())
                .hasMillis(500);
    }

    @Test
    void missingDatabaseIsAConfigurationErrorNamingTheSettings() {
        assertThatThrownBy(() -> settings(Map.of("DB_HOST", "h")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DATABASE_URL")
                .hasMessageContaining("DB_NAME");
        assertThatThrownBy(() -> settings(Map.of("DATABASE_URL", "mysql://x/y")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DATABASE_URL");
    }
}
