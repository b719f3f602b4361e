package dev.dal.postgres.internal;

import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.NotFoundException;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.api.spi.StoreFailures;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns PostgreSQL, driver and pool errors into Dal's exceptions through the failure table
 * ({@link StoreFailures}), by SQLSTATE:
 *
 * <table>
 * <caption>PostgreSQL failures</caption>
 * <tr><th>failure</th><th>exception</th></tr>
 * <tr><td>refused, unreachable, connect or login timed out (08001, 08004), also as the cause of a pool
 *     timeout</td><td>unreachable: {@code UnavailableException}</td></tr>
 * <tr><td>connection lost (08xxx) or socket read timed out</td><td>lost: {@code TransientDataAccessException},
 *     or {@code OutcomeUnknownException} when it happened while a COMMIT was under way</td></tr>
 * <tr><td>57014 statement timeout, 55P03 lock timeout</td><td>{@code TransientDataAccessException} (the server
 *     cancelled the statement; nothing was committed)</td></tr>
 * <tr><td>28P01, 28000</td><td>{@code ConfigurationException} naming {@code DB_USER}</td></tr>
 * <tr><td>3D000</td><td>{@code ConfigurationException} naming {@code DB_NAME}</td></tr>
 * <tr><td>57P01, 57P02, 57P03</td><td>server not ready: {@code TransientDataAccessException}</td></tr>
 * <tr><td>40001, 40P01</td><td>{@code ConcurrencyConflictException}</td></tr>
 * <tr><td>pool wait timed out with no connection failure behind it</td><td>pool exhausted:
 *     {@code UnavailableException} naming {@code DB_MAX_CONNECTIONS}</td></tr>
 * <tr><td>23505, 23503, 22001, 22003</td><td>duplicate key, not found, validation</td></tr>
 * <tr><td>anything else</td><td>{@code DataAccessException} with the SQLSTATE, logged at WARN once per
 *     operation and SQLSTATE</td></tr>
 * </table>
 *
 * <p>The driver's message is never passed on and never logged: it can hold values (the server's
 * DETAIL quotes them, Jdbi's rendering lists bound arguments), and once in a while credentials.
 * Log lines carry the operation, the SQLSTATE and a {@link SanitizedCause} (class names and stack).
 */
