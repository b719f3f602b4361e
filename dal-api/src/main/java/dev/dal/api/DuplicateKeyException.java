package dev.dal.api;

/** A write would break a uniqueness rule (a second user with the same externalId, a reused chatId, …). */
public class DuplicateKeyException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the key that is taken, never its secret parts
     */
    public DuplicateKeyException(String message) {
        super(message);
    }

    /**
     * @param message names the key that is taken
     * @param cause the store's own error
     */
    public DuplicateKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
