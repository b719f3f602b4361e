package dev.dal.migration;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.postgres.PostgresTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backends the cross-backend tests run against, one entry each. Each gives a fresh, empty
 * store as a URI the {@code dal} tool accepts.
 */
final class Backends {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Backends() {
    }

    /** One backend: a name and a way to name a fresh, empty store of it. */
    interface Backend {
        String name();

        /** @return the URI of a new, empty store */
        String freshStore();
    }

    static final Backend FILE = new Backend() {
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

    static final Backend POSTGRES = new Backend() {
        @Override
        public String name() {
            return "postgresql";
        }

        @Override
        public String freshStore() {
            String db = "dal_mig_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
            Map<String, String> settings = PostgresTestServer.get().settingsForDatabase(db);
            return postgresUri(settings);
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /**
     * Every backend present. MongoDB and Neo4j join here, one entry each, once their modules
     * publish {@code MongoTestServer} and {@code Neo4jTestServer} (see the pom's BACKENDS-TO-ADD).
     */
    static List<Backend> all() {
        return List.of(FILE, POSTGRES);
    }

    /** @return the test server's settings as a postgresql:// URI */
    static String postgresUri(Map<String, String> settings) {
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
