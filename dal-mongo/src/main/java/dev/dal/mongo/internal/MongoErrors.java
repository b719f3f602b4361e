package dev.dal.mongo.internal;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoIncompatibleDriverException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerUnavailableException;
import com.mongodb.MongoSocketClosedException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoSocketWriteException;
import com.mongodb.MongoSocketWriteTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.MongoWriteException;
import com.mongodb.bulk.BulkWriteError;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.UnavailableException;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.api.spi.StoreFailures;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns driver and server errors into Dal's exceptions: duplicate keys by index, everything about
 * the network, the server and the pool through the shared failure table ({@link StoreFailures}),
 * so the same failure raises the same exception as on every other backend. No driver message is
 * logged or passed on (it can hold values, and once in a while a connection string); what no rule
 * covers is logged once at WARN with its stack, message stripped.
 */
final class MongoErrors {
    private static final Logger LOG = LoggerFactory.getLogger(MongoErrors.class);
    static final StoreFailures FAILURES = StoreFailures.of("MongoDB");

    static final String TRANSIENT_TRANSACTION_ERROR = "TransientTransactionError";
    static final String UNKNOWN_COMMIT_RESULT = "UnknownTransactionCommitResult";
    private static final String RETRYABLE_WRITE_ERROR = "RetryableWriteError";
    private static final int WRITE_CONFLICT = 112;
    private static final int MAX_TIME_EXPIRED = 50;
    /** Server codes of a node starting up, shutting down, stepping down or not primary. */
    private static final Set<Integer> NOT_READY = Set.of(91, 189, 10107, 11600, 11602, 13435, 13436, 10058);

    private static final Pattern INDEX = Pattern.compile("index: (\\S+) dup key");

    /** Unique indexes by name, in words a caller understands. */
    private static final Map<String, DuplicateKeyException.Key> UNIQUE = Map.of(
            MongoMigrations.USERS_EXTERNAL_ID, DuplicateKeyException.Key.EXTERNAL_ID,
            MongoMigrations.SESSIONS_CHAT_ID, DuplicateKeyException.Key.CHAT_ID,
            MongoMigrations.MESSAGES_SEQUENCE, DuplicateKeyException.Key.MESSAGE_SEQUENCE_NUMBER,
            MongoMigrations.MEMORY_KEY, DuplicateKeyException.Key.MEMORY_KEY,
            MongoMigrations.USERS_ID, DuplicateKeyException.Key.USER_ID,
            MongoMigrations.SESSIONS_ID, DuplicateKeyException.Key.SESSION_ID,
            MongoMigrations.MESSAGES_ID, DuplicateKeyException.Key.MESSAGE_ID);

    /** What the user setting is called in "check ..." when the server rejects the credentials. */
    static final String USER_SETTING = "the user in " + MongoSettings.MONGODB_URL.name();

    private MongoErrors() {}

    /**
     * What the failed call had done when it failed.
     *
     * @param write whether the operation writes (outside a transaction, or the commit)
     * @param use what the calling thread did with the pool during the call
     * @param limit {@code DB_QUERY_TIMEOUT}, named when the server ended a write waiting for a lock
     */
    record Context(boolean write, MongoConnection.Mark use, java.time.Duration limit) {
        /** A read, or a step that does not write: nothing it sent can have stored anything. */
        static final Context READ = new Context(false, MongoConnection.Mark.NONE, java.time.Duration.ZERO);
    }

    /**
     * @param operation the operation
     * @param failure what the driver threw
     * @return Dal's exception for a step that writes nothing (opening, migrating, health)
     */
    static DataAccessException translate(String operation, Throwable failure) {
        return translate(operation, failure, Context.READ);
    }

    /**
     * @param operation the operation
     * @param failure what the driver threw
     * @param context whether the operation writes and what it did with the pool
     * @return Dal's exception, from the failure table where the failure is one of its rows
     */
    static DataAccessException translate(String operation, Throwable failure, Context context) {
        if (failure instanceof DataAccessException dal) {
            return dal;
        }
        if (failure instanceof MongoException mongo) {
            return translateMongo(operation, mongo, context);
        }
        if (failure instanceof IllegalStateException) {
            // The driver's answer once its client is closed ("state should be: open").
            return new UnavailableException("The MongoDB store is closed (" + operation + ")");
        }
        return unexpected(operation, null, failure);
    }

