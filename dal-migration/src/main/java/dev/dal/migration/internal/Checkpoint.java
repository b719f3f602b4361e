package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ConfigurationException;
import dev.dal.api.JsonValues;
import dev.dal.migration.RecordType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where a copy stands: the kind being copied, the cursor after the last batch written, and the
 * records written so far. Saved after every batch to a temporary file that is forced to disk and
 * then atomically renamed over the old one, so a kill at any moment leaves either the previous or
 * the new state, never a torn one.
 *
 * @param key what the checkpoint belongs to (source, target, partition), checked on load
 * @param kindIndex the kind in progress ({@link RecordType#ordinal()}); 4 when the copy is complete
 * @param cursor where the next batch of that kind starts, {@code null} for its beginning
 * @param written records written per kind
 */
public record Checkpoint(String key, int kindIndex, String cursor, Map<RecordType, Long> written) {
    private static final ObjectMapper MAPPER = JsonValues.newMapper();

    /**
     * Copies the counts.
     *
     * @param key what the checkpoint belongs to (source, target, partition), checked on load
     * @param kindIndex the kind in progress ({@link RecordType#ordinal()}); 4 when the copy is complete
     * @param cursor where the next batch of that kind starts, {@code null} for its beginning
     * @param written records written per kind
     */
    public Checkpoint {
        EnumMap<RecordType, Long> copy = new EnumMap<>(RecordType.class);
        for (RecordType kind : RecordType.values()) {
            copy.put(kind, written == null ? 0L : written.getOrDefault(kind, 0L));
        }
        written = copy;
    }

    /**
     * @param key the copy's key
     * @return the state before anything was copied
     */
    public static Checkpoint start(String key) {
        return new Checkpoint(key, 0, null, null);
    }

    /** @return the records written, all kinds */
    public long total() {
        return written.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * @param kind the kind of the batch
     * @param count records written in it
     * @param next the scan's next cursor, {@code null} when the kind is done
     * @return the state after the batch
     */
    public Checkpoint after(RecordType kind, long count, String next) {
        Map<RecordType, Long> counts = new EnumMap<>(written);
        counts.merge(kind, count, Long::sum);
        return next == null
                ? new Checkpoint(key, kind.ordinal() + 1, null, counts)
                : new Checkpoint(key, kind.ordinal(), next, counts);
    }

    /**
     * @param file the checkpoint file
     * @param key the copy's key
     * @return the saved state, or the start when there is none
     * @throws ConfigurationException when the file belongs to another copy or is unreadable
     */
    public static Checkpoint load(Path file, String key) {
        if (!Files.exists(file)) {
            return start(key);
        }
        try {
            JsonNode node = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (!key.equals(node.path("key").asText())) {
                throw new ConfigurationException("The checkpoint " + file + " belongs to another copy ("
                        + node.path("key").asText() + "); delete it or choose another --checkpoint-dir");
            }
            Map<RecordType, Long> counts = new EnumMap<>(RecordType.class);
            for (RecordType kind : RecordType.values()) {
                counts.put(kind, node.path("written").path(kind.wireName()).asLong(0));
            }
            JsonNode cursor = node.path("cursor");
            return new Checkpoint(
                    key, node.path("kindIndex").asInt(), cursor.isTextual() ? cursor.asText() : null, counts);
        } catch (IOException e) {
            throw new ConfigurationException("The checkpoint " + file + " could not be read: " + e.getMessage());
        }
    }

    /**
     * Saves durably and atomically.
     *
     * @param file the checkpoint file
     */
    public void save(Path file) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("key", key);
        node.put("kindIndex", kindIndex);
        node.put("kind", kindIndex < RecordType.values().length ? RecordType.values()[kindIndex].wireName() : "done");
        node.put("cursor", cursor);
        ObjectNode counts = node.putObject("written");
        written.forEach((kind, count) -> counts.put(kind.wireName(), count));
        byte[] bytes = (JsonValues.write(node) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            PrivateFiles.replaceDurably(file, bytes);
        } catch (IOException e) {
            throw new ConfigurationException("The checkpoint " + file + " could not be written: " + e.getMessage());
        }
    }
}
