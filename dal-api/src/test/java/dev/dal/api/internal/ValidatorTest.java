package dev.dal.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DalConfig;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidatorTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final Validator v = new Validator(DalConfig.builder().build());

    /** Runs the call, expects a {@link ValidationException} and returns it for field/rule checks. */
    static ValidationException rejected(ThrowingCallable call) {
        ValidationException e = catchThrowableOfType(ValidationException.class, call);
        assertThat(e).as("expected a ValidationException").isNotNull();
        return e;
    }

    static void assertRejected(ThrowingCallable call, String field, String ruleFragment) {
        ValidationException e = rejected(call);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.rule()).contains(ruleFragment);
        assertThat(e.getMessage()).contains(field);
    }

    // ---- text ----

    @Test
    void nulIsRejectedAnywhereInText() {
        assertRejected(() -> v.cleanText("f", "\u0000"), "f", "NUL");
        assertRejected(() -> v.cleanText("f", "abc\u0000def"), "f", "NUL");
        assertRejected(() -> v.key("chatId", "chat\u0000"), "chatId", "NUL");
        assertRejected(() -> v.optionalText("user.email", "a\u0000@b", 255), "user.email", "NUL");
        assertRejected(() -> v.content("message.content", "x\u0000"), "message.content", "NUL");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"\uD83D", "a\uD83D", "\uD83Db", "\uDE00", "a\uDE00b", "\uDE00\uD83D", "\uD83D\uD83D\uDE00x"})
    void unpairedSurrogatesAreRejected(String text) {
        assertRejected(() -> v.cleanText("message.content", text), "message.content", "unpaired surrogate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "😀", "a😀b", "😀😀", "👩‍👩‍👧‍👦", "𝄞 music", "日本語", "\uFFFF", "\t\n\r"})
    void validUnicodeIsAccepted(String text) {
        assertThat(v.cleanText("f", text)).isSameAs(text);
        assertThat(v.content("message.content", text)).isSameAs(text);
    }

    @Test
    void idsAreLimitedTo255Characters() {
        String ok = "k".repeat(255);
        assertThat(v.key("chatId", ok)).isEqualTo(ok);
        assertThat(v.optionalText("user.name", "n".repeat(Validator.MAX_TEXT_LENGTH), Validator.MAX_TEXT_LENGTH))
                .hasSize(255);

        assertRejected(() -> v.key("chatId", "k".repeat(256)), "chatId", "at most 255");
        assertRejected(
                () -> v.optionalText("user.name", "n".repeat(256), Validator.MAX_TEXT_LENGTH),
                "user.name",
                "at most 255");
    }

    @Test
    void lengthsCountCodePointsAsSqlVarcharDoes() {
        String emoji255 = "\uD83D\uDE00".repeat(255);
        assertThat(emoji255).hasSize(510);
        assertThat(v.key("chatId", emoji255)).isEqualTo(emoji255);
        assertRejected(() -> v.key("chatId", emoji255 + "\uD83D\uDE00"), "chatId", "at most 255 characters (was 256)");
    }

    @Test
    void optionalTextAcceptsNull() {
        assertThat(v.optionalText("user.email", null, 10)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   ", "\t", "\n"})
    void blankKeysAreRejected(String blank) {
        assertRejected(() -> v.key("chatId", blank), "chatId", "blank");
    }

    @Test
    void missingKeyIsRequired() {
        assertRejected(() -> v.key("chatId", null), "chatId", "required");
        assertRejected(() -> v.required("userId", null), "userId", "required");
        assertRejected(() -> v.content("message.content", null), "message.content", "required");
    }

    @Test
    void contentMayBeEmptyAndIsLimitedByConfiguration() {
        Validator small = new Validator(DalConfig.fromMap(Map.of(DalConfig.DAL_MAX_CONTENT_LENGTH, "10")));

        assertThat(small.maxContentLength()).isEqualTo(10);
        assertThat(small.content("message.content", "")).isEmpty();
        assertThat(small.content("message.content", "0123456789")).hasSize(10);
        assertRejected(() -> small.content("message.content", "0123456789X"), "message.content", "at most 10");
        assertThat(v.content("message.content", "c".repeat(100_000))).hasSize(100_000);
        assertRejected(() -> v.content("message.content", "c".repeat(100_001)), "message.content", "at most 100000");
    }

    // ---- JSON ----

    private static JsonNode nestedArrays(int levels) {
        JsonNode node = NODES.numberNode(1);
        for (int i = 0; i < levels; i++) {
            ArrayNode array = NODES.arrayNode();
            array.add(node);
            node = array;
        }
        return node;
    }

    private static ObjectNode nestedObjects(int levels) {
        ObjectNode root = NODES.objectNode();
        ObjectNode current = root;
        for (int i = 1; i < levels; i++) {
            current = current.putObject("a");
        }
        current.put("leaf", "x");
        return root;
    }

    @Test
    void jsonDepthAtTheLimitIsAcceptedAndOneMoreIsRejected() {
        assertAccepted(nestedArrays(32), n -> v.json("value", n));
        assertAccepted(nestedObjects(32), n -> v.jsonObject("session.metadata", n));

        ValidationException arrays = rejected(() -> v.json("value", nestedArrays(33)));
        assertThat(arrays.field()).startsWith("value[0]");
        assertThat(arrays.rule()).contains("deeper than 32");

        ValidationException objects = rejected(() -> v.jsonObject("session.metadata", nestedObjects(33)));
        assertThat(objects.field()).startsWith("session.metadata.a");
        assertThat(objects.rule()).contains("deeper than 32");
    }

    @Test
    void jsonDepthLimitIsConfigurable() {
        Validator shallow = new Validator(DalConfig.fromMap(Map.of(DalConfig.DAL_MAX_JSON_DEPTH, "2")));

        assertAccepted(JsonValues.parse("{\"a\":{\"b\":1}}"), n -> shallow.json("value", n));
        assertAccepted(JsonValues.parse("[[1, 2], [3]]"), n -> shallow.json("value", n));
        assertAccepted(NODES.textNode("scalars have no depth"), n -> shallow.json("value", n));
        assertRejected(
                () -> shallow.json("value", JsonValues.parse("{\"a\":{\"b\":{}}}")), "value.a.b", "deeper than 2");
        assertRejected(() -> shallow.json("value", JsonValues.parse("[[[]]]")), "value[0][0]", "deeper than 2");
    }

    @Test
    void jsonSizeIsMeasuredAsUtf8JsonTextAndCapped() {
        Validator small = new Validator(DalConfig.fromMap(Map.of(DalConfig.DAL_MAX_JSON_BYTES, "32")));
        // {"k":"é€😀\""} : 2 braces + "k" 3 + colon 1 + string (2 quotes + 2 + 3 + 4 + 2) = 19
        String exact = "{\"k\":\"é€😀\\\"\"}";
        assertThat(JsonValues.write(JsonValues.parse(exact)).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .hasSize(19);
        assertAccepted(JsonValues.parse(exact), n -> small.json("value", n));
        assertAccepted(NODES.textNode("x".repeat(30)), n -> small.json("value", n));
        assertRejected(() -> small.json("value", NODES.textNode("x".repeat(31))), "value", "32 bytes");
        assertRejected(
                () -> small.jsonObject("metadata", JsonValues.parse("{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12]}")),
                "metadata",
                "DAL_MAX_JSON_BYTES");
        assertThat(DalConfig.builder().build().maxJsonBytes()).isEqualTo(1024 * 1024);
    }

    @Test
    void nonFiniteNumbersAreRejected() {
        assertRejected(() -> v.json("value", DoubleNode.valueOf(Double.NaN)), "value", "finite");
        assertRejected(() -> v.json("value", DoubleNode.valueOf(Double.POSITIVE_INFINITY)), "value", "finite");
        assertRejected(() -> v.json("value", DoubleNode.valueOf(Double.NEGATIVE_INFINITY)), "value", "finite");
        assertRejected(() -> v.json("value", FloatNode.valueOf(Float.NaN)), "value", "finite");
        ObjectNode nested = NODES.objectNode();
        nested.putArray("scores").add(1.5).add(Double.NaN);
        assertRejected(() -> v.jsonObject("message.metadata", nested), "message.metadata.scores[1]", "finite");
    }

    @Test
    void integersMustFitIn64Bits() {
        assertAccepted(LongNode.valueOf(Long.MAX_VALUE), n -> v.json("value", n));
        assertAccepted(LongNode.valueOf(Long.MIN_VALUE), n -> v.json("value", n));
        assertAccepted(BigIntegerNode.valueOf(BigInteger.valueOf(Long.MAX_VALUE)), n -> v.json("value", n));

        BigInteger twoTo63 = BigInteger.ONE.shiftLeft(63);
        assertRejected(() -> v.json("value", BigIntegerNode.valueOf(twoTo63)), "value", "64 bits");
        assertRejected(
                () -> v.json("value", BigIntegerNode.valueOf(twoTo63.negate().subtract(BigInteger.ONE))),
                "value",
                "64 bits");
        assertRejected(
                () -> v.json("value", JsonValues.parse("{\"n\": 123456789012345678901234567890}")),
                "value.n",
                "64 bits");
    }

    @Test
    void decimalsMustBeExactDoubles() {
        assertAccepted(DecimalNode.valueOf(new BigDecimal("0.5")), n -> v.json("value", n));
        assertAccepted(DecimalNode.valueOf(new BigDecimal("-1024.25")), n -> v.json("value", n));

        assertRejected(
                () -> v.json("value", DecimalNode.valueOf(new BigDecimal("0.1"))), "value", "exactly representable");
        assertRejected(
                () -> v.json("value", DecimalNode.valueOf(new BigDecimal("1E+400"))), "value", "exactly representable");
    }

    @Test
    void plainDoublesAreAccepted() {
        assertAccepted(DoubleNode.valueOf(0.1), n -> v.json("value", n));
        assertAccepted(DoubleNode.valueOf(-0.0), n -> v.json("value", n));
        assertAccepted(DoubleNode.valueOf(Double.MAX_VALUE), n -> v.json("value", n));
    }

    @Test
    void pojoAndBinaryNodesAreRejected() {
        assertRejected(() -> v.json("value", NODES.pojoNode(new Object())), "value", "plain JSON");
        assertRejected(() -> v.json("value", NODES.binaryNode(new byte[] {1, 2, 3})), "value", "plain JSON");
        ObjectNode withBinary = NODES.objectNode();
        withBinary.set("blob", NODES.binaryNode(new byte[] {0}));
        assertRejected(() -> v.jsonObject("user.profile", withBinary), "user.profile.blob", "plain JSON");
    }

    @Test
    void stringsAndKeysInsideJsonAreCleanText() {
        ObjectNode badValue = NODES.objectNode();
        badValue.put("note", "a\u0000b");
        assertRejected(() -> v.json("value", badValue), "value.note", "NUL");

        ObjectNode badKey = NODES.objectNode();
        badKey.put("k\uDC00", 1);
        assertRejected(() -> v.json("value", badKey), "value key", "unpaired surrogate");

        ArrayNode array = NODES.arrayNode().add("ok").add("\uD800");
        assertRejected(() -> v.json("value", array), "value[1]", "unpaired surrogate");
    }

    @Test
    void everyPlainJsonValueIsAccepted() {
        JsonNode doc = JsonValues.parse("{\"s\":\"😀\",\"i\":1,\"l\":9223372036854775807,\"d\":2.5,\"b\":true,"
                + "\"n\":null,\"a\":[1,\"x\",{}],\"o\":{\"e\":[]}}");

        assertThat(v.json("value", doc)).isSameAs(doc);
        assertThat(v.json("value", null)).isNull();
        assertAccepted(NODES.nullNode(), n -> v.json("value", n));
    }

    @Test
    void nonObjectMetadataIsRejected() {
        assertRejected(() -> v.jsonObject("message.metadata", NODES.arrayNode()), "message.metadata", "JSON object");
        assertRejected(() -> v.jsonObject("message.metadata", NODES.textNode("{}")), "message.metadata", "JSON object");
        assertRejected(() -> v.jsonObject("message.metadata", NODES.numberNode(1)), "message.metadata", "JSON object");
        assertRejected(
                () -> v.jsonObject("message.metadata", NODES.booleanNode(true)), "message.metadata", "JSON object");
    }

    @Test
    void absentMetadataMeansEmpty() {
        assertThat(v.jsonObject("message.metadata", null)).isNull();
        assertThat(v.jsonObject("message.metadata", NODES.nullNode()).isNull()).isTrue();
        assertThat(v.jsonObject("message.metadata", NODES.missingNode()).isMissingNode())
                .isTrue();
        assertThat(v.jsonObject("message.metadata", NODES.objectNode())).isEmpty();
    }

    // ---- numbers and pages ----

    @Test
    void pageLimitsAreFrom1To1000() {
        assertThat(v.limit("limit", 1)).isEqualTo(1);
        assertThat(v.limit("limit", 1000)).isEqualTo(1000);
        assertRejected(() -> v.limit("limit", 0), "limit", "from 1 to 1000");
        assertRejected(() -> v.limit("limit", 1001), "limit", "from 1 to 1000");
        assertRejected(() -> v.limit("query.limit", -1), "query.limit", "from 1 to 1000");
    }

    @Test
    void negativeCountsAreRejected() {
        assertThat(v.notNegative("offset", 0)).isZero();
        assertThat(v.notNegative("offset", Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertRejected(() -> v.notNegative("offset", -1), "offset", "negative");
    }

    @Test
    void batchesAreNonEmptyBoundedAndHoldNoNulls() {
        assertThat(v.batch("messages", List.of("a"))).hasSize(1);
        assertThat(v.batch("messages", Collections.nCopies(Validator.MAX_BATCH, "a")))
                .hasSize(10_000);

        assertRejected(() -> v.batch("messages", null), "messages", "required");
        assertRejected(() -> v.batch("messages", List.of()), "messages", "empty");
        assertRejected(
                () -> v.batch("messages", Collections.nCopies(Validator.MAX_BATCH + 1, "a")),
                "messages",
                "at most 10000");
        List<String> withNull = new ArrayList<>(Arrays.asList("a", null));
        assertRejected(() -> v.batch("messages", withNull), "messages[1]", "required");
    }

    /** Asserts the validator accepts the value and hands back the very value it was given, unchanged. */
    private static void assertAccepted(JsonNode given, java.util.function.UnaryOperator<JsonNode> check) {
        JsonNode before = given.deepCopy();
        JsonNode returned = check.apply(given);
        assertThat(returned).as("the accepted value").isSameAs(given);
        assertThat(returned).as("the accepted value, unchanged").isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void theDecimalLengthOfAnIntegerIsTheLengthOfItsText() {
        for (long value : new long[] {
            0,
            7,
            -7,
            9,
            10,
            -10,
            99,
            100,
            123_456_789,
            -1_000_000_000_000L,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            Long.MIN_VALUE + 1
        }) {
            assertThat(Validator.decimalLength(value))
                    .as("%d", value)
                    .isEqualTo(Long.toString(value).length());
        }
    }
}
