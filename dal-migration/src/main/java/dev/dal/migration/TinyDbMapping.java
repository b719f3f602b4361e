package dev.dal.migration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.ValidationException;
import dev.dal.migration.internal.MappingCommon;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * How a TinyDB file names ChatCore's tables and fields. The defaults are ChatCore's own: tables
 * {@code users}, {@code conversations}, {@code messages}; fields as in {@link TinyDbImporter}. A
 * mapping file (JSON; every entry optional) changes any of them:
 * <pre>
 * {
 *   "tables": {"conversations": "_default"},
 *   "fields": {"conversations": {"conversation_id": "$docId", "title": "chat_name", "username": "user",
 *                                "messages": "/chat/history"}},
 *   "roles":  {"model": "assistant"},
 *   "secrets": ["pin"],
 *   "timestamps": {"format": "auto", "zone": "UTC"}
 * }
 * </pre>
 * {@code tables} and {@code fields} map Dal's logical name to the file's. A field may be
 * {@code $docId} (the document's TinyDB id) or a JSON Pointer ({@code /chat/history}) into the
 * document. {@code roles} maps the file's role names to Dal's ({@code user}, {@code assistant},
 * {@code system}, {@code tool}); {@code secrets} adds field names that are never copied (besides
 * every name containing {@code password}, {@code passwd}, {@code token}, {@code secret},
 * {@code salt}, {@code jti}, {@code api_key} or {@code apikey}); {@code timestamps} says how the
 * file writes times ({@code auto}: ISO-8601 with or without a zone, or epoch seconds; also
 * {@code iso}, {@code epoch-seconds}, {@code epoch-millis} or a {@code DateTimeFormatter} pattern;
 * text without a zone is in {@code zone}).
 */
public final class TinyDbMapping {
    private final Map<String, String> tables = new HashMap<>();
    private final Map<String, Map<String, String>> fields = new HashMap<>();
    private final MappingCommon common = new MappingCommon();

    private TinyDbMapping() {}

    /** @return ChatCore's layout */
    public static TinyDbMapping defaults() {
        return new TinyDbMapping();
    }

    /**
     * @param file a mapping file
     * @return the mapping
     * @throws ValidationException naming the entry when the file is malformed or has an unknown entry
     */
    public static TinyDbMapping load(Path file) {
        JsonNode root = MappingCommon.readMappingFile(file, Set.of("tables", "fields"));
        TinyDbMapping mapping = new TinyDbMapping();
        for (Map.Entry<String, JsonNode> e :
                MappingCommon.objectAt(root, "tables").properties()) {
            mapping.tables.put(e.getKey(), MappingCommon.text(e.getValue(), "tables." + e.getKey()));
        }
        for (Map.Entry<String, JsonNode> table :
                MappingCommon.objectAt(root, "fields").properties()) {
            JsonNode names = MappingCommon.objectAt(MappingCommon.objectAt(root, "fields"), table.getKey());
            for (Map.Entry<String, JsonNode> e : names.properties()) {
                mapping.fields
                        .computeIfAbsent(table.getKey(), k -> new HashMap<>())
                        .put(
                                e.getKey(),
                                MappingCommon.text(e.getValue(), "fields." + table.getKey() + "." + e.getKey()));
            }
        }
        mapping.common.load(root);
        return mapping;
    }

    /**
     * @param logical {@code users}, {@code conversations} or {@code messages}
     * @return the file's table name
     */
    public String table(String logical) {
        return tables.getOrDefault(logical, logical);
    }

    /**
     * @param table a logical table
     * @param logical a logical field
     * @return the file's field name, {@code $docId} or a JSON Pointer
     */
    public String field(String table, String logical) {
        return fields.getOrDefault(table, Map.of()).getOrDefault(logical, logical);
    }

    /**
     * @param role the file's role name
     * @return Dal's role name (the same, in lower case, when not mapped)
     */
    public String role(String role) {
        return common.role(role);
    }

    /**
     * @param field a field name of the file
     * @return whether it holds a secret that is never copied
     */
    public boolean isSecret(String field) {
        return common.secrets().isSecret(field);
    }

    MappingCommon common() {
        return common;
    }
}
