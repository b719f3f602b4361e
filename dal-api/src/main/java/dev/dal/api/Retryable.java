package dev.dal.api;

/**
 * Marks an error after which the same operation may succeed if simply tried again
 * (a serialization failure, a deadlock victim). Other errors will fail
 * the same way every time and must not be retried.
 */
public interface Retryable {}
