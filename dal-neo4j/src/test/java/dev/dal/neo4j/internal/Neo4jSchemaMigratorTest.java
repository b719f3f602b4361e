package dev.dal.neo4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.ChatSession;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.spi.SchemaChange;
import dev.dal.neo4j.Neo4jStoreProvider;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Record;

/** The versioned schema: status, migrate, rollback, checksums, the lock, and what opening a store does with it. */
class Neo4jSchemaMigratorTest {
    private static final Neo4jTestServer SERVER = Neo4jTestServer.get();
    private Neo4jSchemaMigrator schema;

    @BeforeEach
    void freshServer() {
        SERVER.dropSchema();
        DalConfig config = SERVER.config(Clock.systemUTC());
        schema = new Neo4jSchemaMigrator(
                new Neo4jConnection(Neo4jSettings.from(config, true), SERVER.driver(), false),
                false,
                Neo4jMigrations.ALL,
                Duration.ofMillis(600));
    }

    @AfterEach
    void releaseLeftoverLocks() {
        SERVER.run("MATCH (l:DalSchemaLock) DELETE l", Map.of());
    }

    @AfterAll
    static void leaveTheSchemaCurrent() {
        try (var migrator = new dev.dal.neo4j.Neo4jStoreProvider(SERVER.driver())
                .schemaMigrator(SERVER.config(Clock.systemUTC()))) {
            migrator.migrate();
        }
    }

    private static List<String> names(String show) {
        return SERVER
                .run(
                        show + " YIELD name WHERE name STARTS WITH 'dal_' AND NOT name STARTS WITH 'dal_schema' "
                                + "RETURN name ORDER BY name",
                        Map.of())
                .stream()
                .map(r -> r.get("name").asString())
                .toList();
    }

    @Test
    void aFreshServerHasEveryChangePendingWithItsChecksum() {
        List<SchemaChange> status = schema.status();

        assertThat(status)
                .extracting(SchemaChange::version)
                .containsExactly("001", "002", "003", "004", "005", "006", "007");
        assertThat(status).noneMatch(SchemaChange::applied);
        assertThat(status).allSatisfy(c -> assertThat(c.checksum()).hasSize(64));
        assertThat(status).extracting(SchemaChange::appliedAt).containsOnlyNulls();
    }

    @Test
    void migrateAppliesEveryChangeOnceAndRecordsIt() {
        List<SchemaChange> applied = schema.migrate();

        assertThat(applied)
                .extracting(SchemaChange::version)
                .containsExactly("001", "002", "003", "004", "005", "006", "007");
        assertThat(schema.status())
                .allMatch(SchemaChange::applied)
                .allSatisfy(c -> assertThat(c.appliedAt()).isNotNull());
        assertThat(schema.migrate()).as("nothing pending").isEmpty();
        assertThat(names("SHOW CONSTRAINTS"))
                .containsExactly(
                        "dal_memory_key",
                        "dal_memory_tombstone_key",
                        "dal_message_id",
                        "dal_message_sequence",
                        "dal_session_chat_id",
                        "dal_session_id",
                        "dal_session_tombstone_chat_id",
                        "dal_token_usage_id",
                        "dal_user_external_id",
                        "dal_user_id",
                        "dal_user_tombstone_id",
                        "dal_vote_key");
        assertThat(names("SHOW INDEXES"))
                .contains(
                        "dal_memory_expires_at",
                        "dal_message_created_at",
                        "dal_session_last_message_at",
                        "dal_session_tombstone_session_id",
                        "dal_message_search_words",
                        "dal_token_usage_user_time",
                        "dal_token_usage_session_time",
                        "dal_token_usage_model_time",
                        "dal_token_usage_created_at");
        assertThat(SERVER.run("MATCH (l:DalSchemaLock) RETURN l", Map.of()))
                .as("the lock is released")
                .isEmpty();
    }

