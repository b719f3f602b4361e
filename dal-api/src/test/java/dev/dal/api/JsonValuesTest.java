package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonValuesTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void smallIntegersBecomeIntNodesEqualToParsedText() {
        JsonNode fromLong = JsonValues.canonical(LongNode.valueOf(5));
        JsonNode fromShort = JsonValues.canonical(ShortNode.valueOf((short) 5));
        JsonNode fromBig = JsonValues.canonical(BigIntegerNode.valueOf(BigInteger.valueOf(5)));

        assertThat(LongNode.valueOf(5)).as("why canonical form is needed").isNotEqualTo(IntNode.valueOf(5));
        assertThat(fromLong).isInstanceOf(IntNode.class).isEqualTo(JsonValues.parse("5"));
        assertThat(fromShort).isInstanceOf(IntNode.class).isEqualTo(JsonValues.parse("5"));
        assertThat(fromBig).isInstanceOf(IntNode.class).isEqualTo(IntNode.valueOf(5));
    }

    @Test
    void integerBoundariesPickTheSmallestExactNode() {
        assertThat(JsonValues.canonical(LongNode.valueOf(Integer.MAX_VALUE))).isInstanceOf(IntNode.class);
        assertThat(JsonValues.canonical(LongNode.valueOf(Integer.MIN_VALUE))).isInstanceOf(IntNode.class);
        assertThat(JsonValues.canonical(LongNode.valueOf(Integer.MAX_VALUE + 1L)))
                .isInstanceOf(LongNode.class);
        assertThat(JsonValues.canonical(LongNode.valueOf(Integer.MIN_VALUE - 1L)))
                .isInstanceOf(LongNode.class);
        assertThat(JsonValues.canonical(BigIntegerNode.valueOf(BigInteger.valueOf(Long.MAX_VALUE))))
                .isEqualTo(LongNode.valueOf(Long.MAX_VALUE));
        assertThat(JsonValues.canonical(BigIntegerNode.valueOf(BigInteger.valueOf(Long.MIN_VALUE))))
                .isEqualTo(LongNode.valueOf(Long.MIN_VALUE));
        assertThat(JsonValues.parse("9223372036854775807")).isEqualTo(LongNode.valueOf(Long.MAX_VALUE));

        BigInteger tooBig = BigInteger.ONE.shiftLeft(64);
        assertThat(JsonValues.canonical(BigIntegerNode.valueOf(tooBig)))
                .as("left for validation to reject")
                .isEqualTo(BigIntegerNode.valueOf(tooBig));
    }

    @Test
    void floatsAndExactDecimalsBecomeDoubles() {
        assertThat(JsonValues.canonical(FloatNode.valueOf(1.5f)))
                .isInstanceOf(DoubleNode.class)
                .isEqualTo(DoubleNode.valueOf(1.5));
        assertThat(JsonValues.canonical(FloatNode.valueOf(0.1f))).isEqualTo(DoubleNode.valueOf(0.1f));
        assertThat(JsonValues.canonical(DecimalNode.valueOf(new BigDecimal("0.5"))))
                .isInstanceOf(DoubleNode.class)
                .isEqualTo(JsonValues.parse("0.5"));
        assertThat(JsonValues.canonical(DecimalNode.valueOf(new BigDecimal("-12.25"))))
                .isEqualTo(DoubleNode.valueOf(-12.25));
        assertThat(JsonValues.canonical(DecimalNode.valueOf(new BigDecimal("0.1"))))
                .as("inexact: left for validation")
                .isInstanceOf(DecimalNode.class);
    }

    @Test
    void nullAndMissingBecomeJsonNull() {
        assertThat(JsonValues.canonical(null).isNull()).isTrue();
        assertThat(JsonValues.canonical(NODES.missingNode()).isNull()).isTrue();
    }

    @Test
    void canonicalAppliesInsideContainers() {
        ObjectNode doc = NODES.objectNode();
        doc.set("n", LongNode.valueOf(7));
        doc.putArray("a").add(ShortNode.valueOf((short) 1)).add(FloatNode.valueOf(2.5f));

        assertThat(JsonValues.canonical(doc)).isEqualTo(JsonValues.parse("{\"n\":7,\"a\":[1,2.5]}"));
    }

    @Test
    void parseAndWriteRoundTrip() {
        String text = "{\"text\":\"héllo 😀 \\\"quoted\\\" \\n\",\"int\":-42,\"long\":9223372036854775807,"
                + "\"min\":-9223372036854775808,\"double\":0.1,\"exp\":1.0E20,\"neg0\":-0.0,\"t\":true,\"f\":false,"
                + "\"nil\":null,\"arr\":[[],{},[1,[2,[3]]]],\"obj\":{\"\":\"empty key\",\"日本\":\"語\"}}";

        JsonNode parsed = JsonValues.parse(text);
        String written = JsonValues.write(parsed);

        assertThat(JsonValues.parse(written)).isEqualTo(parsed);
        assertThat(JsonValues.write(JsonValues.parse(written))).isEqualTo(written);
        assertThat(parsed.get("long").longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(parsed.get("min").longValue()).isEqualTo(Long.MIN_VALUE);
        assertThat(parsed.get("text").textValue()).isEqualTo("héllo 😀 \"quoted\" \n");
        assertThat(parsed.get("double").doubleValue()).isEqualTo(0.1);
    }

    @Test
    void parseFailureDoesNotEchoTheText() {
        DataAccessException e =
                catchThrowableOfType(DataAccessException.class, () -> JsonValues.parse("{\"token\": hunter2secret}"));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain("hunter2secret").contains("line 1");
    }

    @Test
    void canonicalIsADeepIndependentCopy() {
        ObjectNode original = NODES.objectNode();
        original.putObject("inner").putArray("list").add(1);

        ObjectNode copy = (ObjectNode) JsonValues.canonical(original);
        ((ArrayNode) original.get("inner").get("list")).add(2);
        ((ObjectNode) original.get("inner")).put("added", true);

        assertThat(copy).isEqualTo(JsonValues.parse("{\"inner\":{\"list\":[1]}}"));

        ((ObjectNode) copy.get("inner")).remove("list");
        assertThat(original.get("inner").get("list")).hasSize(2);
    }

    @Test
    void canonicalObjectRequiresAnObject() {
        assertThat(JsonValues.canonicalObject(null, "f")).isEmpty();
        assertThat(JsonValues.canonicalObject(NODES.nullNode(), "f")).isEmpty();
        assertThat(JsonValues.canonicalObject(JsonValues.parse("{\"a\":1}"), "f")
                        .get("a")
                        .intValue())
                .isEqualTo(1);

        ValidationException e = catchThrowableOfType(
                ValidationException.class, () -> JsonValues.canonicalObject(NODES.arrayNode(), "user.profile"));
        assertThat(e.field()).isEqualTo("user.profile");
        assertThat(e.rule()).contains("JSON object");
    }

    @Test
    void emptyObjectsAreFreshInstances() {
        ObjectNode first = JsonValues.emptyObject();
        first.put("x", 1);

        assertThat(JsonValues.emptyObject()).isEmpty();
    }

    @Test
    void newMapperWritesInstantsAsIsoTextAndIgnoresUnknownProperties() throws Exception {
        ObjectMapper mapper = JsonValues.newMapper();

        assertThat(mapper).isNotSameAs(JsonValues.newMapper());
        assertThat(mapper.writeValueAsString(Instant.parse("2024-01-02T03:04:05.678Z")))
                .isEqualTo("\"2024-01-02T03:04:05.678Z\"");

        User user = new User(
                java.util.UUID.randomUUID(),
                "ext",
                "a@b.c",
                null,
                (ObjectNode) JsonValues.parse("{\"n\":1}"),
                null,
                UserStatus.DISABLED,
                Instant.parse("2024-01-02T03:04:05.678Z"),
                Instant.parse("2024-01-02T03:04:06Z"),
                null);
        String json = mapper.writeValueAsString(user);
        ObjectNode withExtra = (ObjectNode) mapper.readTree(json);
        withExtra.put("addedByANewerWriter", 1);

        assertThat(json).contains("\"status\":\"disabled\"", "\"createdAt\":\"2024-01-02T03:04:05.678Z\"");
        assertThat(mapper.treeToValue(withExtra, User.class)).isEqualTo(user);
    }
}
