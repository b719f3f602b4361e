package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.test.postgres.PostgresTestServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SPI's schema migrator over the Liquibase changelog, on a database of its own. */
class PostgresSchemaMigratorTest {
    private static final List<String> VERSIONS = List.of(
            "001-users",
            "002-chat-sessions",
            "003-messages",
            "004-user-memory",
            "005-record-versions",
            "006-message-digests",
            "007-session-listing-filters",
            "008-message-search",
            "009-message-search-config",
            "010-message-votes",
            "011-token-usage");

    private static DalConfig freshDatabase(String name) {
        Map<String, String> settings = new HashMap<>(PostgresTestServer.get().settingsForDatabase(name));
        settings.remove("DB_AUTO_MIGRATE");
        return DalConfig.fromMap(settings);
    }

    private static SchemaMigrator migrator(DalConfig config) {
        return DataAccessFactory.provider("postgresql").schemaMigrator(config);
    }

    @Test
    void statusMigrateRollbackToAVersionAndBack() {
        DalConfig config = freshDatabase("dal_migrator_test");
        try (SchemaMigrator migrator = migrator(config)) {
            migrator.rollback("001-users"); // leftovers of an earlier run, if any
            migrator.rollback(null);
            List<SchemaChange> pending = migrator.status();
            assertThat(pending).extracting(SchemaChange::version).containsExactlyElementsOf(VERSIONS);
            assertThat(pending).noneMatch(SchemaChange::applied);
            assertThat(pending).allSatisfy(c -> assertThat(c.checksum()).matches("\\d+:[0-9a-f]{32}"));
            assertThat(pending.get(0).description()).isEqualTo("CREATE TABLE users");

            List<SchemaChange> applied = migrator.migrate();
            assertThat(applied).extracting(SchemaChange::version).containsExactlyElementsOf(VERSIONS);
            List<SchemaChange> now = migrator.status();
            assertThat(now).allMatch(SchemaChange::applied).allMatch(c -> c.appliedAt() != null);
            for (int i = 0; i < now.size(); i++) {
                assertThat(now.get(i).checksum())
                        .as("recorded checksum equals computed")
                        .isEqualTo(pending.get(i).checksum());
            }
            assertThat(migrator.migrate()).as("second migrate").isEmpty();

            assertThat(migrator.rollback("004-user-memory"))
                    .extracting(SchemaChange::version)
                    .containsExactly(
                            "011-token-usage",
                            "010-message-votes",
                            "009-message-search-config",
                            "008-message-search",
                            "007-session-listing-filters",
                            "006-message-digests",
                            "005-record-versions");
            assertThat(migrator.status())
                    .extracting(SchemaChange::applied)
                    .containsExactly(true, true, true, true, false, false, false, false, false, false, false);
            assertThat(migrator.migrate())
                    .extracting(SchemaChange::version)
                    .containsExactly(
                            "005-record-versions",
                            "006-message-digests",
                            "007-session-listing-filters",
                            "008-message-search",
                            "009-message-search-config",
                            "010-message-votes",
                            "011-token-usage");
            assertThat(migrator.rollback("002-chat-sessions"))
                    .extracting(SchemaChange::version)
                    .containsExactly(
                            "011-token-usage",
                            "010-message-votes",
                            "009-message-search-config",
                            "008-message-search",
                            "007-session-listing-filters",
                            "006-message-digests",
                            "005-record-versions",
                            "004-user-memory",
                            "003-messages");
            assertThat(migrator.status())
                    .extracting(SchemaChange::applied)
                    .containsExactly(true, true, false, false, false, false, false, false, false, false, false);
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("002-chat-sessions");
            assertThatThrownBy(() -> migrator.rollback("999-nothing"))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("toVersion");
            assertThat(migrator.migrate())
                    .extracting(SchemaChange::version)
                    .containsExactly(
                            "002-chat-sessions",
                            "003-messages",
                            "004-user-memory",
                            "005-record-versions",
                            "006-message-digests",
                            "007-session-listing-filters",
                            "008-message-search",
                            "009-message-search-config",
                            "010-message-votes",
                            "011-token-usage");
        }
    }

    @Test
    void aTamperedChecksumStopsMigrateAndTheLockIsReleased() throws Exception {
        DalConfig config = freshDatabase("dal_migrator_checksum_test");
        try (SchemaMigrator migrator = migrator(config)) {
            migrator.migrate();
            migrator.rollback("003-messages");
            Map<String, String> settings = PostgresTestServer.get().settingsForDatabase("dal_migrator_checksum_test");
            try (Connection c = connect(settings);
                    Statement st = c.createStatement()) {
                st.execute("UPDATE databasechangelog SET md5sum = '9:00000000000000000000000000000000' "
                        + "WHERE id = '001-users'");
                assertThatThrownBy(migrator::migrate)
                        .isInstanceOf(DataAccessException.class)
                        .hasMessageContaining("001-users");
                assertThat(migrator.status().get(3).applied()).as("nothing ran").isFalse();
                try (var rs = st.executeQuery("SELECT count(*) FROM databasechangeloglock WHERE locked")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("Liquibase's lock released").isZero();
                }
                st.execute("UPDATE databasechangelog SET md5sum = NULL WHERE id = '001-users'");
            }
            assertThat(migrator.migrate())
                    .extracting(SchemaChange::version)
                    .containsExactly(
                            "004-user-memory",
                            "005-record-versions",
                            "006-message-digests",
                            "007-session-listing-filters",
                            "008-message-search",
                            "009-message-search-config",
                            "010-message-votes",
                            "011-token-usage");
        }
    }

    private static Connection connect(Map<String, String> settings) throws Exception {
        String url = settings.get("DATABASE_URL");
        java.util.Properties props = new java.util.Properties();
        if (settings.containsKey("DB_USER")) {
            props.setProperty("user", settings.get("DB_USER"));
        }
        return java.sql.DriverManager.getConnection(url, props);
    }
}
