package dev.dal.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.dal.api.ChatSession;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.test.mongo.MongoTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Driver errors reach the caller as Dal's exceptions, named by meaning, with no driver type, driver
 * text or password in them; and what must stay atomic on a standalone server does.
 */
class MongoErrorTranslationTest {
    private static final String SECRET = "S3cretPassw0rd";
    private static final String DATABASE = "dal_errors";
    private static final MongoTestServer SERVER = MongoTestServer.get();
    private static DataAccess store;

    @BeforeAll
    static void open() {
        SERVER.drop(DATABASE);
        store = DataAccessFactory.create(
                DalConfig.fromMap(SERVER.settingsForDatabase(DATABASE)), new MongoStoreProvider());
    }

    @AfterAll
    static void close() {
        store.close();
        SERVER.drop(DATABASE);
    }

    private static String unique(String prefix) {
        return prefix + "-" + System.nanoTime();
    }

    @Test
    void duplicateExternalIdIsDuplicateKeyOnCreateAndUpdate() {
        String taken = unique("taken");
        User owner = store.createUser(NewUser.withExternalId(taken));
        User other = store.createUser(NewUser.withExternalId(unique("other")));

        Throwable onCreate = catchThrowable(() -> store.createUser(NewUser.withExternalId(taken)));
        assertThat(onCreate)
                .isInstanceOf(DuplicateKeyException.class)
                .isNotInstanceOf(Retryable.class)
                .hasMessageContaining("externalId");
        assertNoDriverLeak(onCreate);

        Throwable onUpdate = catchThrowable(() -> store.updateUser(
                other.id(), UserUpdate.builder().externalId(taken).build()));
        assertThat(onUpdate).isInstanceOf(DuplicateKeyException.class).hasMessageContaining("externalId");
        assertNoDriverLeak(onUpdate);
        assertThat(store.getUser(other.id())).contains(other);
        assertThat(store.getUserByExternalId(taken)).contains(owner);
    }

    @Test
    void duplicateChatIdIsDuplicateKey() {
        String chatId = unique("chat");
        ChatSession first = store.createChatSession(NewChatSession.of(chatId));
        Throwable thrown = catchThrowable(() -> store.createChatSession(NewChatSession.of(chatId)));
        assertThat(thrown).isInstanceOf(DuplicateKeyException.class).hasMessageContaining("chatId");
        assertNoDriverLeak(thrown);
        assertThat(store.getChatSession(chatId)).contains(first);
    }

    @Test
    void aFailedInsertOfABatchIsUndoneOnAStandaloneServer() {
        String chatId = unique("undo");
        ChatSession session = store.createChatSession(NewChatSession.of(chatId));
        List<Message> first = store.addMessages(chatId, List.of(NewMessage.user("q1"), NewMessage.assistant("a1")));
        ChatSession before = store.getChatSession(chatId).orElseThrow();
        // Another writer (an operator, a buggy importer) already put a message at number 4.
        var messages = SERVER.database(DATABASE).getCollection("chat_messages", BsonDocument.class);
        BsonDocument planted = new BsonDocument("_id", new BsonString("planted"))
                .append("id", new BsonString("planted"))
                .append("session_id", new BsonString(session.id().toString()))
                .append("sequence_number", new BsonInt64(4))
                .append("created_at", new BsonDateTime(Instant.now().toEpochMilli()));
        messages.insertOne(planted);

        Throwable thrown = catchThrowable(
                () -> store.addMessages(chatId, List.of(NewMessage.user("q2"), NewMessage.assistant("a2"))));

        assertThat(thrown).isInstanceOf(DuplicateKeyException.class).hasMessageContaining("sequence number");
        assertNoDriverLeak(thrown);
        // Neither message of the pair stayed, and the counters are back where they were; the version moved on
        // twice (the reservation, then its undo) and never goes back to one a reader may have seen.
        assertThat(messages.countDocuments(new BsonDocument(
                        "session_id", new BsonString(session.id().toString()))))
                .isEqualTo(3);
        assertThat(store.getChatSession(chatId)).contains(before.withVersion(before.version() + 2));
        messages.deleteOne(new BsonDocument("_id", new BsonString("planted")));
        List<Message> next = store.addMessages(chatId, List.of(NewMessage.user("q2"), NewMessage.assistant("a2")));
        assertThat(next).extracting(Message::sequenceNumber).containsExactly(3L, 4L);
        assertThat(store.getChatHistory(chatId, 10, 0)).hasSize(4).startsWith(first.get(0), first.get(1));
    }

    @Test
    void anUnreachableServerIsUnavailableAndNoPasswordLeaks() {
        int port = unusedPort();
        Map<String, String> settings = new HashMap<>();
        settings.put("DATA_STORAGE_TYPE", "mongodb");
        settings.put("MONGODB_URL", "mongodb://dal:" + SECRET + "@127.0.0.1:" + port + "/chat");
        settings.put("DB_CONNECT_TIMEOUT", "PT0.5S");

        Throwable thrown = assertTimeoutPreemptively(
                Duration.ofSeconds(15),
                () -> catchThrowable(
                        () -> DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider())));
        assertThat(thrown).isInstanceOf(UnavailableException.class);
        assertNoDriverLeak(thrown);
        assertNoSecret(thrown);

