package dev.dal.migration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a TinyDB file names ChatCore's tables and fields. The defaults are ChatCore's own: tables
 * {@code users}, {@code conversations}, {@code messages}; fields as in {@link TinyDbImporter}. A
 * mapping file (JSON) changes any of them:
 * <pre>
 * {
 *   "tables": {"conversations": "chats"},
 *   "fields": {"conversations": {"title": "chat_name", "username": "user"}},
 *   "roles":  {"bot": "assistant"},
 *   "secrets": ["pin"]
 * }
 * </pre>
 * {@code tables} and {@code fields} map Dal's logical name to the file's; {@code roles} maps the
 * file's role names to Dal's ({@code user}, {@code assistant}, {@code system}, {@code tool});
 * {@code secrets} adds field names that are never copied (besides every name containing
 * {@code password}, {@code token}, {@code secret}, {@code salt}, {@code jti} or {@code api_key}).
 */
public final class TinyDbMapping {
    private static final List<String> SECRET_PARTS = List.of("password", "passwd", "token", "secret", "salt", "jti",
            "api_key", "apikey");

    private final Map<String, String> tables = new HashMap<>();
    private final Map<String, Map<String, String>> fields = new HashMap<>();
    private final Map<String, String> roles = new HashMap<>();
    private final Set<String> secrets = new HashSet<>();

    private TinyDbMapping() {
        roles.put("bot", "assistant");
        roles.put("ai", "assistant");
        roles.put("human", "user");
    }

    /** @return ChatCore's layout */
    public static TinyDbMapping defaults() {
        return new TinyDbMapping();
    }

    /**
     * @param file a mapping file
     * @return the mapping
     * @throws ValidationException naming the entry when the file is malformed
     */
    public static TinyDbMapping load(Path file) {
        JsonNode root;
        try {
            root = JsonValues.newMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ValidationException("mapping", "file " + file + " could not be read as JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        TinyDbMapping mapping = new TinyDbMapping();
        if (root == null || !root.isObject()) {
            throw new ValidationException("mapping", "must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> e : root.path("tables").properties()) {
            mapping.tables.put(e.getKey(), text(e.getValue(), "tables." + e.getKey()));
        }
        for (Map.Entry<String, JsonNode> table : root.path("fields").properties()) {
            for (Map.Entry<String, JsonNode> e : table.getValue().properties()) {
                mapping.fields.computeIfAbsent(table.getKey(), k -> new HashMap<>())
                        .put(e.getKey(), text(e.getValue(), "fields." + table.getKey() + "." + e.getKey()));
            }
        }
        for (Map.Entry<String, JsonNode> e : root.path("roles").properties()) {
            mapping.roles.put(e.getKey().toLowerCase(Locale.ROOT), text(e.getValue(), "roles." + e.getKey()));
        }
        root.path("secrets").forEach(s -> mapping.secrets.add(s.asText().toLowerCase(Locale.ROOT)));
        return mapping;
    }

    private static String text(JsonNode node, String where) {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new ValidationException("mapping." + where, "must be a non-blank string");
        }
        return node.asText();
    }

    /** @param logical {@code users}, {@code conversations} or {@code messages} @return the file's table name */
    public String table(String logical) {
        return tables.getOrDefault(logical, logical);
    }

    /** @param table a logical table @param logical a logical field @return the file's field name */
    public String field(String table, String logical) {
        return fields.getOrDefault(table, Map.of()).getOrDefault(logical, logical);
    }

    /** @param role the file's role name @return Dal's role name (the same when not mapped) */
    public String role(String role) {
        String lower = role.toLowerCase(Locale.ROOT).trim();
        return roles.getOrDefault(lower, lower);
    }

    /** @param field a field name of the file @return whether it holds a secret that is never copied */
    public boolean isSecret(String field) {
        String lower = field.toLowerCase(Locale.ROOT);
        return secrets.contains(lower) || SECRET_PARTS.stream().anyMatch(lower::contains);
    }
}
