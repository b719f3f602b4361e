package dev.dal.file.internal;

import dev.dal.api.DataAccessException;
import dev.dal.api.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs store operations under the store lock. Reads just hold the lock; writes also run as a
 * journaled unit that commits or rolls back as a whole. A write inside a running unit (a
 * transaction) joins it.
 */
final class UnitOfWork {
    private static final Logger LOG = LoggerFactory.getLogger(UnitOfWork.class);

    /** Work that may fail with an I/O error. */
    @FunctionalInterface
    interface IoWork<T> {
        T run() throws IOException;
    }

    private final StoreLock lock;
    private final JournaledFiles files;
    private volatile boolean closed;

    UnitOfWork(StoreLock lock) {
        this.lock = lock;
        this.files = new JournaledFiles(lock.journal());
    }

    JournaledFiles files() {
        return files;
    }

    void markClosed() {
        closed = true;
    }

    <T> T read(String operation, IoWork<T> work) {
        acquire();
        try {
            return work.run();
        } catch (IOException e) {
            throw ioFailure(operation, e);
        } finally {
            lock.unlock();
        }
    }

    <T> T write(String operation, IoWork<T> work) {
        acquire();
        try {
            WriteJournal journal = lock.journal();
            if (journal.isActive()) {
                return work.run();
            }
            journal.begin();
            T result;
            try {
                result = work.run();
            } catch (IOException | RuntimeException | Error e) {
                rollback(journal, e);
                throw e;
            }
            journal.commit();
            return result;
        } catch (IOException e) {
            throw ioFailure(operation, e);
        } finally {
            lock.unlock();
        }
    }

    private void acquire() {
        if (closed) {
            throw new UnavailableException("The file store is closed");
        }
        try {
            lock.lock();
        } catch (UncheckedIOException e) {
            throw ioFailure("lock", e.getCause());
        }
    }

    private static void rollback(WriteJournal journal, Throwable cause) {
        try {
            journal.rollback();
        } catch (IOException | RuntimeException e) {
            // The journal stays on disk; the next lock holder rolls the unit back.
            cause.addSuppressed(e);
            LOG.error("Rolling back a failed write did not finish; it will be retried when the store is next locked", e);
        }
    }

    static DataAccessException ioFailure(String operation, IOException e) {
        return new DataAccessException("File store I/O failure during " + operation + ": " + e.getMessage(), e);
    }
}
