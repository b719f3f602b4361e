package dev.dal.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A user's verdict on a message. Stored and serialized as its lower-case {@link #wireName()}. */
public enum Vote {
    /** The message helped. */
    UP,
    /** The message did not help. */
    DOWN;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** @return the name used in storage and JSON, e.g. {@code "up"} */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a stored name, ignoring case.
     *
     * @param value the name, e.g. {@code "up"}
     * @return the constant
     * @throws ValidationException when the name is not one of the known values
     */
    @JsonCreator
    public static Vote fromWireName(String value) {
        return WireNames.parse(Vote.class, value, "vote");
    }
}
