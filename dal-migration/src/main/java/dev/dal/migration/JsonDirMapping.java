package dev.dal.migration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.ValidationException;
import dev.dal.migration.internal.MappingCommon;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layout of a directory of legacy JSON files for {@link JsonDirImporter}. The built-in layout is
 * the one the legacy PHP chat application's file store wrote ({@link #builtIn()}); a mapping file (JSON; every entry optional, anything left out
 * keeps the built-in name) describes another:
 * <pre>
 * {
 *   "sessions": {"directory": "chats", "messages": "history",
 *                "fields": {"chat_id": "$docId", "user_id": "owner", "created_at": "started"}},
 *   "messages": {"fields": {"content": "text", "timestamp": "time"}},
 *   "users":    {"directory": null},
 *   "roles":    {"model": "assistant"},
 *   "secrets":  ["pin"],
 *   "timestamps": {"format": "dd/MM/yyyy HH:mm", "zone": "Europe/Berlin"}
 * }
 * </pre>
 * {@code directory} is the name of a directory directly inside the input directory ({@code null}:
 * the layout has none); {@code messages} is the session file's field holding its message list (a
 * session file that is itself a list is the messages alone). Field names map Dal's logical names
 * (those of {@link JsonDirImporter}) to the files'; a field may be {@code $docId} (the file's name
 * without {@code .json}) or a JSON Pointer such as {@code /chat/history}. {@code roles},
 * {@code secrets} and {@code timestamps} mean what they mean in {@link TinyDbMapping}.
 */
public final class JsonDirMapping {
    /** The logical sections of the layout. */
    static final String SESSIONS = "sessions";

    static final String MESSAGES = "messages";
    static final String USERS = "users";

    private static final Map<String, Set<String>> FIELDS = Map.of(
            SESSIONS, Set.of("chat_id", "user_id", "title", "profile", "metadata", "created_at", "updated_at"),
            MESSAGES, Set.of("role", "content", "timestamp", "metadata", "token_count", "abuse_flagged"),
            USERS,
                    Set.of(
                            "user_id",
                            "email",
                            "name",
                            "profile",
                            "preferences",
                            "memory",
                            "created_at",
                            "updated_at",
                            "last_active_at"));

    private final Map<String, String> directories = new HashMap<>(Map.of(SESSIONS, "chat_sessions", USERS, "memory"));
    private final Map<String, Map<String, String>> fields = new HashMap<>();
    private String messagesField = "messages";
    private final MappingCommon common = new MappingCommon();

    private JsonDirMapping() {}

    /**
     * The legacy PHP chat application's layout: {@code chat_sessions/<chat_id>.json} holds a session (fields {@code chat_id},
     * {@code user_id}, {@code title}, {@code profile}, {@code metadata}, {@code created_at},
     * {@code updated_at}) and its {@code messages} ({@code role}, {@code content}, {@code timestamp},
     * {@code metadata}, {@code token_count}, {@code abuse_flagged}); {@code memory/<user_id>.json} holds
     * a user ({@code user_id}, {@code email}, {@code name}, {@code profile}, {@code preferences},
     * {@code created_at}, {@code updated_at}, {@code last_active_at}) and its {@code memory}:
     * {@code {"<type>": {"<key>": value}}}. A missing {@code chat_id} or {@code user_id} is the file's name.
     *
     * @return the built-in layout
     */
    public static JsonDirMapping builtIn() {
        return new JsonDirMapping();
    }

    /**
     * @param file a mapping file
     * @return the layout it describes, the built-in names where it says nothing
     * @throws ValidationException naming the entry when the file is malformed or names an unknown entry
     */
    public static JsonDirMapping load(Path file) {
        JsonNode root = MappingCommon.readMappingFile(file, FIELDS.keySet());
        JsonDirMapping mapping = new JsonDirMapping();
        for (String section : FIELDS.keySet()) {
            mapping.loadSection(section, MappingCommon.objectAt(root, section));
        }
        mapping.common.load(root);
        return mapping;
    }

    private void loadSection(String section, JsonNode node) {
        for (String entry : (Iterable<String>) node::fieldNames) {
            boolean known = entry.equals("fields")
                    || (entry.equals("directory") && !section.equals(MESSAGES))
                    || (entry.equals("messages") && section.equals(SESSIONS));
            if (!known) {
                throw new ValidationException("mapping." + section + "." + entry, "is not an entry of this mapping");
            }
        }
        if (node.has("directory")) {
            JsonNode dir = node.get("directory");
            String name = dir.isNull() ? null : MappingCommon.text(dir, section + ".directory");
            if (name != null && (name.contains("/") || name.contains("\\") || name.equals(".") || name.equals(".."))) {
                throw new ValidationException(
                        "mapping." + section + ".directory",
                        "must name a directory directly inside the input directory");
            }
            directories.put(section, name);
        }
        if (node.has("messages")) {
            messagesField = MappingCommon.text(node.get("messages"), section + ".messages");
        }
        JsonNode names = MappingCommon.objectAt(node, "fields");
        for (Map.Entry<String, JsonNode> e : names.properties()) {
            if (!FIELDS.get(section).contains(e.getKey())) {
                throw new ValidationException(
                        "mapping." + section + ".fields." + e.getKey(),
                        "is not a field of " + section + " (known: " + new java.util.TreeSet<>(FIELDS.get(section))
                                + ")");
            }
            fields.computeIfAbsent(section, k -> new HashMap<>())
                    .put(e.getKey(), MappingCommon.text(e.getValue(), section + ".fields." + e.getKey()));
        }
    }

    /**
     * @param section {@code sessions} or {@code users}
     * @return its directory's name, empty when the layout has none
     */
    public Optional<String> directory(String section) {
        return Optional.ofNullable(directories.get(section));
    }

    /** @return the session file's field holding its messages */
    public String messagesField() {
        return messagesField;
    }

    /**
     * @param section {@code sessions}, {@code messages} or {@code users}
     * @param logical a logical field
     * @return the files' field name, {@code $docId} or a JSON Pointer
     */
    public String field(String section, String logical) {
        return fields.getOrDefault(section, Map.of()).getOrDefault(logical, logical);
    }

    MappingCommon common() {
        return common;
    }
}
