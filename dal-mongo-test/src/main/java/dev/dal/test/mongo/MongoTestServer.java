package dev.dal.test.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.dal.api.DalConfig;
import dev.dal.test.TestRunNotices;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.BsonDocument;

/**
 * A MongoDB server for tests, started once per test JVM. In order of preference:
 * <ol>
 *   <li>{@code DAL_TEST_MONGO_URI}: an external server (a real {@code mongod}, replica set or not);</li>
 *   <li>Docker, when an engine answers: see {@link MongoContainer} (a one-node replica set, so the
 *       transaction path runs);</li>
 *   <li>otherwise {@code mongo-java-server} in this JVM: speaks the wire protocol, standalone, no
 *       transactions.</li>
 * </ol>
 * Never skipped: if no server can be had, the tests fail. The Docker path needs
 * {@code org.testcontainers:mongodb} on the test class path (an optional dependency of this jar).
 *
 * <p>Tests share the default test database ({@link #settings()}, emptied by {@link #truncate()}); a test that holds
 * several MongoDB stores at once gives each a database of its own ({@link #settingsForDatabase}).
 */
public final class MongoTestServer {
    /** Environment variable naming an external server, e.g. {@code mongodb://localhost:27017/?replicaSet=rs0}. */
    public static final String EXTERNAL = "DAL_TEST_MONGO_URI";
    /** The database {@link #settings()} uses. */
    public static final String DEFAULT_DATABASE = "dal_test";

    private static MongoTestServer instance;

    private final String uri;
    private final String kind;
    private final MongoServer inProcess;
    private MongoClient admin;

    private MongoTestServer(String uri, String kind, MongoServer inProcess) {
        this.uri = uri;
        this.kind = kind;
        this.inProcess = inProcess;
    }

    /** @return the server of this JVM, started on first use */
    public static synchronized MongoTestServer get() {
        if (instance == null) {
            String external = System.getenv(EXTERNAL);
            if (external != null && !external.isBlank()) {
                instance = new MongoTestServer(external.trim(), "external", null);
            } else {
                AtomicReference<String> whyNot = new AtomicReference<>("no reason given");
                String container = MongoContainer.startIfDockerRuns(whyNot::set);
                if (container != null) {
                    instance = new MongoTestServer(container, "testcontainers-replica-set", null);
                } else {
                    instance = startInProcess();
                    TestRunNotices.add("MongoDB tests ran on the in-process mongo-java-server, not a replica set ("
                            + whyNot.get() + "): it has no transactions, so the transaction tests did not run;"
                            + " run with Docker or " + EXTERNAL + " to run them");
                }
            }
        }
        return instance;
    }

    private static MongoTestServer startInProcess() {
        // The driver (5.x) needs wire version 8 (MongoDB 4.2); the server speaks it but announces 7 by default.
        MongoServer server = new MongoServer(new MemoryBackend().version(new MongoVersion() {
            @Override
            public List<Integer> getVersionArray() {
                return List.of(4, 2, 0);
            }

            @Override
            public int getWireVersion() {
                return 8;
            }
        }));
        server.bind("127.0.0.1", 0);
        InetSocketAddress address = server.getLocalAddress();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        return new MongoTestServer("mongodb://127.0.0.1:" + address.getPort(), "mongo-java-server", server);
    }

    /**
     * Stops the in-process server and the admin client now, for main classes (its threads would
     * keep the JVM alive); tests never call it. The next {@link #get()} starts a new server.
     */
    public static synchronized void shutdown() {
        if (instance != null) {
            if (instance.admin != null) {
                instance.admin.close();
            }
            if (instance.inProcess != null) {
                instance.inProcess.shutdownNow();
            }
            instance = null;
        }
    }

    /** @return which server this is: {@code external}, {@code testcontainers-replica-set} or {@code mongo-java-server} */
    public String kind() {
        return kind;
    }

    /** @return the connection string, without a database */
    public String uri() {
        return uri;
    }