final class PostgresErrors {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresErrors.class);

    /** The failure table, in PostgreSQL's words. */
    static final StoreFailures FAILURES = StoreFailures.of("PostgreSQL");

    /** Operation and SQLSTATE pairs already logged at WARN; bounded so a flood cannot grow it. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private static final int MAX_WARNED = 512;

    /** Unique constraints by name, in words a caller understands. */
    private static final Map<String, DuplicateKeyException.Key> UNIQUE = Map.of(
            "users_clerk_id_key", DuplicateKeyException.Key.EXTERNAL_ID,
            "chat_sessions_chat_id_key", DuplicateKeyException.Key.CHAT_ID,
            "idx_messages_sequence", DuplicateKeyException.Key.MESSAGE_SEQUENCE_NUMBER,
            "users_pkey", DuplicateKeyException.Key.USER_ID,
            "chat_sessions_pkey", DuplicateKeyException.Key.SESSION_ID,
            "messages_pkey", DuplicateKeyException.Key.MESSAGE_ID,
            "token_usage_pkey", DuplicateKeyException.Key.TOKEN_USAGE_ID);

    /** Foreign keys by name: which referenced record is missing. */
    private static final Map<String, String> FOREIGN = Map.of(
            "chat_sessions_user_id_fkey", "user",
            "user_memory_user_id_fkey", "user",
            "messages_chat_session_id_fkey", "chat session",
            "message_votes_message_id_fkey", "message",
            "message_votes_user_id_fkey", "user",
            "token_usage_message_id_fkey", "message",
            "token_usage_session_id_fkey", "chat session",
            "token_usage_user_id_fkey", "user");

    private PostgresErrors() {}

    /**
     * Translates a failure of a read, or of a write before its COMMIT was sent.
     *
     * @param operation the operation, as messages name it
     * @param failure what was thrown
     * @return Dal's exception
     */
    static DataAccessException translate(String operation, Throwable failure) {
        return classify(operation, failure, false, false, null);
    }

    /**
     * @param operation the operation, as messages name it
     * @param failure what was thrown
     * @param writeSent whether a write of this operation may have reached the server and committed
     *     (its COMMIT, or an auto-committed statement, was under way)
     * @param queryTimeout the store's {@code DB_QUERY_TIMEOUT}, which lock-wait messages name
     * @return Dal's exception
     */
    static DataAccessException translate(
            String operation, Throwable failure, boolean writeSent, Duration queryTimeout) {
        return classify(operation, failure, writeSent, false, queryTimeout);
    }

    /**
     * Translates a failure to open a connection of the store's own (outside the pool).
     *
     * @param operation the operation
     * @param failure what was thrown
     * @return Dal's exception
     */
    static DataAccessException connecting(String operation, Throwable failure) {
        return classify(operation, failure, false, true, null);
    }

    private static DataAccessException classify(
            String operation, Throwable failure, boolean writeSent, boolean connecting, Duration queryTimeout) {
        if (failure instanceof DataAccessException dal) {
            return dal;
        }
        SQLException sql = findSql(failure);
        if (sql instanceof SQLTransientConnectionException && !(sql instanceof PSQLException)) {
            // Hikari's pool wait timed out; its cause is the last failed connection attempt, if any
            // (a driver exception, or Hikari's ConnectionSetupException around one).
            SQLException attempt = findSql(sql.getCause());
            if (attempt == null) {
                return FAILURES.poolExhausted(operation, failure);
            }
            return classify(operation, attempt, false, true, queryTimeout);
        }
        String state = sql == null ? null : sql.getSQLState();
        boolean timedOut = hasCause(failure, SocketTimeoutException.class);
        if (state == null) {
            if (timedOut) {
                return connecting
                        ? FAILURES.unreachable(operation, failure)
                        : FAILURES.lost(operation, writeSent, true, failure);
            }
            return unexpected(operation, null, failure instanceof SqlCarrier ? failure.getCause() : failure);
        }
        switch (state) {
            case "23505": {
                String constraint = String.valueOf(constraintOf(sql));
                return new DuplicateKeyException(
                        UNIQUE.getOrDefault(constraint, DuplicateKeyException.Key.UNKNOWN), sanitized(sql, state));
            }
            case "23503":
                return new NotFoundException("The referenced "
                        + FOREIGN.getOrDefault(String.valueOf(constraintOf(sql)), "record") + " does not exist");
            case "22001":
                return new ValidationException(operation, "a value is longer than its column allows");
            case "22003":
                return new ValidationException(operation, "a number is out of range for its column");
            case "40001":
            case "40P01":
                return FAILURES.conflict(operation, sanitized(sql, state));
            case "55P03":
            case "57014":
                // The server cancelled the statement (statement_timeout): nothing of it was committed.
                return queryTimeout != null && waitingOnLock(sql)
                        ? FAILURES.lockTimeout(operation, queryTimeout, sanitized(sql, state))
                        : FAILURES.lost(operation, false, true, sanitized(sql, state));
            case "28P01":
            case "28000":
                return FAILURES.authenticationFailed(PostgresSettings.DB_USER.name(), sanitized(sql, state));
            case "3D000":
                return FAILURES.unknownDatabase(PostgresSettings.DB_NAME.name(), sanitized(sql, state));
            case "57P01":
            case "57P02":
            case "57P03":
                return FAILURES.serverNotReady(operation, sanitized(sql, state));
            case "53300":
                return FAILURES.unreachable(operation, sanitized(sql, state));
            default:
                break;
        }
        if (state.startsWith("08")) {
            if (connecting || state.equals("08001") || state.equals("08004")) {
                return FAILURES.unreachable(operation, sanitized(sql, state));
            }
            return FAILURES.lost(operation, writeSent, timedOut, sanitized(sql, state));
        }
        return unexpected(operation, state, sql);
    }

    /**
     * Carries a JDBC exception thrown inside a store's work out to the code that translates it, which
     * knows whether a write was under way.
     *
     * @param e the exception
     * @return an unchecked carrier with no message of its own
     */
    static RuntimeException carry(SQLException e) {
        return new SqlCarrier(e);
    }

    private static final class SqlCarrier extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlCarrier(SQLException cause) {
            super(null, cause, false, false);
        }
    }

    /**
     * @param failure what a call threw
     * @return the SQLSTATE behind it, or {@code null}
     */
    static String stateOf(Throwable failure) {
        SQLException sql = findSql(failure);
        return sql == null ? null : sql.getSQLState();
    }

    /**
     * @param failure what a call threw
     * @return whether the connection broke (reset, closed, terminated by the server) without a
     *     deadline passing: a fresh connection may well work at once
     */
    static boolean isBrokenConnection(Throwable failure) {
        SQLException sql = findSql(failure);
        if (sql == null
                || sql instanceof SQLTransientConnectionException && !(sql instanceof PSQLException)
                || hasCause(failure, SocketTimeoutException.class)) {
            return false;
        }
        String state = sql.getSQLState();
        return state != null
                && (state.startsWith("08") && !state.equals("08001") && !state.equals("08004")
                        || state.equals("57P01")
                        || state.equals("57P02"));
    }

    /**
     * @param e an exception thrown inside a transaction's work
     * @return whether it came from Jdbi, the driver or the pool (rather than from the caller's own code)
     */
    static boolean isDriverFailure(RuntimeException e) {
        return e instanceof org.jdbi.v3.core.JdbiException || e instanceof SqlCarrier;
    }

    private static DataAccessException unexpected(String operation, String state, Throwable failure) {
        DataAccessException translated =
                FAILURES.unexpected(operation, state == null ? null : "SQLSTATE " + state, failure);
        String key = operation + "/" + state;
        if (WARNED.size() < MAX_WARNED && WARNED.add(key)) {
            LOG.warn(
                    "Untranslated PostgreSQL failure during {} (SQLSTATE {}); later ones of this kind are logged at"
                            + " DEBUG",
                    operation,
                    state,
                    translated.getCause());
        } else {
            LOG.debug("Untranslated PostgreSQL failure during {} (SQLSTATE {})", operation, state);
        }
        return translated;
    }

    /** @return the driver's exception without its text, the SQLSTATE kept */
    private static SanitizedCause sanitized(SQLException sql, String state) {
        return SanitizedCause.of(sql, "SQLSTATE " + state);
    }

    /** @return whether a cancelled statement was waiting for a lock (55P03, or a row lock by its context) */
    private static boolean waitingOnLock(SQLException sql) {
        if ("55P03".equals(sql.getSQLState())) {
            return true;
        }
        if (sql instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            String where = server.getWhere();
            // "while locking tuple", "while updating tuple", "while inserting index tuple", ...
            return where != null && (where.contains(" tuple ") || where.contains("lock"));
        }
        return false;
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static SQLException findSql(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof SQLException sql) {
                // A failed batch reports the server's error as the next exception.
                return sql.getNextException() != null ? sql.getNextException() : sql;
            }
        }
        return null;
    }

    /**
     * @param failure what a statement threw
     * @param constraint a foreign key's name
     * @return whether the failure is a violation of that foreign key (23503): the row it references is gone
     */
    static boolean violatesForeignKey(Throwable failure, String constraint) {
        SQLException sql = findSql(failure);
        return sql != null && "23503".equals(sql.getSQLState()) && constraint.equals(constraintOf(sql));
    }

    private static String constraintOf(SQLException sql) {
        if (sql instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            return psql.getServerErrorMessage().getConstraint();
        }
        return null;
    }
}
