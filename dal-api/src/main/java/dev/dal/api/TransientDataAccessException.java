package dev.dal.api;

/** A passing failure (deadlock, serialization failure, leader switch): retrying may succeed. */
public class TransientDataAccessException extends DataAccessException implements Retryable {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the store's own error, may be {@code null}
     */
    public TransientDataAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
