package dev.dal.mongo.internal;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoIncompatibleDriverException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import com.mongodb.bulk.BulkWriteError;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns driver and server errors into Dal's exceptions, by error code, category and label. The
 * driver's message is logged at debug level, never passed on: it can hold values, and once in a
 * while a connection string.
 */
final class MongoErrors {
    private static final Logger LOG = LoggerFactory.getLogger(MongoErrors.class);

    static final String TRANSIENT_TRANSACTION_ERROR = "TransientTransactionError";
    static final String UNKNOWN_COMMIT_RESULT = "UnknownTransactionCommitResult";
    private static final String RETRYABLE_WRITE_ERROR = "RetryableWriteError";
    private static final int WRITE_CONFLICT = 112;
    private static final Pattern INDEX = Pattern.compile("index: (\\S+) dup key");

    /** Unique indexes by name, in words a caller understands. */
    private static final Map<String, String> UNIQUE = Map.of(
            MongoSchema.USERS_EXTERNAL_ID, "Another user already has this externalId",
            MongoSchema.SESSIONS_CHAT_ID, "A chat session with this chatId already exists",
            MongoSchema.MESSAGES_SEQUENCE, "The session already holds another message at this sequence number",
            MongoSchema.MEMORY_KEY, "A memory entry with this user, type and key already exists",
            MongoSchema.USERS_ID, "A user with this id already exists",
            MongoSchema.SESSIONS_ID, "A chat session with this id already exists",
            MongoSchema.MESSAGES_ID, "A message with this id already exists");

    private MongoErrors() {
    }

    /** A transient failure of a transaction: {@code inTransaction} runs the whole work again. */
    static final class TransientTransactionException extends TransientDataAccessException {
        private static final long serialVersionUID = 1L;

        TransientTransactionException(String message) {
            super(message, null);
        }
    }

    static DataAccessException translate(String operation, Throwable failure) {
        if (failure instanceof DataAccessException dal) {
            return dal;
        }
        LOG.debug("MongoDB error during {}", operation, failure);
        if (failure instanceof MongoException mongo) {
            return translateMongo(operation, mongo);
        }
        if (failure instanceof IllegalStateException) {
            // The driver's answer once its client is closed ("state should be: open").
            return new UnavailableException("The MongoDB store is closed (" + operation + ")");
        }
        LOG.warn("Unexpected failure during {}", operation, failure);
        return new DataAccessException("MongoDB store failed during " + operation);
    }

    private static DataAccessException translateMongo(String operation, MongoException e) {
        int code = codeOf(e);
        if (code == 11000 || code == 11001 || code == 12582) {
            String index = duplicateIndex(e);
            return new DuplicateKeyException(UNIQUE.getOrDefault(index, "A unique key is already taken ("
                    + (index == null ? "unknown index" : index) + ")"));
        }
        if (e.hasErrorLabel(TRANSIENT_TRANSACTION_ERROR)) {
            return new TransientTransactionException("A transaction conflicted or lost its server during " + operation
                    + " (code " + code + "); retry");
        }
        if (code == WRITE_CONFLICT) {
            return new ConcurrencyConflictException("Write conflict during " + operation + "; retry", null);
        }
        if (e instanceof MongoIncompatibleDriverException) {
            return new ConfigurationException("The MongoDB server is too old for this driver: Dal needs MongoDB 4.2 or later");
        }
        if (e instanceof MongoTimeoutException || e instanceof MongoSocketOpenException) {
            return new UnavailableException("MongoDB is unreachable during " + operation
                    + " (no server answered in time)");
        }
        if (e instanceof MongoSecurityException) {
            return new UnavailableException("MongoDB refused the credentials during " + operation);
        }
        if (e.hasErrorLabel(RETRYABLE_WRITE_ERROR) || e.hasErrorLabel(UNKNOWN_COMMIT_RESULT)
                || e instanceof MongoSocketException || e instanceof MongoNotPrimaryException
                || e instanceof MongoNodeIsRecoveringException) {
            return new TransientDataAccessException("MongoDB lost its connection or primary during " + operation
                    + (code > 0 ? " (code " + code + ")" : "") + "; retry", null);
        }
        if (e instanceof MongoExecutionTimeoutException) {
            return new TransientDataAccessException("MongoDB timed out during " + operation + "; retry", null);
        }
        LOG.warn("MongoDB error during {} (code {})", operation, code, e);
        return new DataAccessException("MongoDB store failed during " + operation + " (code " + code + ")");
    }

    /** @return the server's error code, looking into write and bulk write errors */
    static int codeOf(MongoException e) {
        if (e instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()) {
            return bulk.getWriteErrors().get(0).getCode();
        }
        if (e instanceof MongoWriteException write) {
            return write.getError().getCode();
        }
        if (e instanceof MongoWriteConcernException concern) {
            return concern.getWriteConcernError().getCode();
        }
        return e.getCode();
    }

    static boolean isDuplicateKey(BulkWriteError error) {
        return ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY;
    }

    private static String duplicateIndex(MongoException e) {
        String message;
        if (e instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()) {
            message = bulk.getWriteErrors().get(0).getMessage();
        } else if (e instanceof MongoWriteException write) {
            message = write.getError().getMessage();
        } else if (e instanceof MongoCommandException command) {
            message = command.getErrorMessage();
        } else {
            message = e.getMessage();
        }
        Matcher m = INDEX.matcher(String.valueOf(message));
        return m.find() ? m.group(1) : null;
    }
}
