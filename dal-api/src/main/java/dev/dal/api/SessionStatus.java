package dev.dal.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Lifecycle state of a {@link ChatSession}. Stored and serialized as its lower-case {@link #wireName()}. */
public enum SessionStatus {
    /** Open for new messages. */
    ACTIVE,
    /** Kept for reference. */
    ARCHIVED;

    /** Computed once: stores write the name of every row, and a lower-casing per call showed in batch profiles. */
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** @return the name used in storage and JSON, e.g. {@code "active"} */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a stored or configured name, ignoring case.
     *
     * @param value the name, e.g. {@code "active"}
     * @return the constant
     * @throws ValidationException when the name is not one of the known values
     */
    @JsonCreator
    public static SessionStatus fromWireName(String value) {
        return WireNames.parse(SessionStatus.class, value, "sessionStatus");
    }
}
