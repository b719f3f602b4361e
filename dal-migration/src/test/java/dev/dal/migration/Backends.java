package dev.dal.migration;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.test.mongo.MongoTestServer;
import dev.dal.test.neo4j.Neo4jTestServer;
import dev.dal.test.postgres.PostgresTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backends the cross-backend tests run against, one entry each. Each gives a fresh, empty
 * store as a URI the {@code dal} tool accepts.
 */
public final class Backends {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Backends() {}

    /** One backend: a name and a way to name a fresh, empty store of it. */
    public interface Backend {
        String name();

        /** @return the URI of a new, empty store */
        String freshStore();

        /**
         * @return the URI of a new, empty store that can be open at the same time as one from
         *     {@link #freshStore()}: a store of its own (for the same-type pairs)
         */
        default String secondStore() {
            return freshStore();
        }
    }

    public static final Backend FILE = new Backend() {
        @Override
        public String name() {
            return "file";
        }

        @Override
        public String freshStore() {
            try {
                return "file:" + Files.createTempDirectory("dal-migration-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return name();
        }
    };

    public static final Backend POSTGRES = new Backend() {
        @Override
        public String name() {
            return "postgresql";
        }

        @Override
        public String freshStore() {
            Map<String, String> settings = PostgresTestServer.get().settingsForDatabase(uniqueName());
            return postgresUri(settings);
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /** MongoDB: a database of its own per store on {@code MongoTestServer}'s server. */
    public static final Backend MONGODB = new Backend() {
        @Override
        public String name() {
            return "mongodb";
        }

        @Override
        public String freshStore() {
            return mongoUri(MongoTestServer.get().uri(), uniqueName());
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /**
     * Neo4j: {@code Neo4jTestServer}'s one database, emptied for each store; so only one store of
     * it is open at a time, and {@link Backend#secondStore()} is on {@link SecondNeo4j}, a second
     * server that requires a password (given in the URI).
     */
    public static final Backend NEO4J = new Backend() {
        @Override
        public String name() {
            return "neo4j";
        }

        @Override
        public String freshStore() {
            Neo4jTestServer server = Neo4jTestServer.get();
            server.clear();
            return neo4jUri(server.settings());
        }

        @Override
        public String secondStore() {
            SecondNeo4j second = SecondNeo4j.get();
            second.clear();
            return "neo4j://neo4j:" + SecondNeo4j.PASSWORD + "@" + second.hostAndPort();
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /** Every backend present: the matrix tests run each ordered pair of these. */
    static List<Backend> all() {
        return List.of(FILE, POSTGRES, MONGODB, NEO4J);
    }

    /** @return a name no other store of this JVM uses, valid as a database name everywhere */
    public static String uniqueName() {
        return "dal_mig_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    }

    /** @return a MongoDB connection string (maybe with options) with a database path put in */
    public static String mongoUri(String serverUri, String database) {
        int query = serverUri.indexOf('?');
        String base = query < 0 ? serverUri : serverUri.substring(0, query);
        String options = query < 0 ? "" : serverUri.substring(query);
        return base.replaceFirst("/+$", "") + "/" + database + options;
    }

    /** @return the Neo4j test server's settings as a URI, credentials (external servers only) inside */
    static String neo4jUri(Map<String, String> settings) {
        URI uri = URI.create(settings.get("NEO4J_URI"));
        String user = settings.get("NEO4J_USER");
        String credentials =
                user == null ? "" : encode(user) + ":" + encode(settings.getOrDefault("NEO4J_PASSWORD", "")) + "@";
        return uri.getScheme() + "://" + credentials + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** @return the test server's settings as a postgresql:// URI */
    public static String postgresUri(Map<String, String> settings) {
        String url = settings.get("DATABASE_URL");
        if (url.startsWith("jdbc:")) {
            URI uri = URI.create(url.substring("jdbc:".length()));
            String user = settings.getOrDefault("DB_USER", "postgres");
            return "postgresql://" + user + "@" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
        }
        return url;
    }

    static DataAccess open(String uri) {
        return DataAccessFactory.create(StoreUri.parse(uri, Map.of()).config());
    }

    static DalConfig config(String uri) {
        return StoreUri.parse(uri, Map.of()).config();
    }

    static Path dir(String fileUri) {
        return Path.of(fileUri.substring("file:".length()));
    }
}
