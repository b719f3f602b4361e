package dev.dal.file.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one lock of a store directory, shared by every thread and every process that opens it.
 *
 * <p>Threads queue on an in-process {@link ReentrantLock}; the thread that gets it takes an
 * exclusive {@link FileLock} on {@code store.lock}, which makes other processes wait. Java allows
 * one file lock per file per JVM, so stores opened twice in one JVM share this object
 * ({@link #forDirectory}). The lock is reentrant: a transaction holds it while its operations
 * take it again. Whoever takes it first after another process died recovers the journal.
 */
final class StoreLock {
    private static final Map<Path, StoreLock> OPEN = new HashMap<>();

    private final Path root;
    private final ReentrantLock threads = new ReentrantLock(true);
    private final WriteJournal journal;
    private FileChannel channel;
    private FileLock fileLock;
    private int users;

    private StoreLock(Path root) {
        this.root = root;
        this.journal = new WriteJournal(root);
    }

    /** @return the lock of a directory, opening it if this JVM has not yet */
    static StoreLock forDirectory(Path root) throws IOException {
        synchronized (OPEN) {
            StoreLock lock = OPEN.computeIfAbsent(root, StoreLock::new);
            if (lock.users++ == 0) {
                lock.channel = DurableFiles.openReadWrite(root.resolve("store.lock"));
            }
            return lock;
        }
    }

    /** Gives back one {@link #forDirectory} reference; the last one closes the lock file. */
    void release() throws IOException {
        synchronized (OPEN) {
            if (--users == 0) {
                OPEN.remove(root);
                channel.close();
            }
        }
    }

    /** The journal of the unit of work the lock holder is running. Only the holder may use it. */
    WriteJournal journal() {
        return journal;
    }

    /** Takes the lock (waiting for other threads and processes) and recovers a dead writer's unit. */
    void lock() {
        threads.lock();
        if (threads.getHoldCount() > 1) {
            return;
        }
        try {
            if (!channel.isOpen()) {
                // An interrupt that reached a thread blocked in lock() closed the shared channel.
                channel = DurableFiles.openReadWrite(root.resolve("store.lock"));
            }
            fileLock = channel.lock();
            journal.recover();
        } catch (IOException | RuntimeException e) {
            unlockQuietly();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Releases one hold; the last hold releases the file lock. */
    void unlock() {
        if (threads.getHoldCount() == 1) {
            unlockQuietly();
        } else {
            threads.unlock();
        }
    }

    private void unlockQuietly() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
        } catch (IOException e) {
            // The channel stays open, so the lock is released when the process ends at the latest.
        } finally {
            fileLock = null;
            threads.unlock();
        }
    }
}
