package dev.dal.mongo.internal;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.dal.api.DataAccessException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.mongo.internal.MongoMigrations.Migration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link MongoMigrations#MIGRATIONS}: {@code migration_history} records each one's status
 * ({@code applied}, {@code rolled_back}, {@code failed}), checksum and times, as the legacy MongoDB
 * chat system's migration runner reads them for its {@code --status} and {@code --rollback}. Changes run under a lock document in
 * {@code migration_lock}, taken by an insert on a fixed {@code _id} (the unique index makes it
 * atomic) and stolen only once its expiry has passed, so a crashed runner cannot block forever.
 */
public final class MongoSchemaMigrator implements SchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(MongoSchemaMigrator.class);
    private static final String LOCK_ID = "schema";
    private static final Duration LOCK_LEASE = Duration.ofMinutes(5);
    private static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(60);
    static final String APPLIED = "applied";
    static final String ROLLED_BACK = "rolled_back";
    static final String FAILED = "failed";

    private final MongoConnection connection;
    private final boolean ownsConnection;
    private final Duration lockWait;

    MongoSchemaMigrator(MongoConnection connection, boolean ownsConnection) {
        this(connection, ownsConnection, DEFAULT_LOCK_WAIT);
    }

    MongoSchemaMigrator(MongoConnection connection, boolean ownsConnection, Duration lockWait) {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.lockWait = lockWait;
    }

    private MongoDatabase db() {
        return connection.database();
    }

    private MongoCollection<BsonDocument> history() {
        return db().getCollection(MongoMigrations.HISTORY, BsonDocument.class);
    }

    @Override
    public List<SchemaChange> status() {
        return guarded("schema status", () -> {
            Map<String, BsonDocument> recorded = recorded();
            List<SchemaChange> changes = new ArrayList<>();
            for (Migration m : MongoMigrations.MIGRATIONS) {
                BsonDocument record = recorded.get(m.version());
                boolean applied = record != null && APPLIED.equals(string(record, "status"));
                changes.add(new SchemaChange(
                        m.version(),
                        m.description(),
                        applied,
                        applied ? instant(record.get("applied_at")) : null,
                        applied ? string(record, "checksum") : m.checksum()));
            }
            return changes;
        });
    }

    /** @return whether every migration is applied with the checksum the code has (no lock taken) */
    boolean isCurrent() {
        Map<String, BsonDocument> recorded = recorded();
        return MongoMigrations.MIGRATIONS.stream().allMatch(m -> {
            BsonDocument r = recorded.get(m.version());
            return r != null
                    && APPLIED.equals(string(r, "status"))
                    && m.checksum().equals(string(r, "checksum"));
        });
    }

    @Override
    public List<SchemaChange> migrate() {
        return guarded(
                "schema migrate",
                () -> withLock(() -> {
                    Map<String, BsonDocument> recorded = recorded();
                    checkChecksums(recorded);
                    List<SchemaChange> done = new ArrayList<>();
                    for (Migration m : MongoMigrations.MIGRATIONS) {
                        BsonDocument record = recorded.get(m.version());
                        if (record != null && APPLIED.equals(string(record, "status"))) {
                            continue;
                        }
                        Instant started = Instant.now();
                        try {
                            m.apply(db());
                        } catch (RuntimeException e) {
                            write(m, FAILED, started, null);
                            throw e;
                        }
                        write(m, APPLIED, started, null);
                        LOG.info("Applied MongoDB migration {} ({})", m.version(), m.name());
                        done.add(new SchemaChange(
                                m.version(),
                                m.description(),
                                true,
                                started.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                                m.checksum()));
                    }
                    return done;
                }));
    }

    @Override
    public List<SchemaChange> rollback(String toVersion) {
        SchemaMigrator.checkRollbackTarget(toVersion, MongoMigrations.versions(), "change");
        return guarded(
                "schema rollback",
                () -> withLock(() -> {
                    Map<String, BsonDocument> recorded = recorded();
                    checkChecksums(recorded);
                    List<Migration> applied = MongoMigrations.MIGRATIONS.stream()
                            .filter(m -> recorded.containsKey(m.version())
                                    && APPLIED.equals(string(recorded.get(m.version()), "status")))
                            .toList();
                    List<SchemaChange> undone = new ArrayList<>();
                    for (int i = applied.size() - 1; i >= 0; i--) {
                        Migration m = applied.get(i);
                        if (toVersion != null && m.version().compareTo(toVersion) <= 0) {
                            break;
                        }
                        m.rollback(db());
                        write(m, ROLLED_BACK, instant(recorded.get(m.version()).get("applied_at")), Instant.now());
                        LOG.info("Rolled back MongoDB migration {} ({})", m.version(), m.name());
                        undone.add(new SchemaChange(m.version(), m.description(), false, null, m.checksum()));
                        if (toVersion == null) {
                            break;
                        }
                    }
                    return undone;
                }));
    }

    private void checkChecksums(Map<String, BsonDocument> recorded) {
        for (Migration m : MongoMigrations.MIGRATIONS) {
            BsonDocument r = recorded.get(m.version());
            if (r != null
                    && APPLIED.equals(string(r, "status"))
                    && !m.checksum().equals(string(r, "checksum"))) {
                throw new DataAccessException("MongoDB migration " + m.version() + " (" + m.name()
                        + ") was applied with checksum " + string(r, "checksum") + " but the code now has "
                        + m.checksum() + "; a shipped migration must not change: restore it, or roll it back with the"
                        + " code that applied it");
            }
        }
    }

    private Map<String, BsonDocument> recorded() {
        Map<String, BsonDocument> byVersion = new HashMap<>();
        for (BsonDocument d : history().find()) {
            BsonValue id = d.get("_id");
            if (id != null && id.isString()) {
                byVersion.put(id.asString().getValue(), d);
            }
        }
        return byVersion;
    }

    private void write(Migration m, String status, Instant appliedAt, Instant rolledBackAt) {
        BsonDocument record = new BsonDocument("_id", new BsonString(m.version()))
                .append("version", new BsonString(m.version()))
                .append("name", new BsonString(m.name()))
                .append("description", new BsonString(m.description()))
                .append("checksum", new BsonString(m.checksum()))
                .append("status", new BsonString(status))
                .append("applied_at", appliedAt == null ? BsonNull.VALUE : new BsonDateTime(appliedAt.toEpochMilli()))
                .append(
                        "rolled_back_at",
                        rolledBackAt == null ? BsonNull.VALUE : new BsonDateTime(rolledBackAt.toEpochMilli()))
                .append(MongoDocuments.SCHEMA_VERSION_FIELD, new BsonString(MongoDocuments.SCHEMA_VERSION));
        history().replaceOne(Filters.eq("_id", m.version()), record, new ReplaceOptions().upsert(true));
    }

    // ---- the lock ----

    private <T> T withLock(java.util.function.Supplier<T> work) {
        MongoCollection<BsonDocument> locks = db().getCollection(MongoMigrations.LOCK, BsonDocument.class);
        String owner = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + lockWait.toNanos();
        while (true) {
            Instant now = Instant.now();
            try {
                locks.insertOne(new BsonDocument("_id", new BsonString(LOCK_ID))
                        .append("owner", new BsonString(owner))
                        .append("acquired_at", new BsonDateTime(now.toEpochMilli()))
                        .append(
                                "expires_at",
                                new BsonDateTime(now.plus(LOCK_LEASE).toEpochMilli()))
                        .append("pid", new BsonInt64(ProcessHandle.current().pid())));
                break;
            } catch (MongoException e) {
                if (MongoErrors.codeOf(e) != 11000) {
                    throw e;
                }
            }
            // Held: take it over only when its holder's lease has run out.
            locks.deleteOne(Filters.and(
                    Filters.eq("_id", LOCK_ID), Filters.lt("expires_at", new BsonDateTime(now.toEpochMilli()))));
            if (System.nanoTime() > deadline) {
                throw new DataAccessException(
                        "The MongoDB migration lock (" + MongoMigrations.LOCK + "." + LOCK_ID
                                + ") is held by another runner; try again later, or delete that document once no runner is left");
            }
            sleep();
        }
        try {
            return work.get();
        } finally {
            locks.deleteOne(Filters.and(Filters.eq("_id", LOCK_ID), Filters.eq("owner", owner)));
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataAccessException("Interrupted while waiting for the MongoDB migration lock");
        }
    }

    private static <T> T guarded(String operation, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw MongoErrors.translate(operation, e);
        }
    }

    private static String string(BsonDocument d, String field) {
        BsonValue v = d.get(field);
        return v != null && v.isString() ? v.asString().getValue() : null;
    }

    private static Instant instant(BsonValue v) {
        return v != null && v.isDateTime() ? Instant.ofEpochMilli(v.asDateTime().getValue()) : null;
    }

    @Override
    public void close() {
        if (ownsConnection) {
            connection.close();
        }
    }
}