    @Test
    void rollbackUndoesTheNewestChangeOrBackToAVersion() {
        schema.migrate();

        assertThat(schema.rollback(null)).extracting(SchemaChange::version).containsExactly("007");
        assertThat(names("SHOW CONSTRAINTS"))
                .doesNotContain("dal_token_usage_id")
                .contains("dal_vote_key");
        assertThat(names("SHOW INDEXES"))
                .noneMatch(n -> n.startsWith("dal_token_usage"))
                .contains("dal_message_search_words");
        assertThat(schema.rollback(null)).extracting(SchemaChange::version).containsExactly("006");
        assertThat(names("SHOW CONSTRAINTS")).doesNotContain("dal_vote_key").contains("dal_user_tombstone_id");
        assertThat(schema.rollback(null)).extracting(SchemaChange::version).containsExactly("005");
        assertThat(names("SHOW INDEXES"))
                .doesNotContain("dal_message_search_words")
                .contains("dal_session_tombstone_session_id");
        assertThat(schema.rollback(null)).extracting(SchemaChange::version).containsExactly("004");
        assertThat(names("SHOW INDEXES"))
                .doesNotContain("dal_session_tombstone_session_id")
                .contains("dal_memory_expires_at");
        assertThat(schema.rollback(null)).extracting(SchemaChange::version).containsExactly("003");
        assertThat(names("SHOW INDEXES")).doesNotContain("dal_memory_expires_at");
        assertThat(schema.rollback("001")).extracting(SchemaChange::version).containsExactly("002");
        assertThat(names("SHOW CONSTRAINTS")).isEmpty();
        assertThat(schema.status())
                .extracting(SchemaChange::applied)
                .containsExactly(true, false, false, false, false, false, false);
        assertThat(schema.rollback("001")).as("already there").isEmpty();

        assertThat(schema.migrate())
                .extracting(SchemaChange::version)
                .containsExactly("002", "003", "004", "005", "006", "007");
    }

    @Test
    void versionsGiveExistingRecordsVersionOneAndTheirRollbackRemovesVersionsAndTombstones() {
        schema.rollback(null); // nothing applied yet: a no-op
        schema.migrate();
        schema.rollback("003");
        assertThat(schema.status())
                .extracting(SchemaChange::applied)
                .containsExactly(true, true, true, false, false, false, false);
        SERVER.run("""
                CREATE (:User {id: 'u1', status: 'active', profile: '{}', preferences: '{}'})
                CREATE (:ChatSession {id: 's1', chat_id: 'c1', profile: 'general', metadata: '{}', status: 'active'})
                CREATE (:Memory {user_id: 'u1', memory_type: 't', key: 'k', value: '1'})
                CREATE (:Memory {user_id: 'u1', memory_type: 't', key: 'newer', value: '1', version: 5})
                CREATE (:Message {id: 'm1', session_id: 's1', sequence_number: 1})""", Map.of());

        assertThat(schema.migrate()).extracting(SchemaChange::version).containsExactly("004", "005", "006", "007");

        assertThat(SERVER.run(
                        "MATCH (n) WHERE n:User OR n:ChatSession OR n:Memory RETURN n.version AS v ORDER BY v",
                        Map.of()))
                .extracting(r -> r.get("v").asLong())
                .containsExactly(1L, 1L, 1L, 5L);
        assertThat(SERVER.run("MATCH (m:Message) RETURN m.version AS v", Map.of())
                        .get(0)
                        .get("v")
                        .isNull())
                .as("messages carry no version")
                .isTrue();
        SERVER.run(
                "CREATE (:UserTombstone {id: 'gone', version: 2}) CREATE (:ChatSessionTombstone {chat_id: 'c0', "
                        + "session_id: 's0', version: 2}) CREATE (:MemoryTombstone {user_id: 'u1', memory_type: 't', key: 'x', "
                        + "version: 2})",
                Map.of());
        assertThat(catchThrowable(() -> SERVER.run("CREATE (:UserTombstone {id: 'gone', version: 3})", Map.of())))
                .as("one tombstone per key")
                .isNotNull();

        assertThat(schema.rollback("003"))
                .extracting(SchemaChange::version)
                .containsExactly("007", "006", "005", "004");

        assertThat(SERVER.run(
                        "MATCH (n) WHERE (n:User OR n:ChatSession OR n:Memory) AND n.version IS NOT NULL " + "RETURN n",
                        Map.of()))
                .isEmpty();
        assertThat(SERVER.run(
                        "MATCH (n) WHERE n:UserTombstone OR n:ChatSessionTombstone OR n:MemoryTombstone " + "RETURN n",
                        Map.of()))
                .isEmpty();
        assertThat(names("SHOW CONSTRAINTS"))
                .doesNotContain("dal_user_tombstone_id", "dal_session_tombstone_chat_id", "dal_memory_tombstone_key")
                .contains("dal_user_id");
        assertThat(names("SHOW INDEXES")).doesNotContain("dal_session_tombstone_session_id");
        assertThat(SERVER.run(
                                "MATCH (n) WHERE n:User OR n:ChatSession OR n:Memory OR n:Message RETURN count(n) AS n",
                                Map.of())
                        .get(0)
                        .get("n")
                        .asLong())
                .as("the records themselves stay")
                .isEqualTo(5);
    }

