package dev.dal.api;

/** The record a write refers to does not exist (an unknown user id, chat id, …). */
public class NotFoundException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the kind of record and its key
     */
    public NotFoundException(String message) {
        super(message);
    }

    /**
     * Convenience for the common message shape.
     *
     * @param kind the kind of record, e.g. {@code "chat session"}
     * @param key the key that was looked up
     * @return the exception, ready to throw
     */
    public static NotFoundException of(String kind, Object key) {
        return new NotFoundException(kind + " not found: " + key);
    }
}
