package dev.dal.file.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Timestamps;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.file.internal.FileMigrations.LayoutMarker;
import dev.dal.file.internal.FileMigrations.Migration;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's {@link SchemaMigrator}: its schema is the version of the on-disk layout
 * ({@link FileMigrations}), recorded in a marker file in the data directory. {@link #status()}
 * shows version 1 applied once the marker is written and pending before (such a directory still
 * opens: it holds version 1); {@link #migrate()} writes the marker, under the store lock and as one
 * journaled unit; version 1 cannot be rolled back, since without it there is no store. Status never
 * creates or locks the directory.
 */
final class FileSchemaMigrator implements SchemaMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(FileSchemaMigrator.class);
    /** How errors name the marker. */
    private static final String LAYOUT_VERSION = "layout version";

    private final Path root;
    private final Clock clock;
    private final Duration lockWait;
    private final StoreLayout layout;
    private final FileRecords json = new FileRecords();

    /**
     * @param dataDir the store root
     * @param clock the clock for the time a change is applied
     * @param lockWait the longest {@link #migrate()} waits for the store lock ({@code DB_QUERY_TIMEOUT})
     */
    FileSchemaMigrator(Path dataDir, Clock clock, Duration lockWait) {
        this.root = dataDir.toAbsolutePath().normalize();
        this.clock = clock;
        this.lockWait = lockWait;
        this.layout = new StoreLayout(root);
    }

    @Override
    public List<SchemaChange> status() {
        Optional<LayoutMarker> marker = readMarker("schema status");
        List<SchemaChange> changes = new ArrayList<>();
        for (Migration m : FileMigrations.MIGRATIONS) {
            boolean applied = marker.isPresent() && marker.get().version() >= m.version();
            changes.add(new SchemaChange(
                    m.name(), m.description(), applied, applied ? marker.get().appliedAt() : null, null));
        }
        return List.copyOf(changes);
    }

    @Override
    public List<SchemaChange> migrate() {
        try {
            DurableFiles.createDirectories(root);
            StoreLock lock = StoreLock.forDirectory(root);
            try {
                UnitOfWork unit = new UnitOfWork(lock, lockWait);
                return unit.write("schema migrate", () -> writeMarker(unit.files()));
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw FileErrors.io("schema migrate", e);
        }
    }

    /** Under the store lock, in a unit of work: writes the marker unless it is there. */
    private List<SchemaChange> writeMarker(JournaledFiles files) throws IOException {
        if (marker(layout, json).isPresent()) {
            return List.of();
        }
        Migration m = FileMigrations.LAYOUT_1;
        Instant now = Timestamps.now(clock);
        files.replace(layout.layoutVersion(), json.write(new LayoutMarker(m.version(), now)));
        LOG.info("Recorded file store layout version {}", m.version());
        return List.of(new SchemaChange(m.name(), m.description(), true, now, null));
    }

    @Override
    public List<SchemaChange> rollback(String toVersion) {
        SchemaMigrator.checkRollbackTarget(toVersion, FileMigrations.versions(), "file store layout version");
        if (toVersion != null || readMarker("schema rollback").isEmpty()) {
            // Going back to version 1 keeps it applied; without a marker nothing is recorded to undo.
            return List.of();
        }
        throw new ValidationException(
                "toVersion",
                "must name a version to keep: file store layout version 1 is"
                        + " the store itself and cannot be rolled back (delete the data directory to remove the store)");
    }

    private Optional<LayoutMarker> readMarker(String operation) {
        try {
            return marker(layout, json);
        } catch (IOException e) {
            throw FileErrors.io(operation, e);
        }
    }

    /**
     * Reads a directory's layout marker. The store checks it at open, so a directory a newer Dal
     * changed is never read as if it held a layout this code knows.
     *
     * @param layout the directory's layout
     * @param json the record mapping
     * @return the marker, or empty when the directory has none (it holds layout version 1)
     * @throws IOException when the marker exists but cannot be read
     * @throws dev.dal.api.ConfigurationException when the marker names a version newer than this code knows
     * @throws dev.dal.api.DataAccessException when the marker is not a layout marker
     */
    static Optional<LayoutMarker> marker(StoreLayout layout, FileRecords json) throws IOException {
        byte[] bytes = DurableFiles.readOrNull(layout.layoutVersion());
        if (bytes == null) {
            return Optional.empty();
        }
        // The version is checked before the rest is read: a newer Dal's marker may carry more.
        JsonNode version = json.read(bytes, JsonNode.class, LAYOUT_VERSION).path("version");
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() < 1) {
            throw FileErrors.unreadable(LAYOUT_VERSION, null);
        }
        if (version.intValue() > FileMigrations.latest()) {
            throw FileErrors.layoutTooNew(version.intValue(), FileMigrations.latest());
        }
        return Optional.of(json.read(bytes, LayoutMarker.class, LAYOUT_VERSION));
    }

    @Override
    public void close() {
        // Holds nothing between calls: each call takes and releases the store lock itself.
    }
}
