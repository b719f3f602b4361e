package dev.dal.file.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
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
    private final Duration lockWait;
    private final JournaledFiles files;
    private volatile boolean closed;

    /**
     * @param lock the directory's lock
     * @param lockWait the longest an operation waits for the lock ({@code DB_QUERY_TIMEOUT})
     */
    UnitOfWork(StoreLock lock, Duration lockWait) {
        this.lock = lock;
        this.lockWait = lockWait;
        this.files = new JournaledFiles(lock.journal());
    }

    JournaledFiles files() {
        return files;
    }

    void markClosed() {
        closed = true;
    }

    <T> T read(String operation, IoWork<T> work) {
        return read(operation, lockWait, work);
    }

    /** A read that waits for the lock at most {@code wait} (a health check's own deadline). */
    <T> T read(String operation, Duration wait, IoWork<T> work) {
        return deferringInterrupts(() -> readNow(operation, wait, work));
    }

    <T> T write(String operation, IoWork<T> work) {
        return deferringInterrupts(() -> writeNow(operation, work));
    }

    /**
     * An interrupt closes any {@code FileChannel} the thread is using, which would fail the write
     * half-way and could drop the store's file lock. So I/O runs with the interrupt flag cleared,
     * and the flag is set again afterwards for the caller to see.
     */
    private static <T> T deferringInterrupts(java.util.function.Supplier<T> io) {
        boolean interrupted = Thread.interrupted();
        try {
            return io.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private <T> T readNow(String operation, Duration wait, IoWork<T> work) {
        acquire(operation, wait);
        try {
            return work.run();
        } catch (IOException e) {
            throw FileErrors.io(operation, e);
        } finally {
            lock.unlock();
        }
    }

    private <T> T writeNow(String operation, IoWork<T> work) {
        acquire(operation, lockWait);
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
            throw FileErrors.io(operation, e);
        } finally {
            lock.unlock();
        }
    }

    private void acquire(String operation, Duration wait) {
        if (closed) {
            throw FileErrors.closed();
        }
        try {
            lock.lock(operation, wait);
        } catch (UncheckedIOException e) {
            throw FileErrors.io("lock", e.getCause());
        }
    }

    private static void rollback(WriteJournal journal, Throwable cause) {
        // An interrupt that failed the write must not fail its undo too.
        boolean interrupted = Thread.interrupted();
        try {
            journal.rollback();
        } catch (IOException | RuntimeException e) {
            // The journal stays on disk; the next lock holder rolls the unit back.
            cause.addSuppressed(e);
            LOG.warn("Rolling back a failed write did not finish; it will be retried when the store is next locked", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
