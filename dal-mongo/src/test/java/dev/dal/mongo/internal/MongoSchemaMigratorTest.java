package dev.dal.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.mongodb.client.MongoDatabase;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewUser;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.mongo.MongoStoreProvider;
import dev.dal.test.mongo.MongoTestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The versioned schema: collections and indexes, migration_history, rollback, checksums and the lock. */
class MongoSchemaMigratorTest {
    private static final MongoTestServer SERVER = MongoTestServer.get();
    private static final String DATABASE = "dal_schema";
    private final DalConfig config = DalConfig.fromMap(SERVER.settingsForDatabase(DATABASE));

    @BeforeEach
    @AfterEach
    void dropDatabase() {
        SERVER.drop(DATABASE);
    }

    private MongoDatabase db() {
        return SERVER.database(DATABASE);
    }

    private SchemaMigrator migrator() {
        return new MongoStoreProvider().schemaMigrator(config);
    }

    private List<String> indexNames(String collection) {
        List<String> names = new ArrayList<>();
        db().getCollection(collection, BsonDocument.class)
                .listIndexes(BsonDocument.class)
                .forEach(i -> names.add(i.getString("name").getValue()));
        return names;
    }

    /** @return each index of the collection by name, with its key fields in order */
    private Map<String, List<String>> indexKeys(String collection) {
        Map<String, List<String>> keys = new HashMap<>();
        db().getCollection(collection, BsonDocument.class)
                .listIndexes(BsonDocument.class)
                .forEach(i -> keys.put(
                        i.getString("name").getValue(),
                        List.copyOf(i.getDocument("key").keySet())));
        return keys;
    }

    @Test
    void openingAStoreCreatesTheCollectionsAndIndexesAndRecordsTheMigrations() {
        DataAccessFactory.create(config, new MongoStoreProvider()).close();

        assertThat(db().listCollectionNames().into(new ArrayList<>()))
                .contains("users", "chat_sessions", "chat_messages", "user_memory", "migration_history");
        assertThat(indexNames("users")).contains("users_id", "users_external_id");
        assertThat(indexNames("chat_sessions"))
                .contains("chat_sessions_id", "chat_sessions_chat_id", "chat_sessions_user_activity");
        assertThat(indexNames("chat_messages")).contains("chat_messages_id", "chat_messages_session_sequence");
        assertThat(indexNames("user_memory"))
                .contains("user_memory_user_type_key")
                .as("004 dropped the TTL index: the server would delete expired entries without tombstones")
                .doesNotContain("user_memory_expires_at_ttl");
        assertThat(db().listCollectionNames().into(new ArrayList<>()))
                .contains("user_tombstones", "chat_session_tombstones", "user_memory_tombstones");
        assertThat(indexNames("chat_session_tombstones")).contains("chat_session_tombstones_session_id");
        assertThat(indexNames("user_memory_tombstones")).contains("user_memory_tombstones_user_type_key");
        assertThat(indexNames("message_votes"))
                .contains(
                        "message_votes_message_user",
                        "message_votes_session_sequence_user",
                        "message_votes_user_session_sequence");
        BsonDocument voteKey =
                db().getCollection("message_votes").listIndexes(BsonDocument.class).into(new ArrayList<>()).stream()
                        .filter(i -> i.getString("name").getValue().equals("message_votes_message_user"))
                        .findFirst()
                        .orElseThrow();
        assertThat(voteKey.getBoolean("unique").getValue())
                .as("one vote per user per message")
                .isTrue();
        assertThat(db().getCollection("message_votes").listIndexes(BsonDocument.class).into(new ArrayList<>()).stream()
                        .filter(i -> i.getString("name").getValue().equals("message_votes_session_sequence_user"))
                        .map(i -> List.copyOf(i.getDocument("key").keySet()))
                        .findFirst()
                        .orElseThrow())
                .as("the bulk scan's order: session, sequence number, voter")
                .containsExactly("session_id", "sequence_number", "user_id");
        assertThat(indexKeys("token_usage"))
                .containsEntry("token_usage_user_created", List.of("user_id", "created_at"))
                .containsEntry("token_usage_session_created", List.of("session_id", "created_at"))
                .containsEntry("token_usage_model_created", List.of("model", "created_at"))
                .containsEntry("token_usage_created", List.of("created_at"));

        List<BsonDocument> history = db().getCollection("migration_history", BsonDocument.class)
                .find()
                .into(new ArrayList<>());
        assertThat(history)
                .extracting(d -> d.getString("_id").getValue())
                .containsExactlyInAnyOrder("001", "002", "003", "004", "005", "006", "007", "008");
        assertThat(history).allSatisfy(d -> {
            assertThat(d.getString("status").getValue()).isEqualTo("applied");
            assertThat(d.getString("checksum").getValue()).hasSize(64);
            assertThat(d.getString("_schema_version").getValue()).isEqualTo("1.0.0");
            assertThat(d.isDateTime("applied_at")).isTrue();
        });
    }

