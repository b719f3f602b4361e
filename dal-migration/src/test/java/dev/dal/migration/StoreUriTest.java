package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.test.mongo.MongoTestServer;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Store URIs to settings, passwords from the URI or the environment, never shown; MongoDB and
 * Neo4j URIs open the test fixtures' real servers.
 */
class StoreUriTest {
    private static final Map<String, String> ENV = Map.of(
            "DB_PASSWORD",
            "envpw",
            "NEO4J_PASSWORD",
            "neopw",
            "DB_MAX_CONNECTIONS",
            "5",
            "DATABASE_URL",
            "postgresql://elsewhere/db",
            "DATA_DIR",
            "/elsewhere");

    @Test
    void eachSchemeBecomesItsSettings() {
        DalConfig file = StoreUri.parse("file:./tmp/x", ENV).config();
        assertThat(file.storageType()).isEqualTo("file");
        assertThat(file.setting("DATA_DIR")).contains("./tmp/x");
        assertThat(file.setting("DATABASE_URL"))
                .as("location settings of the environment do not leak in")
                .isEmpty();

        DalConfig pg = StoreUri.parse("postgresql://dal@db:5433/chat", ENV).config();
        assertThat(pg.storageType()).isEqualTo("postgresql");
        assertThat(pg.setting("DATABASE_URL")).contains("postgresql://dal@db:5433/chat");
        assertThat(pg.setting("DB_PASSWORD")).contains("envpw");
        assertThat(pg.maxConnections()).isEqualTo(5);
        assertThat(StoreUri.parse("postgres://dal:urlpw@db/chat", ENV).config().setting("DB_PASSWORD"))
                .isEmpty();

        DalConfig mongo = StoreUri.parse("mongodb://h:27017/chat", ENV).config();
        assertThat(mongo.setting("MONGODB_DATABASE")).contains("chat");
        assertThat(mongo.setting("MONGODB_URL")).contains("mongodb://h:27017/chat");

        DalConfig neo = StoreUri.parse("bolt://neo:pw1@graph:7687", ENV).config();
        assertThat(neo.storageType()).isEqualTo("neo4j");
        assertThat(neo.setting("NEO4J_URI")).contains("bolt://graph:7687");
        assertThat(neo.setting("NEO4J_USER")).contains("neo");
        assertThat(neo.setting("NEO4J_PASSWORD")).contains("pw1");
        assertThat(StoreUri.parse("neo4j://graph", ENV).config().setting("NEO4J_PASSWORD"))
                .contains("neopw");
        assertThat(StoreUri.parse("neo4j://graph:7687/chat", Map.of("NEO4J_DATABASE", "other"))
                        .config()
                        .setting("NEO4J_DATABASE"))
                .as("the path names the database")
                .contains("chat");
        assertThat(StoreUri.parse("neo4j://graph", Map.of("NEO4J_DATABASE", "other"))
                        .config()
                        .setting("NEO4J_DATABASE"))
                .as("a location setting of the environment")
                .isEmpty();
    }

    @Test
    void passwordsAreMaskedAndUnknownSchemesListTheKnownOnes() {
        StoreUri pg = StoreUri.parse("postgresql://dal:s3cret@db/chat", Map.of());
        assertThat(pg.toString()).isEqualTo("postgresql://dal:****@db/chat");
        assertThat(pg.config().toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> StoreUri.parse("redis://u:s3cret@x/1", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("known: file:PATH")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> StoreUri.parse("mongodb://h:1", Map.of())).hasMessageContaining("name the database");
    }

    @Test
    void aMongodbUriOpensTheDatabaseItNames() {
        MongoTestServer server = MongoTestServer.get();
        String db = Backends.uniqueName();
        String uri = Backends.mongoUri(server.uri(), db);
        try (DataAccess store = Backends.open(uri)) {
            assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(store.healthCheck().storageType()).isEqualTo("mongodb");
            store.createUser(NewUser.builder().externalId("via-uri").build());
        }
        assertThat(server.database(db).getCollection("users").countDocuments())
                .as("in database " + db)
                .isEqualTo(1);
        DalConfig fixture = DalConfig.fromMap(server.settingsForDatabase(db));
        try (DataAccess store = DataAccessFactory.create(fixture)) {
            assertThat(store.getUserByExternalId("via-uri")).isPresent();
        }
    }

    @Test
    void boltAndNeo4jUrisOpenTheSameServer() {
        String bolt = Backends.NEO4J.freshStore();
        URI parsed = URI.create(bolt);
        String routed = "neo4j://" + (parsed.getRawUserInfo() == null ? "" : parsed.getRawUserInfo() + "@")
                + parsed.getHost() + ":" + parsed.getPort();
        User written;
        try (DataAccess store = Backends.open(bolt.replaceFirst("^neo4j:", "bolt:"))) {
            assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(store.healthCheck().storageType()).isEqualTo("neo4j");
            written = store.createUser(NewUser.builder().externalId("via-bolt").build());
        }
        try (DataAccess store = Backends.open(routed)) {
            assertThat(store.getUserByExternalId("via-bolt")).contains(written);
        }
        assertThat(Neo4jTestServer.get()
                        .run("MATCH (u:User {external_id: 'via-bolt'}) RETURN count(u) AS n", Map.of())
                        .get(0)
                        .get("n")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void neo4jPasswordsComeFromTheUriOrTheEnvironmentAndAreNeverShown() {
        String host = SecondNeo4j.get().hostAndPort();
        String password = SecondNeo4j.PASSWORD;
        StoreUri inUri = StoreUri.parse("bolt://neo4j:" + password + "@" + host, Map.of());
        assertThat(inUri.toString()).isEqualTo("bolt://neo4j:****@" + host).doesNotContain(password);
        assertThat(inUri.config().toString()).doesNotContain(password);
        try (DataAccess store = DataAccessFactory.create(inUri.config())) {
            assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
        }
        StoreUri fromEnv = StoreUri.parse("neo4j://neo4j@" + host, Map.of("NEO4J_PASSWORD", password));
        assertThat(fromEnv.toString()).doesNotContain(password);
        try (DataAccess store = DataAccessFactory.create(fromEnv.config())) {
            assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
        }
        assertThatThrownBy(() -> DataAccessFactory.create(
                                StoreUri.parse("bolt://neo4j:wrong-" + password + "@" + host, Map.of())
                                        .config())
                        .close())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageMatching("(?s).*(refused|rejected) the credentials.*")
                .hasMessageNotContaining(password)
                // The failure table keeps a cause only as a SanitizedCause: class name and stack, no driver message.
                .satisfies(
                        e -> assertThat(e.getCause() == null || e.getCause() instanceof dev.dal.api.spi.SanitizedCause)
                                .as("cause %s", e.getCause())
                                .isTrue());
    }
}