    @Test
    void votesComeWithTheirChangeOnRecordsWrittenBeforeItAndGoWithItsRollback() {
        schema.migrate();
        try (DataAccess store =
                DataAccessFactory.create(SERVER.config(Clock.systemUTC()), new Neo4jStoreProvider(SERVER.driver()))) {
            User voter = store.createUser(NewUser.builder().build());
            ChatSession session = store.createChatSession(NewChatSession.of("before-votes", voter.id()));
            Message message = store.addMessage(session.chatId(), NewMessage.user("written before 006"));
            assertThat(schema.rollback("005")).extracting(SchemaChange::version).containsExactly("007", "006");
            assertThat(schema.migrate()).extracting(SchemaChange::version).containsExactly("006", "007");

            MessageVote vote = store.voteMessage(session.chatId(), 1, voter.id(), Vote.UP);

            assertThat(vote.messageId()).isEqualTo(message.id());
            assertThat(store.getVoteTallies(session.chatId(), 1, 1)).containsExactly(new VoteTally(1, 1, 0));
            Record stored = SERVER.run(
                            "MATCH (:User)-[r:VOTED]->(:Message) RETURN r.user_id AS u, r.message_id AS m, "
                                    + "r.vote AS v, valueType(r.voted_at) AS t",
                            Map.of())
                    .get(0);
            assertThat(List.of(
                            stored.get("u").asString(),
                            stored.get("m").asString(),
                            stored.get("v").asString()))
                    .containsExactly(voter.id().toString(), message.id().toString(), "up");
            assertThat(stored.get("t").asString()).as("a time as every other").startsWith("ZONED DATETIME");
            assertThat(catchThrowable(() -> SERVER.run(
                            "MATCH (u:User)-[:VOTED]->(m:Message) "
                                    + "CREATE (u)-[:VOTED {user_id: u.id, message_id: m.id, vote: 'down'}]->(m)",
                            Map.of())))
                    .as("one vote per user and message")
                    .isNotNull();

            assertThat(schema.rollback("005")).extracting(SchemaChange::version).containsExactly("007", "006");

            assertThat(SERVER.run("MATCH ()-[r:VOTED]->() RETURN r", Map.of()))
                    .as("the rollback removes the votes")
                    .isEmpty();
            assertThat(names("SHOW CONSTRAINTS")).doesNotContain("dal_vote_key");
            assertThat(store.getChatHistory(session.chatId(), 10, 0))
                    .as("the records stay")
                    .containsExactly(message);
        }
    }

    @Test
    void tokenUsageComesWithItsChangeOnRecordsWrittenBeforeItAndGoesWithItsRollback() {
        schema.migrate();
        try (DataAccess store =
                DataAccessFactory.create(SERVER.config(Clock.systemUTC()), new Neo4jStoreProvider(SERVER.driver()))) {
            User billed = store.createUser(NewUser.builder().build());
            ChatSession session = store.createChatSession(NewChatSession.of("before-usage", billed.id()));
            Message message = store.addMessage(session.chatId(), NewMessage.user("written before 007"));
            assertThat(schema.rollback("006")).extracting(SchemaChange::version).containsExactly("007");
            assertThat(schema.migrate()).extracting(SchemaChange::version).containsExactly("007");

            TokenUsage usage = store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, billed.id(), "m", 3, 4)
                    .withCost(5, "EUR"));

