package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.json;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: injection payloads for SQL, Cypher and MongoDB, path-like keys and look-alike ids are
 * stored and read back as plain data, and never match or touch any other record.
 */
public interface HostileInputContract extends ConformanceTest {

    /** SQL injection attempts. */
    List<String> SQL = List.of(
            "'; DROP TABLE chat_sessions; --",
            "a' OR '1'='1",
            "\" OR \"\"=\"",
            "1; SELECT pg_sleep(10)",
            "' UNION SELECT * FROM users --",
            "Robert'); DROP TABLE students;--",
            "%",
            "_",
            "%%",
            "a%",
            "\\",
            "\\'",
            "''",
            "$$dollar$$",
            "E'\\x00'",
            "/* comment */",
            "--");

    /** Cypher injection attempts. */
    List<String> CYPHER = List.of(
            "') MATCH (n) DETACH DELETE n //",
            "x'}) RETURN 1 //",
            "`backtick`",
            "$param",
            "{x}",
            "\\u0027",
            "n.name",
            ":Label",
            "}]->(m) //",
            "1 OR 1=1 WITH true AS ignored");

    /** MongoDB operator payloads, as strings. */
    List<String> MONGO = List.of(
            "{\"$ne\": null}",
            "{\"$gt\": \"\"}",
            "{\"$regex\": \".*\"}",
            "$where",
            "$ne",
            "this.a == this.a",
            "'; return true; var x='",
            "[$ne]",
            "a.b",
            "$");

    /** Keys that look like file paths or device names. */
    List<String> PATHS = List.of(
            "../x",
            "..%2f..%2fetc",
            "/etc/passwd",
            "C:\\x",
            "x/../y",
            "./x",
            "x/",
            "..",
            ".",
            "...",
            "CON",
            "nul",
            "aux.txt",
            "x:y",
            "*",
            "?",
            "a|b",
            "~root",
            "%00",
            "..\\..\\windows",
            "file:///etc/passwd",
            " x",
            "x ",
            "x\ty",
            "x\ny",
            ".hidden",
            "-rf");

    private static List<String> all() {
        List<String> all = new ArrayList<>();
        all.addAll(SQL);
        all.addAll(CYPHER);
        all.addAll(MONGO);
        all.addAll(PATHS);
        return all.stream().distinct().toList();
    }

    /** Creates a session per chat id, then checks each reads back as itself and nothing leaked between them. */
    private static void assertDistinctChatIds(DataAccess store, List<String> chatIds) {
        Map<String, ChatSession> created = new LinkedHashMap<>();
        for (String chatId : chatIds) {
            created.put(chatId, store.createChatSession(new NewChatSession(chatId, null, chatId, null, null)));
            store.addMessage(chatId, NewMessage.user(chatId));
        }
        for (String chatId : chatIds) {
            assertThat(store.getChatSession(chatId)).as("session %s", chatId).hasValueSatisfying(s -> {
                assertThat(s.id()).isEqualTo(created.get(chatId).id());
                assertThat(s.chatId()).isEqualTo(chatId);
                assertThat(s.title()).isEqualTo(chatId);
                assertThat(s.messageCount()).isEqualTo(1);
            });
            assertThat(store.getChatHistory(chatId, 10, 0))
                    .as("history of %s", chatId)
                    .extracting(Message::content)
                    .containsExactly(chatId);
        }
        assertThat(snapshot(store).sessions()).hasSize(chatIds.size());
    }

    private static void assertDistinctExternalIds(DataAccess store, List<String> externalIds) {
        Map<String, User> created = new LinkedHashMap<>();
        for (String externalId : externalIds) {
            created.put(
                    externalId,
                    store.createUser(NewUser.builder()
                            .externalId(externalId)
                            .name(externalId)
                            .build()));
        }
        for (String externalId : externalIds) {
            assertThat(store.getUserByExternalId(externalId))
                    .as("user %s", externalId)
                    .contains(created.get(externalId));
        }
        assertThat(snapshot(store).users()).hasSize(externalIds.size());
    }

