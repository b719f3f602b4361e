package dev.dal.file.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.JsonValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rollback journal, as SQLite keeps one: before a unit of work changes a path for the first
 * time, the path's original state is appended to {@code journal.ndjson} and forced to disk. The
 * unit commits by deleting the journal (one durable directory change). If the process dies
 * before that, the next process to take the store lock finds the journal and undoes the unit, so
 * a unit is all or nothing. Deleted trees wait in {@code trash/} until the unit commits.
 */
final class WriteJournal {
    private static final Logger LOG = LoggerFactory.getLogger(WriteJournal.class);
    static final String FILE_NAME = "journal.ndjson";
    static final String TRASH = "trash";

    private final Path root;
    private final Path file;
    private final ObjectMapper json = JsonValues.newMapper();
    private final List<UndoRecord> pending = new ArrayList<>();
    private final Set<String> recorded = new HashSet<>();
    private FileChannel channel;
    private boolean active;
    private int trashCounter;

    WriteJournal(Path root) {
        this.root = root;
        this.file = root.resolve(FILE_NAME);
    }

    boolean isActive() {
        return active;
    }

    void begin() {
        if (active) {
            throw new IllegalStateException("unit of work already active");
        }
        active = true;
        recorded.clear();
        pending.clear();
    }

    /** Records a whole file's original content (or absence) before it is replaced or deleted. */
    void recordFile(Path path) throws IOException {
        String rel = relative(path);
        if (recorded.add(UndoRecord.FILE + ":" + rel) && !recorded.contains(UndoRecord.LENGTH + ":" + rel)) {
            byte[] original = DurableFiles.readOrNull(path);
            pending.add(new UndoRecord(
                    UndoRecord.FILE,
                    rel,
                    null,
                    null,
                    null,
                    original == null ? null : Base64.getEncoder().encodeToString(original)));
        }
    }

    /** Records a file's original length before bytes are written past it. */
    void recordLength(Path path) throws IOException {
        String rel = relative(path);
        if (recorded.add(UndoRecord.LENGTH + ":" + rel) && !recorded.contains(UndoRecord.FILE + ":" + rel)) {
            pending.add(new UndoRecord(UndoRecord.LENGTH, rel, null, null, DurableFiles.sizeOrMissing(path), null));
        }
    }

    /** Records bytes about to be overwritten inside a file. */
    void recordRegion(Path path, long offset, byte[] original) {
        pending.add(new UndoRecord(
                UndoRecord.REGION,
                relative(path),
                null,
                offset,
                null,
                Base64.getEncoder().encodeToString(original)));
    }

    /** Records a directory this unit creates, so a rollback removes it. */
    void recordCreatedDirectory(Path dir) {
        pending.add(new UndoRecord(UndoRecord.MKDIR, relative(dir), null, null, null, null));
    }

    /** Moves a tree into the trash (deleted for good at commit) and records how to move it back. */
    void moveToTrash(Path path) throws IOException {
        Path target = root.resolve(TRASH).resolve(System.nanoTime() + "-" + (trashCounter++));
        pending.add(new UndoRecord(UndoRecord.MOVE, relative(path), relative(target), null, null, null));
        sync();
        DurableFiles.move(path, target);
    }

    /** Forces every pending record to disk; must run before the change it undoes. */
    void sync() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        boolean created = channel == null;
        CrashSimulation.beforeChange(file);
        if (created) {
            channel = DurableFiles.openReadWrite(file);
            channel.truncate(0);
        }
        StringBuilder lines = new StringBuilder();
        for (UndoRecord record : pending) {
            lines.append(encode(record)).append('\n');
        }
        pending.clear();
        DurableFiles.writeFully(
                channel, ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)), channel.size());
        DurableFiles.force(channel, file, false);
        if (created) {
            DurableFiles.syncDirectory(root);
        }
    }

    /** Makes the unit's changes permanent: the journal's deletion is the commit point. */
    void commit() throws IOException {
        active = false;
        pending.clear();
        if (channel != null) {
            channel.close();
            channel = null;
            DurableFiles.delete(file);
            emptyTrash();
        }
    }

    /** Undoes the unit's changes, newest first. */
    void rollback() throws IOException {
        active = false;
        pending.clear();
        if (channel != null) {
            channel.close();
            channel = null;
            undo(root, json);
        }
    }

    /**
     * Undoes a unit left behind by a process that died, if any, and clears a committed unit's
     * trash. Runs each time a process takes the store lock.
     */
    void recover() throws IOException {
        if (Files.exists(file)) {
            LOG.warn("Rolling back an unfinished write found in {} (a writer stopped before committing)", root);
            undo(root, json);
        } else {
            emptyTrash();
        }
    }

    private void emptyTrash() throws IOException {
        Path trash = root.resolve(TRASH);
        for (Path entry : DurableFiles.list(trash)) {
            DurableFiles.deleteTree(entry);
        }
    }

    private void undo(Path base, ObjectMapper mapper) throws IOException {
        List<UndoRecord> records = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            try {
                records.add(mapper.readValue(line, UndoRecord.class));
            } catch (JsonProcessingException e) {
                // A torn last line: its change never started, because records are forced first.
                break;
            }
        }
        for (int i = records.size() - 1; i >= 0; i--) {
            apply(base, records.get(i));
        }
        DurableFiles.delete(file);
        emptyTrash();
    }

    private static void apply(Path base, UndoRecord r) throws IOException {
        Path path = base.resolve(r.path());
        switch (r.op()) {
            case UndoRecord.FILE -> {
                if (r.data() == null) {
                    DurableFiles.delete(path);
                } else {
                    DurableFiles.createDirectories(path.getParent());
                    DurableFiles.replace(path, Base64.getDecoder().decode(r.data()));
                }
            }
            case UndoRecord.LENGTH -> {
                if (r.length() < 0) {
                    DurableFiles.delete(path);
                } else {
                    DurableFiles.truncate(path, r.length());
                }
            }
            case UndoRecord.REGION -> {
                if (Files.exists(path)) {
                    DurableFiles.writeAt(
                            path,
                            r.offset(),
                            ByteBuffer.wrap(Base64.getDecoder().decode(r.data())));
                }
            }
            case UndoRecord.MKDIR -> DurableFiles.deleteTree(path);
            case UndoRecord.MOVE -> {
                Path moved = base.resolve(r.to());
                if (Files.exists(moved)) {
                    DurableFiles.move(moved, path);
                }
            }
            default -> throw new IOException("Unknown journal record: " + r.op());
        }
    }

    private String relative(Path path) {
        return root.relativize(path).toString();
    }

    private String encode(UndoRecord record) throws IOException {
        return json.writeValueAsString(record);
    }
}
