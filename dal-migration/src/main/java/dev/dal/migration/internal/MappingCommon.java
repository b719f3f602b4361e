package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every legacy mapping file may say besides its layout: {@code roles} (the input's role
 * names to Dal's), {@code secrets} (more field names never copied) and {@code timestamps}
 * ({@code {"format": "auto", "zone": "UTC"}}, see {@link LegacyTime}).
 */
public final class MappingCommon {
    private final Map<String, String> roles = new HashMap<>();
    private final Set<String> secretNames = new HashSet<>();
    private Secrets secrets;
    private LegacyTime time = LegacyTime.auto();

    /** The defaults: {@code bot} and {@code ai} are assistants, {@code human} a user; UTC, {@code auto}. */
    public MappingCommon() {
        roles.put("bot", "assistant");
        roles.put("ai", "assistant");
        roles.put("human", "user");
        secrets = new Secrets(Set.of());
    }

    /**
     * @param file a mapping file
     * @param known the top-level entries the mapping's layout allows besides the common ones
     * @return the file's JSON object
     * @throws ValidationException naming the file or the unknown entry
     */
    public static JsonNode readMappingFile(Path file, Set<String> known) {
        JsonNode root;
        try {
            root = JsonValues.newMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ValidationException(
                    "mapping",
                    "file " + file + " could not be read as JSON: "
                            + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new ValidationException("mapping", "must be a JSON object");
        }
        for (String name : (Iterable<String>) root::fieldNames) {
            if (!known.contains(name)
                    && !Set.of("roles", "secrets", "timestamps").contains(name)) {
                throw new ValidationException(
                        "mapping." + name,
                        "is not an entry of this mapping (known: " + new java.util.TreeSet<>(known)
                                + ", roles, secrets, timestamps)");
            }
        }
        return root;
    }

    /**
     * @param root a mapping file's object
     * @throws ValidationException naming the entry when one is malformed
     */
    public void load(JsonNode root) {
        for (Map.Entry<String, JsonNode> e : objectAt(root, "roles").properties()) {
            roles.put(e.getKey().toLowerCase(Locale.ROOT), text(e.getValue(), "roles." + e.getKey()));
        }
        JsonNode names = root.path("secrets");
        if (!names.isMissingNode() && !names.isArray()) {
            throw new ValidationException("mapping.secrets", "must be a list of field names");
        }
        names.forEach(s -> secretNames.add(text(s, "secrets[]")));
        secrets = new Secrets(secretNames);
        JsonNode t = objectAt(root, "timestamps");
        String format = t.has("format") ? text(t.get("format"), "timestamps.format") : "auto";
        String zone = t.has("zone") ? text(t.get("zone"), "timestamps.zone") : "UTC";
        try {
            time = LegacyTime.of(format, zone);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("mapping.timestamps", e.getMessage());
        }
    }

    /**
     * @param parent the mapping object that holds the section
     * @param name the section's field name; errors name it as {@code mapping.<name>}
     * @return the object at {@code name}, an empty one when absent
     * @throws ValidationException otherwise
     */
    public static JsonNode objectAt(JsonNode parent, String name) {
        JsonNode v = parent.path(name);
        if (v.isMissingNode()) {
            return JsonValues.emptyObject();
        }
        if (!v.isObject()) {
            throw new ValidationException("mapping." + name, "must be a JSON object");
        }
        return v;
    }

    /**
     * @param node the mapping value to read
     * @param where the setting's path within the mapping; errors name it as {@code mapping.<where>}
     * @return the node's text
     * @throws ValidationException naming {@code where} when not a non-blank string
     */
    public static String text(JsonNode node, String where) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new ValidationException("mapping." + where, "must be a non-blank string");
        }
        return node.asText();
    }

    /**
     * @param role the input's role name
     * @return Dal's role name (the same, in lower case, when not mapped)
     */
    public String role(String role) {
        String lower = role.toLowerCase(Locale.ROOT).trim();
        return roles.getOrDefault(lower, lower);
    }

    /** @return which fields are never copied */
    public Secrets secrets() {
        return secrets;
    }

    /** @return how timestamps are written */
    public LegacyTime time() {
        return time;
    }
}
