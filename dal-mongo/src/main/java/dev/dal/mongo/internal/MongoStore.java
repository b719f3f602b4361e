package dev.dal.mongo.internal;

import com.mongodb.MongoException;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import dev.dal.api.Capability;
import dev.dal.api.DataAccess;
import dev.dal.api.Timestamps;
import dev.dal.api.TransactionWork;
import dev.dal.api.UnavailableException;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.spi.SplitDataAccess;
import dev.dal.api.spi.StoreParts;
import dev.dal.api.spi.TransactionRetry;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MongoDB {@link DataAccess}: it hands each call to {@link MongoReads} or {@link MongoWrites}
 * and runs their work, translating what the driver throws, in driver transactions where the server
 * has them. Every value reaches the server as a BSON value inside filters the code builds, never
 * as query text. On a replica set or sharded cluster, multi-document work (adding messages,
 * deletes that cascade, writes that check a referenced record) runs in a driver transaction; on a
 * standalone server it runs as single-document atomic steps in a safe order (see the module README
 * for exactly what holds there).
 */
public final class MongoStore extends SplitDataAccess {
    private static final Logger LOG = LoggerFactory.getLogger(MongoStore.class);
    private static final TransactionOptions TRANSACTION = TransactionOptions.builder()
            .readConcern(ReadConcern.SNAPSHOT)
            .writeConcern(WriteConcern.MAJORITY)
            .readPreference(ReadPreference.primary())
            .build();

    private final MongoConnection connection;
    private final Clock clock;
    private final AtomicBoolean closed;
    private final MongoOps ops;
    private final MongoBulkAccess bulk;
    private final TransactionRetry retry;
    private final MongoHealth health;
    private final MongoWrites writes;
    private final StoreParts parts;
    final MongoCollection<BsonDocument> users;
    final MongoCollection<BsonDocument> sessions;
    final MongoCollection<BsonDocument> messages;
    final MongoCollection<BsonDocument> memory;
    final MongoCollection<BsonDocument> userTombstones;
    final MongoCollection<BsonDocument> sessionTombstones;
    final MongoCollection<BsonDocument> memoryTombstones;
    final MongoCollection<BsonDocument> votes;
    final MongoCollection<BsonDocument> tokenUsage;

    MongoStore(MongoConnection connection, Clock clock, int batchSize, TransactionRetry retry) {
        this(connection, clock, new AtomicBoolean(), null, batchSize, retry, new MongoHealth(connection));
    }

    private MongoStore(
            MongoConnection connection,
            Clock clock,
            AtomicBoolean closed,
            ClientSession session,
            int batchSize,
            TransactionRetry retry,
            MongoHealth health) {
        super(session != null);
        this.connection = connection;
        this.clock = clock;
        this.closed = closed;
        this.retry = retry;
        this.ops = new MongoOps(session, MongoOps.serverLimit(connection.queryTimeout()));
        var db = connection.database();
        this.users = db.getCollection(MongoMigrations.USERS, BsonDocument.class);
        this.sessions = db.getCollection(MongoMigrations.SESSIONS, BsonDocument.class);
        this.messages = db.getCollection(MongoMigrations.MESSAGES, BsonDocument.class);
        this.memory = db.getCollection(MongoMigrations.MEMORY, BsonDocument.class);
        this.userTombstones = db.getCollection(MongoMigrations.USER_TOMBSTONES, BsonDocument.class);
        this.sessionTombstones = db.getCollection(MongoMigrations.SESSION_TOMBSTONES, BsonDocument.class);
        this.memoryTombstones = db.getCollection(MongoMigrations.MEMORY_TOMBSTONES, BsonDocument.class);
        this.votes = db.getCollection(MongoMigrations.VOTES, BsonDocument.class);
        this.tokenUsage = db.getCollection(MongoMigrations.TOKEN_USAGE, BsonDocument.class);
        this.bulk = new MongoBulkAccess(this, batchSize);
        this.health = health;
        this.writes = new MongoWrites(this);
        Set<Capability> capabilities = EnumSet.of(
                Capability.MULTI_PROCESS,
                Capability.NETWORK,
                Capability.FULL_TEXT_SEARCH,
                Capability.MESSAGE_VOTES,
                Capability.TOKEN_USAGE);
        if (connection.transactions()) {
            capabilities.add(Capability.TRANSACTIONS);
        }
        var server = new StoreParts.Server(() -> health.check(closed.get()), capabilities, connection::poolReading);
        this.parts = new StoreParts(new MongoReads(this), writes, bulk, server);
    }

    @Override
    protected StoreParts parts() {
        return parts;
    }

    /** @return now, by the store's clock, at the precision Dal stores */
    Instant now() {
        return Timestamps.now(clock);
    }

    MongoOps ops() {
        return ops;
    }

    MongoConnection connection() {
        return connection;
    }

    MongoBulkAccess bulkAccess() {
        return bulk;
    }

