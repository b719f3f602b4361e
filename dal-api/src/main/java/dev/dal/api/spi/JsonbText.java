package dev.dal.api.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON text in the form PostgreSQL prints a {@code jsonb} value ({@code value::text}), computed from a canonical
 * tree in Java, so that a digest PostgreSQL computes over its stored JSON can be computed alike from the same
 * record held in any other store. The form: object keys ordered by the length of their UTF-8 bytes, then by
 * those bytes; {@code ", "} between members and elements, {@code ": "} after a key; strings escaped as
 * PostgreSQL escapes them ({@code \"}, {@code \\}, {@code \b}, {@code \f}, {@code \n}, {@code \r}, {@code \t},
 * other control characters as {@code \}{@code u00xx} in lower case, everything else as it is); numbers as
 * {@code numeric} prints them, which for Dal's canonical numbers is {@link #plainDouble} for a double and the
 * decimal digits for an integer.
 */
public final class JsonbText {
    /** jsonb's key order: shorter UTF-8 first, then byte order (which is code point order). */
    private static final Comparator<String> KEY_ORDER =
            Comparator.<String>comparingInt(JsonbText::utf8Length).thenComparing(CodePointOrder.COMPARATOR);

    private JsonbText() {}

    /**
     * @param value a canonical JSON tree
     * @return its text as PostgreSQL prints it once stored as {@code jsonb}
     */
    public static String of(JsonNode value) {
        StringBuilder out = new StringBuilder(64);
        write(value, out);
        return out.toString();
    }

    /**
     * Appends a canonical JSON tree in PostgreSQL's {@code jsonb} text form.
     *
     * @param value a canonical JSON tree
     * @param out where to append
     */
    public static void write(JsonNode value, StringBuilder out) {
        if (value.isObject()) {
            if (value.isEmpty()) {
                out.append("{}");
                return;
            }
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>(value.size());
            members.addAll(value.properties());
            members.sort(Map.Entry.comparingByKey(KEY_ORDER));
            out.append('{');
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                string(members.get(i).getKey(), out);
                out.append(": ");
                write(members.get(i).getValue(), out);
            }
            out.append('}');
        } else if (value.isArray()) {
            out.append('[');
            Iterator<JsonNode> elements = value.elements();
            for (int i = 0; elements.hasNext(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(elements.next(), out);
            }
            out.append(']');
        } else if (value.isTextual()) {
            string(value.textValue(), out);
        } else if (value.isIntegralNumber()) {
            out.append(value.bigIntegerValue());
        } else if (value.isNumber()) {
            out.append(plainDouble(value.doubleValue()));
        } else if (value.isBoolean()) {
            out.append(value.booleanValue());
        } else {
            out.append("null");
        }
    }

    /**
     * The text Dal stores a double as in SQL JSON: the shortest decimal that reads back as {@code value}, in
     * plain notation (no exponent), with a fraction ({@code "12.0"}, {@code "0.000010"}). PostgreSQL's
     * {@code numeric} keeps it exactly and prints it back unchanged.
     *
     * @param value a finite double
     * @return its plain decimal text
     */
    public static String plainDouble(double value) {
        String shortest = Double.toString(value);
        if (shortest.indexOf('E') < 0) {
            return shortest; // already plain, with a fraction ("0.7", "12.0"): the usual case, no BigDecimal
        }
        String plain = new BigDecimal(shortest).toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }

    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < ' ') {
                        out.append("\\u00")
                                .append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 15, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static int utf8Length(String text) {
        int ascii = 0;
        while (ascii < text.length() && text.charAt(ascii) < 0x80) {
            ascii++;
        }
        return ascii == text.length() ? ascii : text.getBytes(StandardCharsets.UTF_8).length;
    }
}
