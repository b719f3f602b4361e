package dev.dal.neo4j.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.api.spi.StoreFailures;
import java.util.Locale;
import java.util.Set;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.ConnectionReadTimeoutException;
import org.neo4j.driver.exceptions.FatalDiscoveryException;
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.exceptions.SecurityException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;
import org.neo4j.driver.exceptions.TransactionTerminatedException;
import org.neo4j.driver.exceptions.TransientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns driver errors into Dal's exceptions through the one failure table ({@link StoreFailures}),
 * by the driver's exception type, the Neo4j status code and where the call was when it failed:
 *
 * <ul>
 *   <li>no connection could be opened (refused, unroutable, not accepted within {@code DB_CONNECT_TIMEOUT},
 *       no router answered) → {@code unreachable};
 *   <li>a connection broke, or the call passed {@code DB_QUERY_TIMEOUT} (the client's bound or the server's
 *       transaction timeout) → {@code lost}: outcome unknown only when a write's commit had been sent;
 *   <li>a lock not granted in time → {@code lockTimeout}; a deadlock, or an entity the statement had found
 *       deleted by a concurrent transaction ({@code EntityNotFound}) → {@code conflict};
 *   <li>the database starting, stopping or unavailable → {@code serverNotReady};
 *   <li>bad credentials → {@code authenticationFailed(NEO4J_USER)}; unknown database →
 *       {@code unknownDatabase(NEO4J_DATABASE)};
 *   <li>no pooled connection free within {@code DB_CONNECTION_TIMEOUT} → {@code poolExhausted};
 *   <li>constraint violations → {@link DuplicateKeyException} named by field; type errors → validation;
 *   <li>anything else → {@code unexpected}, logged once at WARN with a sanitized stack.
 * </ul>
 *
 * <p>The driver's message is never logged or passed on: the server's text quotes the values that
 * broke a constraint. Causes are {@link SanitizedCause}s (class and stack only).
 */
final class Neo4jErrors {
    private static final Logger LOG = LoggerFactory.getLogger(Neo4jErrors.class);
    static final StoreFailures FAILURES = StoreFailures.of("Neo4j");
    private static final String CONSTRAINT_FAILED = "Neo.ClientError.Schema.ConstraintValidationFailed";
    private static final Set<String> TX_TIMED_OUT = Set.of(
            "Neo.ClientError.Transaction.TransactionTimedOut",
            "Neo.TransientError.Transaction.TransactionTimedOut",
            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
            "Neo.TransientError.Transaction.TransactionTimedOutClientConfiguration");
    private static final Set<String> LOCK_TIMED_OUT = Set.of(
            "Neo.TransientError.Transaction.LockAcquisitionTimeout",
            "Neo.TransientError.Transaction.LockClientStopped",
            "Neo.ClientError.Transaction.LockClientStopped");
    private static final String DEADLOCK = "Neo.TransientError.Transaction.DeadlockDetected";
    /**
     * A node or relationship the statement had found was deleted by a concurrent transaction before the statement
     * could lock or use it (e.g. a bulk upsert waiting on a node that a replicated deletion removes): a conflict
     * of two writers, retryable, not a fault of the call. Dal's statements never use an entity they deleted
     * themselves.
     */
    private static final Set<String> CONCURRENTLY_DELETED =
            Set.of("Neo.ClientError.Statement.EntityNotFound", "Neo.TransientError.Transaction.Outdated");

    private static final Set<String> NOT_READY = Set.of(
            "Neo.TransientError.Database.DatabaseUnavailable",
            "Neo.TransientError.General.DatabaseUnavailable",
            "Neo.ClientError.Database.DatabaseUnavailable",
            "Neo.TransientError.Database.DatabaseStarting");

    private Neo4jErrors() {}

    /**
     * Translates a failure of a call that wrote nothing that could have committed.
     *
     * @param operation the operation, for the message
     * @param failure what was thrown
     * @return Dal's exception
     */
    static DataAccessException translate(String operation, Throwable failure) {
        return translate(operation, failure, false, false, null);
    }

