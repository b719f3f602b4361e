package dev.dal.api;

/**
 * Root of every error Dal reports. Unchecked, so callers catch only what they can handle.
 *
 * <p>Subclasses are named by meaning, not by store: a duplicate key is a
 * {@link DuplicateKeyException} whether PostgreSQL, MongoDB, Neo4j or the file store found it.
 * Driver exceptions never escape the API: each backend translates them at its edge. Messages never
 * contain passwords or other secrets.
 */
public class DataAccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message for the caller.
     *
     * @param message what went wrong, without secrets
     */
    public DataAccessException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message for the caller and the underlying cause.
     *
     * @param message what went wrong, without secrets
     * @param cause the underlying failure, may be {@code null}
     */
    public DataAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
