package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One document of a legacy input with where it came from, so every error names the place (a table
 * or a file), the document and the field. A field name is the document's own field, or
 * <ul>
 * <li>{@code $docId} (alias {@code $key}): the document's key — TinyDB's document id, or a file's
 * name without {@code .json};</li>
 * <li>a JSON Pointer such as {@code /chat/history}: a field nested inside the document.</li>
 * </ul>
 */
public final class LegacyDoc {
    /** The field name that means the document's key. */
    public static final String DOC_ID = "$docId";

    private final JsonNode node;
    private final String source;
    private final String origin;
    private final String place;
    private final String document;
    private final String key;

    /**
     * @param node the document (a JSON object)
     * @param source what kind of input, the {@link ValidationException#field()} of errors, e.g. {@code tinydb}
     * @param origin how reports name where the document is: a table's name, or a file's relative path
     * @param place how errors name it, e.g. {@code table 'users'} or {@code file chat_sessions/a.json}
     * @param document the document's name within the place, e.g. its id or {@code messages[3]}
     * @param key what {@code $docId} means for this document
     */
    public LegacyDoc(JsonNode node, String source, String origin, String place, String document, String key) {
        this.node = node;
        this.source = source;
        this.origin = origin;
        this.place = place;
        this.document = document;
        this.key = key;
    }

    /**
     * @param child a nested document, e.g. an embedded message
     * @param name its name, e.g. {@code 3[0]}
     * @return the nested document, in the same place, with the same key
     * @throws ValidationException when the child is not a JSON object
     */
    public LegacyDoc child(JsonNode child, String name) {
        LegacyDoc doc = new LegacyDoc(child, source, origin, place, name, key);
        if (child == null || !child.isObject()) {
            throw doc.malformed(null, "is not a JSON object");
        }
        return doc;
    }

    /** @return the JSON object */
    public JsonNode node() {
        return node;
    }

    /** @return how reports name where the document is: a table's name, or a file's relative path */
    public String origin() {
        return origin;
    }

    /** @return how errors name where the document is */
    public String place() {
        return place;
    }

    /** @return the document's name within its place */
    public String document() {
        return document;
    }

    /**
     * @param field a field name (see the class)
     * @return its value, or {@code null} when absent
     */
    public JsonNode get(String field) {
        if (DOC_ID.equals(field) || "$key".equals(field)) {
            return key == null ? null : TextNode.valueOf(key);
        }
        JsonNode v = field.startsWith("/") ? node.at(field) : node.get(field);
        return v == null || v.isMissingNode() || v.isNull() ? null : v;
    }

    /**
     * @param field a field name (see the class): the document's own field, {@code $docId}, or a JSON Pointer
     * @return the field's text, empty when absent
     * @throws ValidationException when it is not a string
     */
    public Optional<String> text(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw malformed(field, "must be a string");
        }
        return Optional.of(v.asText());
    }

    /**
     * @param field a field name (see the class); a string or a whole number such as a numeric id
     * @return the field as text, from a string or a whole number (ids), empty when absent or blank
     */
    public Optional<String> scalar(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw malformed(field, "must be a string or a whole number");
        }
        return Optional.of(v.asText()).filter(s -> !s.isBlank());
    }

    /**
     * @param field a field name (see the class)
     * @param format how the legacy store wrote its timestamps
     * @return the field's instant, empty when absent
     * @throws ValidationException when unreadable
     */
    public Optional<Instant> time(String field, LegacyTime format) {
        try {
            return format.parse(get(field));
        } catch (IllegalArgumentException e) {
            throw malformed(field, e.getMessage());
        }
    }

    /**
     * @param field a field name (see the class)
     * @return the field's object, empty when absent
     * @throws ValidationException when not an object
     */
    public Optional<ObjectNode> object(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            throw malformed(field, "must be a JSON object");
        }
        return Optional.of((ObjectNode) v);
    }

    /**
     * @param field a field name (see the class)
     * @param what what the list holds, in the plural, for the error message, e.g. {@code messages}
     * @return the field's list, empty when absent
     * @throws ValidationException when not a list
     */
    public Optional<ArrayNode> list(String field, String what) {
        JsonNode v = get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            throw malformed(field, "must be a list of " + what);
        }
        return Optional.of((ArrayNode) v);
    }

    /**
     * @param field a field name (see the class); its value must be from 0 to {@link Integer#MAX_VALUE}
     * @return the field's whole number, empty when absent
     * @throws ValidationException otherwise
     */
    public Optional<Integer> integer(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw malformed(field, "must be a whole number from 0 to " + Integer.MAX_VALUE);
        }
        return Optional.of(v.asInt());
    }

    /**
     * @param field a field name (see the class)
     * @return the field's boolean, empty when absent
     * @throws ValidationException otherwise
     */
    public Optional<Boolean> bool(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw malformed(field, "must be true or false");
        }
        return Optional.of(v.asBoolean());
    }

    /**
     * @param mapped the field names the import reads (a pointer counts for its first step)
     * @param secrets which fields are never copied
     * @return the document's other fields, secrets left out, as a new object
     */
    public ObjectNode legacy(Set<String> mapped, Secrets secrets) {
        ObjectNode legacy = JsonValues.emptyObject();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            boolean read = mapped.contains(name)
                    || mapped.stream().anyMatch(m -> m.startsWith("/" + name + "/") || m.equals("/" + name));
            if (!read && !secrets.isSecret(name)) {
                legacy.set(name, secrets.strip(field.getValue()));
            }
        }
        return legacy;
    }

    /**
     * @param field the field, or {@code null} for the document as a whole
     * @param rule what is wrong, in words (never the field's value)
     * @return an exception naming the place, document and field
     */
    public ValidationException malformed(String field, String rule) {
        return new ValidationException(
                source,
                place + ", document " + document + (field == null ? "" : ", field '" + field + "'") + ": " + rule
                        + "; nothing was imported");
    }
}
