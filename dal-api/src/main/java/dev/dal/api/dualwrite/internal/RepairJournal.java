package dev.dal.api.dualwrite.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccessException;
import dev.dal.api.JsonValues;
import dev.dal.api.dualwrite.RecordKind;
import dev.dal.api.dualwrite.RepairEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of divergences: an append-only file of JSON lines, {@code 0600} in a {@code 0700}
 * directory, each append forced to disk before the caller is told the write succeeded, so it survives a
 * kill or a power cut. Appends and trims hold an OS lock on a sibling lock file (whose inode a trim never
 * replaces), so several processes may share one journal. Each append opens the file afresh: appends are
 * rare (only failures are journaled) and a trim replaces the file.
 * A torn last line (the process died mid-append, before its caller was answered) is skipped on reading.
 */
public final class RepairJournal implements AutoCloseable {
    /** The journal's file name inside its directory. */
    public static final String FILE_NAME = "dual-write-repair.ndjson";
    private static final Logger LOG = LoggerFactory.getLogger(RepairJournal.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One monitor per journal file in this JVM: the OS lock is per process, and two handles may share a file. */
    private static final java.util.concurrent.ConcurrentMap<Path, Object> MONITORS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Object monitor;
    private final Path dir;
    private final Path file;
    private final FileChannel lockChannel;
    private final AtomicLong size = new AtomicLong();

    private RepairJournal(Path dir, Path file, FileChannel lockChannel) {
        this.dir = dir;
        this.file = file;
        this.lockChannel = lockChannel;
        this.monitor = MONITORS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Object());
    }

    /**
     * Opens (creating when needed) the journal in a directory.
     *
     * @param dir the directory; created {@code 0700} when missing
     * @return the open journal
     * @throws DataAccessException when the directory or file cannot be used
     */
    public static RepairJournal open(Path dir) {
        try {
            createPrivateDirectory(dir);
            Path file = dir.resolve(FILE_NAME);
            createPrivateFile(file);
            Path lockFile = dir.resolve(FILE_NAME + ".lock");
            createPrivateFile(lockFile);
            forceDirectory(dir);
            FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            RepairJournal journal = new RepairJournal(dir, file, lockChannel);
            journal.size.set(journal.readAll().size());
            return journal;
        } catch (IOException e) {
            throw new DataAccessException("The dual-write repair journal in " + dir + " cannot be opened ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    private static void createPrivateFile(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // an earlier run's file: a journal's entries are still owed to the secondary
        } catch (UnsupportedOperationException e) {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
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
        synchronized (monitor) {
            appendLocked(entries);
        }
    }

    private void appendLocked(List<RepairEntry> entries) {
        StringBuilder lines = new StringBuilder();
        for (RepairEntry entry : entries) {
            lines.append(JsonValues.write(toJson(entry))).append('\n');
        }
        try (FileLock lock = lockChannel.lock();
                FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            assert lock.isValid();
            if (endsTorn()) {
                // A process died mid-append: end its torn line, or this entry would join it and be unreadable too.
                lines.insert(0, '\n');
            }
            ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(false);
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
     * Removes the first {@code count} entries, keeping those of them that failed again (first), and every entry
     * appended after them. Written to a new file that replaces the old one atomically.
     *
     * @param count how many entries from the start were replayed
     * @param failedAgain those of them to keep
     */
    public void trim(int count, List<RepairEntry> failedAgain) {
        synchronized (monitor) {
            trimLocked(count, failedAgain);
        }
    }

    private void trimLocked(int count, List<RepairEntry> failedAgain) {
        try (FileLock lock = lockChannel.lock()) {
            assert lock.isValid();
            List<String> lines = lines().stream().filter(l -> parse(l) != null).toList();
            List<String> kept = new ArrayList<>();
            failedAgain.forEach(e -> kept.add(JsonValues.write(toJson(e))));
            kept.addAll(lines.subList(Math.min(count, lines.size()), lines.size()));
            Path next = dir.resolve(FILE_NAME + ".next");
            Files.deleteIfExists(next);
            createPrivateFile(next);
            try (FileChannel out = FileChannel.open(next, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(kept.stream().map(l -> l + "\n").reduce("", String::concat)
                        .getBytes(StandardCharsets.UTF_8));
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
        } catch (IOException e) {
            throw new DataAccessException("The dual-write repair journal " + file + " could not be trimmed ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
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
            return new RepairEntry(RecordKind.valueOf(node.get("kind").asText()), keys, node.get("operation").asText(),
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
        try {
            lockChannel.close();
        } catch (IOException e) {
            // nothing is lost: every append was forced before it returned
        }
    }
}
