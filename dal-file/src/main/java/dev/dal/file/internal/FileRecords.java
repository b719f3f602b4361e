package dev.dal.file.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.JsonValues;
import dev.dal.api.User;
import dev.dal.file.internal.StoredIndexes.UserMemory;
import java.io.IOException;

/**
 * Turns records into the JSON the store keeps on disk and back. Users, sessions and memory entries carry a
 * {@code version}; one written by a Dal that kept no versions has none and reads as version 1, so a directory
 * an older Dal wrote opens as it is (the file store's whole migration: nothing on disk has to change).
 */
final class FileRecords {
    static final String VERSION = "version";

    private final ObjectMapper mapper = JsonValues.newMapper().disable(SerializationFeature.INDENT_OUTPUT);

    byte[] write(Object value) throws IOException {
        return mapper.writeValueAsBytes(value);
    }

    /** @return a reader of records of one type, for streaming many of them (one JSON value after another) */
    ObjectReader readerFor(Class<?> type) {
        return mapper.readerFor(type);
    }

    <T> T read(byte[] json, Class<T> type, String what) {
        try {
            if (type == User.class || type == ChatSession.class) {
                JsonNode tree = mapper.readTree(json);
                versionOneWhenMissing(tree);
                return mapper.treeToValue(tree, type);
            }
            if (type == UserMemory.class) {
                JsonNode tree = mapper.readTree(json);
                JsonNode entries = tree.path("entries");
                for (JsonNode entry : entries) {
                    versionOneWhenMissing(entry);
                }
                return mapper.treeToValue(tree, type);
            }
            return mapper.readValue(json, type);
        } catch (IOException | IllegalArgumentException e) {
            throw FileErrors.unreadable(what, e);
        }
    }

    /** A record written before versions existed is at version 1. */
    private static void versionOneWhenMissing(JsonNode record) {
        if (record instanceof ObjectNode object
                && (!object.has(VERSION) || object.get(VERSION).isNull())) {
            object.put(VERSION, 1L);
        }
    }
}
