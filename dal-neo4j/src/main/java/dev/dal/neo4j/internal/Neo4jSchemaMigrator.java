package dev.dal.neo4j.internal;

import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccessException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.neo4j.driver.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Neo4j store's {@link SchemaMigrator}: reports, applies and rolls back the versioned schema
 * changes of {@link Neo4jMigrations}, recorded in the graph: one
 * {@code (:DalSchemaMigration {version, description, checksum, applied_at})} node per applied
 * change, and a {@code (:DalSchemaLock {name: 'schema'})} node held while anything changes (a lock
 * older than {@link #STALE_LOCK} is taken over: its holder died). Refuses to run when a recorded
 * checksum differs from the change that ships with the code.
 */
public final class Neo4jSchemaMigrator implements SchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(Neo4jSchemaMigrator.class);
    static final Duration STALE_LOCK = Duration.ofMinutes(10);
    static final Duration LOCK_WAIT = Duration.ofSeconds(60);

    private static final List<String> BOOTSTRAP = List.of(
            "CREATE CONSTRAINT dal_schema_migration_version IF NOT EXISTS FOR (n:DalSchemaMigration) REQUIRE n.version IS UNIQUE",
            "CREATE CONSTRAINT dal_schema_lock_name IF NOT EXISTS FOR (n:DalSchemaLock) REQUIRE n.name IS UNIQUE");

    private static final String ACQUIRE = """
            MERGE (l:DalSchemaLock {name: 'schema'})
            ON CREATE SET l.holder = $holder, l.acquired_at = $now
            WITH l
            CALL (l) {
              WITH l WHERE l.holder <> $holder AND l.acquired_at < $stale
              SET l.holder = $holder, l.acquired_at = $now
            }
            RETURN l.holder = $holder AS acquired, l.holder AS holder""";

    private final Neo4jConnection connection;
    private final boolean ownsConnection;
    private final List<Neo4jMigration> migrations;
    private final Duration lockWait;
    private final String holder = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

    Neo4jSchemaMigrator(Neo4jConnection connection, boolean ownsConnection) {
        this(connection, ownsConnection, Neo4jMigrations.ALL, LOCK_WAIT);
    }

    Neo4jSchemaMigrator(
            Neo4jConnection connection, boolean ownsConnection, List<Neo4jMigration> migrations, Duration lockWait) {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.migrations = List.copyOf(migrations);
        this.lockWait = lockWait;
    }

    private record Applied(String checksum, Instant appliedAt) {}

    private Map<String, Applied> applied() {
        try {
            return appliedUntranslated();
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("schema status", e);
        }
    }

    /** The applied changes; driver errors pass untranslated, so the caller can name what it was doing. */
    private Map<String, Applied> appliedUntranslated() {
        return connection.read(Neo4jSchemaMigrator::appliedIn);
    }

    private static Map<String, Applied> appliedIn(org.neo4j.driver.TransactionContext tx) {
        Map<String, Applied> found = new HashMap<>();
        for (Record r : tx.run("MATCH (m:DalSchemaMigration) RETURN m.version AS version, m.checksum AS checksum, "
                        + "m.applied_at AS applied_at")
                .list()) {
            found.put(
                    r.get("version").asString(),
                    new Applied(r.get("checksum").asString(null), Neo4jRecords.instant(r.get("applied_at"))));
        }
        return found;
    }

    @Override
    public List<SchemaChange> status() {
        Map<String, Applied> applied = applied();
        List<SchemaChange> changes = new ArrayList<>();
        for (Neo4jMigration m : migrations) {
            Applied a = applied.get(m.version());
            changes.add(new SchemaChange(
                    m.version(),
                    m.description(),
                    a != null,
                    a == null ? null : a.appliedAt(),
                    a == null ? m.checksum() : a.checksum()));
        }
        return List.copyOf(changes);
    }

    /**
     * @return whether a change is pending (one read; the store checks this on every open)
     * @throws RuntimeException the driver's error, untranslated: the caller names the open
     */
    /** @return how many changes the code knows */
    int migrationCount() {
        return migrations.size();
    }

    boolean hasPending() {
        return !pending().isEmpty();
    }

    /**
     * @return the versions not yet applied, read in one bounded call (the store checks this on every open)
     * @throws dev.dal.api.DataAccessException translated by the failure table, named as the open
     */
    List<String> pending() {
        Map<String, Applied> applied = connection.call("opening the store", false, Neo4jSchemaMigrator::appliedIn);
        return migrations.stream()
                .map(Neo4jMigration::version)
                .filter(v -> !applied.containsKey(v))
                .toList();
    }

    @Override
    public List<SchemaChange> migrate() {
        return locked(() -> {
            Map<String, Applied> applied = applied();
            verifyChecksums(applied);
            List<SchemaChange> done = new ArrayList<>();
            for (Neo4jMigration m : migrations) {
                if (applied.containsKey(m.version())) {
                    continue;
                }
                long start = System.nanoTime();
                for (String statement : m.up()) {
                    connection.autoCommit(statement, Map.of());
                }
                Instant at = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                connection.write(tx -> tx.run(
                                "MERGE (m:DalSchemaMigration {version: $version}) SET m.description = $description, "
                                        + "m.checksum = $checksum, m.applied_at = $at",
                                Map.of(
                                        "version",
                                        m.version(),
                                        "description",
                                        m.description(),
                                        "checksum",
                                        m.checksum(),
                                        "at",
                                        Neo4jRecords.time(at)))
                        .consume());
                LOG.info(
                        "Applied Neo4j schema change {} ({}) in {} ms",
                        m.version(),
                        m.description(),
                        (System.nanoTime() - start) / 1_000_000);
                done.add(new SchemaChange(m.version(), m.description(), true, at, m.checksum()));
            }
            return List.copyOf(done);
        });
    }

    private void verifyChecksums(Map<String, Applied> applied) {
        for (Neo4jMigration m : migrations) {
            Applied a = applied.get(m.version());
            if (a != null && a.checksum() != null && !a.checksum().equals(m.checksum())) {
                throw new DataAccessException("Neo4j schema change " + m.version() + " was applied with checksum "
                        + a.checksum() + " but the code ships " + m.checksum() + "; the change was edited after it "
                        + "was applied. Restore it, or roll back to before it with the old code");
            }
        }
    }

    @Override
    public List<SchemaChange> rollback(String toVersion) {
        SchemaMigrator.checkRollbackTarget(
                toVersion, migrations.stream().map(Neo4jMigration::version).toList(), "Neo4j schema change");
        return locked(() -> {
            Map<String, Applied> applied = applied();
            verifyChecksums(applied);
            List<SchemaChange> undone = new ArrayList<>();
            for (Neo4jMigration m : reversed()) {
                if (toVersion != null && m.version().compareTo(toVersion) <= 0) {
                    break;
                }
                if (!applied.containsKey(m.version())) {
                    continue;
                }
                for (String statement : m.down()) {
                    connection.autoCommit(statement, Map.of());
                }
                connection.write(tx -> tx.run(
                                "MATCH (m:DalSchemaMigration {version: $version}) DELETE m",
                                Map.of("version", m.version()))
                        .consume());
                LOG.info("Rolled back Neo4j schema change {} ({})", m.version(), m.description());
                undone.add(new SchemaChange(m.version(), m.description(), false, null, m.checksum()));
                if (toVersion == null) {
                    break;
                }
            }
            return List.copyOf(undone);
        });
    }

    private List<Neo4jMigration> reversed() {
        List<Neo4jMigration> copy = new ArrayList<>(migrations);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private <T> T locked(java.util.function.Supplier<T> work) {
        try {
            for (String statement : BOOTSTRAP) {
                connection.autoCommit(statement, Map.of());
            }
            acquire();
            try {
                return work.get();
            } finally {
                connection.write(tx -> tx.run(
                                "MATCH (l:DalSchemaLock {name: 'schema', holder: $holder}) DELETE l",
                                Map.of("holder", holder))
                        .consume());
            }
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("schema migration", e);
        }
    }

    private void acquire() {
        long deadline = System.nanoTime() + lockWait.toNanos();
        while (true) {
            Instant now = Instant.now();
            Record r = connection.write(tx -> tx.run(
                            ACQUIRE,
                            Map.of(
                                    "holder",
                                    holder,
                                    "now",
                                    Neo4jRecords.time(now),
                                    "stale",
                                    Neo4jRecords.time(now.minus(STALE_LOCK))))
                    .single());
            if (r.get("acquired").asBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new ConcurrencyConflictException(
                        "The Neo4j schema migration lock is held by "
                                + r.get("holder").asString() + "; another migration is running (a lock older than "
                                + STALE_LOCK.toMinutes() + " minutes is taken over)",
                        null);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConcurrencyConflictException("Interrupted while waiting for the schema migration lock", null);
            }
        }
    }

    @Override
    public void close() {
        if (ownsConnection) {
            connection.close();
        }
    }
}