    boolean inTransaction() {
        return ops.session() != null;
    }

    /**
     * Runs one operation, translating whatever the driver throws. Whether a failed write may have
     * been stored depends on what the call did with the pool (see {@link MongoErrors}); inside a
     * transaction nothing is stored before the commit, so no step there counts as a sent write.
     */
    <T> T call(String operation, Supplier<T> work) {
        if (closed.get()) {
            throw new UnavailableException("The MongoDB store is closed (" + operation + ")");
        }
        boolean write = !inTransaction() && !isRead(operation);
        for (int attempt = 1; ; attempt++) {
            MongoConnection.Mark mark = connection.pool().mark();
            try {
                return work.get();
            } catch (RuntimeException e) {
                var context = new MongoErrors.Context(write, connection.pool().since(mark), connection.queryTimeout());
                // A pooled connection that broke while idle (a reset, a restarted server) fails the
                // first command sent on it. When nothing can have been stored, run once more on a
                // fresh connection: the driver has cleared the pool, and its wait for a server is
                // bounded by DB_CONNECT_TIMEOUT, so the call stays within its deadline.
                if (attempt == 1 && !inTransaction() && MongoErrors.brokeBeforeAnythingWasStored(e, context)) {
                    continue;
                }
                throw MongoErrors.translate(operation, e, context);
            }
        }
    }

    /** Reads are named get…, list…, scan…; every other operation may write. */
    private static boolean isRead(String operation) {
        return operation.startsWith("get") || operation.startsWith("list") || operation.startsWith("scan");
    }

    /**
     * Runs multi-document work all-or-nothing where the server allows it: in the running
     * transaction, or a transaction of its own on a replica set; as plain steps on a standalone
     * server (the work is written so that those steps leave nothing half-done that a reader trips on).
     */
    <T> T atomically(String operation, Function<MongoStore, T> work) {
        if (inTransaction() || !connection.transactions()) {
            return call(operation, () -> work.apply(this));
        }
        return runTransaction(operation, work);
    }

    /** @return the writes, on this store's session */
    @Override
    protected MongoWrites writes() {
        return writes;
    }

    // ---- transactions, health, lifecycle ----

    /** A closed store refuses the work, even inside a running transaction. */
    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        if (closed.get()) {
            throw new UnavailableException("The MongoDB store is closed (inTransaction)");
        }
        return super.inTransaction(work);
    }

    @Override
    protected <T> T newTransaction(TransactionWork<T> work) {
        if (!connection.transactions()) {
            throw new UnsupportedCapabilityException(
                    Capability.TRANSACTIONS,
                    "this MongoDB server is " + connection.topology()
                            + "; MongoDB has transactions only on replica sets and sharded clusters");
        }
        return runTransaction("inTransaction", work::run);
    }

    /**
     * Runs work in a driver transaction, the whole of it again after a {@link dev.dal.api.Retryable}
     * failure (a write conflict, a transaction the server aborted, a lost connection before the
     * commit was sent) as {@link TransactionRetry} allows ({@code DAL_TX_RETRIES}) — the one retry
     * policy of every store; the driver's own retries are off. A commit whose answer was lost is an
     * {@link dev.dal.api.OutcomeUnknownException} and is not retried. The caller's own exceptions
     * pass through untouched.
     */
    private <T> T runTransaction(String operation, Function<MongoStore, T> work) {
        return retry.run(() -> oneTransaction(operation, work));
    }

    private <T> T oneTransaction(String operation, Function<MongoStore, T> work) {
        ClientSession session = call(operation, () -> connection.client().startSession());
        try (session) {
            session.startTransaction(TRANSACTION);
            T result;
            try {
                result =
                        work.apply(new MongoStore(connection, clock, closed, session, bulk.batchSize(), retry, health));
            } catch (RuntimeException e) {
                abortQuietly(session);
                throw e instanceof MongoException ? MongoErrors.translate(operation, e) : e;
            }
            MongoConnection.Mark mark = connection.pool().mark();
            try {
                session.commitTransaction();
            } catch (RuntimeException e) {
                // The commit is the transaction's one write: once sent, it may have been applied.
                throw MongoErrors.translate(
                        operation + " commit",
                        e,
                        new MongoErrors.Context(true, connection.pool().since(mark), connection.queryTimeout()));
            }
            return result;
        }
    }

    private static void abortQuietly(ClientSession session) {
        try {
            if (session.hasActiveTransaction()) {
                session.abortTransaction();
            }
        } catch (RuntimeException e) {
            LOG.debug(
                    "Aborting a failed transaction failed too ({}); the server drops it when it times out",
                    e.getClass().getName());
        }
    }

    @Override
    public void close() {
        if (!inTransaction() && closed.compareAndSet(false, true)) {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "MongoStore[" + connection.database().getName() + ", " + connection.topology() + "]";
    }
}
