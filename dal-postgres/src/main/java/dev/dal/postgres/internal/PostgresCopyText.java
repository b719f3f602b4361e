package dev.dal.postgres.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Rows in {@code COPY}'s text format, the one {@code COPY … FROM STDIN} reads by default: columns split by a
 * tab, rows ended by a newline, {@code \N} for SQL NULL (an empty field is the empty string), and a backslash,
 * tab, newline or carriage return inside a value escaped with a backslash, so every string (JSON text with its
 * own backslashes too) arrives exactly as given. NUL never gets here: validation refuses it in every string.
 * The text goes to the server as UTF-8, the client encoding pgjdbc sets.
 */
final class PostgresCopyText {
    /** The earliest and latest instant the ISO text below writes as PostgreSQL reads it (years 1 to 9999). */
    private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");

    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999Z");

    private final StringBuilder text;
    private boolean rowStarted;

    /** @param expectedChars the expected size of the text, to size the buffer once */
    PostgresCopyText(int expectedChars) {
        this.text = new StringBuilder(expectedChars);
    }

    /**
     * @param instant an instant, or {@code null}
     * @return whether {@link #instant} writes it as PostgreSQL reads it back ({@code null} is)
     */
    static boolean writable(Instant instant) {
        return instant == null || (!instant.isBefore(FIRST) && !instant.isAfter(LAST));
    }

    /** Writes a string value, escaped, or NULL for {@code null}. */
    PostgresCopyText string(String value) {
        separate();
        if (value == null) {
            text.append("\\N");
            return this;
        }
        int n = value.length();
        int plainFrom = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            String escape = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (escape != null) {
                text.append(value, plainFrom, i).append(escape);
                plainFrom = i + 1;
            }
        }
        text.append(value, plainFrom, n);
        return this;
    }

    /** Writes a value whose text needs no escaping (a UUID, a number), or NULL for {@code null}. */
    PostgresCopyText plain(Object value) {
        separate();
        if (value == null) {
            text.append("\\N");
        } else {
            text.append(value);
        }
        return this;
    }

    /** Writes a long. */
    PostgresCopyText number(long value) {
        separate();
        text.append(value);
        return this;
    }

    /** Writes a boolean as {@code t} or {@code f}. */
    PostgresCopyText bool(boolean value) {
        separate();
        text.append(value ? 't' : 'f');
        return this;
    }

    /**
     * Writes an instant as ISO-8601 UTC text ({@code 2024-01-01T00:00:00.123Z}), which {@code timestamptz} reads
     * exactly; NULL for {@code null}. Only for instants that are {@link #writable}.
     */
    PostgresCopyText instant(Instant value) {
        separate();
        if (value == null) {
            text.append("\\N");
        } else {
            text.append(value); // Instant.toString: ISO-8601 in UTC, seconds always written
        }
        return this;
    }

    /** Ends the current row. */
    void endRow() {
        text.append('\n');
        rowStarted = false;
    }

    /** @return the characters written so far */
    int length() {
        return text.length();
    }

    /** @return the rows written so far as UTF-8, and starts over empty */
    byte[] drain() {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        text.setLength(0);
        return bytes;
    }

    private void separate() {
        if (rowStarted) {
            text.append('\t');
        }
        rowStarted = true;
    }
}
