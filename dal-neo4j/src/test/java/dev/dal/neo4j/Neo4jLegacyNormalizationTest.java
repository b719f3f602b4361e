package dev.dal.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Record;

/**
 * The normalization of legacy graphs (schema change 001): {@code HAS_SESSION} becomes
 * {@code HAS_CHAT_SESSION}, {@code message_id} becomes {@code id}, {@code timestamp} becomes
 * {@code created_at}, with every node and relationship accounted for, and idempotent.
 */
class Neo4jLegacyNormalizationTest {
    private static final Neo4jTestServer SERVER = Neo4jTestServer.get();

    private final UUID alice = UUID.randomUUID();
    private final UUID bob = UUID.randomUUID();
    private final UUID s1 = UUID.randomUUID();
    private final UUID s2 = UUID.randomUUID();
    private final UUID s3 = UUID.randomUUID();
    private final UUID s4 = UUID.randomUUID();

    @BeforeEach
    void legacyGraph() {
        SERVER.dropSchema();
        // Users and sessions: HAS_SESSION (legacy), HAS_CHAT_SESSION (standard), both in parallel, one with properties.
        SERVER.run(
                """
                CREATE (alice:User {id: $alice, external_id: 'alice', status: 'active', profile: '{}', preferences: '{}',
                        timestamp: '2023-01-02T03:04:05.678Z'})
                CREATE (bob:User {id: $bob, external_id: 'bob', status: 'active', profile: '{}', preferences: '{}',
                        created_at: datetime('2023-02-01T00:00:00Z'), updated_at: datetime('2023-02-01T00:00:00Z')})
                CREATE (s1:ChatSession {id: $s1, chat_id: 'legacy-1', profile: 'general', metadata: '{}', status: 'active',
                        timestamp: 1672628645, updated_at: datetime('2023-01-02T03:04:05Z'), message_count: 3})
                CREATE (s2:ChatSession {id: $s2, chat_id: 'standard-2', profile: 'general', metadata: '{}', status: 'active',
                        created_at: datetime('2023-03-01T00:00:00Z'), updated_at: datetime('2023-03-01T00:00:00Z'),
                        message_count: 0})
                CREATE (s3:ChatSession {id: $s3, chat_id: 'both-3', profile: 'general', metadata: '{}', status: 'active',
                        created_at: '2023-04-01T10:00:00', updated_at: datetime('2023-04-01T10:00:00Z'), message_count: 0})
                CREATE (s4:ChatSession {id: $s4, chat_id: 'props-4', profile: 'general', metadata: '{}', status: 'active',
                        created_at: datetime('2023-05-01T00:00:00Z'), updated_at: datetime('2023-05-01T00:00:00Z'),
                        message_count: 0})
                CREATE (alice)-[:HAS_SESSION]->(s1)
                CREATE (alice)-[:HAS_CHAT_SESSION]->(s2)
                CREATE (bob)-[:HAS_SESSION]->(s3)
                CREATE (bob)-[:HAS_CHAT_SESSION {since: 'standard'}]->(s3)
                CREATE (bob)-[:HAS_SESSION]->(s3)
                CREATE (bob)-[:HAS_SESSION {since: 'legacy', channel: 'web'}]->(s4)
                CREATE (s1)-[:HAS_MESSAGE]->(:Message {message_id: $m1, session_id: $s1, sequence_number: 1, role: 'user',
                        content: 'legacy id and time', metadata: '{}', abuse_flagged: false,
                        timestamp: datetime('2023-01-02T03:04:05.678123Z')})
                CREATE (s1)-[:HAS_MESSAGE]->(:Message {message_id: $m2, id: $m2, session_id: $s1, sequence_number: 2,
                        role: 'assistant', content: 'both names, same value', metadata: '{}', abuse_flagged: false,
                        timestamp: 1672628646123, created_at: datetime('2023-01-02T03:04:06.123Z')})
                CREATE (s1)-[:HAS_MESSAGE]->(:Message {message_id: 'old-3', id: $m3, session_id: $s1, sequence_number: 3,
                        role: 'user', content: 'both names, different values', metadata: '{}', abuse_flagged: false,
                        timestamp: 1672628647.5, created_at: datetime('2023-01-02T03:04:09Z')})
                CREATE (:Other {timestamp: 5, message_id: 'not a message'})
                """,
                Map.of(
                        "alice",
                        alice.toString(),
                        "bob",
                        bob.toString(),
                        "s1",
                        s1.toString(),
                        "s2",
                        s2.toString(),
                        "s3",
                        s3.toString(),
                        "s4",
                        s4.toString(),
                        "m1",
                        M1,
                        "m2",
                        M2,
                        "m3",
                        M3));
    }

