package dev.dal.api;

/**
 * Another writer changed the same data at the same time and this write could not be applied
 * safely. Reading again and retrying the whole unit of work is the usual answer.
 */
public class ConcurrencyConflictException extends DataAccessException implements Retryable {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what conflicted
     * @param cause the store's own error, may be {@code null}
     */
    public ConcurrencyConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
