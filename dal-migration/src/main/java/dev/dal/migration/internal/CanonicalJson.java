package dev.dal.migration.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.migration.RecordType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Records as canonical JSON: field names in record order, object keys sorted, instants in ISO-8601
 * UTC with milliseconds, numbers in {@link JsonValues}' canonical form. Two stores holding the same
 * record produce the same text, so its SHA-256 identifies the content.
 */
public final class CanonicalJson {
    private static final ObjectMapper MAPPER = JsonValues.newMapper();

    private CanonicalJson() {}

    /**
     * @param record a user, session, message or memory entry
     * @return its JSON tree, canonical
     */
    public static ObjectNode toTree(Object record) {
        return (ObjectNode) JsonValues.canonical(MAPPER.valueToTree(record));
    }

    /**
     * @param kind the record's kind
     * @param tree its JSON tree; a user, session or memory entry without a {@code version} (written before
     *     records carried one) is read at version 1
     * @return the record
     * @throws ValidationException naming the field when the tree does not make a record
     */
    public static Object fromTree(RecordType kind, JsonNode tree) {
        boolean versioned = kind == RecordType.USERS || kind == RecordType.SESSIONS || kind == RecordType.MEMORY;
        if (versioned && tree instanceof ObjectNode object && !object.has("version")) {
            tree = object.deepCopy().put("version", 1L);
        }
        Class<?> type = switch (kind) {
            case USERS -> User.class;
            case SESSIONS -> ChatSession.class;
            case MESSAGES -> Message.class;
            case MEMORY -> MemoryEntry.class;
            case VOTES -> MessageVote.class;
            case TOKEN_USAGE -> TokenUsage.class;
        };
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root instanceof ValidationException v) {
                throw v;
            }
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ValidationException(kind.wireName(), "is not a valid record: " + firstLine(message));
        }
    }

    /**
     * @param tree a JSON tree
     * @return compact JSON text with every object's keys sorted
     */
    public static String canonicalText(JsonNode tree) {
        StringBuilder out = new StringBuilder();
        write(tree, out);
        return out.toString();
    }

    /**
     * @param tree a record's tree
     * @return the SHA-256 of its canonical text, in hex
     */
    public static String hash(JsonNode tree) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(canonicalText(tree).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * @param a one record's tree
     * @param b another's
     * @return the top-level fields whose values differ, in record order
     */
    public static List<String> differingFields(ObjectNode a, ObjectNode b) {
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : a.properties()) {
            if (!field.getValue().equals(b.get(field.getKey()))) {
                fields.add(field.getKey());
            }
        }
        for (Map.Entry<String, JsonNode> field : b.properties()) {
            if (!a.has(field.getKey())) {
                fields.add(field.getKey());
            }
        }
        return fields;
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(JsonValues.write(TextNode.valueOf(names.get(i))));
                out.append(':');
                write(node.get(names.get(i)), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(node.get(i), out);
            }
            out.append(']');
        } else {
            out.append(JsonValues.write(node));
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "malformed";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