    /**
     * @param operation the operation, for the message
     * @param failure what was thrown
     * @param commitSent whether a write's commit (or an auto-commit statement) had been sent, so it may
     *     have been stored
     * @param timedOut whether the client's bound of {@code DB_QUERY_TIMEOUT} ended the call
     * @param queryTimeout the bound, for lock-wait messages; may be {@code null}
     * @return Dal's exception
     */
    static DataAccessException translate(
            String operation,
            Throwable failure,
            boolean commitSent,
            boolean timedOut,
            java.time.Duration queryTimeout) {
        if (failure instanceof DataAccessException dal) {
            return dal;
        }
        String code = failure instanceof Neo4jException n ? safeCode(n.code()) : null;
        if (timedOut) {
            return FAILURES.lost(operation, commitSent, true, failure);
        }
        if (isPoolTimeout(failure)) {
            return FAILURES.poolExhausted(operation, failure);
        }
        if (failure instanceof ConnectionReadTimeoutException) {
            return FAILURES.lost(operation, commitSent, true, failure);
        }
        if (failure instanceof AuthenticationException) {
            return FAILURES.authenticationFailed(Neo4jSettings.NEO4J_USER.name(), failure);
        }
        if (failure instanceof FatalDiscoveryException) {
            return FAILURES.unknownDatabase(Neo4jSettings.NEO4J_DATABASE.name(), failure);
        }
        if (failure instanceof ServiceUnavailableException) {
            return connectFailed(failure)
                    ? FAILURES.unreachable(operation, failure)
                    : FAILURES.lost(operation, commitSent, false, failure);
        }
        if (failure instanceof SessionExpiredException) {
            return FAILURES.lost(operation, commitSent, false, failure);
        }
        if (code != null && TX_TIMED_OUT.contains(code)) {
            return FAILURES.lost(operation, false, true, failure); // the server rolled it back: definite
        }
        if (code != null && LOCK_TIMED_OUT.contains(code)) {
            return FAILURES.lockTimeout(
                    operation, queryTimeout == null ? java.time.Duration.ZERO : queryTimeout, failure);
        }
        if (DEADLOCK.equals(code) || (code != null && CONCURRENTLY_DELETED.contains(code))) {
            return FAILURES.conflict(operation, failure);
        }
        if (code != null && NOT_READY.contains(code)) {
            return FAILURES.serverNotReady(operation, failure);
        }
        if (failure instanceof TransactionTerminatedException) {
            return FAILURES.lost(operation, false, false, failure); // terminated before commit: rolled back
        }
        if (failure instanceof TransientException) {
            // Transient by the server's own word (e.g. a replaced leader, a stale routing table): nothing committed.
            return new TransientDataAccessException(
                    "Neo4j reported a transient failure during " + operation + (code == null ? "" : " (" + code + ")")
                            + "; nothing was written, retrying may succeed",
                    SanitizedCause.of(failure, code));
        }
        if (failure instanceof SecurityException) {
            return FAILURES.authenticationFailed(Neo4jSettings.NEO4J_USER.name(), failure);
        }
        if (failure instanceof ClientException && CONSTRAINT_FAILED.equals(code)) {
            return new DuplicateKeyException(duplicateKey(failure.getMessage()), SanitizedCause.of(failure, code));
        }
        if (failure instanceof ClientException && code != null && code.contains("TypeError")) {
            return new ValidationException(operation, "a value has a type the Neo4j store cannot hold");
        }
        DataAccessException unexpected = FAILURES.unexpected(operation, code, failure);
        LOG.warn("Untranslated Neo4j failure during {} ({})", operation, code, unexpected.getCause());
        return unexpected;
    }

    /**
     * @param failure the driver's exception
     * @return whether it says the call's deadline passed (the server's transaction or lock timeout, the
     *     server's receive-timeout hint), so the call is not retried
     */
    static boolean spentDeadline(Throwable failure) {
        if (failure instanceof ConnectionReadTimeoutException) {
            return true;
        }
        String code = failure instanceof Neo4jException n ? n.code() : null;
        return code != null && (TX_TIMED_OUT.contains(code) || LOCK_TIMED_OUT.contains(code));
    }

