package dev.dal.file.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.spi.StoreFailures;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The file store's translation of I/O and lock failures into Dal's exceptions, in one place: an
 * {@link IOException} of a call becomes a {@link DataAccessException} naming the operation, a lock
 * not free in time the failure table's {@link StoreFailures#lockTimeout}, a record that cannot be
 * parsed a {@link DataAccessException} naming its type, a directory a newer Dal laid out a
 * {@link ConfigurationException}. Messages name the operation and the kind of
 * record, never a record's content.
 */
final class FileErrors {
    /** The failure table, naming the store as its messages do. */
    static final StoreFailures FAILURES = StoreFailures.of("The file store");

    private FileErrors() {}

    /**
     * @param operation the operation that failed
     * @param e the I/O error
     * @return a {@link DataAccessException} naming the operation, with the error as its cause
     */
    static DataAccessException io(String operation, IOException e) {
        String detail = e instanceof ClosedByInterruptException
                ? "the calling thread was interrupted during the write; the store rolls back whatever did not commit"
                : Objects.toString(e.getMessage(), e.getClass().getSimpleName());
        return new DataAccessException("File store I/O failure during " + operation + ": " + detail, e);
    }

    /**
     * @param operation the operation that waited
     * @param limit the wait that passed
     * @return the failure table's lock timeout: nothing was written, retrying may succeed
     */
    static TransientDataAccessException lockTimeout(String operation, Duration limit) {
        return FAILURES.lockTimeout(operation, limit, null);
    }

    /**
     * @param operation the operation that waited
     * @return the failure of a thread interrupted while it waited for the store lock
     */
    static DataAccessException interruptedWaiting(String operation) {
        return new DataAccessException("The calling thread was interrupted while waiting for the file store's"
                + " lock during " + operation + "; nothing was written");
    }

    /**
     * @param what the kind of record, e.g. {@code "user"}
     * @param cause the parser's error
     * @return the failure of a record file that cannot be read as its type
     */
    static DataAccessException unreadable(String what, Exception cause) {
        return new DataAccessException("The file store holds an unreadable " + what + " record", cause);
    }

    /**
     * @param dir the data directory
     * @param e why it could not be created or locked
     * @return the failure of opening the store, naming {@code DATA_DIR}
     */
    static UnavailableException openFailed(Path dir, IOException e) {
        return new UnavailableException(
                "The file store at " + FileSettings.DATA_DIR.name() + "=" + dir + " could not be opened: "
                        + e.getMessage(),
                e);
    }

    /**
     * The data directory holds a layout this code does not know: a newer Dal changed it. Reading it as
     * an older layout could lose what the newer one keeps, so the store refuses to open it.
     *
     * @param found the layout version the directory's marker names
     * @param known the newest layout version this code knows
     * @return a {@link ConfigurationException} saying which Dal to open the store with
     */
    static ConfigurationException layoutTooNew(int found, int known) {
        return new ConfigurationException("The file store's data directory (" + FileSettings.DATA_DIR.name()
                + ") holds layout version " + found + ", newer than this version of Dal knows (up to " + known
                + "): a newer Dal wrote it; open it with that Dal or a later one");
    }

    /** @return the failure of a call on a closed store */
    static UnavailableException closed() {
        return new UnavailableException("The file store is closed");
    }
}
