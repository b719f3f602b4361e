package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.SearchHit;
import dev.dal.api.SearchQuery;
import dev.dal.test.postgres.PostgresTestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code DB_SEARCH_CONFIG}: the text search configuration searches use and the full-text index is built for. A
 * migration with another value rebuilds the index for it; a store that does not migrate refuses an index built
 * for another; a malformed or unknown name is a configuration error naming the setting.
 */
class PostgresSearchConfigTest {
    private static Map<String, String> settings(String database, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(PostgresTestServer.get().settingsForDatabase(database));
        settings.putAll(more);
        return settings;
    }

    private static DataAccess open(Map<String, String> settings) {
        return DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider());
    }

    private static String indexDefinition(Map<String, String> settings) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                        settings.get("DATABASE_URL"),
                        settings.getOrDefault("DB_USER", "postgres"),
                        settings.getOrDefault("DB_PASSWORD", ""));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_messages_content_fts'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> contentsFound(DataAccess store, String chatId, String text) {
        return store.searchMessages(SearchQuery.inSession(chatId, text, 10)).hits().stream()
                .map(SearchHit::message)
                .map(m -> m.content())
                .toList();
    }

    @Test
    void anotherConfigurationRebuildsTheIndexAtMigrationAndItsSearchesUseIt() throws SQLException {
        Map<String, String> simple = settings("dal_search_config", Map.of("DB_AUTO_MIGRATE", "true"));
        try (DataAccess store = open(simple)) {
            store.createChatSession(NewChatSession.of("config"));
            store.addMessage("config", NewMessage.user("the cats were running"));
            assertThat(contentsFound(store, "config", "cat run"))
                    .as("simple: whole words")
                    .isEmpty();
        }
        assertThat(indexDefinition(simple)).contains("'simple'::regconfig");

        Map<String, String> english = new HashMap<>(simple);
        english.put("DB_SEARCH_CONFIG", "english");
        try (DataAccess store = open(english)) {
            assertThat(indexDefinition(english)).contains("'english'::regconfig");
            assertThat(contentsFound(store, "config", "cat run"))
                    .as("english stems both sides")
                    .containsExactly("the cats were running");
        }

        Map<String, String> englishNoMigrate = new HashMap<>(english);
        englishNoMigrate.put("DB_AUTO_MIGRATE", "false");
        try (DataAccess store = open(englishNoMigrate)) {
            assertThat(store.getMessageCount("config")).isEqualTo(1);
        }
        Map<String, String> simpleNoMigrate = new HashMap<>(englishNoMigrate);
        simpleNoMigrate.remove("DB_SEARCH_CONFIG");
        assertThatThrownBy(() -> open(simpleNoMigrate).close())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("idx_messages_content_fts")
                .hasMessageContaining("DB_SEARCH_CONFIG")
                .hasMessageContaining("dal schema migrate");

        try (DataAccess store = open(simple)) {
            assertThat(indexDefinition(simple)).as("migrated back").contains("'simple'::regconfig");
            assertThat(contentsFound(store, "config", "cats running")).containsExactly("the cats were running");
        }
    }

    @Test
    void aMalformedConfigurationNameIsRefusedNamingTheSetting() {
        for (String bad : List.of("English", "simple'; DROP TABLE messages; --", "pg_catalog.english", "")) {
            Map<String, String> settings =
                    settings("dal_search_config_bad", Map.of("DB_SEARCH_CONFIG", bad, "DB_AUTO_MIGRATE", "true"));
            if (bad.isEmpty()) {
                // Blank is unset: the default applies.
                try (DataAccess store = open(settings)) {
                    assertThat(store.capabilities()).isNotEmpty();
                }
                continue;
            }
            assertThatThrownBy(() -> open(settings).close())
                    .as(bad)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("DB_SEARCH_CONFIG")
                    .hasMessageNotContaining("DROP TABLE");
        }
    }

    @Test
    void anUnknownConfigurationIsRefusedBeforeAnyChangesetRuns() {
        Map<String, String> settings =
                settings("dal_search_config_unknown", Map.of("DB_SEARCH_CONFIG", "klingon", "DB_AUTO_MIGRATE", "true"));
        assertThatThrownBy(() -> open(settings).close())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_SEARCH_CONFIG")
                .hasMessageContaining("klingon");
    }
}
