package dev.dal.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoDatabase;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.test.mongo.MongoTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * User-supplied maps are stored as data: keys that start with {@code $} or hold a {@code .} come back
 * exactly, are never stored as such (so the server can never read them as operators or paths), and a
 * stored {@code {"$ne": null}} matches nothing.
 */
class MongoKeySafetyTest {
    private static final String DATABASE = "dal_key_safety";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final MongoTestServer SERVER = MongoTestServer.get();
    private static DataAccess store;

    /** Keys that would act as operators, paths or escapes if stored as they are. */
    static final List<String> CORPUS = List.of(
            "$ne",
            "$gt",
            "$where",
            "$set",
            "$",
            "$$",
            "a.b",
            ".",
            "..",
            ".a",
            "a.",
            "$a.b",
            "a$",
            "%",
            "%24",
            "%2E",
            "%25",
            "%%",
            "%2",
            "a%b",
            "",
            " ",
            "_id",
            "$id",
            "$ref",
            "$db",
            "\u00e9.\u00e8",
            "\uD83D\uDE00.$",
            "key");

    @BeforeAll
    static void open() {
        store = DataAccessFactory.create(
                DalConfig.fromMap(SERVER.settingsForDatabase(DATABASE)), new MongoStoreProvider());
    }

    @AfterAll
    static void close() {
        store.close();
        SERVER.drop(DATABASE);
    }

    @BeforeEach
    void empty() {
        SERVER.truncate(DATABASE);
    }

    /** Every corpus key at the top, nested in objects, and inside arrays, with operator-shaped values. */
    static ObjectNode hostileObject() {
        ObjectNode root = F.objectNode();
        for (String key : CORPUS) {
            ObjectNode inner = F.objectNode();
            inner.set(key, F.objectNode().putNull("$ne"));
            inner.set("list", F.arrayNode().add(F.objectNode().put(key, key)).add(F.objectNode()));
            root.set(key, inner);
        }
        root.set("$ne", F.nullNode());
        root.set("$gt", F.textNode(""));
        root.set("$regex", F.textNode(".*"));
        return (ObjectNode) JsonValues.canonical(root);
    }

    @Test
    void dollarAndDotKeysRoundTripExactlyEverywhereUserMapsAreStored() {
        ObjectNode hostile = hostileObject();
        User user = store.createUser(NewUser.builder()
                .externalId("u")
                .profile(hostile)
                .preferences(hostile)
                .build());
        ChatSession session = store.createChatSession(new NewChatSession("c", user.id(), null, null, hostile));
        Message message = store.addMessage("c", NewMessage.user("hi").withMetadata(hostile));
        MemoryEntry entry = store.setUserMemory(user.id(), "context", "k", hostile);
        MemoryEntry arrayEntry =
                store.setUserMemory(user.id(), "context", "arr", F.arrayNode().add(hostile));

        assertThat(store.getUser(user.id()).orElseThrow().profile()).isEqualTo(hostile);
        assertThat(store.getUser(user.id()).orElseThrow().preferences()).isEqualTo(hostile);
        assertThat(store.getChatSession("c").orElseThrow().metadata()).isEqualTo(hostile);
        assertThat(store.getChatHistory("c", 10, 0)).containsExactly(message);
        assertThat(message.metadata()).isEqualTo(hostile);
        assertThat(store.getUserMemory(user.id(), "context", "k")).contains(entry);
        assertThat(store.getUserMemory(user.id(), "context", "arr")
                        .orElseThrow()
                        .value())
                .isEqualTo(F.arrayNode().add(hostile));
        assertThat(store.bulk().scanUsers(null, 10).items())
                .containsExactly(store.getUser(user.id()).orElseThrow());
        assertThat(store.bulk().scanSessions(null, 10).items())
                .containsExactly(store.getChatSession("c").orElseThrow());
        assertThat(session.metadata()).isEqualTo(hostile);
        assertThat(arrayEntry.value()).isEqualTo(F.arrayNode().add(hostile));
    }