            assertThat(usage.messageId()).isEqualTo(message.id());
            assertThat(usage.sessionId()).isEqualTo(session.id());
            Instant now = Instant.now();
            TokenUsageQuery bySession =
                    TokenUsageQuery.by(TokenUsageGrouping.SESSION, now.minusSeconds(3600), now.plusSeconds(3600));
            assertThat(store.getTokenUsageTotals(bySession))
                    .containsExactly(new TokenUsageTotal(session.id().toString(), 3, 4, 1, Map.of("EUR", 5L)));
            assertThat(catchThrowable(() -> SERVER.run(
                            "CREATE (:TokenUsage {id: $id})",
                            Map.of("id", usage.id().toString()))))
                    .as("one record per id")
                    .isNotNull();

            assertThat(schema.rollback("006")).extracting(SchemaChange::version).containsExactly("007");

            assertThat(SERVER.run("MATCH (t:TokenUsage) RETURN t", Map.of()))
                    .as("the rollback removes the usage")
                    .isEmpty();
            assertThat(names("SHOW CONSTRAINTS")).doesNotContain("dal_token_usage_id");
            assertThat(names("SHOW INDEXES")).noneMatch(n -> n.startsWith("dal_token_usage"));
            assertThat(store.getChatHistory(session.chatId(), 10, 0))
                    .as("the records stay")
                    .containsExactly(message);
        }
    }

    @Test
    void rollbackToAnUnknownVersionIsRejected() {
        Throwable thrown = catchThrowable(() -> schema.rollback("999"));

        assertThat(thrown).isInstanceOf(ValidationException.class).hasMessageContaining("toVersion");
    }

    @Test
    void anEditedChangeIsRefusedByChecksum() {
        schema.migrate();
        SERVER.run("MATCH (m:DalSchemaMigration {version: '002'}) SET m.checksum = 'edited'", Map.of());

        Throwable thrown = catchThrowable(() -> schema.migrate());

        assertThat(thrown)
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("002")
                .hasMessageContaining("checksum");
        SERVER.run(
                "MATCH (m:DalSchemaMigration {version: '002'}) SET m.checksum = $c",
                Map.of("c", Neo4jMigrations.ALL.get(1).checksum()));
    }

    @Test
    void aLockHeldByAnotherMigrationMakesMigrateWaitThenGiveUp() {
        SERVER.run(
                "CREATE (:DalSchemaLock {name: 'schema', holder: 'other-host/42', acquired_at: datetime()})", Map.of());

        Throwable thrown = catchThrowable(() -> schema.migrate());

        assertThat(thrown).isInstanceOf(ConcurrencyConflictException.class).hasMessageContaining("other-host/42");
        assertThat(schema.status()).noneMatch(SchemaChange::applied);
    }

    @Test
    void aStaleLockIsTakenOver() {
        SERVER.run(
                "CREATE (:DalSchemaLock {name: 'schema', holder: 'dead-host/1', acquired_at: $at})",
                Map.of("at", ZonedDateTime.now().minusHours(1)));

        assertThat(schema.migrate()).hasSize(7);
        assertThat(SERVER.run("MATCH (l:DalSchemaLock) RETURN l", Map.of())).isEmpty();
    }

    @Test
    void openingAStoreAppliesPendingChangesByDefault() {
        try (DataAccess store =
                DataAccessFactory.create(SERVER.config(Clock.systemUTC()), new Neo4jStoreProvider(SERVER.driver()))) {
            store.createChatSession(NewChatSession.of("unique"));
            assertThat(catchThrowable(() -> store.createChatSession(NewChatSession.of("unique"))))
                    .as("the constraints are in place")
                    .isInstanceOf(DuplicateKeyException.class);
        }
        assertThat(schema.status()).allMatch(SchemaChange::applied);
    }

    @Test
    void withoutAutoMigrateAPendingChangeStopsTheOpen() {
        Map<String, String> settings = new HashMap<>(SERVER.settings());
        settings.put("DB_AUTO_MIGRATE", "false");

        Throwable thrown = catchThrowable(
                () -> DataAccessFactory.create(DalConfig.fromMap(settings), new Neo4jStoreProvider(SERVER.driver())));

        assertThat(thrown)
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("DB_AUTO_MIGRATE")
                .hasMessageContaining("dal schema migrate")
                .hasMessageContaining("001");
        schema.migrate();
        DataAccessFactory.create(DalConfig.fromMap(settings), new Neo4jStoreProvider(SERVER.driver()))
                .close();
    }
}
