package dev.dal.dualwrite.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccessException;
import dev.dal.api.JsonValues;
import dev.dal.api.spi.StoreFailures;
import dev.dal.dualwrite.RecordKind;
import dev.dal.dualwrite.RepairEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of divergences: an append-only file of JSON lines, {@code 0600} in a {@code 0700}
 * directory, each append forced to disk before the caller is told the write succeeded, so it survives a
 * kill or a power cut. Appends and trims hold an OS lock on a sibling lock file (whose inode a trim never
 * replaces), so several processes may share one journal. Each append opens the file afresh: appends are
 * rare (only failures are journaled) and a trim replaces the file.
 *
 * <p>Locking: the threads of one JVM queue on one fair lock per journal file (all handles on the file share it,
 * and share one channel on the lock file, since closing any channel on a file drops every POSIX lock the process
 * holds on it); the thread that gets it takes the OS lock with a non-blocking {@link FileChannel#tryLock} polled
 * with backoff. A blocking {@link FileChannel#lock} would let the kernel report a false {@code EDEADLK}
 * ("Resource deadlock avoided") between multi-threaded processes, because POSIX record locks belong to the
 * process. The whole wait is bounded ({@code DB_QUERY_TIMEOUT}, 30 s by default); past it the call fails with a
 * {@link dev.dal.api.TransientDataAccessException} and writes nothing. Interrupts do not cut an append short:
 * the work runs with the thread's interrupt flag cleared, and the flag is set again afterwards.
 * A torn last line (the process died mid-append, before its caller was answered) is skipped on reading.
 */
public final class RepairJournal implements AutoCloseable {
    /** The journal's file name inside its directory. */
    public static final String FILE_NAME = "dual-write-repair.ndjson";

    private static final Logger LOG = LoggerFactory.getLogger(RepairJournal.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The longest a call waits for the journal's lock unless told otherwise: {@code DB_QUERY_TIMEOUT}'s default. */
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(30);

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final StoreFailures FAILURES = StoreFailures.of("The dual-write repair journal");

    /** One lock per journal file in this JVM: the OS lock is per process, and two handles may share a file. */
    private static final Map<Path, SharedLock> LOCKS = new HashMap<>();

    private final SharedLock lock;
    private final Duration lockWait;
    private final Path dir;
    private final Path file;
    private final AtomicLong size = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private RepairJournal(Path dir, Path file, SharedLock lock, Duration lockWait) {
        this.dir = dir;
        this.file = file;
        this.lock = lock;
        this.lockWait = lockWait;
    }

    /**
     * The lock of one journal file in this JVM: a fair lock for its threads and one channel on the lock file,
     * shared by every handle and closed with the last one.
     */
    private static final class SharedLock {
        private final Path key;
        private final Path lockFile;
        private final ReentrantLock threads = new ReentrantLock(true);
        private FileChannel channel;
        private int users;

        private SharedLock(Path key, Path lockFile) {
            this.key = key;
            this.lockFile = lockFile;
        }

        static SharedLock acquire(Path key, Path lockFile) throws IOException {
            synchronized (LOCKS) {
                SharedLock shared = LOCKS.computeIfAbsent(key, k -> new SharedLock(k, lockFile));
                if (shared.users == 0) {
                    shared.channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                shared.users++;
                return shared;
            }
        }

        void release() {
            synchronized (LOCKS) {
                if (--users == 0) {
                    LOCKS.remove(key);
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // nothing is lost: every append was forced before it returned
                    }
                }
            }
        }

        /** @return the OS lock, taken by polling within the deadline; only the holder of {@link #threads} calls it */
        FileLock takeFileLock(String operation, Duration limit, long deadline) throws IOException {
            long pause = FIRST_PAUSE_NANOS;
            while (true) {
                if (!channel.isOpen()) {
                    channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                FileLock got;
                try {
                    got = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    got = null; // another handle of this JVM outside this journal holds it: as busy as another process
                }
                if (got != null) {
                    return got;
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw FAILURES.lockTimeout(operation, limit, null);
                }
                LockSupport.parkNanos(Math.min(pause, deadline - now));
                pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
            }
        }
    }

    /** Work done holding the journal's lock. */
    @FunctionalInterface
    private interface LockedWork {
        void run() throws IOException;
    }

    /**
     * Runs work holding this JVM's lock of the file and the OS lock, waiting at most {@link #lockWait} for both,
     * with the interrupt flag cleared (an interrupt would close the channels mid-append) and set again afterwards.
     */
    private void locked(String operation, LockedWork work) throws IOException {
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + lockWait.toNanos();
        try {
            if (!takeThreadLock(deadline)) {
                throw FAILURES.lockTimeout(operation, lockWait, null);
            }
            if (Thread.interrupted()) {
                interrupted = true;
            }
            try (FileLock held = lock.takeFileLock(operation, lockWait, deadline)) {
                assert held.isValid();
                work.run();
            } finally {
                lock.threads.unlock();
            }
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for this JVM's lock of the file until the deadline; an interrupt does not end the wait (it is kept). */
    private boolean takeThreadLock(long deadline) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return lock.threads.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Opens (creating when needed) the journal in a directory; a call waits at most {@link #DEFAULT_LOCK_WAIT} for
     * the journal's lock.
     *
     * @param dir the directory; created {@code 0700} when missing
     * @return the open journal
     * @throws DataAccessException when the directory or file cannot be used
     */
    public static RepairJournal open(Path dir) {
        return open(dir, DEFAULT_LOCK_WAIT);
    }

    /**
     * Opens (creating when needed) the journal in a directory.
     *
     * @param dir the directory; created {@code 0700} when missing
     * @param lockWait the longest one append or trim waits for the journal's lock, queueing behind this JVM's
     *     other threads included ({@code DB_QUERY_TIMEOUT}); past it the call fails with a
     *     {@link dev.dal.api.TransientDataAccessException} and writes nothing
     * @return the open journal
     * @throws DataAccessException when the directory or file cannot be used
     */
    public static RepairJournal open(Path dir, Duration lockWait) {
        Objects.requireNonNull(lockWait, "lockWait");
        try {
            PrivateFiles.createDirectory(dir);
            Path file = dir.resolve(FILE_NAME);
            PrivateFiles.createFile(file);
            Path lockFile = dir.resolve(FILE_NAME + ".lock");
            PrivateFiles.createFile(lockFile);
            forceDirectory(dir);
            SharedLock lock = SharedLock.acquire(file.toAbsolutePath().normalize(), lockFile);
            RepairJournal journal = new RepairJournal(dir, file, lock, lockWait);
            try {
                journal.size.set(journal.readAll().size());
            } catch (RuntimeException e) {
                lock.release();
                throw e;
            }
            return journal;
        } catch (IOException e) {
            throw new DataAccessException("The dual-write repair journal in " + dir + " cannot be opened ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** @return the journal file */
    public Path file() {
        return file;
    }

    /** @return entries in the journal, as this process knows it (appends by other processes show after a trim) */
    public long size() {
        return size.get();
    }

    /**
     * Appends entries and forces them to disk.
     *
     * @param entries the divergences
     * @throws DataAccessException when they could not be made durable
     */
    public void append(List<RepairEntry> entries) {
        StringBuilder lines = new StringBuilder();
        for (RepairEntry entry : entries) {
            lines.append(JsonValues.write(toJson(entry))).append('\n');
        }
        try {
            locked("append", () -> {
                try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    if (endsTorn()) {
                        // A process died mid-append: end its torn line, or this entry would join it and be unreadable.
                        lines.insert(0, '\n');
                    }
                    ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                    out.force(false);
                }
            });
        } catch (IOException e) {
            throw new DataAccessException("The dual-write repair journal " + file + " could not be written ("
                    + e.getClass().getSimpleName() + ")");
        }
        size.addAndGet(entries.size());
    }

    /** @return whether the file ends inside a line (a torn append) */
    private boolean endsTorn() throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = in.size();
            if (length == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            in.read(last, length - 1);
            return last.get(0) != '\n';
        }
    }

    /**
     * @return every entry in the journal, oldest first
     * @throws DataAccessException when the file cannot be read
     */
    public List<RepairEntry> readAll() {
        List<RepairEntry> entries = new ArrayList<>();
        for (String line : lines()) {
            RepairEntry entry = parse(line);
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }

    /**
     * Removes entries that were replayed, one line for each, and keeps every other line where it is:
     * entries that failed again, and whatever this or another process appended or kept meanwhile. The
     * file is read again under the lock, so two processes repairing at once cannot drop each other's
     * entries: an entry the other one already removed is simply not found. Written to a new file that
     * replaces the old one atomically; a torn line is dropped.
     *
     * @param replayed the entries whose replay succeeded
     */
    public void remove(List<RepairEntry> replayed) {
        try {
            locked("remove", () -> removeLocked(replayed));
        } catch (IOException e) {
            throw new DataAccessException("The dual-write repair journal " + file + " could not be rewritten ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private void removeLocked(List<RepairEntry> replayed) throws IOException {
        Map<RepairEntry, Integer> toRemove = new HashMap<>();
        replayed.forEach(e -> toRemove.merge(e, 1, Integer::sum));
        List<String> kept = new ArrayList<>();
        for (String line : lines()) {
            RepairEntry entry = parse(line);
            if (entry == null) {
                continue;
            }
            Integer left = toRemove.get(entry);
            if (left != null) {
                toRemove.put(entry, left - 1);
                if (left == 1) {
                    toRemove.remove(entry);
                }
                continue;
            }
            kept.add(line);
        }
        Path next = dir.resolve(FILE_NAME + ".next");
        Files.deleteIfExists(next);
        PrivateFiles.createFile(next);
        try (FileChannel out = FileChannel.open(next, StandardOpenOption.WRITE)) {
            StringBuilder text = new StringBuilder();
            kept.forEach(l -> text.append(l).append('\n'));
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(dir);
        size.set(kept.size());
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank())
                    .toList();
        } catch (IOException e) {
            throw new DataAccessException("The dual-write repair journal " + file + " could not be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private RepairEntry parse(String line) {
        try {
            JsonNode node = JsonValues.parse(line);
            List<String> keys = new ArrayList<>();
            node.get("keys").forEach(k -> keys.add(k.asText()));
            JsonNode reason = node.get("reason");
            return new RepairEntry(
                    RecordKind.valueOf(node.get("kind").asText()),
                    keys,
                    node.get("operation").asText(),
                    Instant.parse(node.get("recordedAt").asText()),
                    reason == null || reason.isNull() ? null : reason.asText());
        } catch (RuntimeException e) {
            LOG.warn("Skipping an unreadable line of the dual-write repair journal {} (a write cut short)", file);
            return null;
        }
    }

    private static ObjectNode toJson(RepairEntry entry) {
        ObjectNode node = NODES.objectNode();
        node.put("kind", entry.kind().name());
        ArrayNode keys = node.putArray("keys");
        entry.keys().forEach(keys::add);
        node.put("operation", entry.operation());
        node.put("recordedAt", entry.recordedAt().toString());
        node.put("reason", entry.reason());
        return node;
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not every platform can force a directory; the file's own force still holds its bytes
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            lock.release();
        }
    }
}
