package dev.dal.postgres.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import java.io.IOException;
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
        // Jackson's own pooled writer, as ObjectMapper.writeValueAsString uses: StringWriter's StringBuffer
        // synchronizes every append.
        SegmentedStringWriter out = new SegmentedStringWriter(FACTORY._getBufferRecycler());
        try {
            try (JsonGenerator gen = FACTORY.createGenerator(out)) {
                write(gen, node);
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(String text) {
        return text == null ? null : JsonValues.parse(text);
    }

    private static void write(JsonGenerator gen, JsonNode node) throws IOException {
        // One virtual call for the type, not a chain of isX() checks: this walk runs per message in a batch.
        switch (node.getNodeType()) {
            case OBJECT -> {
                gen.writeStartObject();
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    gen.writeFieldName(field.getKey());
                    write(gen, field.getValue());
                }
                gen.writeEndObject();
            }
            case ARRAY -> {
                gen.writeStartArray();
                for (JsonNode element : node) {
                    write(gen, element);
                }
                gen.writeEndArray();
            }
            case STRING -> gen.writeString(node.textValue());
            case NUMBER -> {
                if (node.isDouble()) {
                    gen.writeNumber(plainDouble(node.doubleValue()));
                } else if (node.isIntegralNumber()) {
                    gen.writeNumber(node.longValue());
                } else {
                    gen.writeNull();
                }
            }
            case BOOLEAN -> gen.writeBoolean(node.booleanValue());
            default -> gen.writeNull();
        }
    }

    /** The shortest decimal that reads back as {@code value}, in plain notation, with a fraction. */
    static String plainDouble(double value) {
        String shortest = Double.toString(value);
        if (shortest.indexOf('E') < 0) {
            return shortest; // already plain, with a fraction ("0.7", "12.0"): the usual case, no BigDecimal
        }
        String plain = new BigDecimal(shortest).toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }
}
