package dev.dal.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who wrote a {@link Message}. Stored and serialized as its lower-case {@link #wireName()}. */
public enum Role {
    /** The human user. */
    USER,
    /** The model's reply. */
    ASSISTANT,
    /** Instructions to the model. */
    SYSTEM,
    /** Output of a tool call. */
    TOOL;

    /** Computed once: stores write the name of every row, and a lower-casing per call showed in batch profiles. */
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** @return the name used in storage and JSON, e.g. {@code "user"} */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a stored or configured name, ignoring case.
     *
     * @param value the name, e.g. {@code "user"}
     * @return the constant
     * @throws ValidationException when the name is not one of the known values
     */
    @JsonCreator
    public static Role fromWireName(String value) {
        return WireNames.parse(Role.class, value, "role");
    }
}
