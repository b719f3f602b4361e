package dev.dal.test.mongo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-node MongoDB replica set in Docker through Testcontainers, so the transaction path runs,
 * when a Docker engine is actually there. The check is cheap: with no {@code DOCKER_HOST} and no
 * Docker socket file, Testcontainers is never touched (a machine with the docker CLI but no engine
 * pays nothing); only then does Testcontainers itself decide whether the engine answers.
 */
final class MongoContainer {
    private static final Logger LOG = LoggerFactory.getLogger(MongoContainer.class);
    /** The server image; override with {@code -Ddal.test.mongo.image=mongo:8.0}. */
    private static final String IMAGE = System.getProperty("dal.test.mongo.image", "mongo:7.0");

    private MongoContainer() {}

    /**
     * @param whyNot told why, when no replica set was started
     * @return a connection string to a started replica set, or {@code null} when there is no Docker engine
     *     or the container did not start
     */
    static String startIfDockerRuns(Consumer<String> whyNot) {
        if (!dockerMayRun()) {
            whyNot.accept("no Docker engine: no DOCKER_HOST, no Docker socket");
            return null;
        }
        try {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                whyNot.accept("Testcontainers found no Docker engine that answers");
                return null;
            }
            @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM ends
            org.testcontainers.containers.MongoDBContainer container =
                    new org.testcontainers.containers.MongoDBContainer(IMAGE);
            container.start();
            // One member, reached through a mapped port: talk to it directly rather than by its advertised name.
            return container.getConnectionString() + "/?directConnection=true";
        } catch (LinkageError e) {
            LOG.warn("Docker is there but Testcontainers is not on this test class path; using the in-process server");
            whyNot.accept("Docker is there but Testcontainers is not on this test class path");
            return null;
        } catch (RuntimeException e) {
            LOG.warn(
                    "Docker is there but the MongoDB container did not start ({}); using the in-process server",
                    e.getClass().getSimpleName());
            whyNot.accept("Docker is there but the MongoDB container (" + IMAGE + ") did not start: "
                    + e.getClass().getSimpleName());
            return null;
        }
    }

    private static boolean dockerMayRun() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank()) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        return Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
                || Files.exists(Path.of(home, ".testcontainers.properties"));
    }
}