    private static final String M1 = UUID.randomUUID().toString();
    private static final String M2 = UUID.randomUUID().toString();
    private static final String M3 = UUID.randomUUID().toString();

    private static SchemaMigrator migrator() {
        return new Neo4jStoreProvider().schemaMigrator(SERVER.config(Clock.systemUTC()));
    }

    private static long count(String cypher) {
        return SERVER.run(cypher, Map.of()).get(0).get(0).asLong();
    }

    private static Map<String, Long> labelCounts() {
        Map<String, Long> counts = new TreeMap<>();
        for (Record r : SERVER.run(
                "MATCH (n) WHERE NOT n:DalSchemaMigration AND NOT n:DalSchemaLock "
                        + "RETURN labels(n)[0] AS label, count(*) AS n",
                Map.of())) {
            counts.put(r.get("label").asString(), r.get("n").asLong());
        }
        return counts;
    }

    /** Every node with its properties and every relationship, for comparing whole graphs. */
    private static List<String> graph() {
        return SERVER.run("""
                MATCH (n) WHERE NOT n:DalSchemaMigration AND NOT n:DalSchemaLock
                OPTIONAL MATCH (n)-[r]->(m)
                RETURN labels(n) AS labels, properties(n) AS props, type(r) AS type, properties(r) AS rprops,
                       coalesce(m.id, m.chat_id) AS target""", Map.of()).stream()
                .map(r -> r.get("labels").asList() + " "
                        + new TreeMap<>(r.get("props").asMap()) + " "
                        + (r.get("type").isNull()
                                ? ""
                                : r.get("type").asString()
                                        + new TreeMap<>(r.get("rprops").asMap()) + "->"
                                        + r.get("target").asString("")))
                .sorted()
                .toList();
    }

