package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DalConfig;
import dev.dal.api.JsonValues;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The limits the store checks when records are written (dal-api's validation), checked while the
 * input is read: a record the store would refuse is skipped with the reason, so no write fails
 * half-way through an import. Keys: at most 255 characters; titles, names, emails: 255; a session
 * profile: 50; a memory type: 100; message content: the configured length; text without NUL
 * characters or unpaired surrogates; JSON no deeper and no larger than configured, integers within
 * 64 bits, finite numbers.
 */
public final class RecordLimits {
    /** Longest key (chat id, external id, memory key) and longest title, name or email. */
    public static final int MAX_TEXT = 255;
    /** Longest session profile name. */
    public static final int MAX_PROFILE = 50;
    /** Longest memory type. */
    public static final int MAX_MEMORY_TYPE = 100;

    private final int maxContentLength;
    private final int maxJsonDepth;
    private final int maxJsonBytes;

    /**
     * @param config the target's limits ({@code DAL_MAX_CONTENT_LENGTH}, {@code DAL_MAX_JSON_DEPTH},
     *     {@code DAL_MAX_JSON_BYTES})
     */
    public RecordLimits(DalConfig config) {
        this(config.maxContentLength(), config.maxJsonDepth(), config.maxJsonBytes());
    }

    /**
     * @param maxContentLength the longest message content
     * @param maxJsonDepth the deepest JSON nesting
     * @param maxJsonBytes the largest JSON value, in bytes of UTF-8 JSON text
     */
    public RecordLimits(int maxContentLength, int maxJsonDepth, int maxJsonBytes) {
        this.maxContentLength = maxContentLength;
        this.maxJsonDepth = maxJsonDepth;
        this.maxJsonBytes = maxJsonBytes;
    }

    /** @return the longest message content */
    public int maxContentLength() {
        return maxContentLength;
    }

    /**
     * @param what how the reason names the value, e.g. {@code chat id}
     * @param text a required key or name
     * @param max its longest length
     * @return why the store would refuse it, or empty
     */
    public static Optional<String> text(String what, String text, int max) {
        if (text.isBlank()) {
            return Optional.of("no " + what);
        }
        if (text.length() > max) {
            return Optional.of(what + " longer than " + max + " characters");
        }
        return unclean(text).map(problem -> what + " " + problem);
    }

    /**
     * @param text the text to check, never {@code null}
     * @return why the text cannot be stored in every backend (NUL, unpaired surrogate), or empty
     */
    public static Optional<String> unclean(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return Optional.of("holds a NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("holds an unpaired UTF-16 surrogate");
            }
        }
        return Optional.empty();
    }

    /**
     * @param what how the reason names the value, e.g. {@code metadata}
     * @param value a JSON value to store
     * @return why the store would refuse it, or empty
     */
    public Optional<String> json(String what, JsonNode value) {
        Optional<String> problem = tree(value, 0);
        if (problem.isPresent()) {
            return problem.map(p -> what + " " + p);
        }
        int bytes = JsonValues.write(value).getBytes(StandardCharsets.UTF_8).length;
        return bytes > maxJsonBytes
                ? Optional.of(what + " larger than " + maxJsonBytes + " bytes of JSON")
                : Optional.empty();
    }

    private Optional<String> tree(JsonNode node, int depth) {
        if (node.isContainerNode() && depth + 1 > maxJsonDepth) {
            return Optional.of("nests JSON deeper than " + maxJsonDepth + " levels");
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> child : node.properties()) {
                Optional<String> problem = unclean(child.getKey())
                        .map(p -> "has a key that " + p)
                        .or(() -> tree(child.getValue(), depth + 1));
                if (problem.isPresent()) {
                    return problem;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                Optional<String> problem = tree(child, depth + 1);
                if (problem.isPresent()) {
                    return problem;
                }
            }
        } else if (node.isTextual()) {
            return unclean(node.textValue()).map(p -> "has text that " + p);
        } else if (node.isNumber()) {
            return number(node);
        }
        return Optional.empty();
    }

    private static Optional<String> number(JsonNode node) {
        if (node.isBigInteger() && node.bigIntegerValue().bitLength() > 63) {
            return Optional.of("has an integer beyond 64 bits");
        }
        if (node.isBigDecimal()) {
            BigDecimal decimal = node.decimalValue();
            double d = decimal.doubleValue();
            if (!Double.isFinite(d) || new BigDecimal(d).compareTo(decimal) != 0) {
                return Optional.of("has a decimal number no double holds exactly");
            }
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            return Optional.of("has a number that is not finite");
        }
        return Optional.empty();
    }

    /**
     * A title, name or email: the text when the store takes it; otherwise {@code null}, and the
     * text is kept under {@code legacy} (a long title is data, not a reason to drop a chat).
     *
     * @param doc the document
     * @param field the field
     * @param max the longest length the store takes
     * @param legacy where text that does not fit goes
     * @return the text, or {@code null}
     */
    public static String fit(LegacyDoc doc, String field, int max, ObjectNode legacy) {
        Optional<String> text = doc.text(field);
        if (text.isPresent()
                && (text.get().length() > max || unclean(text.get()).isPresent())) {
            if (unclean(text.get()).isEmpty()) {
                legacy.put(field.startsWith("/") ? field.substring(1).replace('/', '.') : field, text.get());
            }
            return null;
        }
        return text.orElse(null);
    }
}