    /** @return where the server listens (the first host of the connection string) */
    public InetSocketAddress address() {
        ConnectionString cs = new ConnectionString(uri);
        String host = cs.getHosts().get(0);
        int colon = host.lastIndexOf(':');
        return colon < 0 || host.endsWith("]")
                ? new InetSocketAddress(host, 27017)
                : new InetSocketAddress(
                        host.substring(0, colon).replace("[", "").replace("]", ""),
                        Integer.parseInt(host.substring(colon + 1)));
    }

    /**
     * @param via a proxy in front of {@link #address()}
     * @return the connection string with that address for its hosts, as a direct connection (a
     *     replica set's members would otherwise be reached by their own names, around the proxy)
     */
    public String uriVia(InetSocketAddress via) {
        String target = via.getHostString() + ":" + via.getPort();
        String rewritten = uri.replaceFirst("^(mongodb://(?:[^@/]*@)?)[^/?]*", "$1" + target)
                .replaceAll("([?&])replicaSet=[^&]*&?", "$1");
        if (!rewritten.substring("mongodb://".length()).contains("/")) {
            rewritten = rewritten.contains("?") ? rewritten.replaceFirst("\\?", "/?") : rewritten + "/";
        }
        if (rewritten.contains("directConnection=")) {
            return rewritten.replaceAll("directConnection=[^&]*", "directConnection=true");
        }
        String joiner = rewritten.contains("?") ? (rewritten.endsWith("?") || rewritten.endsWith("&") ? "" : "&") : "?";
        return rewritten + joiner + "directConnection=true";
    }

    /** @return settings that reach this server's default test database */
    public Map<String, String> settings() {
        return settingsForDatabase(DEFAULT_DATABASE);
    }

    /**
     * @param database a name of its own for a test that holds several stores at once, {@code [a-z][a-z0-9_]*}
     * @return settings that reach that database (created with its schema when a store opens on it)
     */
    public Map<String, String> settingsForDatabase(String database) {
        if (!database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database must match [a-z][a-z0-9_]*: " + database);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("DATA_STORAGE_TYPE", "mongodb");
        settings.put("MONGODB_URL", uri);
        settings.put("MONGODB_DATABASE", database);
        settings.put("DB_MAX_CONNECTIONS", "12");
        settings.put("DB_CONNECTION_TIMEOUT", "10");
        return Map.copyOf(settings);
    }

    /**
     * @param clock the clock the store uses
     * @return a configuration that reaches the default test database
     */
    public DalConfig config(Clock clock) {
        return DalConfig.builder().settings(settings()).clock(clock).build();
    }

    /** @return a client for looking under the store, shared, closed when the JVM ends */
    public synchronized MongoClient client() {
        if (admin == null) {
            admin = MongoClients.create(uri);
            MongoClient created = admin;
            Runtime.getRuntime().addShutdownHook(new Thread(created::close));
        }
        return admin;
    }

    /**
     * @param database a database name
     * @return that database, for looking under the store
     */
    public MongoDatabase database(String database) {
        return client().getDatabase(database);
    }

    /**
     * Deletes every document of Dal's collections in a database, keeping collections and indexes.
     *
     * @param database the database, as given to {@link #settingsForDatabase}
     */
    public void truncate(String database) {
        MongoDatabase db = database(database);
        for (String collection : List.of(
                "users",
                "chat_sessions",
                "chat_messages",
                "message_votes",
                "token_usage",
                "user_memory",
                "user_tombstones",
                "chat_session_tombstones",
                "user_memory_tombstones")) {
            db.getCollection(collection, BsonDocument.class).deleteMany(new BsonDocument());
        }
    }

    /** Deletes every document of Dal's collections in the default test database. */
    public void truncate() {
        truncate(DEFAULT_DATABASE);
    }

    /** @param database a database to drop entirely, schema and migration history included */
    public void drop(String database) {
        database(database).drop();
    }
}