    /** A status code is {@code Neo.Class.Category.Title}: letters and dots only, never a value. */
    private static String safeCode(String code) {
        return code != null && code.matches("[A-Za-z.]{1,120}") ? code : null;
    }

    /**
     * Whether no connection could be opened at all (as opposed to an open one breaking): a refused or
     * unroutable connect, a connect or handshake not done within {@code DB_CONNECT_TIMEOUT}, or no router
     * reachable. The driver's text is read here only to classify, never repeated.
     */
    static boolean connectFailed(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 10; t = t.getCause(), depth++) {
            if (t instanceof java.net.ConnectException
                    || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException
                    || t.getClass().getName().endsWith("ConnectionInitialisationTimeoutException")
                    || t.getClass().getName().endsWith("ConnectTimeoutException")) {
                return true;
            }
            String message = t.getMessage();
            if (message != null
                    && (message.startsWith("Unable to connect to")
                            || message.startsWith("Could not perform discovery")
                            || message.startsWith("Unable to establish connection"))) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed != t && connectFailed(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the pool found no free connection within its acquisition timeout. */
    static boolean isPoolTimeout(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 10; t = t.getCause(), depth++) {
            String message = t.getMessage();
            if (message != null && message.startsWith("Unable to acquire connection from the pool")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The failure of a store's first contact with the server, named as the open (a caller who only
     * wanted health or a copy learns what failed, not which internal read).
     *
     * @param uri the configured URI (never holds credentials); {@code null} for an application's driver
     * @param failure what the driver threw, or Dal's translation of it
     * @return Dal's exception, with the sanitized cause of the translation
     */
    static DataAccessException openFailure(String uri, Throwable failure) {
        String target =
                uri == null ? "the Neo4j store (on the application's driver)" : "the Neo4j store at " + hostOnly(uri);
        DataAccessException translated = translate("opening the store", failure);
        if (translated instanceof ConfigurationException) {
            return new ConfigurationException(
                    "Could not open " + target + ": " + lowerFirst(translated.getMessage()), translated.getCause());
        }
        if (translated instanceof UnavailableException) {
            return new UnavailableException(
                    "Could not open " + target + ": unavailable; " + lowerFirst(translated.getMessage()),
                    translated.getCause());
        }
        return translated;
    }

    private static String lowerFirst(String text) {
        return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    /** Scheme, host and port only: nothing else of a URI reaches a message. */
    private static String hostOnly(String uri) {
        try {
            java.net.URI parsed = new java.net.URI(uri);
            return parsed.getScheme() + "://" + parsed.getHost() + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort());
        } catch (java.net.URISyntaxException e) {
            return "the configured " + Neo4jSettings.NEO4J_URI.name();
        }
    }

    /** @return the key the server names by its property; the server's text is never repeated (it quotes values) */
    private static DuplicateKeyException.Key duplicateKey(String serverMessage) {
        String text = serverMessage == null ? "" : serverMessage.toLowerCase(Locale.ROOT);
        if (text.contains("`external_id`")) {
            return DuplicateKeyException.Key.EXTERNAL_ID;
        }
        if (text.contains("`chat_id`")) {
            return DuplicateKeyException.Key.CHAT_ID;
        }
        if (text.contains("`sequence_number`")) {
            return DuplicateKeyException.Key.MESSAGE_SEQUENCE_NUMBER;
        }
        if (text.contains("`memory_type`")) {
            return DuplicateKeyException.Key.MEMORY_KEY;
        }
        if (text.contains("label `user`")) {
            return DuplicateKeyException.Key.USER_ID;
        }
        if (text.contains("label `chatsession`")) {
            return DuplicateKeyException.Key.SESSION_ID;
        }
        if (text.contains("label `message`")) {
            return DuplicateKeyException.Key.MESSAGE_ID;
        }
        return DuplicateKeyException.Key.UNKNOWN;
    }
}
