package dev.dal.mongo.internal;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ClusterType;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import dev.dal.api.DalConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.BsonInt32;

/**
 * The driver's client for one database, what the server's topology allows, and pool figures for
 * health. Opening it pings the server, so an unreachable server fails at once (within
 * {@code DB_CONNECTION_TIMEOUT}) rather than at the first call.
 */
final class MongoConnection implements AutoCloseable {
    private final MongoClient client;
    private final MongoDatabase database;
    private final int maxPoolSize;
    private final PoolFigures pool = new PoolFigures();
    private volatile boolean transactions;
    private volatile String topology = "unknown";

    MongoConnection(DalConfig config, MongoSettings settings) {
        var clientSettings = settings.clientSettings(config, pool);
        this.maxPoolSize = clientSettings.getConnectionPoolSettings().getMaxSize();
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

    Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("poolInUse", pool.checkedOut.get());
        figures.put("poolOpen", pool.open.get());
        figures.put("poolMax", maxPoolSize);
        return figures;
    }

    @Override
    public void close() {
        client.close();
    }

    /** Counts connections as the driver reports them. */
    private static final class PoolFigures implements ConnectionPoolListener {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger checkedOut = new AtomicInteger();

        @Override
        public void connectionCreated(ConnectionCreatedEvent event) {
            open.incrementAndGet();
        }

        @Override
        public void connectionClosed(ConnectionClosedEvent event) {
            open.decrementAndGet();
        }

        @Override
        public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
            checkedOut.incrementAndGet();
        }

        @Override
        public void connectionCheckedIn(ConnectionCheckedInEvent event) {
            checkedOut.decrementAndGet();
        }
    }
}
