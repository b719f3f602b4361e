package dev.dal.postgres.internal;

import dev.dal.api.Capability;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.Timestamps;
import dev.dal.api.TransactionWork;
import dev.dal.api.spi.SplitDataAccess;
import dev.dal.api.spi.StoreParts;
import dev.dal.api.spi.TransactionRetry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The PostgreSQL {@link DataAccess}: it runs each call and hands the work to {@link PostgresReads} or
 * {@link PostgresWrites} (bulk work to {@link PostgresBulkAccess}, the health check to
 * {@link PostgresHealth}). Outside a transaction each call takes a pooled connection and, when it writes
 * more than one row, its own transaction, bounded by the store's deadlines and tried once more on a fresh
 * connection when a pooled one broke before anything could be stored; inside
 * {@link #inTransaction(TransactionWork)} every call runs on the transaction's connection. Failures are
 * translated by {@link PostgresErrors}. Every value is bound as a parameter.
 */
public final class PostgresStore extends SplitDataAccess {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresStore.class);

    /** Work on a connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Handle handle);
    }

    private final PostgresConnection db;
    private final Clock clock;
    private final Handle bound;
    private final StoreParts parts;
    private final PostgresSchemaCheck schema;
    private final PostgresHealth health;
    private final TransactionRetry retry;
    private final Duration queryTimeout;
    /** A call whose connection broke sooner than this tries once more, still within its deadline. */
    private final long retryBudgetNanos;

    /**
     * @param db the pools
     * @param clock the clock for timestamps and expiry
     * @param schema the schema check, passed or still to run on the first connection
     */
    PostgresStore(PostgresConnection db, Clock clock, PostgresSchemaCheck schema) {
        super(false);
        this.db = db;
        this.clock = clock;
        this.bound = null;
        this.schema = schema;
        DalConfig config = db.config();
        this.health = new PostgresHealth(db);
        this.retry = TransactionRetry.from(config);
        this.queryTimeout = config.queryTimeout();
        this.retryBudgetNanos =
                Math.min(Duration.ofMillis(500).toNanos(), config.queryTimeout().toNanos() / 4);
        this.parts = ownParts(new StoreParts.Server(health::check, CAPABILITIES, db::poolReading));
    }

    /**
     * A transactional server's capabilities, full-text search over the {@code idx_messages_content_fts} index,
     * message votes in {@code message_votes} and token usage in {@code token_usage}.
     */
    private static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.TRANSACTIONS,
            Capability.MULTI_PROCESS,
            Capability.NETWORK,
            Capability.FULL_TEXT_SEARCH,
            Capability.MESSAGE_VOTES,
            Capability.TOKEN_USAGE));

    /** A store bound to one transaction's connection. */
    private PostgresStore(PostgresStore parent, Handle bound) {
        super(true);
        this.db = parent.db;
        this.clock = parent.clock;
        this.bound = bound;
        this.schema = parent.schema;
        this.health = parent.health;
        this.retry = parent.retry;
        this.queryTimeout = parent.queryTimeout;
        this.retryBudgetNanos = parent.retryBudgetNanos;
        this.parts = ownParts(parent.parts.server());
    }

    /** @return this store's parts: its own reads, writes and bulk access, and the server side it shares */
    private StoreParts ownParts(StoreParts.Server server) {
        return new StoreParts(
                new PostgresReads(this, db.settings().searchConfig()),
                new PostgresWrites(this),
                new PostgresBulkAccess(this),
                server);
    }

    @Override
    protected StoreParts parts() {
        return parts;
    }

    /** @return now, by the store's clock, truncated as every stored timestamp is */
    Instant now() {
        return Timestamps.now(clock);
    }

    /** Runs read work on the transaction's connection, or a pooled one. */
    <T> T read(String operation, SqlWork<T> work) {
        if (bound != null) {
            try {
                return work.run(bound);
            } catch (RuntimeException e) {
                throw PostgresErrors.translate(operation, db.explain(e), false, queryTimeout);
            }
        }
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            Handle h = null;
            try {
                h = open(db.readJdbi());
                return work.run(h);
            } catch (RuntimeException e) {
                if (PostgresErrors.isBrokenConnection(e)) {
                    db.evictPooled();
                    if (attempt == 1 && System.nanoTime() - start < retryBudgetNanos) {
                        LOG.debug(
                                "{}: the pooled connection was broken ({}, {} ms); once more on a fresh one",
                                operation,
                                PostgresErrors.stateOf(e),
                                (System.nanoTime() - start) / 1_000_000);
                        continue; // a pooled connection a reset or the server broke: a fresh one, once
                    }
                }
                throw PostgresErrors.translate(operation, db.explain(e), false, queryTimeout);
            } finally {
                closeQuietly(h);
            }
        }
    }

    /**
     * Runs write work in the running transaction, or in a transaction of its own. A connection lost
     * before the COMMIT was sent left nothing behind (the server rolls back); one lost while the
     * COMMIT was under way leaves the outcome unknown.
     */
    <T> T write(String operation, SqlWork<T> work) {
        if (bound != null) {
            try {
                return work.run(bound);
            } catch (RuntimeException e) {
                // Nothing commits before the enclosing transaction's COMMIT.
                throw PostgresErrors.translate(operation, db.explain(e), false, queryTimeout);
            }
        }
        long start = System.nanoTime();
        try {
            return transaction(operation, work, false);
        } catch (BrokenBeforeCommit broken) {
            if (System.nanoTime() - start >= retryBudgetNanos) {
                throw PostgresErrors.translate(operation, broken.getCause(), false, queryTimeout);
            }
            LOG.debug(
                    "{}: the connection broke before the COMMIT ({}); once more on a fresh one",
                    operation,
                    PostgresErrors.stateOf(broken.getCause()));
            // The connection broke before the COMMIT was sent, so the server rolled everything back:
            // running the write once more on a fresh connection stores it once.
            try {
                return transaction(operation, work, false);
            } catch (BrokenBeforeCommit again) {
                throw PostgresErrors.translate(operation, again.getCause(), false, queryTimeout);
            }
        }
    }

    /** A write's connection broke before its COMMIT was sent; carries the failure to {@link #write}. */
    private static final class BrokenBeforeCommit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BrokenBeforeCommit(RuntimeException cause) {
            super(null, cause, false, false);
        }
    }

    /**
     * One transaction on a pooled connection: begin, the work, commit; rolled back on failure.
     *
     * @param callerWork whether the work is the caller's: its own exceptions then pass unchanged
     */
    private <T> T transaction(String operation, SqlWork<T> work, boolean callerWork) {
        Handle h = null;
        boolean committing = false;
        try {
            h = open(db.jdbi());
            h.begin();
            T result = work.run(h);
            committing = true;
            h.commit();
            return result;
        } catch (RuntimeException e) {
            rollbackQuietly(h);
            if (PostgresErrors.isBrokenConnection(e)) {
                db.evictPooled();
            }
            if (callerWork && !committing && !PostgresErrors.isDriverFailure(e)) {
                throw e;
            }
            if (!callerWork && !committing && PostgresErrors.isBrokenConnection(e)) {
                throw new BrokenBeforeCommit(e);
            }
            throw PostgresErrors.translate(operation, db.explain(e), committing, queryTimeout);
        } finally {
            closeQuietly(h);
        }
    }

    /** @return a pooled handle, after the schema check when it has not passed yet */
    private Handle open(Jdbi jdbi) {
        Handle h = jdbi.open();
        if (!schema.isCurrent()) {
            try {
                schema.ensure(h.getConnection());
            } catch (SQLException e) {
                closeQuietly(h);
                throw PostgresErrors.carry(e);
            } catch (RuntimeException e) {
                closeQuietly(h);
                throw e;
            }
        }
        return h;
    }

    private static void rollbackQuietly(Handle h) {
        if (h != null) {
            try {
                h.rollback();
            } catch (RuntimeException ignored) {
                // The connection is broken or the transaction is gone: the server rolls back on its own.
            }
        }
    }

    private static void closeQuietly(Handle h) {
        if (h != null) {
            try {
                h.close();
            } catch (RuntimeException ignored) {
                // A broken connection fails to close cleanly; the pool evicts it either way.
            }
        }
    }

    /** @return whether this store runs in a transaction: bound to its connection, its reads lock what they read */
    boolean inTransaction() {
        return bound != null;
    }

    // ---- transactions, health, lifecycle ----

    /**
     * Runs the work in a transaction of its own. Users, sessions and memory entries read inside the work are locked until it ends
     * ({@code FOR NO KEY UPDATE}), so read-modify-write work loses no concurrent update.
     *
     * <p>Each attempt runs on one pooled connection in one PostgreSQL transaction; a retryable failure
     * (deadlock, serialization failure, lost connection before the COMMIT, statement timeout) runs the
     * whole work again by {@link TransactionRetry} ({@code DAL_TX_RETRIES}). A connection lost while the
     * COMMIT was under way raises {@link dev.dal.api.OutcomeUnknownException} and is not retried.
     */
    @Override
    protected <T> T newTransaction(TransactionWork<T> work) {
        return retry.run(() -> transaction("inTransaction", h -> work.run(new PostgresStore(this, h)), true));
    }

    @Override
    public void close() {
        if (bound == null) {
            health.close();
            db.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresStore";
    }
}
