package dev.dal.mongo.internal;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ClusterType;
import com.mongodb.event.ConnectionCheckOutFailedEvent;
import com.mongodb.event.ConnectionCheckOutStartedEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import dev.dal.api.DalConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.BsonInt32;

/**
 * The driver's client for one database, what the server's topology allows, pool figures for
 * health, and a second small client for the health probe so that it never queues behind
 * application calls. Opening it pings the server, so an unreachable server fails at once (within
 * {@code DB_CONNECT_TIMEOUT}) rather than at the first call.
 */
final class MongoConnection implements AutoCloseable {
    private final MongoClient client;
    private final MongoDatabase database;
    private final MongoSettings settings;
    private final DalConfig config;
    private final int maxPoolSize;
    private final PoolFigures pool = new PoolFigures();
    private final Duration healthTimeout;
    private volatile MongoClient healthClient;
    private volatile ExecutorService healthThreads;
    private volatile boolean closed;
    private volatile boolean transactions;
    private volatile String topology = "unknown";

    MongoConnection(DalConfig config, MongoSettings settings) {
        var clientSettings = settings.clientSettings(config, pool);
        this.maxPoolSize = clientSettings.getConnectionPoolSettings().getMaxSize();
        this.settings = settings;
        this.config = config;
        this.healthTimeout = config.healthTimeout();
        this.client = MongoClients.create(clientSettings);
        this.database = client.getDatabase(settings.database());
    }

    /** Pings the server and reads its topology: transactions need a replica set or a sharded cluster. */
    void connect() {
        database.runCommand(new BsonDocument("ping", new BsonInt32(1)));
        ClusterDescription cluster = client.getClusterDescription();
        ClusterType type = cluster.getType();
        topology = type.name().toLowerCase(java.util.Locale.ROOT);
        transactions = (type == ClusterType.REPLICA_SET || type == ClusterType.SHARDED)
                && cluster.getLogicalSessionTimeoutMinutes() != null;
    }

    MongoClient client() {
        return client;
    }

    MongoDatabase database() {
        return database;
    }

    boolean transactions() {
        return transactions;
    }

    String topology() {
        return topology;
    }

    Duration healthTimeout() {
        return healthTimeout;
    }

    /** @return {@code DB_QUERY_TIMEOUT} */
    Duration queryTimeout() {
        return config.queryTimeout();
    }

    /** @return the health probe's database, on a client of its own created on first use */
    synchronized MongoDatabase healthDatabase() {
        if (closed) {
            throw new IllegalStateException("state should be: open");
        }
        if (healthClient == null) {
            healthClient = MongoClients.create(settings.healthSettings(config));
        }
        return healthClient.getDatabase(database.getName());
    }

    /** @return the threads health probes run on (daemon, created as needed, ended when idle) */
    synchronized ExecutorService healthThreads() {
        if (healthThreads == null) {
            AtomicInteger n = new AtomicInteger();
            healthThreads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "dal-mongo-health-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return healthThreads;
    }

    /** @return the pool's listener, which also knows what the current thread's call did with the pool */
    PoolFigures pool() {
        return pool;
    }

    /** @return the store's pool as the driver's pool listener counts it (the health client's pool apart) */
    dev.dal.api.spi.PoolFigures poolReading() {
        int inUse = Math.max(0, pool.checkedOut.get());
        int idle = Math.max(0, pool.open.get() - inUse);
        return new dev.dal.api.spi.PoolFigures(inUse, idle, Math.max(0, pool.waiting.get()), maxPoolSize);
    }

    Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        int inUse = Math.max(0, pool.checkedOut.get());
        figures.put("poolInUse", inUse);
        figures.put("poolOpen", Math.max(0, pool.open.get()));
        figures.put("poolMax", maxPoolSize);
        figures.put("poolWaiting", Math.max(0, pool.waiting.get()));
        figures.put("poolUtilizationPercent", maxPoolSize == 0 ? 0 : Math.min(100, 100 * inUse / maxPoolSize));
        return figures;
    }

    /**
     * @return whether every pooled connection is in use (callers that need one now wait for it); a
     *     caller merely checking out, or opening a new connection, does not count
     */
    boolean poolSaturated() {
        return pool.checkedOut.get() >= maxPoolSize;
    }

    @Override
    public synchronized void close() {
        closed = true;
        client.close();
        if (healthClient != null) {
            healthClient.close();
        }
        if (healthThreads != null) {
            healthThreads.shutdownNow();
        }
    }

    /**
     * Counts connections as the driver reports them, and remembers per thread how many connections
     * the thread checked out and whether a check-out timed out, so that a failure can be told apart:
     * a socket error on a checked-out connection happened with a command on the wire; one before any
     * check-out happened while connecting. The sync driver reports these events on the calling thread.
     */
    static final class PoolFigures implements ConnectionPoolListener {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger checkedOut = new AtomicInteger();
        final AtomicInteger waiting = new AtomicInteger();
        private final ThreadLocal<long[]> mine = ThreadLocal.withInitial(() -> new long[2]);

        /** @return a mark of the current thread's pool use, for {@link #since} */
        Mark mark() {
            long[] counts = mine.get();
            return new Mark(counts[0], counts[1]);
        }

        /**
         * @param mark an earlier mark of this thread
         * @return how many connections this thread checked out since, and how many check-outs timed out
         */
        Mark since(Mark mark) {
            long[] counts = mine.get();
            return new Mark(counts[0] - mark.checkouts(), counts[1] - mark.poolTimeouts());
        }

        @Override
        public void connectionCreated(ConnectionCreatedEvent event) {
            open.incrementAndGet();
        }

        @Override
        public void connectionClosed(ConnectionClosedEvent event) {
            open.decrementAndGet();
        }

        @Override
        public void connectionCheckOutStarted(ConnectionCheckOutStartedEvent event) {
            waiting.incrementAndGet();
        }

        @Override
        public void connectionCheckOutFailed(ConnectionCheckOutFailedEvent event) {
            waiting.decrementAndGet();
            if (event.getReason() == ConnectionCheckOutFailedEvent.Reason.TIMEOUT) {
                mine.get()[1]++;
            }
        }

        @Override
        public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
            waiting.decrementAndGet();
            checkedOut.incrementAndGet();
            mine.get()[0]++;
        }

        @Override
        public void connectionCheckedIn(ConnectionCheckedInEvent event) {
            checkedOut.decrementAndGet();
        }
    }

    /**
     * @param checkouts connections checked out
     * @param poolTimeouts check-outs that timed out waiting for a free connection
     */
    record Mark(long checkouts, long poolTimeouts) {
        static final Mark NONE = new Mark(0, 0);
    }
}
