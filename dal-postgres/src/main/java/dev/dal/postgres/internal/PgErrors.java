package dev.dal.postgres.internal;

import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.NotFoundException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.ValidationException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns PostgreSQL and pool errors into Dal's exceptions, by SQLSTATE. The driver's message is
 * logged, never passed on: it can hold values, and once in a while credentials.
 */
final class PgErrors {
    private static final Logger LOG = LoggerFactory.getLogger(PgErrors.class);

    /** Unique constraints by name, in words a caller understands. */
    private static final Map<String, String> UNIQUE = Map.of(
            "users_clerk_id_key", "Another user already has this externalId",
            "chat_sessions_chat_id_key", "A chat session with this chatId already exists",
            "idx_messages_sequence", "The session already holds another message at this sequence number",
            "users_pkey", "A user with this id already exists",
            "chat_sessions_pkey", "A chat session with this id already exists",
            "messages_pkey", "A message with this id already exists");

    /** Foreign keys by name: which referenced record is missing. */
    private static final Map<String, String> FOREIGN = Map.of(
            "chat_sessions_user_id_fkey", "user",
            "user_memory_user_id_fkey", "user",
            "messages_chat_session_id_fkey", "chat session");

    private PgErrors() {
    }

    static DataAccessException translate(String operation, Throwable failure) {
        if (failure instanceof DataAccessException dal) {
            return dal;
        }
        SQLException sql = findSql(failure);
        String state = sql == null ? null : sql.getSQLState();
        LOG.debug("PostgreSQL error during {} (SQLSTATE {})", operation, state, failure);
        if (sql instanceof SQLTransientConnectionException) {
            return new UnavailableException("No database connection became free in time for " + operation
                    + "; the pool is exhausted or the server is unreachable (raise DB_MAX_CONNECTIONS or DB_CONNECTION_TIMEOUT)");
        }
        if (state == null) {
            LOG.warn("Unexpected failure during {}", operation, failure);
            return new DataAccessException("PostgreSQL store failed during " + operation);
        }
        String constraint = String.valueOf(constraintOf(sql));
        switch (state) {
            case "23505":
                return new DuplicateKeyException(UNIQUE.getOrDefault(constraint, "A unique key is already taken ("
                        + constraint + ")"));
            case "23503":
                return new NotFoundException("The referenced " + FOREIGN.getOrDefault(constraint, "record")
                        + " does not exist");
            case "40001":
                return new ConcurrencyConflictException("Serialization failure during " + operation + "; retry", null);
            case "40P01":
                return new TransientDataAccessException("Deadlock during " + operation + "; retry", null);
            case "22001":
                return new ValidationException(operation, "a value is longer than its column allows");
            case "22003":
                return new ValidationException(operation, "a number is out of range for its column");
            default:
                break;
        }
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("53300")) {
            return new UnavailableException("PostgreSQL is unavailable during " + operation + " (SQLSTATE " + state + ")");
        }
        LOG.warn("PostgreSQL error during {} (SQLSTATE {})", operation, state, failure);
        return new DataAccessException("PostgreSQL store failed during " + operation + " (SQLSTATE " + state + ")");
    }

    private static SQLException findSql(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                // A failed batch reports the server's error as the next exception.
                return sql.getNextException() != null ? sql.getNextException() : sql;
            }
        }
        return null;
    }

    private static String constraintOf(SQLException sql) {
        if (sql instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null) {
            return psql.getServerErrorMessage().getConstraint();
        }
        return null;
    }
}
