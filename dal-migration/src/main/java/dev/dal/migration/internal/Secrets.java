package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which legacy field names hold secrets (passwords, hashes, tokens, keys), which the importers
 * never copy: every name containing one of {@link #PARTS}, plus the names a mapping adds.
 */
public final class Secrets {
    /** Parts of a field name that make it a secret, in lower case. */
    public static final List<String> PARTS =
            List.of("password", "passwd", "token", "secret", "salt", "jti", "api_key", "apikey");

    private final Set<String> extra;

    /** @param extra further field names (any case) that are secrets */
    public Secrets(Set<String> extra) {
        this.extra = extra.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * @param field a field name
     * @return whether its value is never copied
     */
    public boolean isSecret(String field) {
        String lower = field.toLowerCase(Locale.ROOT);
        return extra.contains(lower) || PARTS.stream().anyMatch(lower::contains);
    }

    /**
     * @param node any JSON value
     * @return a copy without the secret fields of every object in it, however deeply nested
     */
    public JsonNode strip(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = node.deepCopy();
            copy.removeAll();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!isSecret(field.getKey())) {
                    copy.set(field.getKey(), strip(field.getValue()));
                }
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).arrayNode();
            node.forEach(item -> copy.add(strip(item)));
            return copy;
        }
        return node;
    }
}
