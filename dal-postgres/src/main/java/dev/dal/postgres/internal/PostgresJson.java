package dev.dal.postgres.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Map;

/**
 * JSON text for {@code jsonb} columns. {@code jsonb} keeps numbers as SQL {@code numeric}, which
 * prints {@code 1.0E18} back as {@code 1000000000000000000}: an integer. So doubles are written in
 * plain decimal notation with at least one fractional digit ({@code 1000000000000000000.0}), which
 * {@code numeric} keeps, and which reads back as the same double. Integers stay integers.
 */
final class PostgresJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private PostgresJson() {}

    static String write(JsonNode node) {
        return writeStored(JsonValues.canonical(node));
    }

    /**
     * Writes a value held by a Dal record, which is canonical already, so no copy is made first.
     *
     * @param node a record's JSON value
     * @return the text for a jsonb parameter
     */
    static String writeStored(JsonNode node) {
        if (node.isObject() && node.isEmpty()) {
            return "{}"; // most chat messages carry no metadata
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static JsonNode read(String text) {
        return text == null ? null : JsonValues.parse(text);
    }

    private static void write(JsonGenerator gen, JsonNode node) throws IOException {
        if (node.isObject()) {
            gen.writeStartObject();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                gen.writeFieldName(field.getKey());
                write(gen, field.getValue());
            }
            gen.writeEndObject();
        } else if (node.isArray()) {
            gen.writeStartArray();
            for (JsonNode element : node) {
                write(gen, element);
            }
            gen.writeEndArray();
        } else if (node.isDouble()) {
            gen.writeNumber(plainDouble(node.doubleValue()));
        } else if (node.isIntegralNumber()) {
            gen.writeNumber(node.longValue());
        } else if (node.isTextual()) {
            gen.writeString(node.textValue());
        } else if (node.isBoolean()) {
            gen.writeBoolean(node.booleanValue());
        } else {
            gen.writeNull();
        }
    }

    /** The shortest decimal that reads back as {@code value}, in plain notation, with a fraction. */
    static String plainDouble(double value) {
        String plain = new BigDecimal(Double.toString(value)).toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }
}
