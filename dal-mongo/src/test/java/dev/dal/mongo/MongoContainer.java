package dev.dal.mongo;

/**
 * Docker is not used yet: see the module README. Returns {@code null}, so the in-process server runs.
 */
final class MongoContainer {
    private MongoContainer() {
    }

    static String startIfDockerRuns() {
        return null;
    }
}
