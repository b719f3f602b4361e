package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.json;
import static dev.dal.testkit.Fixtures.object;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JSON values come back exactly as written (in {@link JsonValues#canonical canonical} form) from every
 * place a store keeps JSON: user profile and preferences, session metadata, message metadata and memory
 * values, read through the normal reads and through bulk scans.
 */
public interface JsonFidelityContract extends ConformanceTest {

    /**
     * Writes {@code value} into every JSON field (wrapped in an object where the field must be one), reads
     * each back by every route, and asserts each equals the canonical form of what was written.
     */
    private static void assertRoundTripsEverywhere(DataAccess store, JsonNode value) {
        JsonNode expected = JsonValues.canonical(value);
        ObjectNode wrapped = F.objectNode();
        wrapped.set("v", value);
        ObjectNode expectedWrapped = F.objectNode();
        expectedWrapped.set("v", expected);

        User user = store.createUser(NewUser.builder()
                .externalId(Fixtures.unique("json"))
                .profile(wrapped)
                .preferences(wrapped)
                .build());
        assertThat(user.profile()).as("user.profile as returned").isEqualTo(expectedWrapped);
        User readUser = store.getUser(user.id()).orElseThrow();
        assertThat(readUser.profile()).as("user.profile as read").isEqualTo(expectedWrapped);
        assertThat(readUser.preferences()).as("user.preferences as read").isEqualTo(expectedWrapped);
        User updated = store.updateUser(
                user.id(), UserUpdate.builder().preferences(wrapped).build());
        assertThat(updated.preferences()).as("user.preferences after update").isEqualTo(expectedWrapped);
        assertThat(store.getUser(user.id()).orElseThrow().preferences())
                .as("updated preferences as read")
                .isEqualTo(expectedWrapped);

        String chatId = Fixtures.unique("json-chat");
        store.createChatSession(new NewChatSession(chatId, user.id(), null, null, wrapped));
        assertThat(store.getChatSession(chatId).orElseThrow().metadata())
                .as("session.metadata as read")
                .isEqualTo(expectedWrapped);
        store.updateChatSession(
                chatId, ChatSessionUpdate.builder().metadata(wrapped).build());
        assertThat(store.getChatSession(chatId).orElseThrow().metadata())
                .as("session.metadata after update")
                .isEqualTo(expectedWrapped);

        Message message = store.addMessage(chatId, NewMessage.user("json").withMetadata(wrapped));
        assertThat(message.metadata()).as("message.metadata as returned").isEqualTo(expectedWrapped);
        assertThat(store.getChatHistory(chatId, 10, 0).get(0).metadata())
                .as("message.metadata as read")
                .isEqualTo(expectedWrapped);
        assertThat(store.listUserSessionsWithLastMessage(user.id(), 10, 0)
                        .get(0)
                        .lastMessage()
                        .metadata())
                .as("message.metadata in a session overview")
                .isEqualTo(expectedWrapped);

        MemoryEntry entry = store.setUserMemory(user.id(), "json", "value", value);
        assertThat(entry.value()).as("memory value as returned").isEqualTo(expected);
        assertThat(store.getUserMemory(user.id(), "json", "value").orElseThrow().value())
                .as("memory value as read")
                .isEqualTo(expected);
        assertThat(store.getUserMemory(user.id(), "json"))
                .extracting(MemoryEntry::value)
                .as("memory value as listed")
                .containsExactly(expected);

        Fixtures.Snapshot scanned = snapshot(store);
        assertThat(scanned.users())
                .filteredOn(u -> u.id().equals(user.id()))
                .singleElement()
                .satisfies(u ->
                        assertThat(u.profile()).as("user.profile as scanned").isEqualTo(expectedWrapped));
        assertThat(scanned.sessions())
                .filteredOn(s -> s.chatId().equals(chatId))
                .singleElement()
                .satisfies(s -> assertThat(s.metadata())
                        .as("session.metadata as scanned")
                        .isEqualTo(expectedWrapped));
        assertThat(scanned.messages())
                .filteredOn(m -> m.id().equals(message.id()))
                .singleElement()
                .satisfies(m -> assertThat(m.metadata())
                        .as("message.metadata as scanned")
                        .isEqualTo(expectedWrapped));
        assertThat(scanned.memory())
                .filteredOn(m -> m.userId().equals(user.id()))
                .singleElement()
                .satisfies(
                        m -> assertThat(m.value()).as("memory value as scanned").isEqualTo(expected));
    }

    private static ArrayNode array(JsonNode... values) {
        ArrayNode array = F.arrayNode();
        for (JsonNode value : values) {
            array.add(value);
        }
        return array;
    }

    /**
     * Text from the Basic Multilingual Plane, right-to-left scripts and direction marks included, round-trips in every
     * JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void basicMultilingualPlaneTextRoundTrips(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.textNode("caf\u00e9 na\u00efve \u00c5ngstr\u00f6m"),
                        F.textNode("\u4e2d\u6587 \u65e5\u672c\u8a9e \ud55c\uad6d\uc5b4"),
                        F.textNode(
                                "\u05e2\u05d1\u05e8\u05d9\u05ea \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u200f\u200e"),
                        F.textNode("\u0928\u092e\u0938\u094d\u0924\u0947 \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35"),
                        F.textNode("\u0391\u03b8\u03ae\u03bd\u03b1 \u041c\u043e\u0441\u043a\u0432\u0430")));
    }

    /**
     * Text outside the Basic Multilingual Plane, such as emoji sequences and flags, round-trips in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void supplementaryPlaneTextRoundTrips(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.textNode("\ud83d\ude00\ud83d\udca9\ud83d\ude80"),
                        F.textNode("\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66 family"),
                        F.textNode("\ud83c\uddeb\ud83c\uddf7 \ud83c\uddef\ud83c\uddf5 flags"),
                        F.textNode("\ud83d\udc4d\ud83c\udffe skin tone"),
                        F.textNode("\ud835\udd38\ud835\udd39 math \ud840\udc00 cjk ext b \ud800\udf48 gothic")));
    }

    /**
     * Combining marks, ligatures and compatibility characters come back as written, not normalized.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void combiningMarksAreNotNormalized(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.textNode("e\u0301"),
                        F.textNode("\u00e9"),
                        F.textNode("a\u0300\u0301\u0302\u0303\u0304"),
                        F.textNode("\u1100\u1161\u11a8"),
                        F.textNode("\ufb01 ligature"),
                        F.textNode("\u212b angstrom sign")));
    }

    /**
     * Control characters, separators, noncharacters and escape-like text round-trip in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void escapedAndControlCharactersRoundTrip(DataAccess store) {
        StringBuilder controls = new StringBuilder();
        for (char c = 1; c < 0x20; c++) {
            controls.append(c);
        }
        assertRoundTripsEverywhere(
                store,
                array(
                        F.textNode(controls.toString()),
                        F.textNode("line\nbreak\r\nand\ttab \b \f"),
                        F.textNode("\u007f\u0080\u009f"),
                        F.textNode("\u2028\u2029 separators"),
                        F.textNode("\ufeffbom and \ufffe\uffff nonchars"),
                        F.textNode("</script><!-- -->"),
                        F.textNode("\\u0000 is text here")));
    }

    /**
     * Quotes and backslashes round-trip in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void quotesAndBackslashesRoundTrip(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.textNode("\"double\" 'single' `back`"),
                        F.textNode("\\"),
                        F.textNode("\\\\server\\share"),
                        F.textNode("\\\""),
                        F.textNode("end with backslash\\"),
                        F.textNode("{\"not\":\"an object\"}")));
    }

    /**
     * Unusual object keys, the empty key and prototype names included, round-trip in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void unusualObjectKeysRoundTrip(DataAccess store) {
        ObjectNode keys = F.objectNode();
        for (String key : List.of(
                "",
                " ",
                "with space",
                "\u00e9",
                "\ud83d\udd11",
                "a\"b",
                "a\\b",
                "line\nbreak",
                "A",
                "a",
                "1",
                "-1",
                "true",
                "null",
                "__proto__",
                "constructor",
                "toString")) {
            keys.put(key, key);
        }
        assertRoundTripsEverywhere(store, keys);
    }

    /**
     * Empty strings, as keys and as values, round-trip in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void emptyStringsRoundTrip(DataAccess store) {
        assertRoundTripsEverywhere(store, object("{\"\":\"\",\"a\":\"\",\"b\":[\"\"]}"));
    }

    /**
     * The extreme long values, and longs beyond double precision, round-trip in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void longExtremesRoundTrip(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.numberNode(Long.MIN_VALUE),
                        F.numberNode(Long.MAX_VALUE),
                        F.numberNode(Long.MIN_VALUE + 1),
                        F.numberNode(Long.MAX_VALUE - 1),
                        F.numberNode(9_007_199_254_740_993L),
                        F.numberNode(-9_007_199_254_740_993L)));
    }

    /**
     * A long beyond double precision comes back as that exact integer.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void longsBeyondDoublePrecisionStayExact(DataAccess store) {
        User user = Fixtures.user(store);
        long beyond = (1L << 53) + 1;

        store.setUserMemory(user.id(), "json", "big", F.numberNode(beyond));

        JsonNode read =
                store.getUserMemory(user.id(), "json", "big").orElseThrow().value();
        assertThat(read.isIntegralNumber()).isTrue();
        assertThat(read.longValue()).isEqualTo(beyond);
    }

    /**
     * Integers at and just beyond the int boundaries round-trip in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void intBoundariesRoundTrip(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.numberNode(0),
                        F.numberNode(-1),
                        F.numberNode(1),
                        F.numberNode(Integer.MIN_VALUE),
                        F.numberNode(Integer.MAX_VALUE),
                        F.numberNode(Integer.MAX_VALUE + 1L),
                        F.numberNode(Integer.MIN_VALUE - 1L)));
    }

    /**
     * Integers stay integers and integral doubles stay doubles.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void integersStayIntegersAndIntegralDoublesStayDoubles(DataAccess store) {
        User user = Fixtures.user(store);
        store.setUserMemory(user.id(), "json", "int", F.numberNode(1));
        store.setUserMemory(user.id(), "json", "double", F.numberNode(1.0));
        store.setUserMemory(user.id(), "json", "bigDouble", F.numberNode(1e20));

        assertThat(store.getUserMemory(user.id(), "json", "int")
                        .orElseThrow()
                        .value()
                        .isIntegralNumber())
                .isTrue();
        assertThat(store.getUserMemory(user.id(), "json", "double")
                        .orElseThrow()
                        .value())
                .isEqualTo(F.numberNode(1.0))
                .isNotEqualTo(F.numberNode(1));
        assertThat(store.getUserMemory(user.id(), "json", "bigDouble")
                        .orElseThrow()
                        .value()
                        .isDouble())
                .isTrue();
        assertRoundTripsEverywhere(
                store,
                array(F.numberNode(1.0), F.numberNode(-2.0), F.numberNode(0.0), F.numberNode(1e20), F.numberNode(1)));
    }

    /**
     * Common doubles, such as {@code 0.1 + 0.2}, round-trip to the exact same value.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void commonDoublesRoundTripExactly(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.numberNode(0.1),
                        F.numberNode(0.2),
                        F.numberNode(0.1 + 0.2),
                        F.numberNode(1.5),
                        F.numberNode(-2.75),
                        F.numberNode(Math.PI),
                        F.numberNode(Math.E),
                        F.numberNode(1.0 / 3.0),
                        F.numberNode(123456.789)));
    }

    /**
     * Extreme doubles, the largest, the smallest and subnormal ones, round-trip to the exact same value.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void extremeDoublesRoundTripExactly(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.numberNode(1e300),
                        F.numberNode(-1e300),
                        F.numberNode(1e-300),
                        F.numberNode(Double.MAX_VALUE),
                        F.numberNode(-Double.MAX_VALUE),
                        F.numberNode(Double.MIN_VALUE),
                        F.numberNode(Double.MIN_NORMAL),
                        F.numberNode(4.9e-324),
                        F.numberNode(2.2250738585072014E-308)));
    }

    /**
     * Negative zero comes back as zero, as Dal's canonical form writes it, in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void negativeZeroComesBackAsZero(DataAccess store) {
        // SQL numeric (and so jsonb) has no negative zero; Dal's canonical form folds it into 0.0 everywhere.
        assertThat(JsonValues.canonical(F.numberNode(-0.0))).isEqualTo(F.numberNode(0.0));
        assertRoundTripsEverywhere(store, array(F.numberNode(-0.0), F.numberNode(0.0)));
    }

    /**
     * Booleans and nulls round-trip in objects and arrays.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void booleansAndNullRoundTrip(DataAccess store) {
        assertRoundTripsEverywhere(store, object("{\"t\":true,\"f\":false,\"n\":null,\"a\":[true,false,null]}"));
    }

    /**
     * Strings that look like numbers, booleans, null, JSON or dates stay strings.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scalarStringsThatLookLikeOtherTypesStayStrings(DataAccess store) {
        assertRoundTripsEverywhere(
                store,
                array(
                        F.textNode("123"),
                        F.textNode("1e5"),
                        F.textNode("-0"),
                        F.textNode("true"),
                        F.textNode("false"),
                        F.textNode("null"),
                        F.textNode("NaN"),
                        F.textNode("[]"),
                        F.textNode("{}"),
                        F.textNode("2024-01-01T00:00:00Z"),
                        F.textNode("0x1F"),
                        F.textNode("00123")));
    }

    /**
     * JSON nested up to the configured depth limit round-trips in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nestingUpToTheDepthLimitRoundTrips(DataAccess store) {
        int limit = DalConfig.builder().build().maxJsonDepth();
        User user = Fixtures.user(store);
        ObjectNode deepest = Fixtures.nestedObject(limit);

        User updated = store.updateUser(
                user.id(), UserUpdate.builder().profile(deepest).build());
        MemoryEntry entry = store.setUserMemory(user.id(), "json", "deep", Fixtures.nested(limit));
        store.createChatSession(new NewChatSession("deep", null, null, null, deepest));
        store.addMessage("deep", NewMessage.user("deep").withMetadata(deepest));

        assertThat(updated.profile()).isEqualTo(deepest);
        assertThat(store.getUser(user.id()).orElseThrow().profile()).isEqualTo(deepest);
        assertThat(store.getUserMemory(user.id(), "json", "deep")).contains(entry);
        assertThat(entry.value()).isEqualTo(Fixtures.nested(limit));
        assertThat(store.getChatSession("deep").orElseThrow().metadata()).isEqualTo(deepest);
        assertThat(store.getChatHistory("deep", 1, 0).get(0).metadata()).isEqualTo(deepest);
    }

    /**
     * Empty objects and arrays, alone and nested, round-trip in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void emptyContainersRoundTrip(DataAccess store) {
        assertRoundTripsEverywhere(store, object("{\"o\":{},\"a\":[],\"aa\":[[]],\"ao\":[{}],\"oo\":{\"x\":{}}}"));
        assertRoundTripsEverywhere(store, F.objectNode());
        assertRoundTripsEverywhere(store, F.arrayNode());
    }

    /**
     * Empty objects as a user's profile and preferences come back as empty objects.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void emptyObjectsInObjectFieldsRoundTrip(DataAccess store) {
        User user = store.createUser(NewUser.builder()
                .profile(F.objectNode())
                .preferences(F.objectNode())
                .build());

        assertThat(store.getUser(user.id()).orElseThrow().profile()).isEqualTo(F.objectNode());
        assertThat(store.getUser(user.id()).orElseThrow().preferences()).isEqualTo(F.objectNode());
    }

    /**
     * An array of ten thousand mixed values round-trips in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void bigArraysRoundTrip(DataAccess store) {
        ArrayNode big = F.arrayNode();
        for (int i = 0; i < 10_000; i++) {
            switch (i % 5) {
                case 0 -> big.add(i);
                case 1 -> big.add("s" + i);
                case 2 -> big.add(i + 0.5);
                case 3 -> big.add(i % 2 == 0);
                default -> big.addNull();
            }
        }
        assertRoundTripsEverywhere(store, big);
    }

    /**
     * An object with two thousand keys round-trips in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void objectsWithManyKeysRoundTrip(DataAccess store) {
        ObjectNode wide = F.objectNode();
        for (int i = 0; i < 2_000; i++) {
            wide.put("key-" + i, i);
        }
        assertRoundTripsEverywhere(store, wide);
    }

    /**
     * A string of several hundred thousand characters round-trips in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void longStringsRoundTrip(DataAccess store) {
        String chunk = "0123456789\"\\\u00e9\u4e2d\ud83d\ude00";
        assertRoundTripsEverywhere(store, F.textNode(chunk.repeat(20_000)));
    }

    /**
     * Mixed arrays keep their order and their nulls.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void mixedArraysKeepOrderAndNulls(DataAccess store) {
        assertRoundTripsEverywhere(store, json("[null,1,\"a\",[],{},null,[null],{\"n\":null},2.5,false]"));
    }

    /**
     * Number nodes of other Java types come back in canonical form.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void nonCanonicalNumberNodesComeBackCanonical(DataAccess store) {
        User user = Fixtures.user(store);
        Map<String, JsonNode> inputs = Map.of(
                "long", F.numberNode(5L),
                "short", F.numberNode((short) 7),
                "bigint", F.numberNode(BigInteger.valueOf(Long.MAX_VALUE)),
                "smallBigint", F.numberNode(BigInteger.valueOf(12)),
                "decimal", F.numberNode(new BigDecimal("0.5")),
                "float", F.numberNode(0.25f));

        inputs.forEach((key, value) -> store.setUserMemory(user.id(), "numbers", key, value));

        inputs.forEach((key, value) -> assertThat(store.getUserMemory(user.id(), "numbers", key)
                        .orElseThrow()
                        .value())
                .as(key)
                .isEqualTo(JsonValues.canonical(value)));
        assertThat(store.getUserMemory(user.id(), "numbers", "long")
                        .orElseThrow()
                        .value())
                .isEqualTo(F.numberNode(5));
        assertThat(store.getUserMemory(user.id(), "numbers", "decimal")
                        .orElseThrow()
                        .value())
                .isEqualTo(F.numberNode(0.5));
    }

    /**
     * JSON parsed from text round-trips in every JSON field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void parsedJsonTextRoundTrips(DataAccess store) {
        assertRoundTripsEverywhere(store, json("""
                {"id": 9223372036854775807, "ratio": 0.1, "tiny": 1e-300, "neg": -42,
                 "name": "\\u00e9\\ud83d\\ude00\\t\\"q\\"", "tags": ["a", "b", null],
                 "nested": {"deeper": {"list": [1, [2, [3, {"x": false}]]]}}, "empty": {}}
                """));
    }

    /**
     * Changing the caller's JSON tree, or a returned record's, after a write does not change what is stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void changingTheCallersTreeAfterWritingDoesNotChangeWhatIsStored(DataAccess store) {
        ObjectNode mutable = object("{\"a\":1,\"list\":[1,2]}");
        User user = store.createUser(NewUser.builder().profile(mutable).build());
        ChatSession session = store.createChatSession(new NewChatSession("mutable", null, null, null, mutable));
        store.setUserMemory(user.id(), "json", "k", mutable);

        mutable.put("a", 2);
        ((ArrayNode) mutable.get("list")).add(3);
        user.profile().put("changed", true);

        ObjectNode original = object("{\"a\":1,\"list\":[1,2]}");
        assertThat(store.getUser(user.id()).orElseThrow().profile()).isEqualTo(original);
        assertThat(store.getChatSession(session.chatId()).orElseThrow().metadata())
                .isEqualTo(original);
        assertThat(store.getUserMemory(user.id(), "json", "k").orElseThrow().value())
                .isEqualTo(original);
    }
}
