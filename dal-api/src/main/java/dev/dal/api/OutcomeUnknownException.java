package dev.dal.api;

/**
 * A write was sent to the store but its answer never came back (the connection was reset, or the
 * deadline passed, after the request left): the write may have been stored, or not. Telling the
 * two apart needs a read.
 *
 * <p>Retrying blindly could store a chat turn twice, so this is not {@link Retryable}. The safe
 * retry repeats the same call with the same caller-chosen ids ({@link NewMessage#withId},
 * {@link NewUser.Builder#id}, {@link NewChatSession#withId}): a write whose ids are already stored with
 * the same content returns the stored records instead of adding them again, so the retry leaves
 * exactly one copy whichever way the first attempt went. Memory writes are idempotent by key and
 * may simply be repeated.
 */
public class OutcomeUnknownException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being written and why its outcome is unknown, without values
     * @param cause the store's own error, sanitized, may be {@code null}
     */
    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