    private static void assertDistinctMemoryKeys(DataAccess store, List<String> keys) {
        User user = Fixtures.user(store);
        for (String key : keys) {
            store.setUserMemory(user.id(), "hostile", key, F.textNode(key));
        }
        for (String key : keys) {
            assertThat(store.getUserMemory(user.id(), "hostile", key))
                    .as("memory %s", key)
                    .hasValueSatisfying(e -> assertThat(e.value()).isEqualTo(F.textNode(key)));
        }
        assertThat(store.getUserMemory(user.id(), "hostile"))
                .extracting(MemoryEntry::key)
                .containsExactlyInAnyOrderElementsOf(keys);
    }

    /**
     * SQL injection payloads used as chat ids are stored and read back as plain, distinct keys.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void sqlInjectionChatIdsAreStoredAsPlainKeys(DataAccess store) {
        assertDistinctChatIds(store, SQL);
    }

    /**
     * Cypher injection payloads used as chat ids are stored and read back as plain, distinct keys.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void cypherInjectionChatIdsAreStoredAsPlainKeys(DataAccess store) {
        assertDistinctChatIds(store, CYPHER);
    }

    /**
     * MongoDB operator strings used as chat ids are stored and read back as plain, distinct keys.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void mongoOperatorChatIdsAreStoredAsPlainKeys(DataAccess store) {
        assertDistinctChatIds(store, MONGO);
    }

    /**
     * Path-like chat ids, such as {@code ../x}, are distinct keys.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void pathLikeChatIdsAreDistinctKeys(DataAccess store) {
        assertDistinctChatIds(store, PATHS);
    }

    /**
     * Hostile strings used as external ids are stored and read back as plain, distinct keys.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void hostileExternalIdsAreStoredAsPlainKeys(DataAccess store) {
        assertDistinctExternalIds(store, all());
    }

    /**
     * Hostile strings used as memory keys are stored and read back as plain, distinct keys.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void hostileMemoryKeysAreStoredAsPlainKeys(DataAccess store) {
        assertDistinctMemoryKeys(store, all());
    }

    /**
     * Hostile strings used as memory types are plain, distinct types, and a delete by one removes only that type.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void hostileMemoryTypesAreStoredAsPlainKeys(DataAccess store) {
        User user = Fixtures.user(store);
        List<String> types = all().stream().filter(t -> t.length() <= 100).toList();
        for (String type : types) {
            store.setUserMemory(user.id(), type, "k", F.textNode(type));
        }
        for (String type : types) {
            assertThat(store.getUserMemory(user.id(), type))
                    .as("type %s", type)
                    .singleElement()
                    .satisfies(e -> assertThat(e.value()).isEqualTo(F.textNode(type)));
        }
        assertThat(store.deleteUserMemory(user.id(), "%")).isEqualTo(1);
        assertThat(store.deleteUserMemory(user.id(), ".*")).isZero();
        assertThat(snapshot(store).memory()).hasSize(types.size() - 1);
    }

    /**
     * Wildcard and pattern strings used as lookup keys match only a record with exactly that key.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void wildcardLookupsMatchOnlyThemselves(DataAccess store) {
        store.createChatSession(NewChatSession.of("abc"));
        store.createUser(NewUser.withExternalId("abc"));

        for (String pattern : List.of("%", "a%", "ab_", "_bc", ".*", "a.*", "^abc$", "abc*", "[a]bc", "ABC", "abc ")) {
            assertThat(store.getChatSession(pattern)).as("chat id %s", pattern).isEmpty();
            assertThat(store.getUserByExternalId(pattern))
                    .as("external id %s", pattern)
                    .isEmpty();
            assertThat(store.getMessageCount(pattern)).isZero();
            assertThat(store.deleteChatSession(pattern)).isFalse();
        }
        assertThat(store.getChatSession("abc")).isPresent();
    }

    /**
     * Operator and injection strings used as lookup keys match no other record and delete nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void operatorStringsDoNotMatchOtherRecords(DataAccess store) {
        ChatSession session = store.createChatSession(NewChatSession.of("real-chat"));
        User user = store.createUser(NewUser.withExternalId("real-user"));
        store.setUserMemory(user.id(), "context", "real-key", F.textNode("v"));

        for (String payload : MONGO) {
            assertThat(store.getChatSession(payload)).as(payload).isEmpty();
            assertThat(store.getUserByExternalId(payload)).as(payload).isEmpty();
            assertThat(store.getUserMemory(user.id(), "context", payload))
                    .as(payload)
                    .isEmpty();
            assertThat(store.getUserMemory(user.id(), payload)).as(payload).isEmpty();
            assertThat(store.getChatHistory(payload, 10, 0)).as(payload).isEmpty();
        }
        for (String payload : Stream.concat(SQL.stream(), CYPHER.stream()).toList()) {
            assertThat(store.getChatSession(payload)).as(payload).isEmpty();
            assertThat(store.deleteUserMemory(user.id(), "context", payload))
                    .as(payload)
                    .isFalse();
        }
        assertThat(store.getChatSession("real-chat")).contains(session);
        assertThat(store.getUserMemory(user.id(), "context", "real-key")).isPresent();
    }

    /**
     * Injection payloads in message content, names and e-mail addresses are stored and read back unchanged.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void injectionStringsInContentAndTitlesRoundTrip(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<String> payloads = all();

        for (String payload : payloads) {
            store.addMessage(session.chatId(), NewMessage.user(payload));
        }
        User user = store.createUser(
                NewUser.builder().name(SQL.get(0)).email(CYPHER.get(0)).build());

        assertThat(store.getChatHistory(session.chatId(), 1000, 0))
                .extracting(Message::content)
                .isEqualTo(payloads);
        assertThat(store.getUser(user.id())).contains(user);
    }

    /**
     * MongoDB operator objects inside JSON values are stored and read back as data, and change no other record.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void mongoOperatorObjectsInJsonAreStoredAsData(DataAccess store) {
        ObjectNode payload = (ObjectNode) json("""
                {"$ne": null, "$gt": "", "$where": "sleep(1000)", "$set": {"admin": true},
                 "$or": [{"a": 1}, {"$expr": {"$eq": [1, 1]}}], "$regex": ".*", "$$ROOT": 1,
                 "filter": {"$in": ["a", "b"]}, "$": "dollar"}
                """);
        User user = store.createUser(
                NewUser.builder().profile(payload).preferences(payload).build());
        store.createChatSession(new NewChatSession("mongo", user.id(), null, null, payload));
        store.addMessage("mongo", NewMessage.user("m").withMetadata(payload));
        store.setUserMemory(user.id(), "context", "k", payload);
        User other = store.createUser(
                NewUser.builder().profile(json("{\"admin\":false}")).build());

        assertThat(store.getUser(user.id()).orElseThrow().profile()).isEqualTo(payload);
        assertThat(store.getUser(user.id()).orElseThrow().preferences()).isEqualTo(payload);
        assertThat(store.getChatSession("mongo").orElseThrow().metadata()).isEqualTo(payload);
        assertThat(store.getChatHistory("mongo", 1, 0).get(0).metadata()).isEqualTo(payload);
        assertThat(store.getUserMemory(user.id(), "context", "k").orElseThrow().value())
                .isEqualTo(payload);
        assertThat(store.getUser(other.id()).orElseThrow().profile()).isEqualTo(json("{\"admin\":false}"));
    }

    /**
     * JSON keys with dollar signs and dots round-trip at every depth in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void dollarPrefixedAndDottedKeysRoundTripAtEveryDepth(DataAccess store) {
        JsonNode value = json("""
                {"a.b": 1, "$dollar": 2, "x": {"c.d.e": {"$f": [{"g.h": "$i"}]}}, ".": 3, "..": 4, "$.": 5,
                 "a.": 6, ".a": 7, "_id": "not an id", "__proto__": {"polluted": true}, "constructor": 8}
                """);
        User user = store.createUser(NewUser.builder().profile(value).build());
        store.updateUser(user.id(), UserUpdate.builder().preferences(value).build());
        store.setUserMemory(user.id(), "context", "dotted", value);
        store.createChatSession(new NewChatSession("dotted", user.id(), null, null, value));

        User read = store.getUser(user.id()).orElseThrow();
        assertThat(read.profile()).isEqualTo(value);
        assertThat(read.preferences()).isEqualTo(value);
        assertThat(store.getUserMemory(user.id(), "context", "dotted")
                        .orElseThrow()
                        .value())
                .isEqualTo(value);
        assertThat(store.getChatSession("dotted").orElseThrow().metadata()).isEqualTo(value);
    }

    /**
     * Ids that differ only by letter case are distinct chat ids, external ids and memory keys.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void idsDifferingOnlyByCaseAreDistinct(DataAccess store) {
        List<String> ids =
                List.of("Chat", "chat", "CHAT", "cHaT", "stra\u00dfe", "STRASSE", "strasse", "\u0130i", "\u0131I");
        assertDistinctChatIds(store, ids);
        assertDistinctExternalIds(store, ids);
        assertDistinctMemoryKeys(store, ids);
    }

    /**
     * Unicode ids are distinct from their normalization and look-alike variants.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void unicodeIdsAreDistinctFromTheirNormalizationVariants(DataAccess store) {
        List<String> ids = List.of(
                "caf\u00e9",
                "cafe\u0301",
                "\u212b",
                "\u00c5",
                "A\u030a",
                "\ufb01",
                "fi",
                "\uff41",
                "a",
                "\ud83d\udc68\u200d\ud83d\udcbb",
                "\ud83d\udc68\ud83d\udcbb",
                "\u4e2d\u6587",
                "\u05e9\u05dc\u05d5\u05dd",
                "x\u200by",
                "xy");
        assertDistinctChatIds(store, ids);
        assertDistinctExternalIds(store, ids);
        assertDistinctMemoryKeys(store, ids);
    }

    /**
     * Ids at the maximum length of 255 code points, surrogate pairs included, are accepted and stay distinct.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void idsAtTheMaximumLengthAreAccepted(DataAccess store) {
        String ascii = "k".repeat(255);
        String surrogates = "\ud83d\udcac".repeat(254) + "z";
        String sameStart = "k".repeat(254) + "l";
        assertThat(surrogates.codePointCount(0, surrogates.length())).isEqualTo(255);

        assertDistinctChatIds(store, List.of(ascii, surrogates, sameStart));
        assertDistinctExternalIds(store, List.of(ascii, surrogates, sameStart));
        assertDistinctMemoryKeys(store, List.of(ascii, surrogates, sameStart));
        User user = Fixtures.user(store);
        String type = "t".repeat(100);
        store.setUserMemory(user.id(), type, ascii, F.numberNode(1));
        assertThat(store.getUserMemory(user.id(), type, ascii)).isPresent();
    }

    /**
     * Text fields at their maximum length are accepted and read back unchanged.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void maximumLengthTextFieldsAreAccepted(DataAccess store) {
        String text = "\u00e9".repeat(255);
        String profile = "p".repeat(50);

        User user = store.createUser(NewUser.builder().email(text).name(text).build());
        ChatSession session = store.createChatSession(new NewChatSession("max", user.id(), text, profile, null));

        assertThat(store.getUser(user.id())).contains(user);
        assertThat(store.getChatSession("max")).contains(session);
        assertThat(session.title()).isEqualTo(text);
        assertThat(session.profile()).isEqualTo(profile);
    }

    /**
     * Deleting one hostile chat id leaves its look-alikes alone.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deletingOneHostileKeyLeavesItsLookAlikesAlone(DataAccess store) {
        List<String> ids = List.of("../x", "..%2fx", "x", "./x", "X", "x/", "%", "*");
        for (String id : ids) {
            store.createChatSession(NewChatSession.of(id));
        }

        assertThat(store.deleteChatSession("../x")).isTrue();
        assertThat(store.deleteChatSession("%")).isTrue();

        List<String> remaining = snapshot(store).sessions().stream()
                .map(ChatSession::chatId)
                .sorted()
                .toList();
        assertThat(remaining)
                .isEqualTo(ids.stream()
                        .filter(id -> !id.equals("../x") && !id.equals("%"))
                        .sorted()
                        .collect(Collectors.toList()));
    }

    /**
     * Very large hostile strings inside JSON values round-trip unchanged.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void hugeHostileStringsInJsonRoundTrip(DataAccess store) {
        String hostile = "\"'\\`${}[]<>;--/*".repeat(10_000);
        ObjectNode value = F.objectNode();
        value.put(hostile.substring(0, 200), hostile);
        User user = store.createUser(NewUser.builder().profile(value).build());

        store.setUserMemory(user.id(), "context", "huge", value);

        assertThat(store.getUser(user.id()).orElseThrow().profile()).isEqualTo(value);
        assertThat(store.getUserMemory(user.id(), "context", "huge")
                        .orElseThrow()
                        .value())
                .isEqualTo(value);
    }
}
