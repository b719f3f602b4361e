package dev.dal.api.spi;

import java.util.List;

/**
 * The versioned schema of one store: what is applied, what is pending, and the means to apply or
 * roll back. The {@code dal schema} command fronts it; each backend brings its own (Liquibase for
 * PostgreSQL, small versioned runners for MongoDB and Neo4j).
 *
 * <p>Implementations hold the store's own migration lock while they change anything, and refuse
 * to run when a recorded checksum no longer matches the change that ships with the code.
 */
public interface SchemaMigrator extends AutoCloseable {

    /** @return every change the code knows, in the order they apply, each marked applied or pending */
    List<SchemaChange> status();

    /**
     * Applies every pending change, in order.
     *
     * @return the changes this call applied; empty when the schema was already current
     * @throws dev.dal.api.DataAccessException when a change fails or a checksum does not match
     */
    List<SchemaChange> migrate();

    /**
     * Rolls back applied changes, newest first.
     *
     * @param toVersion the version to go back to (it stays applied), or {@code null} to roll back
     *     only the newest applied change
     * @return the changes rolled back, newest first; empty when there was nothing to roll back
     * @throws dev.dal.api.ValidationException when {@code toVersion} names no known change
     * @throws dev.dal.api.DataAccessException when a rollback fails
     */
    List<SchemaChange> rollback(String toVersion);

    /** Releases the connections this migrator opened. */
    @Override
    void close();

    /**
     * Checks the version a {@link #rollback} names, as every migrator does before it changes anything.
     *
     * @param toVersion the version asked for, or {@code null}, which always passes
     * @param known the versions the migrator knows, in the order they apply
     * @param what what a version names, for the message, e.g. {@code "Neo4j schema change"}
     * @throws dev.dal.api.ValidationException on {@code toVersion} when it is given and not one of
     *     {@code known}; the message lists the known versions
     */
    static void checkRollbackTarget(String toVersion, List<String> known, String what) {
        if (toVersion != null && !known.contains(toVersion)) {
            throw new dev.dal.api.ValidationException(
                    "toVersion", "names no known " + what + " (known: " + known + ")");
        }
    }

    /**
     * A migrator for stores that have no versioned schema (an in-memory store, for example).
     *
     * @return a migrator whose status is empty and whose migrate and rollback do nothing
     */
    static SchemaMigrator none() {
        return new SchemaMigrator() {
            @Override
            public List<SchemaChange> status() {
                return List.of();
            }

            @Override
            public List<SchemaChange> migrate() {
                return List.of();
            }

            @Override
            public List<SchemaChange> rollback(String toVersion) {
                return List.of();
            }

            @Override
            public void close() {}
        };
    }
}
