package dev.dal.api;

import java.util.Objects;

/**
 * A value given to Dal breaks one of its rules. Thrown before any backend is called, so nothing
 * was written. {@link #field()} and {@link #rule()} say which value and which rule.
 */
public class ValidationException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /** The rejected parameter or record field, e.g. {@code "message.content"}; never {@code null}. */
    private final String field;
    /** What the value must be, in words; never {@code null}. */
    private final String rule;

    /**
     * @param field the parameter or record field, e.g. {@code "message.content"}
     * @param rule what the value must be, e.g. {@code "must not contain NUL characters"}
     */
    public ValidationException(String field, String rule) {
        super("Invalid " + Objects.requireNonNull(field, "field") + ": " + Objects.requireNonNull(rule, "rule"));
        this.field = field;
        this.rule = rule;
    }

    /** @return the parameter or record field that was rejected */
    public String field() {
        return field;
    }

    /** @return the rule the value broke, in words */
    public String rule() {
        return rule;
    }
}
