package dev.dal.file.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.SchemaMigrator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Opens file stores and their schema migrators: the data directory (created if needed), its lock,
 * recovery of a crashed writer, and the check that the directory holds a layout this code knows.
 */
public final class FileStores {
    private FileStores() {}

    /**
     * Opens (creating if needed) the store in {@code DATA_DIR}, with the configuration's deadlines.
     *
     * @param config the configuration, read through the provider's view
     * @param settings the file store's settings of that configuration
     * @return the open store
     * @throws ConfigurationException when {@code DATA_DIR} names a file
     * @throws dev.dal.api.UnavailableException when the directory cannot be created or locked
     * @throws dev.dal.api.TransientDataAccessException when the lock was not free within {@code DB_QUERY_TIMEOUT}
     * @throws ConfigurationException when the directory holds a layout newer than this code knows
     */
    public static DataAccess open(DalConfig config, FileSettings settings) {
        Path dir = settings.dataDir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigurationException(
                    FileSettings.DATA_DIR.name() + " must name a directory, but " + dir + " is a file");
        }
        try {
            return open(dir, config.clock(), config.queryTimeout(), config.healthTimeout());
        } catch (IOException e) {
            throw FileErrors.openFailed(dir, e);
        }
    }

    /**
     * Opens (creating if needed) the store in a directory.
     *
     * @param dataDir the store root
     * @param clock the clock for timestamps and expiry
     * @param lockWait the longest one call waits for the store lock, queueing behind this process's other
     *     threads included ({@code DB_QUERY_TIMEOUT}); past it the call fails with a
     *     {@link dev.dal.api.TransientDataAccessException} and writes nothing
     * @param healthWait the longest a health check waits for the lock ({@code DAL_HEALTH_TIMEOUT})
     * @return the open store
     * @throws IOException when the directory cannot be created or locked
     * @throws dev.dal.api.TransientDataAccessException when the lock was not free within {@code lockWait}
     * @throws ConfigurationException when the directory holds a layout newer than this code knows
     */
    public static FileStore open(Path dataDir, Clock clock, Duration lockWait, Duration healthWait) throws IOException {
        Path root = dataDir.toAbsolutePath().normalize();
        DurableFiles.createDirectories(root);
        StoreLock lock = StoreLock.forDirectory(root);
        try {
            UnitOfWork unit = new UnitOfWork(lock, lockWait);
            // Taking the lock once recovers whatever a crashed writer left behind; then the layout is checked.
            unit.read("open", () -> FileSchemaMigrator.marker(new StoreLayout(root), new FileRecords()));
            return new FileStore(root, clock, lock, unit, healthWait);
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    /**
     * The migrator of the store in {@code DATA_DIR}. It opens nothing until called, and neither
     * creates nor locks the directory to report status.
     *
     * @param config the configuration, for its clock and {@code DB_QUERY_TIMEOUT}
     * @param settings the file store's settings of that configuration
     * @return the migrator of the directory's layout version
     */
    public static SchemaMigrator migrator(DalConfig config, FileSettings settings) {
        return new FileSchemaMigrator(settings.dataDir(), config.clock(), config.queryTimeout());
    }
}
