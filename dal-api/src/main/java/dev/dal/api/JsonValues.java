package dev.dal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * JSON values as Dal keeps them: plain Jackson trees in a canonical form, so that a value read
 * back from any store {@code equals} the value that was written.
 *
 * <p>Canonical form: integers are {@code IntNode} when they fit 32 bits and {@code LongNode} when
 * they fit 64 bits; other numbers are {@code DoubleNode}, with negative zero folded into zero
 * (SQL numeric has no negative zero). Values that cannot be held exactly
 * (integers beyond 64 bits, non-finite doubles, binary or POJO nodes) are left as they are, and
 * validation rejects them before they reach a store.
 */
public final class JsonValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = newMapper();

    private JsonValues() {}

    /**
     * A mapper configured the way Dal stores records: ISO-8601 instants, unknown properties
     * ignored (newer writers may add fields). Each caller gets its own instance.
     *
     * @return a new mapper
     */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .build();
    }

    /** @return a new, empty JSON object */
    public static ObjectNode emptyObject() {
        return NODES.objectNode();
    }

    /**
     * Parses JSON text.
     *
     * @param json the text
     * @return the canonical tree
     * @throws DataAccessException when the text is not JSON (the message does not echo the text)
     */
    public static JsonNode parse(String json) {
        try {
            return canonical(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new DataAccessException(
                    "Stored JSON could not be parsed at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr());
        }
    }

    /**
     * Writes a tree as compact JSON text.
     *
     * @param node the tree
     * @return the text
     */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new DataAccessException("JSON value could not be written: " + e.getOriginalMessage());
        }
    }

    /**
     * Returns a deep, canonical copy of a value; {@code null} becomes JSON {@code null}.
     *
     * @param node any tree, or {@code null}
     * @return a new tree the caller may keep; never {@code null}
     */
    public static JsonNode canonical(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return NODES.nullNode();
        }
        if (node.isObject()) {
            ObjectNode copy = NODES.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                copy.set(field.getKey(), canonical(field.getValue()));
            }
            return copy;
        }
        if (node.isArray()) {
            var copy = NODES.arrayNode(node.size());
            node.forEach(element -> copy.add(canonical(element)));
            return copy;
        }
        if (node.isNumber()) {
            return canonicalNumber(node);
        }
        return node.deepCopy();
    }

    /**
     * Returns a deep, canonical copy of an object value; {@code null} becomes an empty object.
     *
     * @param node a JSON object, or {@code null}
     * @param field the field name to report when {@code node} is not an object
     * @return a new object the caller may keep
     * @throws ValidationException when {@code node} is not an object
     */
    public static ObjectNode canonicalObject(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NODES.objectNode();
        }
        if (!node.isObject()) {
            throw new ValidationException(field, "must be a JSON object");
        }
        return (ObjectNode) canonical(node);
    }

    private static JsonNode canonicalNumber(JsonNode node) {
        if (node.isIntegralNumber()) {
            BigInteger value = node.bigIntegerValue();
            if (value.bitLength() < 32) {
                return NODES.numberNode(value.intValue());
            }
            if (value.bitLength() < 64) {
                return NODES.numberNode(value.longValue());
            }
            return node.deepCopy();
        }
        if (node.isBigDecimal()) {
            BigDecimal decimal = node.decimalValue();
            double asDouble = decimal.doubleValue();
            if (Double.isFinite(asDouble) && new BigDecimal(asDouble).compareTo(decimal) == 0) {
                return NODES.numberNode(asDouble == 0.0 ? 0.0 : asDouble);
            }
            return node.deepCopy();
        }
        double value = node.doubleValue();
        // -0.0 == 0.0, so this folds negative zero into zero: SQL numeric and jsonb cannot hold it.
        return NODES.numberNode(value == 0.0 ? 0.0 : value);
    }
}
