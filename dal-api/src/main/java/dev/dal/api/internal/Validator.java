package dev.dal.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.DalConfig;
import dev.dal.api.HistoryQuery;
import dev.dal.api.ValidationException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The input rules every store shares, checked before any store is called so that every backend
 * accepts and refuses exactly the same values: id lengths, text lengths, no NUL characters, JSON
 * depth and size. Each check throws {@link ValidationException} naming the field and the rule; none
 * of them touches a store.
 */
public final class Validator {
    /** Longest id-like string: chat ids, external ids, memory keys. */
    public static final int MAX_ID_LENGTH = 255;
    /** Longest e-mail, name or title. */
    public static final int MAX_TEXT_LENGTH = 255;
    /** Longest session profile name. */
    public static final int MAX_PROFILE_LENGTH = 50;
    /** Longest memory type. */
    public static final int MAX_MEMORY_TYPE_LENGTH = 100;
    /** Most messages in one {@code addMessages} call or one bulk batch. */
    public static final int MAX_BATCH = 10_000;

    private final int maxContentLength;
    private final int maxJsonDepth;
    private final int maxJsonBytes;

    /**
     * @param config supplies the configurable limits
     */
    public Validator(DalConfig config) {
        this.maxContentLength = config.maxContentLength();
        this.maxJsonDepth = config.maxJsonDepth();
        this.maxJsonBytes = config.maxJsonBytes();
    }

    /** @return the longest message content accepted */
    public int maxContentLength() {
        return maxContentLength;
    }

    /**
     * A required key: present, not blank, at most {@link #MAX_ID_LENGTH} characters, clean text.
     *
     * @param field the field name to report
     * @param value the value
     * @return the value
     */
    public String key(String field, String value) {
        return key(field, value, MAX_ID_LENGTH);
    }

    /**
     * A required key with its own length limit.
     *
     * @param field the field name to report
     * @param value the value
     * @param maxLength the most characters allowed
     * @return the value
     */
    public String key(String field, String value, int maxLength) {
        if (value == null) {
            throw new ValidationException(field, "is required");
        }
        if (value.isBlank()) {
            throw new ValidationException(field, "must not be blank");
        }
        return optionalText(field, value, maxLength);
    }

    /**
     * An optional string: {@code null}, or at most {@code maxLength} characters of clean text.
     *
     * @param field the field name to report
     * @param value the value, may be {@code null}
     * @param maxLength the most characters allowed
     * @return the value
     */
    public String optionalText(String field, String value, int maxLength) {
        if (value == null) {
            return null;
        }
        // Characters are code points, as SQL VARCHAR(n) counts them: 255 emoji are 255 characters.
        if (value.length() > maxLength && value.codePointCount(0, value.length()) > maxLength) {
            throw new ValidationException(
                    field,
                    "must be at most " + maxLength + " characters (was " + value.codePointCount(0, value.length())
                            + ")");
        }
        return cleanText(field, value);
    }

    /**
     * Message content: required, at most the configured length, clean text.
     *
     * @param field the field name to report
     * @param value the content
     * @return the content
     */
    public String content(String field, String value) {
        if (value == null) {
            throw new ValidationException(field, "is required");
        }
        return optionalText(field, value, maxContentLength);
    }

