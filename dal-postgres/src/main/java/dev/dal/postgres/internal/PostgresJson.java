package dev.dal.postgres.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.JsonValues;
import dev.dal.api.spi.JsonbText;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON text for {@code jsonb} columns. {@code jsonb} keeps numbers as SQL {@code numeric}, which
 * prints {@code 1.0E18} back as {@code 1000000000000000000}: an integer. So doubles are written in
 * plain decimal notation with at least one fractional digit ({@code 1000000000000000000.0}), which
 * {@code numeric} keeps, and which reads back as the same double. Integers stay integers.
 */
final class PostgresJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

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
            // Jackson's serializers walk the tree faster than a hand-written recursion over JsonNode did.
            try (JsonGenerator gen = new PlainDoubles(FACTORY.createGenerator(out))) {
                MAPPER.writeTree(gen, node);
            }
            return out.getAndClear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(String text) {
        return text == null ? null : JsonValues.parse(text);
    }

    /**
     * Jackson's own tree serialization, with doubles in {@link JsonbText#plainDouble plain notation}. Validated trees hold
     * only int, long and double numbers, so this is the one number kind that needs a rule of its own.
     */
    private static final class PlainDoubles extends JsonGeneratorDelegate {
        PlainDoubles(JsonGenerator gen) {
            super(gen, false);
        }

        @Override
        public void writeNumber(double value) throws IOException {
            delegate.writeNumber(JsonbText.plainDouble(value));
        }
    }
}
