package dev.dal.migration.cli;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.migration.StoreUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the commands open stores, so that none changes a schema it was not asked to:
 * <ul>
 * <li>a store a command only reads ({@code health}, {@code verify}, {@code export}, a copy's or
 * repair's source) is opened with {@code DB_AUTO_MIGRATE=false} on every backend; a store whose
 * schema is missing or older than the code is refused, naming {@code dal schema migrate};</li>
 * <li>a store a command writes ({@code copy}, {@code import}, {@code repair} targets) is migrated
 * only when it has no schema at all (a new, empty database) or when {@code --migrate} is given; one
 * with an older schema is refused, naming {@code --migrate} and {@code dal schema migrate};</li>
 * <li>a {@code file:} store a command reads must exist: a mistyped path is an error, never an empty
 * store.</li>
 * </ul>
 */
final class Stores {
    private static final Logger LOG = LoggerFactory.getLogger(Stores.class);

    private Stores() {}

    /**
     * @param store a store
     * @return the same store, opened without applying schema changes
     */
    static StoreUri readOnly(StoreUri store) {
        return store.with(DalConfig.DB_AUTO_MIGRATE, "false");
    }

    /**
     * Refuses a {@code file:} store whose directory does not exist (opening it would create it empty).
     *
     * @param store a store
     * @param role what the store is to the command, e.g. {@code "source"}
     * @throws ConfigurationException naming the path
     */
    static void requireExisting(StoreUri store, String role) {
        if (!isFile(store)) {
            return;
        }
        Path dir = fileStoreDir(store);
        if (!Files.isDirectory(dir)) {
            throw new ConfigurationException("The " + (role.isEmpty() ? "" : role + " ") + "store " + store
                    + " does not exist: "
                    + (Files.exists(dir)
                            ? dir + " is not a directory"
                            : "no directory " + dir.toAbsolutePath().normalize()));
        }
    }

    /**
     * Opens a store the command only reads: its {@code file:} directory must exist and its schema
     * must be current; nothing is migrated.
     *
     * @param store the store
     * @param role what the store is to the command, e.g. {@code "source"}
     * @param command the command, for the message, e.g. {@code "verify"}
     * @return the open store
     * @throws ConfigurationException when the directory is missing or the schema is missing or older
     */
    static DataAccess openForReading(StoreUri store, String role, String command) {
        requireExisting(store, role);
        StoreUri readOnly = readOnly(store);
        Schema schema = naming(role, store, () -> schema(readOnly));
        if (!schema.pending().isEmpty()) {
            String how = "; dal " + command + " never changes the schema of a store it reads: run `dal schema migrate "
                    + store + "` first if this is the right store";
            throw new ConfigurationException(
                    schema.applied().isEmpty()
                            ? "The " + role + " store " + store + " has no Dal schema (none of " + schema.pending()
                                    + " is applied), so it holds no Dal data" + how
                            : "The " + role + " store " + store + " has an older Dal schema (applied "
                                    + schema.applied() + ", pending " + schema.pending() + ")" + how);
        }
        return naming(role, store, () -> open(readOnly));
    }

    /**
     * Opens a store the command writes. Its schema is brought up to date only when it has none yet
     * (every change pending: a new, empty database) or when {@code migrate} is set.
     *
     * @param store the store
     * @param migrate whether {@code --migrate} was given
     * @return the open store
     * @throws ConfigurationException when the schema is older and {@code migrate} is not set
     */
    static DataAccess openForWriting(StoreUri store, boolean migrate) {
        StoreUri readOnly = readOnly(store);
        if (!isFile(store)) {
            Schema schema = naming("target", store, () -> schema(readOnly));
            if (!schema.pending().isEmpty()) {
                if (!schema.applied().isEmpty() && !migrate) {
                    throw new ConfigurationException("The target store " + store + " has an older Dal schema"
                            + " (applied " + schema.applied() + ", pending " + schema.pending() + "); pass"
                            + " --migrate to apply the pending changes, or run `dal schema migrate " + store
                            + "` first");
                }
                List<SchemaChange> applied = naming("target", store, () -> {
                    try (SchemaMigrator migrator = migrator(readOnly)) {
                        return migrator.migrate();
                    }
                });
                LOG.info(
                        "Schema of {}: applied {} change(s) {}",
                        store,
                        applied.size(),
                        applied.stream().map(SchemaChange::version).toList());
            }
        }
        return naming("target", store, () -> open(readOnly));
    }

    /** Runs work on a store, naming the store in any failure of its own. */
    private static <T> T naming(String role, StoreUri store, Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessException e) {
            throw new StoreFailure(role, store, e);
        }
    }

    private static DataAccess open(StoreUri store) {
        return DataAccessFactory.create(store.config());
    }

    /**
     * @param store a file store
     * @return its directory: the file store's {@code DATA_DIR}, default {@code ./data}
     */
    static Path fileStoreDir(StoreUri store) {
        return Path.of(store.config().setting("DATA_DIR").orElse("data"));
    }

    static boolean isFile(StoreUri store) {
        return switch (store.config().storageType()) {
            case "file", "json", "files" -> true;
            default -> false;
        };
    }

    private static Schema schema(StoreUri store) {
        if (isFile(store)) {
            // A file store opens any directory of layout version 1, marker recorded or not, and refuses a newer
            // one itself: there is nothing to migrate first, and its pending marker must not refuse a read.
            return new Schema(List.of(), List.of());
        }
        try (SchemaMigrator migrator = migrator(store)) {
            return Schema.of(migrator.status());
        }
    }

    private static SchemaMigrator migrator(StoreUri store) {
        return DataAccessFactory.provider(store.config().storageType()).schemaMigrator(store.config());
    }

    /** A store's schema: the versions applied and the versions pending, in order. */
    private record Schema(List<String> applied, List<String> pending) {
        static Schema of(List<SchemaChange> changes) {
            return new Schema(
                    changes.stream()
                            .filter(SchemaChange::applied)
                            .map(SchemaChange::version)
                            .toList(),
                    changes.stream()
                            .filter(c -> !c.applied())
                            .map(SchemaChange::version)
                            .toList());
        }
    }
}
