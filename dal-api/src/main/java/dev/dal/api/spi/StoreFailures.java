package dev.dal.api.spi;

import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccessException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import java.time.Duration;

/**
 * The failure table, written once: every backend builds the exception for a failure of the
 * network, the server or the pool here, so the same failure raises the same exception with the
 * same wording on every store.
 *
 * <table>
 * <caption>What each failure raises</caption>
 * <tr><th>failure</th><th>exception</th></tr>
 * <tr><td>connection refused, host unreachable, connect timed out</td><td>{@link UnavailableException}</td></tr>
 * <tr><td>timed out or reset before a write was sent, or during a read</td><td>{@link TransientDataAccessException}</td></tr>
 * <tr><td>timed out or reset after a write was sent</td><td>{@link OutcomeUnknownException}</td></tr>
 * <tr><td>authentication failed</td><td>{@link ConfigurationException} naming the user setting</td></tr>
 * <tr><td>unknown database</td><td>{@link ConfigurationException} naming the setting</td></tr>
 * <tr><td>server starting up or shutting down</td><td>{@link TransientDataAccessException}</td></tr>
 * <tr><td>deadlock or serialization failure</td><td>{@link ConcurrencyConflictException}</td></tr>
 * <tr><td>no pooled connection free in time</td><td>{@link UnavailableException} naming {@code DB_MAX_CONNECTIONS}</td></tr>
 * <tr><td>schema missing or older than the code, at open</td><td>{@link ConfigurationException} naming
 *     {@code DB_AUTO_MIGRATE} and {@code dal schema migrate}</td></tr>
 * </table>
 *
 * <p>Messages name the store, the operation and the setting to look at; never a value, a driver
 * message or a secret. Causes are {@link SanitizedCause}s.
 */
public final class StoreFailures {
    private final String store;

    private StoreFailures(String store) {
        this.store = store;
    }

    /**
     * @param storeName how messages name the store, e.g. {@code "PostgreSQL"}
     * @return the table for that store
     */
    public static StoreFailures of(String storeName) {
        return new StoreFailures(storeName);
    }

    /**
     * The server refused the connection, was unreachable, or did not accept it within
     * {@code DB_CONNECT_TIMEOUT}.
     *
     * @param operation the operation that needed it
     * @param cause the driver's exception
     * @return an {@link UnavailableException}
     */
    public UnavailableException unreachable(String operation, Throwable cause) {
        return new UnavailableException(
                store + " cannot be reached during " + operation
                        + " (connection refused, unreachable or not accepted within " + DalConfig.DB_CONNECT_TIMEOUT
                        + "); check the address settings (DB_HOST and DB_PORT or DATABASE_URL, MONGODB_URL, NEO4J_URI)",
                SanitizedCause.of(cause));
    }

    /**
     * The connection was lost, or the server did not answer within {@code DB_QUERY_TIMEOUT}.
     *
     * @param operation the operation
     * @param writeSent whether a write of this operation may have reached the server; a read, or a
     *     write that failed before its first statement was sent, passes {@code false}
     * @param timedOut whether the deadline passed (rather than the connection breaking)
     * @param cause the driver's exception
     * @return an {@link OutcomeUnknownException} when a write was sent, else a {@link TransientDataAccessException}
     */
    public DataAccessException lost(String operation, boolean writeSent, boolean timedOut, Throwable cause) {
        String what = timedOut
                ? store + " did not answer within " + DalConfig.DB_QUERY_TIMEOUT + " during " + operation
                : "The connection to " + store + " broke during " + operation;
        if (writeSent) {
            return new OutcomeUnknownException(
                    what + "; the write may or may not have been stored"
                            + " (retry with the same ids to store it exactly once)",
                    SanitizedCause.of(cause));
        }
        return new TransientDataAccessException(
                what + "; nothing was written, retrying may succeed", SanitizedCause.of(cause));
    }

