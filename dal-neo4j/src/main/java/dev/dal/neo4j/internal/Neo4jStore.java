package dev.dal.neo4j.internal;

import dev.dal.api.Capability;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.HealthStatus;
import dev.dal.api.Timestamps;
import dev.dal.api.TransactionWork;
import dev.dal.api.spi.SplitDataAccess;
import dev.dal.api.spi.StoreParts;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.neo4j.driver.TransactionCallback;
import org.neo4j.driver.TransactionContext;

/**
 * The Neo4j {@link DataAccess}: it hands each call to {@link Neo4jReads} or {@link Neo4jWrites} and
 * runs their work. Outside a transaction each call runs in a transaction of its own,
 * bounded by {@code DB_QUERY_TIMEOUT} and retried after a retryable failure by Dal's one policy
 * ({@code DAL_TX_RETRIES}); inside {@link #inTransaction} every call runs in the transaction's
 * context. Writes are safe to run again:
 * ids are chosen before the first attempt and records are {@code MERGE}d on them;
 * sequence numbers are assigned inside the write transaction, under the session node's lock.
 */
public final class Neo4jStore extends SplitDataAccess {
    static final String STORAGE_TYPE = "neo4j";

    /**
     * A transactional server store with a full-text index of message content (schema change 005), message votes
     * (schema change 006) and token usage (schema change 007).
     */
    private static final Set<Capability> CAPABILITIES = EnumSet.of(
            Capability.TRANSACTIONS,
            Capability.MULTI_PROCESS,
            Capability.NETWORK,
            Capability.FULL_TEXT_SEARCH,
            Capability.MESSAGE_VOTES,
            Capability.TOKEN_USAGE);

    private final Neo4jConnection connection;
    private final Clock clock;
    private final TxScope scope;
    private final Neo4jHealth health;
    private final StoreParts parts;

    Neo4jStore(Neo4jConnection connection, Clock clock, TxScope scope) {
        super(scope != null);
        this.connection = connection;
        this.clock = clock;
        this.scope = scope;
        this.health = new Neo4jHealth(connection);
        var server = new StoreParts.Server(health::check, CAPABILITIES, connection::poolReading);
        this.parts = new StoreParts(new Neo4jReads(this), new Neo4jWrites(this), new Neo4jBulkAccess(this), server);
    }

    @Override
    protected StoreParts parts() {
        return parts;
    }

    /** The transaction a bound store runs in. */
    static final class TxScope {
        private final TransactionContext tx;

        TxScope(TransactionContext tx) {
            this.tx = tx;
        }
    }

    /** @return the clock's instant, at the precision Dal stores */
    Instant now() {
        return Timestamps.now(clock);
    }

    /** @return whether this store runs inside {@link #inTransaction}, so its reads lock what they return */
    boolean runsInTransaction() {
        return scope != null;
    }

    /** Runs read work in the running transaction, or in a bounded, retried read transaction of its own. */
    <T> T read(String operation, TransactionCallback<T> work) {
        if (scope == null) {
            return connection.call(operation, false, work);
        }
        try {
            return work.execute(scope.tx);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(operation, e); // inside inTransaction nothing has committed yet
        }
    }

    /** Runs write work in the running transaction, or in a bounded, retried write transaction of its own. */
    <T> T write(String operation, TransactionCallback<T> work) {
        if (scope == null) {
            return connection.call(operation, true, work);
        }
        try {
            return work.execute(scope.tx);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(operation, e);
        }
    }

    /** Runs write work that answers nothing, as {@link #write} does. */
    void writeOnly(String operation, Consumer<TransactionContext> work) {
        write(operation, tx -> {
            work.accept(tx);
            return null;
        });
    }

    // ---- transactions, health, lifecycle ----

    /**
     * Runs the work in one write transaction, bounded as a whole by {@code DB_QUERY_TIMEOUT} (Neo4j's
     * transaction timeout covers the whole transaction), and runs it again after a retryable failure
     * as {@code DAL_TX_RETRIES} says. The work's own exceptions reach the caller unchanged.
     */
    @Override
    protected <T> T newTransaction(TransactionWork<T> work) {
        try {
            return connection.call("inTransaction", true, tx -> {
                try {
                    return work.run(new Neo4jStore(connection, clock, new TxScope(tx)));
                } catch (DataAccessException e) {
                    throw e; // Dal's own (translated) failures: retried when retryable
                } catch (RuntimeException e) {
                    throw new Neo4jConnection.Carried(e);
                }
            });
        } catch (Neo4jConnection.Carried carried) {
            throw carried.failure();
        }
    }

    @Override
    public CompletionStage<HealthStatus> healthCheckAsync() {
        return health.checkAsync();
    }

    @Override
    public void close() {
        if (scope == null) {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "Neo4jStore";
    }
}
