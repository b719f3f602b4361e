package dev.dal.dualwrite.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccessException;
import dev.dal.api.JsonValues;
import dev.dal.dualwrite.RecordKind;
import dev.dal.dualwrite.RepairEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this process is about to write, made durable before the primary sees the write: the intent
 * half of a complete dual-write journal. A write records its intent (the kind and keys it may
 * change), the primary runs, the secondary is brought up to date (or the divergence is put in the
 * repair journal), and the intent is marked resolved. A process killed anywhere in between leaves its
 * unresolved intents behind, and the next decorator to open the journal directory adopts them into the
 * repair journal, so {@code repair()} alone makes the stores equal again.
 *
 * <p>Each process writes only its own file, {@code intents/<token>.ndjson}, and holds an exclusive OS
 * lock on {@code intents/<token>.lock} for as long as it lives; a lock that can be taken belongs to a
 * dead process. So appends need no lock between processes. Concurrent writers of one process share one
 * {@code force} (group commit): the first waiter writes and forces everything queued, the others wait
 * for it. Resolutions are written without a force of their own (a lost resolution only costs a
 * needless, idempotent replay). The file is rewritten with only the open intents once it has grown
 * past {@link #COMPACT_AFTER} lines.
 */
public final class IntentLog implements AutoCloseable {
    /** The directory, inside the journal directory, that holds every process's intents. */
    public static final String DIRECTORY = "intents";

    private static final Logger LOG = LoggerFactory.getLogger(IntentLog.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int COMPACT_AFTER = 20_000;

    private final Path dir;
    private final Path file;
    private final Path lockFile;
    private final FileChannel lockChannel;
    private final FileLock alive;
    private FileChannel out;
    /** Open intents by ticket, as lines, for compaction. Guarded by this. */
    private final Map<Long, String> open = new LinkedHashMap<>();

    private final StringBuilder pending = new StringBuilder();
    private long nextTicket;
    private long queuedUpTo;
    private long durableUpTo;
    private boolean flushing;
    private long linesInFile;
    private boolean closed;

    /**
     * The lock files of the logs open in this JVM. {@link #adoptDead} must not even open a channel on one: closing
     * any channel on a file drops every POSIX lock the process holds on it, so the live log would look dead to
     * every other process, which would adopt its intents and delete its file under it.
     */
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    private IntentLog(Path dir, Path file, Path lockFile, FileChannel lockChannel, FileLock alive, FileChannel out) {
        this.dir = dir;
        this.file = file;
        this.lockFile = lockFile;
        this.lockChannel = lockChannel;
        this.alive = alive;
        this.out = out;
    }

    /**
     * Opens this process's intent file in a journal directory.
     *
     * @param journalDir the repair journal's directory
     * @return the open log
     * @throws DataAccessException when the directory or files cannot be used
     */
    public static IntentLog open(Path journalDir) {
        Path dir = journalDir.resolve(DIRECTORY);
        String token = UUID.randomUUID().toString();
        try {
            PrivateFiles.createDirectory(dir);
            // The lock file is locked under a name adoptDead does not look at and only then renamed into place
            // (the lock stays with the file): another process looking for dead logs can never find it unlocked,
            // take it for a dead process's and remove it under this live log.
            Path lockFile = dir.resolve(token + ".lock");
            Path fresh = dir.resolve(token + ".lock.new");
            PrivateFiles.createFile(fresh);
            FileChannel lockChannel = FileChannel.open(fresh, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock alive = lockChannel.tryLock();
            if (alive == null) {
                lockChannel.close();
                throw new IOException("a fresh intent lock is held by someone else");
            }
            LIVE.add(lockFile.toAbsolutePath().normalize());
            Files.move(fresh, lockFile, StandardCopyOption.ATOMIC_MOVE);
            Path file = dir.resolve(token + ".ndjson");
            PrivateFiles.createFile(file);
            FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return new IntentLog(dir, file, lockFile, lockChannel, alive, out);
        } catch (IOException e) {
            // An I/O message names a path of the configuration and the system's reason, never a user value.
            throw new DataAccessException("The dual-write intent log in " + dir + " cannot be opened ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * Records intents durably; returns once they are on disk.
     *
     * @param steps what the coming write may change
     * @return the tickets that {@link #resolve} takes
     * @throws DataAccessException when they could not be made durable: the write must not go ahead
     */
    public long[] record(List<Step> steps) {
        long[] tickets = new long[steps.size()];
        long last;
        synchronized (this) {
            ensureOpen();
            Instant now = Instant.now();
            for (int i = 0; i < steps.size(); i++) {
                long ticket = ++nextTicket;
                String line = JsonValues.write(intent(ticket, steps.get(i), now));
                pending.append(line).append('\n');
                open.put(ticket, line);
                tickets[i] = ticket;
            }
            last = nextTicket;
            queuedUpTo = last;
        }
        awaitDurable(last);
        return tickets;
    }

    /** Group commit: the first thread to find nothing flushing writes and forces all that is queued. */
    private void awaitDurable(long ticket) {
        String batch;
        long upTo;
        synchronized (this) {
            while (durableUpTo < ticket) {
                if (!flushing) {
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DataAccessException(
                            "Interrupted while recording a dual-write intent; nothing was written");
                }
            }
            if (durableUpTo >= ticket) {
                return;
            }
            flushing = true;
            batch = pending.toString();
            pending.setLength(0);
            upTo = queuedUpTo;
        }
        boolean ok = false;
        try {
            write(batch, true);
            ok = true;
        } finally {
            synchronized (this) {
                flushing = false;
                if (ok) {
                    durableUpTo = Math.max(durableUpTo, upTo);
                    linesInFile += batch.chars().filter(c -> c == '\n').count();
                }
                notifyAll();
            }
        }
    }

    /**
     * Marks intents resolved: the secondary holds their records, or the repair journal holds the divergence.
     *
     * @param tickets from {@link #record}
     */
    public void resolve(long[] tickets) {
        if (tickets.length == 0) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        synchronized (this) {
            if (closed) {
                return;
            }
            for (long ticket : tickets) {
                open.remove(ticket);
                lines.append("{\"done\":").append(ticket).append("}\n");
            }
        }
        try {
            synchronized (this) {
                // Behind the intents' own writes: a resolution must never reach the file before its intent.
                while (flushing || durableUpTo < maxOf(tickets)) {
                    if (!flushing) {
                        awaitDurableLocked();
                        continue;
                    }
                    wait();
                }
                write(lines.toString(), false);
                linesInFile += tickets.length;
                if (linesInFile > COMPACT_AFTER && !flushing && pending.length() == 0) {
                    compact();
                }
            }
        } catch (IOException | RuntimeException e) {
            // The intents stay open: a later adoption replays them, which is harmless.
            LOG.warn(
                    "Dual-write: could not mark {} intent(s) resolved ({})",
                    tickets.length,
                    e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitDurableLocked() throws IOException {
        String batch = pending.toString();
        pending.setLength(0);
        write(batch, true);
        durableUpTo = queuedUpTo;
        linesInFile += batch.chars().filter(c -> c == '\n').count();
    }

    private static long maxOf(long[] tickets) {
        long max = 0;
        for (long t : tickets) {
            max = Math.max(max, t);
        }
        return max;
    }

    private void write(String text, boolean force) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            if (force) {
                out.force(false);
            }
        } catch (IOException e) {
            throw new DataAccessException("The dual-write intent log " + file + " could not be written ("
                    + e.getClass().getSimpleName() + "); nothing was written to either store");
        }
    }

    /** Rewrites this process's file with only the open intents. Holds this; no adopter touches a live file. */
    private void compact() throws IOException {
        Path next = dir.resolve(file.getFileName() + ".next");
        Files.deleteIfExists(next);
        StringBuilder text = new StringBuilder();
        open.values().forEach(l -> text.append(l).append('\n'));
        Files.writeString(next, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (FileChannel f = FileChannel.open(next, StandardOpenOption.WRITE)) {
            f.force(true);
        }
        Files.move(
                next,
                file,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        out.close();
        out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        linesInFile = open.size();
    }

    private void ensureOpen() {
        if (closed) {
            throw new DataAccessException("The dual-write intent log is closed");
        }
    }

    /**
     * Takes over the intents of processes that died: for each intent file whose owner's lock can be
     * taken, its unresolved intents are appended to the repair journal (durably) and the file removed.
     *
     * @param journalDir the repair journal's directory
     * @param journal where the adopted intents go
     * @return how many intents were adopted
     */
    public static int adoptDead(Path journalDir, RepairJournal journal) {
        Path dir = journalDir.resolve(DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int adopted = 0;
        try (DirectoryStream<Path> locks = Files.newDirectoryStream(dir, "*.lock")) {
            for (Path lockFile : locks) {
                adopted += adoptIfDead(dir, lockFile, journal);
            }
        } catch (IOException e) {
            LOG.warn(
                    "Dual-write: could not look for intents of stopped processes in {} ({})",
                    dir,
                    e.getClass().getSimpleName());
        }
        return adopted;
    }

    private static int adoptIfDead(Path dir, Path lockFile, RepairJournal journal) throws IOException {
        if (LIVE.contains(lockFile.toAbsolutePath().normalize())) {
            return 0; // a live log of this JVM: opening its lock file would release its lock
        }
        String name = lockFile.getFileName().toString();
        Path file = dir.resolve(name.substring(0, name.length() - ".lock".length()) + ".ndjson");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return 0; // a live log of this JVM
            }
            if (lock == null) {
                return 0; // its process is alive
            }
            try {
                List<RepairEntry> owed = openIntents(file);
                if (!owed.isEmpty()) {
                    journal.append(owed);
                }
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir.resolve(file.getFileName() + ".next"));
                Files.deleteIfExists(lockFile);
                if (!owed.isEmpty()) {
                    LOG.warn(
                            "Dual-write: a process stopped with {} write(s) not yet replicated; they are in the repair"
                                    + " journal now",
                            owed.size());
                }
                return owed.size();
            } finally {
                if (lock.isValid()) {
                    lock.release();
                }
            }
        }
    }

    private static List<RepairEntry> openIntents(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Map<Long, RepairEntry> open = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JsonValues.parse(line);
                if (node.has("done")) {
                    open.remove(node.get("done").asLong());
                } else {
                    List<String> keys = new ArrayList<>();
                    node.get("keys").forEach(k -> keys.add(k.asText()));
                    open.put(
                            node.get("n").asLong(),
                            new RepairEntry(
                                    RecordKind.valueOf(node.get("kind").asText()),
                                    keys,
                                    node.get("operation").asText(),
                                    Instant.parse(node.get("at").asText()),
                                    "the writing process stopped before the secondary was brought up to date"));
                }
            } catch (RuntimeException e) {
                // a line torn by the kill: its write never reached the primary, since the intent was not yet durable
            }
        }
        return List.copyOf(open.values());
    }

    private static ObjectNode intent(long ticket, Step step, Instant now) {
        ObjectNode node = NODES.objectNode();
        node.put("n", ticket);
        node.put("kind", step.kind().name());
        ArrayNode keys = node.putArray("keys");
        step.keys().forEach(keys::add);
        node.put("operation", step.operation());
        node.put("at", now.toString());
        return node;
    }

    /** Closes this process's log; a clean close leaves no intents behind, so the files go. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
            if (open.isEmpty()) {
                Files.deleteIfExists(file);
            }
            alive.release();
            lockChannel.close();
            if (open.isEmpty()) {
                Files.deleteIfExists(lockFile);
            }
        } catch (IOException e) {
            LOG.debug("Dual-write: closing the intent log: {}", e.getClass().getSimpleName());
        } finally {
            LIVE.remove(lockFile.toAbsolutePath().normalize());
        }
    }
}
