package dev.dal.test;

import java.util.Map;

/**
 * A backend that {@link DalStoreExtension} can hand tests an empty store of: it reaches a server of its storage
 * type, starting one in the test JVM the first time it is asked, and empties it.
 *
 * <p>Backends are found with {@link java.util.ServiceLoader}: a jar that adds one names its class in
 * {@code META-INF/services/dev.dal.test.TestBackend}. This jar brings the file store's; {@code dal-postgres-test},
 * {@code dal-mongo-test} and {@code dal-neo4j-test} bring those of the server stores. Each server backend also
 * takes an external server from an environment variable of its own (for example a CI service container) instead
 * of starting one.
 *
 * <p>Implementations are thread-safe. A server backend hands every caller the same database, so tests that use
 * one server backend must not run in parallel with each other.
 */
public interface TestBackend {
    /**
     * @return the storage type this backend serves, as {@code DATA_STORAGE_TYPE} names it (for example
     *     {@code postgresql})
     */
    String storageType();

    /**
     * Empties the backend's test store, starting its server first when none runs yet, and says how to reach it.
     *
     * @return settings that open an empty store of this backend (the storage type included), with its schema
     *     migrated on open
     * @throws IllegalStateException when no server could be started or reached: the test using it fails
     */
    Map<String, String> emptyStoreSettings();

    /**
     * @return what serves this backend's stores, for reports and failure messages (for example "embedded
     *     PostgreSQL"), never a password
     */
    String description();
}