        Throwable migrator = assertTimeoutPreemptively(
                Duration.ofSeconds(15),
                () -> catchThrowable(() -> new MongoStoreProvider().schemaMigrator(DalConfig.fromMap(settings))));
        assertThat(migrator).isInstanceOf(UnavailableException.class);
        assertNoSecret(migrator);
        assertThat(DalConfig.fromMap(settings).toString()).doesNotContain(SECRET);
    }

    @Test
    void aServerThatGoesAwayIsUnavailableAndHealthSaysDown() {
        // A server of this test's own, so stopping it harms no other test.
        MongoServer replacement = startOn(0);
        InetSocketAddress address = replacement.getLocalAddress();
        Map<String, String> settings = new HashMap<>(SERVER.settingsForDatabase("dal_going_away"));
        settings.put("MONGODB_URL", "mongodb://127.0.0.1:" + address.getPort());
        settings.put("DB_CONNECT_TIMEOUT", "PT0.5S");
        try (DataAccess doomed = DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider())) {
            User user = doomed.createUser(NewUser.withExternalId("before"));
            assertThat(doomed.getUser(user.id())).contains(user);
            replacement.shutdownNow();

            Throwable thrown = assertTimeoutPreemptively(
                    Duration.ofSeconds(15),
                    () -> catchThrowable(() -> doomed.createUser(NewUser.withExternalId("after"))));
            assertThat(thrown).isInstanceOf(DataAccessException.class);
            if (!(thrown instanceof UnavailableException)) {
                // The first call may see its pooled connection die with its insert sent: then the
                // insert's outcome is unknown (it may have been stored before the server went away).
                assertThat(thrown).isInstanceOfAny(Retryable.class, OutcomeUnknownException.class);
                thrown = assertTimeoutPreemptively(
                        Duration.ofSeconds(15), () -> catchThrowable(() -> doomed.getUser(user.id())));
            }
            assertThat(thrown).isInstanceOf(UnavailableException.class);
            assertNoDriverLeak(thrown);

            HealthStatus health = assertTimeoutPreemptively(Duration.ofSeconds(15), doomed::healthCheck);
            assertThat(health.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(health.error())
                    .isNotBlank()
                    .doesNotContain("com.mongodb")
                    .doesNotContain("Exception");
        } finally {
            replacement.shutdownNow();
        }
    }

    @Test
    void missingOrMalformedSettingsNameTheVariable() {
        Throwable missing = catchThrowable(() -> DataAccessFactory.create(
                DalConfig.fromMap(Map.of("DATA_STORAGE_TYPE", "mongodb")), new MongoStoreProvider()));
        assertThat(missing).isInstanceOf(ConfigurationException.class).hasMessageContaining("MONGODB_URL");

        Throwable malformed = catchThrowable(() -> DataAccessFactory.create(
                DalConfig.fromMap(Map.of(
                        "DATA_STORAGE_TYPE", "mongodb", "MONGODB_URL", "mongodb://dal:" + SECRET + "@host:notaport/x")),
                new MongoStoreProvider()));
        assertThat(malformed).isInstanceOf(ConfigurationException.class).hasMessageContaining("MONGODB_URL");
        assertNoSecret(malformed);

        Throwable noDatabase = catchThrowable(() -> DataAccessFactory.create(
                DalConfig.fromMap(Map.of("DATA_STORAGE_TYPE", "mongodb", "MONGODB_URL", "mongodb://127.0.0.1:1")),
                new MongoStoreProvider()));
        assertThat(noDatabase).isInstanceOf(ConfigurationException.class).hasMessageContaining("MONGODB_DATABASE");

        assertThat(DataAccessFactory.provider("mongo")).isInstanceOf(MongoStoreProvider.class);
        assertThat(DataAccessFactory.provider("MongoDB")).isInstanceOf(MongoStoreProvider.class);
    }

    private static MongoServer startOn(int port) {
        MongoServer server = new MongoServer(new MemoryBackend().version(new de.bwaldvogel.mongo.MongoVersion() {
            @Override
            public List<Integer> getVersionArray() {
                return List.of(4, 2, 0);
            }

            @Override
            public int getWireVersion() {
                return 8;
            }
        }));
        server.bind("127.0.0.1", port);
        return server;
    }

    private static int unusedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No driver type and no driver text anywhere in the chain, and nothing suppressed. */
    static void assertNoDriverLeak(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(t.getClass().getName()).doesNotStartWith("com.mongodb").doesNotStartWith("org.bson");
            assertThat(t.getSuppressed()).isEmpty();
            if (t instanceof SanitizedCause sanitized) {
                // A driver exception's stand-in: its class name (and a code), never its message.
                assertThat(t.getMessage())
                        .startsWith(sanitized.originalClass())
                        .doesNotContain("E11000")
                        .doesNotContain("dup key")
                        .doesNotContain(":");
                continue;
            }
            assertThat(String.valueOf(t.getMessage()))
                    .doesNotContain("com.mongodb")
                    .doesNotContain("E11000")
                    .doesNotContain("Exception")
                    .doesNotContain("dup key");
        }
    }

    static void assertNoSecret(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertThat(t.toString().toLowerCase(Locale.ROOT)).doesNotContain(SECRET.toLowerCase(Locale.ROOT));
        }
    }
}