    private static DataAccessException translateMongo(String operation, MongoException e, Context context) {
        int code = codeOf(e);
        if (code == 11000 || code == 11001 || code == 12582) {
            String index = duplicateIndex(e);
            // The index's name stays in the cause: it tells an unknown key apart, and holds no value.
            return new DuplicateKeyException(key(index), SanitizedCause.of(e, "code " + code + ", index " + index));
        }
        if (e instanceof MongoIncompatibleDriverException) {
            return new ConfigurationException(
                    "The MongoDB server is too old for this driver: Dal needs MongoDB 4.2 or later");
        }
        if (e instanceof MongoSecurityException security) {
            // The driver wraps a network failure during the authentication handshake in this too.
            MongoSocketException network = socketCause(security);
            return network != null
                    ? network(operation, network, context)
                    : FAILURES.authenticationFailed(USER_SETTING, e);
        }
        if (context.use().poolTimeouts() > 0 || isPoolWait(e)) {
            return FAILURES.poolExhausted(operation, e);
        }
        if (e instanceof MongoOperationTimeoutException) {
            // Only with timeoutMS in MONGODB_URL (the client-side operation timeout).
            return FAILURES.lost(operation, writeSent(context, e), true, e);
        }
        if (e instanceof MongoTimeoutException || e instanceof MongoServerUnavailableException) {
            // Server selection: no server answered within DB_CONNECT_TIMEOUT.
            return FAILURES.unreachable(operation, e);
        }
        if (e instanceof MongoSocketException socket) {
            return network(operation, socket, context);
        }
        if (e instanceof MongoConnectionPoolClearedException) {
            // The server was marked unknown while this call waited for a connection; nothing was sent.
            return FAILURES.lost(operation, false, false, e);
        }
        if (e instanceof MongoNotPrimaryException
                || e instanceof MongoNodeIsRecoveringException
                || NOT_READY.contains(code)) {
            return FAILURES.serverNotReady(operation, e);
        }
        if (code == WRITE_CONFLICT) {
            return FAILURES.conflict(operation, e);
        }
        if (e.hasErrorLabel(UNKNOWN_COMMIT_RESULT)) {
            return FAILURES.lost(operation, true, code == MAX_TIME_EXPIRED, e);
        }
        if (e.hasErrorLabel(TRANSIENT_TRANSACTION_ERROR)) {
            // The server aborted the transaction (a conflict, a lock it could not take, a failover): run it again.
            return FAILURES.conflict(operation, e);
        }
        if (e instanceof MongoExecutionTimeoutException || code == MAX_TIME_EXPIRED) {
            // The server ended the command at its time limit and said so: a single-document write
            // (the only kind that carries the limit) waiting for a lock stored nothing. Only an
            // earlier step of the same call may have written.
            if (context.write() && context.use().checkouts() <= 1) {
                return FAILURES.lockTimeout(operation, context.limit(), e);
            }
            return FAILURES.lost(operation, context.write(), true, e);
        }
        if (e.hasErrorLabel(RETRYABLE_WRITE_ERROR)) {
            return FAILURES.lost(operation, writeSent(context, e), false, e);
        }
        return unexpected(operation, code == 0 ? null : "code " + code, e);
    }

    private static DataAccessException network(String operation, MongoSocketException e, Context context) {
        if (e instanceof MongoSocketOpenException) {
            return FAILURES.unreachable(operation, e);
        }
        boolean timedOut =
                e instanceof MongoSocketReadTimeoutException || e instanceof MongoSocketWriteTimeoutException;
        return FAILURES.lost(operation, writeSent(context, e), timedOut, e);
    }

    /**
     * A write may have reached the server when the operation writes and a command went out on a
     * checked-out connection: a socket error before any check-out happened while connecting, and a
     * failed socket write of the only command sent nothing the server would run (an incomplete
     * message is never executed). An earlier step of the same call counts as sent.
     */
    private static boolean writeSent(Context context, MongoException e) {
        if (!context.write()) {
            return false;
        }
        long checkouts = context.use().checkouts();
        boolean unsent = e instanceof MongoSocketWriteException;
        return checkouts >= 2 || (checkouts == 1 && !unsent);
    }

    /**
     * @param e a driver exception
     * @param context what the call did
     * @return whether a connection the call had checked out broke (not timed out) and the call wrote
     *     nothing that may have been stored: running it again cannot store anything twice
     */
    static boolean brokeBeforeAnythingWasStored(Throwable e, Context context) {
        boolean broke = e instanceof MongoSocketReadException
                || e instanceof MongoSocketWriteException
                || e instanceof MongoSocketClosedException;
        return broke
                && context.use().checkouts() >= 1
                && context.use().poolTimeouts() == 0
                && !writeSent(context, (MongoException) e);
    }

    /**
     * @param e a driver exception
     * @return whether the network or the server's reachability failed (rather than the server answering no)
     */
    static boolean isNetworkFailure(Throwable e) {
        return e instanceof MongoSocketException
                || e instanceof MongoTimeoutException
                || e instanceof MongoConnectionPoolClearedException
                || (e instanceof MongoSecurityException security && socketCause(security) != null);
    }

    /**
     * @param e a driver exception
     * @return whether a deadline passed: a socket read, server selection or the pool wait
     */
    static boolean isTimeout(Throwable e) {
        return e instanceof MongoSocketReadTimeoutException
                || e instanceof MongoTimeoutException
                || e instanceof MongoSocketWriteTimeoutException
                || (e instanceof MongoSecurityException security
                        && socketCause(security) instanceof MongoSocketReadTimeoutException);
    }

    private static MongoSocketException socketCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof MongoSocketException socket) {
                return socket;
            }
        }
        return null;
    }

    /** The pool's own timeout (no connection free in time) is a MongoTimeoutException thrown from the pool. */
    private static boolean isPoolWait(MongoException e) {
        if (!(e instanceof MongoTimeoutException) || e instanceof MongoOperationTimeoutException) {
            return false;
        }
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().endsWith(".DefaultConnectionPool")) {
                return true;
            }
        }
        return false;
    }

    private static DataAccessException unexpected(String operation, String code, Throwable e) {
        DataAccessException failure = FAILURES.unexpected(operation, code, e);
        // The cause is sanitized: class names and frames, no driver message.
        LOG.warn(
                "MongoDB failure no rule of the failure table covers, during {}{}",
                operation,
                code == null ? "" : " (" + code + ")",
                failure.getCause());
        return failure;
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

    /**
     * @param error one duplicate-key error of a bulk write
     * @return the {@link DuplicateKeyException} naming its key, as {@link #translate} would for it alone
     */
    static DuplicateKeyException duplicate(BulkWriteError error) {
        Matcher m = INDEX.matcher(String.valueOf(error.getMessage()));
        return new DuplicateKeyException(key(m.find() ? m.group(1) : null));
    }

    /** @return the key a unique index enforces; {@link DuplicateKeyException.Key#UNKNOWN} for another or none */
    private static DuplicateKeyException.Key key(String index) {
        return index == null
                ? DuplicateKeyException.Key.UNKNOWN
                : UNIQUE.getOrDefault(index, DuplicateKeyException.Key.UNKNOWN);
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
