package dev.dal.file.internal;

import dev.dal.api.DataAccessException;
import dev.dal.api.spi.StoreFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one lock of a store directory, shared by every thread and every process that opens it.
 *
 * <p>Threads queue on a fair in-process {@link ReentrantLock}; only the thread that holds it touches the
 * file lock on {@code store.lock}, so each process has at most one thread taking the file lock per
 * directory. The file lock is taken with a non-blocking {@link FileChannel#tryLock} polled with backoff,
 * never a blocking {@link FileChannel#lock}: POSIX record locks belong to the <em>process</em>, so a blocking
 * {@code F_SETLKW} lets the kernel report {@code EDEADLK} ("Resource deadlock avoided") when threads of two
 * processes wait on each other's locks (two stores, or a store and the dual-write journal) although no
 * thread is deadlocked. The non-blocking {@code F_SETLK} never does. The whole wait (the in-process queue
 * included) is bounded by the caller's limit ({@code DB_QUERY_TIMEOUT}); past it the call fails with
 * {@link StoreFailures#lockTimeout} and writes nothing.
 *
 * <p>Polling alone would let the process that holds the lock take it again at once for its next thread
 * while other processes sleep between polls. So a process that polls holds a shared lock on a second byte
 * of {@code store.lock} (the <em>waiting</em> byte); the holder tests that byte when it releases, and when
 * another process is waiting, its own threads stay off the lock for a moment ({@link #YIELD}, longer than
 * the longest poll pause), which gives the lock to the waiting process. Processes therefore take turns.
 *
 * <p>Java allows one lock per file region per JVM, so stores opened twice in one JVM share this object
 * ({@link #forDirectory}). The lock is reentrant: a transaction holds it while its operations take it
 * again. Whoever takes it first after another process died recovers the journal.
 */
final class StoreLock {
    /** The region whose exclusive lock is the store lock. */
    private static final long MAIN = 0;
    /** The region a process shares-locks while it polls for {@link #MAIN}. */
    private static final long WAITING = 1;

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a process that saw another one waiting stays off the lock after releasing it. */
    static final long YIELD = TimeUnit.MILLISECONDS.toNanos(3);

    private static final Map<Path, StoreLock> OPEN = new HashMap<>();

    private final Path root;
    private final ReentrantLock threads = new ReentrantLock(true);
    private final WriteJournal journal;
    private FileChannel channel;
    private FileLock fileLock;
    private FileLock waitingFlag;
    /** {@link System#nanoTime} before which this process does not try the file lock; guarded by {@link #threads}. */
    private long yieldUntil;

    private boolean yielding;
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

    /**
     * Takes the lock, waiting for other threads and processes at most {@code limit}, and recovers a dead
     * writer's unit.
     *
     * @param operation the operation that waits, for the error
     * @param limit the longest wait, queueing in this process included
     * @throws dev.dal.api.TransientDataAccessException when the lock was not free within {@code limit}
     * @throws DataAccessException when the thread was interrupted while waiting (its interrupt flag is set again)
     * @throws UncheckedIOException when the lock file or the journal cannot be used
     */
    void lock(String operation, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            if (!threads.tryLock(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                throw FileErrors.lockTimeout(operation, limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FileErrors.interruptedWaiting(operation);
        }
        if (threads.getHoldCount() > 1) {
            return;
        }
        try {
            takeFileLock(operation, limit, deadline);
            journal.recover();
        } catch (IOException | RuntimeException e) {
            unlockQuietly();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void takeFileLock(String operation, Duration limit, long deadline) throws IOException {
        if (!channel.isOpen()) {
            // An interrupt that reached a thread inside a lock call closed the shared channel.
            channel = DurableFiles.openReadWrite(root.resolve("store.lock"));
        }
        long pause = FIRST_PAUSE_NANOS;
        try {
            while (true) {
                long now = System.nanoTime();
                if (yielding && now - yieldUntil < 0) {
                    // Another process waited when this one last released: let it have its turn first.
                    announceWaiting();
                    LockSupport.parkNanos(Math.min(yieldUntil - now, deadline - now));
                    if (System.nanoTime() - deadline >= 0) {
                        throw FileErrors.lockTimeout(operation, limit);
                    }
                    continue;
                }
                yielding = false;
                FileLock got = tryRegion(MAIN, false);
                if (got != null) {
                    fileLock = got;
                    return;
                }
                announceWaiting();
                now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw FileErrors.lockTimeout(operation, limit);
                }
                LockSupport.parkNanos(Math.min(pause, deadline - now));
                pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
            }
        } finally {
            dropWaitingFlag();
        }
    }

    /** Shares the waiting byte, so the holder in another process lets this one have the next turn. */
    private void announceWaiting() throws IOException {
        if (waitingFlag == null) {
            // Null while the holder is testing the byte: the next poll tries again.
            waitingFlag = tryRegion(WAITING, true);
        }
    }

    private void dropWaitingFlag() {
        if (waitingFlag != null) {
            try {
                waitingFlag.release();
            } catch (IOException e) {
                // the channel was closed, which released the flag with it
            }
            waitingFlag = null;
        }
    }

    /** @return the region's lock, or null when another process (or another handle in this JVM) holds it */
    private FileLock tryRegion(long position, boolean shared) throws IOException {
        try {
            return channel.tryLock(position, 1, shared);
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** @return whether another process is polling for the lock (holds the waiting byte) */
    private boolean othersWaiting() {
        if (Thread.currentThread().isInterrupted()) {
            return false; // a lock call now would close the channel; releasing is what matters
        }
        try {
            FileLock probe = tryRegion(WAITING, false);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Releases one hold; the last hold releases the file lock. */
    void unlock() {
        if (threads.getHoldCount() == 1) {
            if (fileLock != null && othersWaiting()) {
                yielding = true;
                yieldUntil = System.nanoTime() + YIELD;
            }
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