    @Test
    void everyStoredDocumentCarriesItsSchemaVersion() {
        try (DataAccess store = DataAccessFactory.create(config, new MongoStoreProvider())) {
            var user = store.createUser(NewUser.withExternalId("x"));
            store.createChatSession(dev.dal.api.NewChatSession.of("c", user.id()));
            store.addMessage("c", dev.dal.api.NewMessage.user("hi"));
            store.setUserMemory(user.id(), "t", "k", null);
            store.voteMessage("c", 1, user.id(), dev.dal.api.Vote.UP);
            store.recordTokenUsage(dev.dal.api.NewTokenUsage.of("c", 1, user.id(), "m", 1, 1));
        }
        for (String collection :
                List.of("users", "chat_sessions", "chat_messages", "user_memory", "message_votes", "token_usage")) {
            assertThat(db().getCollection(collection, BsonDocument.class).find().into(new ArrayList<>()))
                    .isNotEmpty()
                    .allSatisfy(d -> assertThat(d.getString("_schema_version").getValue())
                            .isEqualTo("1.0.0"));
        }
    }

    @Test
    void statusMigrateAndRollbackWalkTheVersions() {
        try (SchemaMigrator migrator = migrator()) {
            assertThat(migrator.status())
                    .extracting(SchemaChange::version, SchemaChange::applied)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("001", false),
                            org.assertj.core.groups.Tuple.tuple("002", false),
                            org.assertj.core.groups.Tuple.tuple("003", false),
                            org.assertj.core.groups.Tuple.tuple("004", false),
                            org.assertj.core.groups.Tuple.tuple("005", false),
                            org.assertj.core.groups.Tuple.tuple("006", false),
                            org.assertj.core.groups.Tuple.tuple("007", false),
                            org.assertj.core.groups.Tuple.tuple("008", false));

            assertThat(migrator.migrate())
                    .extracting(SchemaChange::version)
                    .containsExactly("001", "002", "003", "004", "005", "006", "007", "008");
            assertThat(migrator.migrate()).as("already current").isEmpty();
            assertThat(migrator.status()).allSatisfy(c -> {
                assertThat(c.applied()).isTrue();
                assertThat(c.appliedAt()).isNotNull();
                assertThat(c.checksum()).hasSize(64);
            });

            assertThat(indexNames("chat_sessions"))
                    .contains("chat_sessions_user_status_activity", "chat_sessions_user_profile_activity");
            assertThat(indexNames("chat_messages")).contains("chat_messages_session_search_words");
            assertThat(db().listCollectionNames().into(new ArrayList<>())).contains("message_votes", "token_usage");
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("008");
            assertThat(db().listCollectionNames().into(new ArrayList<>()))
                    .as("008's rollback drops the token usage")
                    .doesNotContain("token_usage")
                    .contains("message_votes");
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("007");
            assertThat(db().listCollectionNames().into(new ArrayList<>()))
                    .as("007's rollback drops the votes")
                    .doesNotContain("message_votes");
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("006");
            assertThat(indexNames("chat_messages"))
                    .as("006's rollback drops the search index")
                    .doesNotContain("chat_messages_session_search_words");
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("005");
            assertThat(indexNames("chat_sessions"))
                    .as("005's rollback drops the listing indexes")
                    .contains("chat_sessions_user_activity")
                    .doesNotContain("chat_sessions_user_status_activity", "chat_sessions_user_profile_activity");
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("004");
            BsonDocument ttl =
                    db().getCollection("user_memory").listIndexes(BsonDocument.class).into(new ArrayList<>()).stream()
                            .filter(i -> i.getString("name").getValue().equals("user_memory_expires_at_ttl"))
                            .findFirst()
                            .orElseThrow();
            assertThat(ttl.get("expireAfterSeconds").asNumber().longValue())
                    .as("004's rollback restores it")
                    .isZero();
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("003");
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("002");
            assertThat(indexNames("user_memory")).doesNotContain("user_memory_expires_at_ttl");
            assertThat(db().getCollection("migration_history", BsonDocument.class)
                            .find(new BsonDocument("_id", new BsonString("002")))
                            .first()
                            .getString("status")
                            .getValue())
                    .isEqualTo("rolled_back");
            assertThat(migrator.status())
                    .extracting(SchemaChange::applied)
                    .containsExactly(true, false, false, false, false, false, false, false);

            assertThat(migrator.migrate())
                    .extracting(SchemaChange::version)
                    .containsExactly("002", "003", "004", "005", "006", "007", "008");
            assertThat(migrator.rollback("001"))
                    .extracting(SchemaChange::version)
                    .containsExactly("008", "007", "006", "005", "004", "003", "002");
            assertThat(migrator.rollback("001")).isEmpty();
            assertThat(migrator.rollback(null))
                    .extracting(SchemaChange::version)
                    .containsExactly("001");
            assertThat(db().listCollectionNames().into(new ArrayList<>())).doesNotContain("users", "chat_messages");
            assertThat(migrator.rollback(null)).isEmpty();

            Throwable unknown = catchThrowable(() -> migrator.rollback("999"));
            assertThat(unknown).isInstanceOf(ValidationException.class).hasMessageContaining("toVersion");
        }
    }

    @Test
    void migration003GivesExistingRecordsVersionOneAndItsRollbackTakesVersionsAndTombstonesAway() {
        Map<String, String> settings = new HashMap<>(config.settings());
        settings.put("DB_AUTO_MIGRATE", "false");
        DalConfig manual = DalConfig.fromMap(settings);
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
            dev.dal.api.User user;
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                user = store.createUser(NewUser.withExternalId("old"));
                store.createChatSession(dev.dal.api.NewChatSession.of("old-chat", user.id()));
                store.setUserMemory(user.id(), "t", "k", null);
                store.setUserMemory(user.id(), "t", "gone", null);
                store.deleteUserMemory(user.id(), "t", "gone");
            }

            assertThat(migrator.rollback("002"))
                    .extracting(SchemaChange::version)
                    .containsExactly("008", "007", "006", "005", "004", "003");
            for (String collection : List.of("users", "chat_sessions", "user_memory")) {
                assertThat(db().getCollection(collection, BsonDocument.class)
                                .find()
                                .into(new ArrayList<>()))
                        .isNotEmpty()
                        .allSatisfy(d -> assertThat(d.containsKey("version")).isFalse());
            }
            assertThat(db().listCollectionNames().into(new ArrayList<>()))
                    .doesNotContain("user_tombstones", "chat_session_tombstones", "user_memory_tombstones");
            assertThat(catchThrowable(() -> DataAccessFactory.create(manual, new MongoStoreProvider())))
                    .as("the schema is not current without 003")
                    .isInstanceOf(ConfigurationException.class);
            // A document written with a version before 003 runs again keeps it: only missing versions become 1.
            db().getCollection("user_memory", BsonDocument.class)
                    .updateOne(
                            new BsonDocument("key", new BsonString("k")),
                            new BsonDocument("$set", new BsonDocument("version", new org.bson.BsonInt64(5))));

            assertThat(migrator.migrate())
                    .extracting(SchemaChange::version)
                    .containsExactly("003", "004", "005", "006", "007", "008");
            assertThat(db().getCollection("users", BsonDocument.class)
                            .find()
                            .first()
                            .get("version"))
                    .isEqualTo(new org.bson.BsonInt64(1));
            assertThat(indexNames("user_memory_tombstones")).contains("user_memory_tombstones_user_type_key");
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                assertThat(store.getUser(user.id()).orElseThrow().version()).isEqualTo(1);
                assertThat(store.getChatSession("old-chat").orElseThrow().version())
                        .isEqualTo(1);
                assertThat(store.getUserMemory(user.id(), "t", "k")
                                .orElseThrow()
                                .version())
                        .isEqualTo(5);
                assertThat(store.updateUser(
                                        user.id(),
                                        dev.dal.api.UserUpdate.builder()
                                                .name("n")
                                                .build())
                                .version())
                        .isEqualTo(2);
                assertThat(store.bulk()
                                .findTombstones(List.of(dev.dal.api.bulk.RecordKey.memory(user.id(), "t", "gone"))))
                        .as("the rollback dropped the tombstones")
                        .isEmpty();
                store.deleteUser(user.id());
                assertThat(store.bulk().findTombstones(List.of(dev.dal.api.bulk.RecordKey.user(user.id()))))
                        .containsExactly(dev.dal.api.bulk.Tombstone.ofUser(user.id(), 3));
            }
        }
    }

    @Test
    void migration006GivesMessagesWrittenBeforeItTheirSearchWordsAndItsRollbackTakesThemAway() {
        Map<String, String> settings = new HashMap<>(config.settings());
        settings.put("DB_AUTO_MIGRATE", "false");
        DalConfig manual = DalConfig.fromMap(settings);
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
            dev.dal.api.User user;
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                user = store.createUser(NewUser.withExternalId("searcher"));
                store.createChatSession(dev.dal.api.NewChatSession.of("search-chat", user.id()));
                store.addMessage("search-chat", dev.dal.api.NewMessage.user("Don't forget the Grüße"));
            }
            assertThat(migrator.rollback("005"))
                    .extracting(SchemaChange::version)
                    .containsExactly("008", "007", "006");
            var messages = db().getCollection("chat_messages", BsonDocument.class);
            assertThat(messages.find().into(new ArrayList<>()))
                    .isNotEmpty()
                    .allSatisfy(d -> assertThat(d.containsKey("search_words")).isFalse());

            assertThat(migrator.migrate()).extracting(SchemaChange::version).containsExactly("006", "007", "008");
            assertThat(messages.find().first().getArray("search_words").getValues())
                    .extracting(v -> v.asString().getValue())
                    .containsExactly("don", "t", "forget", "the", "grüße");
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                assertThat(store.searchMessages(dev.dal.api.SearchQuery.forUser(user.id(), "Grüße DON'T", 10))
                                .hits())
                        .extracting(h -> h.message().content())
                        .containsExactly("Don't forget the Grüße");
            }
        }
    }

    @Test
    void migration007StartsStoresWrittenBeforeItWithoutVotesAndItsRollbackDropsThem() {
        Map<String, String> settings = new HashMap<>(config.settings());
        settings.put("DB_AUTO_MIGRATE", "false");
        DalConfig manual = DalConfig.fromMap(settings);
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
            dev.dal.api.User user;
            dev.dal.api.Message message;
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                user = store.createUser(NewUser.withExternalId("voter"));
                store.createChatSession(dev.dal.api.NewChatSession.of("vote-chat", user.id()));
                message = store.addMessage("vote-chat", dev.dal.api.NewMessage.user("hello"));
            }
            // Without 007 the data is what a store before votes wrote: votes write nothing elsewhere.
            assertThat(migrator.rollback("006"))
                    .extracting(SchemaChange::version)
                    .containsExactly("008", "007");
            assertThat(db().listCollectionNames().into(new ArrayList<>())).doesNotContain("message_votes");
            assertThat(catchThrowable(() -> DataAccessFactory.create(manual, new MongoStoreProvider())))
                    .as("the schema is not current without 007")
                    .isInstanceOf(ConfigurationException.class);

            assertThat(migrator.migrate()).extracting(SchemaChange::version).containsExactly("007", "008");
            var votes = db().getCollection("message_votes", BsonDocument.class);
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                assertThat(store.getVoteTallies("vote-chat", 1, 1))
                        .as("no votes before 007")
                        .isEmpty();
                assertThat(store.getChatHistory("vote-chat", 10, 0)).containsExactly(message);
                store.voteMessage("vote-chat", 1, user.id(), dev.dal.api.Vote.UP);
                dev.dal.api.MessageVote vote = store.voteMessage("vote-chat", 1, user.id(), dev.dal.api.Vote.DOWN);
                assertThat(store.getVoteTallies("vote-chat", 1, 1)).containsExactly(new dev.dal.api.VoteTally(1, 0, 1));
                assertThat(votes.find().into(new ArrayList<>()))
                        .as("one vote per user per message, its session and place copied from the message")
                        .singleElement()
                        .satisfies(d -> {
                            assertThat(d.getString("message_id").getValue())
                                    .isEqualTo(message.id().toString());
                            assertThat(d.getString("session_id").getValue())
                                    .isEqualTo(message.sessionId().toString());
                            assertThat(d.get("sequence_number").asNumber().longValue())
                                    .isEqualTo(1);
                            assertThat(d.getString("user_id").getValue())
                                    .isEqualTo(user.id().toString());
                            assertThat(d.getString("vote").getValue()).isEqualTo("down");
                            assertThat(d.getDateTime("voted_at").getValue())
                                    .isEqualTo(vote.votedAt().toEpochMilli());
                        });
            }

            assertThat(migrator.rollback("006"))
                    .extracting(SchemaChange::version)
                    .containsExactly("008", "007");
            assertThat(db().listCollectionNames().into(new ArrayList<>()))
                    .as("the rollback drops the votes with their collection")
                    .doesNotContain("message_votes");
            assertThat(db().getCollection("chat_messages").countDocuments())
                    .as("the messages stay")
                    .isEqualTo(1);
        }
    }

    @Test
    void migration008StartsStoresWrittenBeforeItWithoutTokenUsageAndItsRollbackDropsIt() {
        Map<String, String> settings = new HashMap<>(config.settings());
        settings.put("DB_AUTO_MIGRATE", "false");
        DalConfig manual = DalConfig.fromMap(settings);
        java.time.Instant from = java.time.Instant.now().minusSeconds(3600);
        java.time.Instant to = from.plusSeconds(7200);
        var byUser = dev.dal.api.TokenUsageQuery.by(dev.dal.api.TokenUsageGrouping.USER, from, to);
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
            dev.dal.api.User user;
            dev.dal.api.Message message;
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                user = store.createUser(NewUser.withExternalId("billed"));
                store.createChatSession(dev.dal.api.NewChatSession.of("usage-chat", user.id()));
                message = store.addMessage("usage-chat", dev.dal.api.NewMessage.assistant("hello"));
                store.voteMessage("usage-chat", 1, user.id(), dev.dal.api.Vote.UP);
            }
            // Without 008 the data is what a store before token usage wrote: usage writes nothing elsewhere.
            assertThat(migrator.rollback("007"))
                    .extracting(SchemaChange::version)
                    .containsExactly("008");
            assertThat(db().listCollectionNames().into(new ArrayList<>()))
                    .doesNotContain("token_usage")
                    .contains("message_votes");
            assertThat(catchThrowable(() -> DataAccessFactory.create(manual, new MongoStoreProvider())))
                    .as("the schema is not current without 008")
                    .isInstanceOf(ConfigurationException.class);

            assertThat(migrator.migrate()).extracting(SchemaChange::version).containsExactly("008");
            var usage = db().getCollection("token_usage", BsonDocument.class);
            try (DataAccess store = DataAccessFactory.create(manual, new MongoStoreProvider())) {
                assertThat(store.getTokenUsageTotals(byUser))
                        .as("no usage before 008")
                        .isEmpty();
                assertThat(store.getChatHistory("usage-chat", 10, 0)).containsExactly(message);
                assertThat(store.getVoteTallies("usage-chat", 1, 1))
                        .containsExactly(new dev.dal.api.VoteTally(1, 1, 0));
                dev.dal.api.TokenUsage costed =
                        store.recordTokenUsage(dev.dal.api.NewTokenUsage.of("usage-chat", 1, user.id(), "gpt", 12, 3)
                                .withCost(450, "EUR"));
                store.recordTokenUsage(dev.dal.api.NewTokenUsage.of("usage-chat", 1, user.id(), "gpt", 1, 1));
                assertThat(store.getTokenUsageTotals(byUser))
                        .containsExactly(
                                new dev.dal.api.TokenUsageTotal(user.id().toString(), 13, 4, 2, Map.of("EUR", 450L)));
                BsonDocument d = usage.find(new BsonDocument(
                                "_id", new org.bson.BsonString(costed.id().toString())))
                        .first();
                // The message's session and place copied, cost and currency together.
                assertThat(d).isNotNull();
                assertThat(d.getString("message_id").getValue())
                        .isEqualTo(message.id().toString());
                assertThat(d.getString("session_id").getValue())
                        .isEqualTo(message.sessionId().toString());
                assertThat(d.get("sequence_number").asNumber().longValue()).isEqualTo(1);
                assertThat(d.getString("user_id").getValue())
                        .isEqualTo(user.id().toString());
                assertThat(d.getString("model").getValue()).isEqualTo("gpt");
                assertThat(d.get("prompt_tokens").asNumber().longValue()).isEqualTo(12);
                assertThat(d.get("completion_tokens").asNumber().longValue()).isEqualTo(3);
                assertThat(d.get("cost_micros").asNumber().longValue()).isEqualTo(450);
                assertThat(d.getString("currency").getValue()).isEqualTo("EUR");
                assertThat(d.getDateTime("created_at").getValue())
                        .isEqualTo(costed.createdAt().toEpochMilli());
                BsonDocument free = usage.find(new BsonDocument("cost_micros", org.bson.BsonNull.VALUE))
                        .first();
                assertThat(free).isNotNull();
                assertThat(free.isNull("currency"))
                        .as("usage without a cost stores both as null")
                        .isTrue();
            }

            assertThat(migrator.rollback("007"))
                    .extracting(SchemaChange::version)
                    .containsExactly("008");
            assertThat(db().listCollectionNames().into(new ArrayList<>()))
                    .as("the rollback drops the usage with its collection")
                    .doesNotContain("token_usage");
            assertThat(db().getCollection("chat_messages").countDocuments())
                    .as("the messages stay")
                    .isEqualTo(1);
            assertThat(db().getCollection("message_votes").countDocuments())
                    .as("the votes stay")
                    .isEqualTo(1);
        }
    }

    @Test
    void aStoreOpenedWithoutAutoMigrateRefusesAnOldSchemaNamingTheSetting() {
        Map<String, String> settings = new HashMap<>(config.settings());
        settings.put("DB_AUTO_MIGRATE", "false");
        Throwable thrown =
                catchThrowable(() -> DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider()));
        assertThat(thrown).isInstanceOf(ConfigurationException.class).hasMessageContaining("DB_AUTO_MIGRATE");

        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
        }
        DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider())
                .close();
    }

    @Test
    void aChangedChecksumIsRefused() {
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
            db().getCollection("migration_history", BsonDocument.class)
                    .updateOne(
                            new BsonDocument("_id", new BsonString("001")),
                            new BsonDocument("$set", new BsonDocument("checksum", new BsonString("0".repeat(64)))));

            Throwable thrown = catchThrowable(migrator::migrate);
            assertThat(thrown)
                    .isInstanceOf(DataAccessException.class)
                    .hasMessageContaining("checksum")
                    .hasMessageContaining("001");
            assertThat(catchThrowable(() -> migrator.rollback(null)))
                    .isInstanceOf(DataAccessException.class)
                    .hasMessageContaining("checksum");
            assertThat(catchThrowable(() -> DataAccessFactory.create(config, new MongoStoreProvider())))
                    .isInstanceOf(DataAccessException.class)
                    .hasMessageContaining("checksum");
        }
    }

    @Test
    void aHeldLockStopsASecondRunnerAndAnExpiredOneIsTakenOver() {
        var locks = db().getCollection("migration_lock", BsonDocument.class);
        Instant now = Instant.now();
        locks.insertOne(new BsonDocument("_id", new BsonString("schema"))
                .append("owner", new BsonString("other"))
                .append("expires_at", new BsonDateTime(now.plusSeconds(300).toEpochMilli())));
        MongoSettings settings = MongoSettings.from(config);
        MongoConnection connection = new MongoConnection(config, settings);
        connection.connect();
        try (MongoSchemaMigrator migrator = new MongoSchemaMigrator(connection, true, Duration.ofMillis(400))) {
            Throwable held = catchThrowable(migrator::migrate);
            assertThat(held).isInstanceOf(DataAccessException.class).hasMessageContaining("lock");
            assertThat(migrator.status()).noneMatch(SchemaChange::applied);

            locks.updateOne(
                    new BsonDocument("_id", new BsonString("schema")),
                    new BsonDocument(
                            "$set",
                            new BsonDocument(
                                    "expires_at",
                                    new BsonDateTime(now.minusSeconds(1).toEpochMilli()))));
            assertThat(migrator.migrate()).hasSize(8);
            assertThat(locks.countDocuments()).as("released after the run").isZero();
        }
    }
}
