package dev.dal.api.spi;

/**
 * A driver's exception with its text removed, kept as the cause of a Dal exception so that the
 * caller's stack trace still shows where a failure came from. It carries the original class name,
 * an optional error code the backend chose to keep (a SQLSTATE, a server error code) and the
 * original stack frames, never the original message: driver messages can hold bound values, and
 * once in a while credentials.
 */
public final class SanitizedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_DEPTH = 8;

    /** The fully qualified class name of the driver exception this copy stands for. */
    private final String originalClass;

    private SanitizedCause(String originalClass, String code, SanitizedCause cause) {
        super(code == null ? originalClass : originalClass + " (" + code + ")", cause, false, true);
        this.originalClass = originalClass;
    }

    /**
     * @param failure the driver's exception, may be {@code null}
     * @return its sanitized copy, causes included, or {@code null} for {@code null}
     */
    public static SanitizedCause of(Throwable failure) {
        return of(failure, null);
    }

    /**
     * @param failure the driver's exception, may be {@code null}
     * @param code an error code safe to show (no values), or {@code null}
     * @return its sanitized copy, causes included, or {@code null} for {@code null}
     */
    public static SanitizedCause of(Throwable failure, String code) {
        return copy(failure, code, 0);
    }

    private static SanitizedCause copy(Throwable failure, String code, int depth) {
        if (failure == null) {
            return null;
        }
        if (failure instanceof SanitizedCause already) {
            return already;
        }
        SanitizedCause cause =
                depth < MAX_DEPTH && failure.getCause() != failure ? copy(failure.getCause(), null, depth + 1) : null;
        SanitizedCause copy = new SanitizedCause(failure.getClass().getName(), code, cause);
        copy.setStackTrace(failure.getStackTrace());
        return copy;
    }

    /** @return the fully qualified class name of the exception this stands for */
    public String originalClass() {
        return originalClass;
    }
}
