package dev.dal.api;

/** The store cannot be reached, or has been closed. */
public class UnavailableException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what could not be reached, without credentials
     */
    public UnavailableException(String message) {
        super(message);
    }

    /**
     * @param message what could not be reached, without credentials
     * @param cause the store's own error
     */
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