    @Test
    void noStoredFieldNameStartsWithDollarOrHoldsADot() {
        ObjectNode hostile = hostileObject();
        User user = store.createUser(NewUser.builder().profile(hostile).build());
        store.createChatSession(new NewChatSession("c", user.id(), null, null, hostile));
        store.addMessage("c", NewMessage.user("hi").withMetadata(hostile));
        store.setUserMemory(user.id(), "context", "k", hostile);

        MongoDatabase db = SERVER.database(DATABASE);
        List<String> names = new ArrayList<>();
        for (String collection : List.of("users", "chat_sessions", "chat_messages", "user_memory")) {
            for (BsonDocument doc :
                    db.getCollection(collection, BsonDocument.class).find()) {
                collectFieldNames(doc, names);
            }
        }
        assertThat(names)
                .isNotEmpty()
                .noneMatch(n -> n.startsWith("$"))
                .noneMatch(n -> n.contains("."))
                .noneMatch(String::isEmpty);
        // Encoded, not dropped: the operator-shaped keys are there in their stored form.
        assertThat(names).contains("%24ne", "a%2Eb", "%25", "%");
    }

    private static void collectFieldNames(BsonValue value, List<String> into) {
        if (value.isDocument()) {
            for (Map.Entry<String, BsonValue> field : value.asDocument().entrySet()) {
                into.add(field.getKey());
                collectFieldNames(field.getValue(), into);
            }
        } else if (value.isArray()) {
            for (BsonValue element : (BsonArray) value) {
                collectFieldNames(element, into);
            }
        }
    }

    @Test
    void aStoredNotEqualsNullMatchesNothingItShouldNot() {
        JsonNode ne = JsonValues.parse("{\"$ne\": null}");
        User owner = store.createUser(
                NewUser.builder().externalId("owner").profile(ne).build());
        User other = store.createUser(NewUser.builder().externalId("other").build());
        store.setUserMemory(owner.id(), "t", "k", ne);
        store.setUserMemory(other.id(), "t", "k", F.textNode("theirs"));

        // The operator document is data: it reads back, and lookups with operator-looking strings match only
        // themselves.
        assertThat(store.getUser(owner.id()).orElseThrow().profile()).isEqualTo(ne);
        assertThat(store.getUserMemory(owner.id(), "t", "k").orElseThrow().value())
                .isEqualTo(ne);
        assertThat(store.getUserMemory(other.id(), "t", "k").orElseThrow().value())
                .isEqualTo(F.textNode("theirs"));
        assertThat(store.getUserByExternalId("{\"$ne\": null}")).isEmpty();
        assertThat(store.getUserMemory(owner.id(), "{\"$ne\": null}")).isEmpty();
        assertThat(store.getUserMemory(owner.id(), "t", "{\"$ne\": null}")).isEmpty();

        // Under the store: no document holds a field that a query would treat as an operator.
        MongoDatabase db = SERVER.database(DATABASE);
        BsonDocument stored = db.getCollection("users", BsonDocument.class)
                .find(new BsonDocument("_id", new org.bson.BsonString(owner.id().toString())))
                .first();
        assertThat(stored.getDocument("profile").keySet()).containsExactly("%24ne");
        // And a query against the stored profile matches the encoded key only, never acting as $ne.
        assertThat(db.getCollection("users", BsonDocument.class)
                        .countDocuments(BsonDocument.parse("{\"profile.%24ne\": {\"$exists\": true}}")))
                .isEqualTo(1);
        assertThat(db.getCollection("users", BsonDocument.class)
                        .countDocuments(
                                BsonDocument.parse("{\"profile\": {\"$ne\": null}, \"external_id\": \"other\"}")))
                .as("other's profile is {} and not null, whatever owner stored")
                .isEqualTo(1);
    }
}