    @Test
    void normalizationAccountsForEveryNodeAndRelationship() {
        Map<String, Long> labelsBefore = labelCounts();
        long messageEdgesBefore = count("MATCH ()-[r:HAS_MESSAGE]->() RETURN count(r)");
        long pairsBefore = count(
                "MATCH (u:User)-[:HAS_SESSION|HAS_CHAT_SESSION]->(s:ChatSession) " + "RETURN count(DISTINCT [u, s])");

        try (SchemaMigrator migrator = migrator()) {
            assertThat(migrator.migrate())
                    .extracting(SchemaChange::version)
                    .containsExactly("001", "002", "003", "004", "005", "006", "007");
        }

        assertThat(labelCounts()).as("no node lost or created").isEqualTo(labelsBefore);
        assertThat(count("MATCH ()-[r:HAS_MESSAGE]->() RETURN count(r)")).isEqualTo(messageEdgesBefore);
        assertThat(count("MATCH ()-[r:HAS_SESSION]->() RETURN count(r)")).isZero();
        assertThat(count("MATCH ()-[r:HAS_CHAT_SESSION]->() RETURN count(r)"))
                .as("one HAS_CHAT_SESSION per user and session that had either")
                .isEqualTo(pairsBefore)
                .isEqualTo(4);
        assertThat(count("MATCH (u)-[r:HAS_CHAT_SESSION]->(u2) WITH u, u2, count(r) AS n WHERE n > 1 RETURN count(*)"))
                .isZero();
        Record standard = SERVER.run(
                        "MATCH (:User)-[r:HAS_CHAT_SESSION]->(:ChatSession {chat_id: 'both-3'}) "
                                + "RETURN properties(r) AS p",
                        Map.of())
                .get(0);
        assertThat(standard.get("p").asMap())
                .as("the standard relationship's own value wins")
                .containsEntry("since", "standard");
        Record carried = SERVER.run(
                        "MATCH (:User)-[r:HAS_CHAT_SESSION]->(:ChatSession {chat_id: 'props-4'}) "
                                + "RETURN properties(r) AS p",
                        Map.of())
                .get(0);
        assertThat(carried.get("p").asMap())
                .as("legacy relationship properties carried over")
                .containsEntry("since", "legacy")
                .containsEntry("channel", "web");

        assertThat(count("MATCH (n) WHERE (n:User OR n:ChatSession OR n:Message) AND "
                        + "(n.message_id IS NOT NULL OR n.timestamp IS NOT NULL) RETURN count(n)"))
                .isZero();
        assertThat(count("MATCH (n) WHERE (n:User OR n:ChatSession OR n:Message) AND "
                        + "NOT valueType(n.created_at) STARTS WITH 'ZONED DATETIME' RETURN count(n)"))
                .isZero();
        Record other = SERVER.run("MATCH (o:Other) RETURN o.timestamp AS t, o.message_id AS m", Map.of())
                .get(0);
        assertThat(other.get("t").asLong())
                .as("other labels are not Dal's to change")
                .isEqualTo(5);
        assertThat(other.get("m").asString()).isEqualTo("not a message");

        Record m3 = SERVER.run(
                        "MATCH (m:Message {id: $id}) RETURN m.legacy_message_id AS lid, m.legacy_timestamp AS lts",
                        Map.of("id", M3))
                .get(0);
        assertThat(m3.get("lid").asString())
                .as("a differing legacy id is kept aside")
                .isEqualTo("old-3");
        assertThat(m3.get("lts").asDouble())
                .as("a differing legacy time is kept aside")
                .isEqualTo(1672628647.5);
        assertThat(SERVER.run(
                                "MATCH (m:Message {id: $id}) RETURN m.legacy_message_id AS lid, m.legacy_timestamp AS lts",
                                Map.of("id", M2))
                        .get(0)
                        .get("lid")
                        .isNull())
                .as("an equal legacy id is simply dropped")
                .isTrue();

        try (DataAccess store =
                DataAccessFactory.create(SERVER.config(Clock.systemUTC()), new Neo4jStoreProvider(SERVER.driver()))) {
            List<Message> history = store.getChatHistory("legacy-1", 10, 0);
            assertThat(history).extracting(m -> m.id().toString()).containsExactly(M1, M2, M3);
            assertThat(history)
                    .extracting(Message::createdAt)
                    .containsExactly(
                            Instant.parse("2023-01-02T03:04:05.678Z"),
                            Instant.parse("2023-01-02T03:04:06.123Z"),
                            Instant.parse("2023-01-02T03:04:09Z"));
            assertThat(store.getUser(alice).orElseThrow().createdAt())
                    .isEqualTo(Instant.parse("2023-01-02T03:04:05.678Z"));
            assertThat(store.getChatSession("legacy-1").orElseThrow().createdAt())
                    .as("epoch seconds")
                    .isEqualTo(Instant.parse("2023-01-02T03:04:05Z"));
            assertThat(store.getChatSession("both-3").orElseThrow().createdAt())
                    .as("a local date-time string is UTC")
                    .isEqualTo(Instant.parse("2023-04-01T10:00:00Z"));
            assertThat(store.listUserSessions(alice, 10, 0))
                    .extracting(ChatSession::chatId)
                    .containsExactlyInAnyOrder("legacy-1", "standard-2");
            assertThat(store.listUserSessions(bob, 10, 0))
                    .extracting(ChatSession::chatId)
                    .containsExactlyInAnyOrder("both-3", "props-4");
            assertThat(store.getChatSession("both-3").orElseThrow().userId()).isEqualTo(bob);
        }
    }

    @Test
    void runningTheNormalizationTwiceChangesNothing() {
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
            List<String> once = graph();

            // Undo the seven changes (001's undo only forgets it was applied) and apply them again.
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("001");
            assertThat(migrator.status()).noneMatch(SchemaChange::applied);
            assertThat(migrator.migrate()).hasSize(7);

            assertThat(graph()).isEqualTo(once);
        }
    }

    @Test
    void legacyWritesArrivingAfterTheMigrationAreNormalizedByRunningItAgain() {
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
            SERVER.run(
                    "MATCH (u:User {id: $bob}), (s:ChatSession {chat_id: 'standard-2'}) CREATE (u)-[:HAS_SESSION]->(s) "
                            + "CREATE (s)-[:HAS_MESSAGE]->(:Message {message_id: $id, session_id: s.id, sequence_number: 1, "
                            + "role: 'user', content: 'late', metadata: '{}', timestamp: $at})",
                    Map.of(
                            "bob",
                            bob.toString(),
                            "id",
                            UUID.randomUUID().toString(),
                            "at",
                            ZonedDateTime.parse("2024-06-01T12:00:00Z")));
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.rollback(null);
            migrator.migrate();
        }

        assertThat(count("MATCH ()-[r:HAS_SESSION]->() RETURN count(r)")).isZero();
        assertThat(count("MATCH (m:Message) WHERE m.message_id IS NOT NULL OR m.timestamp IS NOT NULL RETURN count(m)"))
                .isZero();
        assertThat(count("MATCH (m:Message {content: 'late'}) WHERE m.id IS NOT NULL AND m.created_at = "
                        + "datetime('2024-06-01T12:00:00Z') RETURN count(m)"))
                .isEqualTo(1);
    }
}