    /**
     * A lock held by another caller was not released within {@code DB_QUERY_TIMEOUT}; nothing was written.
     *
     * @param operation the operation
     * @param limit the deadline that passed
     * @param cause the underlying error, may be {@code null}
     * @return a {@link TransientDataAccessException}
     */
    public TransientDataAccessException lockTimeout(String operation, Duration limit, Throwable cause) {
        return new TransientDataAccessException(
                store + " could not take a lock within " + DalConfig.DB_QUERY_TIMEOUT
                        + " (" + limit.toMillis() + " ms) during " + operation
                        + "; another writer holds it; nothing was"
                        + " written, retrying may succeed",
                SanitizedCause.of(cause));
    }

    /**
     * The server rejected the credentials.
     *
     * @param userSetting the setting that names the user, e.g. {@code DB_USER}
     * @param cause the driver's exception
     * @return a {@link ConfigurationException}
     */
    public ConfigurationException authenticationFailed(String userSetting, Throwable cause) {
        return new ConfigurationException(
                store + " rejected the credentials: check " + userSetting + " and its password setting",
                SanitizedCause.of(cause));
    }

    /**
     * The server does not know the database.
     *
     * @param databaseSetting the setting that names the database, e.g. {@code DB_NAME}
     * @param cause the driver's exception
     * @return a {@link ConfigurationException}
     */
    public ConfigurationException unknownDatabase(String databaseSetting, Throwable cause) {
        return new ConfigurationException(
                store + " has no such database: check " + databaseSetting, SanitizedCause.of(cause));
    }

    /**
     * The server is starting up, shutting down or in recovery.
     *
     * @param operation the operation
     * @param cause the driver's exception
     * @return a {@link TransientDataAccessException}
     */
    public TransientDataAccessException serverNotReady(String operation, Throwable cause) {
        return new TransientDataAccessException(
                store + " is starting up or shutting down during " + operation + "; retrying may succeed",
                SanitizedCause.of(cause));
    }

    /**
     * A deadlock or serialization failure: another writer changed the same data at the same time.
     *
     * @param operation the operation
     * @param cause the driver's exception
     * @return a {@link ConcurrencyConflictException}
     */
    public ConcurrencyConflictException conflict(String operation, Throwable cause) {
        return new ConcurrencyConflictException(
                "A concurrent write to " + store + " conflicted with " + operation
                        + " (deadlock or serialization failure); retry the whole unit of work",
                SanitizedCause.of(cause));
    }

    /**
     * No pooled connection became free within {@code DB_CONNECTION_TIMEOUT}.
     *
     * @param operation the operation
     * @param cause the pool's exception
     * @return an {@link UnavailableException}
     */
    public UnavailableException poolExhausted(String operation, Throwable cause) {
        return new UnavailableException(
                "No " + store + " connection became free within "
                        + DalConfig.DB_CONNECTION_TIMEOUT + " for " + operation + "; every connection is busy (raise "
                        + DalConfig.DB_MAX_CONNECTIONS + ") or the server is unreachable",
                SanitizedCause.of(cause));
    }

    /**
     * The store's schema is missing or older than this version of Dal needs.
     *
     * @param found what the store holds, e.g. {@code "no schema"} or {@code "version 2 of 4"}
     * @return a {@link ConfigurationException}
     */
    public ConfigurationException schemaNotCurrent(String found) {
        return new ConfigurationException(store + "'s schema is not current (" + found + "): run 'dal schema migrate'"
                + " or open the store with " + DalConfig.DB_AUTO_MIGRATE + "=true");
    }

    /**
     * A failure no rule of the table covers; the backend logs it once.
     *
     * @param operation the operation
     * @param code an error code safe to show, or {@code null}
     * @param cause the driver's exception
     * @return a {@link DataAccessException}
     */
    public DataAccessException unexpected(String operation, String code, Throwable cause) {
        return new DataAccessException(
                store + " failed during " + operation + (code == null ? "" : " (" + code + ")"),
                SanitizedCause.of(cause, code));
    }
}