    /**
     * Text every store can hold: no NUL character (PostgreSQL cannot store it) and no unpaired
     * UTF-16 surrogate (it cannot be encoded as UTF-8 and would come back changed).
     *
     * @param field the field name to report
     * @param value the text
     * @return the text
     */
    public String cleanText(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new ValidationException(field, "must not contain NUL characters (U+0000)");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new ValidationException(field, "must be valid Unicode (unpaired surrogate at index " + i + ")");
            }
            if (Character.isLowSurrogate(c)) {
                throw new ValidationException(field, "must be valid Unicode (unpaired surrogate at index " + i + ")");
            }
        }
        return value;
    }

    /**
     * @param field the field name to report
     * @param value the value
     * @param <T> its type
     * @return the value
     */
    public <T> T required(String field, T value) {
        if (value == null) {
            throw new ValidationException(field, "is required");
        }
        return value;
    }

    /**
     * An optional JSON object.
     *
     * @param field the field name to report
     * @param node the value, may be {@code null} (means empty)
     * @return the value
     */
    public JsonNode jsonObject(String field, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return node;
        }
        if (!node.isObject()) {
            throw new ValidationException(field, "must be a JSON object");
        }
        return json(field, node);
    }

    /**
     * Any JSON value Dal can store exactly in every backend.
     *
     * @param field the field name to report
     * @param node the value, may be {@code null} (means JSON null)
     * @return the value
     */
    public JsonNode json(String field, JsonNode node) {
        if (node != null) {
            long bytes;
            try {
                bytes = checkJson(node, 0);
            } catch (ValidationException e) {
                throw new ValidationException(field + e.field(), e.rule());
            }
            if (bytes > maxJsonBytes) {
                throw new ValidationException(
                        field,
                        "must not exceed " + maxJsonBytes
                                + " bytes as UTF-8 JSON text (DAL_MAX_JSON_BYTES); was at least " + bytes);
            }
        }
        return node;
    }

    /**
     * Checks a tree; a failure names its path relative to {@code node} ("" for the node itself),
     * and each level prefixes its own segment on the way out, so the happy path builds no strings.
     */
    private long checkJson(JsonNode node, int depth) {
        if (node.isContainerNode() && depth + 1 > maxJsonDepth) {
            throw new ValidationException("", "must not nest JSON deeper than " + maxJsonDepth + " levels");
        }
        if (node.isObject()) {
            long bytes = 2 + Math.max(0, node.size() - 1);
            for (Map.Entry<String, JsonNode> child : node.properties()) {
                cleanText(" key", child.getKey());
                try {
                    bytes += jsonTextBytes(child.getKey()) + 1 + checkJson(child.getValue(), depth + 1);
                } catch (ValidationException e) {
                    throw new ValidationException("." + shorten(child.getKey()) + e.field(), e.rule());
                }
            }
            return bytes;
        } else if (node.isArray()) {
            long bytes = 2 + Math.max(0, node.size() - 1);
            for (int i = 0; i < node.size(); i++) {
                try {
                    bytes += checkJson(node.get(i), depth + 1);
                } catch (ValidationException e) {
                    throw new ValidationException("[" + i + "]" + e.field(), e.rule());
                }
            }
            return bytes;
        } else if (node.isTextual()) {
            cleanText("", node.textValue());
            return jsonTextBytes(node.textValue());
        } else if (node.isNumber()) {
            checkNumber("", node);
            return node.isInt() || node.isLong()
                    ? decimalLength(node.longValue())
                    : node.asText().length();
        } else if (node.isBoolean()) {
            return node.booleanValue() ? 4 : 5;
        } else if (node.isNull()) {
            return 4;
        }
        throw new ValidationException("", "must be plain JSON (object, array, string, number, boolean, null)");
    }

    /**
     * The size of a string as a JSON string literal in UTF-8: quotes, two-byte escapes for quote and
     * backslash, six for other control characters (an upper bound for \n and friends).
     */
    private static long jsonTextBytes(String text) {
        long bytes = 2;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                bytes += 2;
            } else if (c < 0x20) {
                bytes += 6;
            } else if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static void checkNumber(String path, JsonNode node) {
        if (node.isIntegralNumber()) {
            if (node.isBigInteger() && node.bigIntegerValue().bitLength() > 63) {
                throw new ValidationException(path, "integers must fit in 64 bits");
            }
        } else if (node.isBigDecimal()) {
            BigDecimal decimal = node.decimalValue();
            double asDouble = decimal.doubleValue();
            if (!Double.isFinite(asDouble) || new BigDecimal(asDouble).compareTo(decimal) != 0) {
                throw new ValidationException(path, "decimal numbers must be exactly representable as a double");
            }
        } else if (!Double.isFinite(node.doubleValue())) {
            throw new ValidationException(path, "numbers must be finite (no NaN or infinity)");
        }
    }

    /** @return the length of {@code value} in decimal, as {@code Long.toString} would write it, without the string */
    static int decimalLength(long value) {
        if (value == Long.MIN_VALUE) {
            return 20;
        }
        int length = value < 0 ? 2 : 1;
        for (long rest = Math.abs(value); rest >= 10; rest /= 10) {
            length++;
        }
        return length;
    }

    private static String shorten(String key) {
        return key.length() <= 40 ? key : key.substring(0, 40) + "…";
    }

    /**
     * A page size.
     *
     * @param field the field name to report
     * @param limit the value
     * @return the value
     */
    public int limit(String field, int limit) {
        if (limit < 1 || limit > HistoryQuery.MAX_LIMIT) {
            throw new ValidationException(
                    field, "must be from 1 to " + HistoryQuery.MAX_LIMIT + " (was " + limit + ")");
        }
        return limit;
    }

    /**
     * @param field the field name to report
     * @param value the value
     * @return the value
     */
    public long notNegative(String field, long value) {
        if (value < 0) {
            throw new ValidationException(field, "must not be negative (was " + value + ")");
        }
        return value;
    }

    /**
     * A non-empty list of at most {@link #MAX_BATCH} non-null elements.
     *
     * @param field the field name to report
     * @param list the list
     * @param <T> element type
     * @return the list
     */
    public <T> List<T> batch(String field, List<T> list) {
        required(field, list);
        if (list.isEmpty()) {
            throw new ValidationException(field, "must not be empty");
        }
        if (list.size() > MAX_BATCH) {
            throw new ValidationException(
                    field, "must hold at most " + MAX_BATCH + " records (was " + list.size() + ")");
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) { // the name is built only for the element that fails
                required(field + "[" + i + "]", null);
            }
        }
        return list;
    }
}
