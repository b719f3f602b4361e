package dev.dal.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Every change the file store makes goes through here, so that each one is journaled (and the
 * journal forced) before the change itself reaches the disk.
 */
final class JournaledFiles {
    private final WriteJournal journal;

    JournaledFiles(WriteJournal journal) {
        this.journal = journal;
    }

    private void requireUnit() {
        if (!journal.isActive()) {
            throw new IllegalStateException("file change outside a unit of work");
        }
    }

    /**
     * Journals the original state of files a unit is about to append to and replace, in one
     * forced write, so the changes that follow need no journal write of their own.
     */
    void prepare(List<Path> appendTo, List<Path> replace) throws IOException {
        requireUnit();
        for (Path file : appendTo) {
            journal.recordLength(file);
        }
        for (Path file : replace) {
            journal.recordFile(file);
        }
        journal.sync();
    }

    void replace(Path file, byte[] content) throws IOException {
        requireUnit();
        journal.recordFile(file);
        journal.sync();
        DurableFiles.createDirectories(file.getParent());
        DurableFiles.replace(file, content);
    }

    /**
     * Rewrites a small file in place: its whole original content (or absence) is journaled, then the new bytes
     * are written over it and forced, one {@code fsync} where {@link #replace} needs a temp file, a rename and a
     * directory sync. Only a crash can leave the write torn, and recovery then puts the original back.
     */
    void rewrite(Path file, byte[] content) throws IOException {
        requireUnit();
        journal.recordFile(file);
        journal.sync();
        long size = DurableFiles.sizeOrMissing(file);
        DurableFiles.writeAt(file, 0, ByteBuffer.wrap(content));
        if (size > content.length) {
            DurableFiles.truncate(file, content.length);
        }
    }

    boolean delete(Path file) throws IOException {
        requireUnit();
        if (!Files.exists(file)) {
            return false;
        }
        journal.recordFile(file);
        journal.sync();
        return DurableFiles.delete(file);
    }

    /**
     * Appends bytes.
     *
     * @return the offset they were written at
     */
    long append(Path file, byte[] bytes) throws IOException {
        requireUnit();
        journal.recordLength(file);
        journal.sync();
        long offset = Math.max(0, DurableFiles.sizeOrMissing(file));
        DurableFiles.writeAt(file, offset, ByteBuffer.wrap(bytes));
        return offset;
    }

    /** Writes bytes at a position, journaling whatever they overwrite. */
    void writeAt(Path file, long position, byte[] bytes) throws IOException {
        requireUnit();
        long size = DurableFiles.sizeOrMissing(file);
        if (position < size) {
            int overlap = (int) Math.min(bytes.length, size - position);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                journal.recordRegion(file, position, DurableFiles.readAt(channel, position, overlap));
            }
        }
        if (position + bytes.length > size) {
            journal.recordLength(file);
        }
        journal.sync();
        DurableFiles.writeAt(file, position, ByteBuffer.wrap(bytes));
    }

    /** Creates a directory, journaled so that a rollback removes it. */
    void createDirectory(Path dir) throws IOException {
        requireUnit();
        if (Files.isDirectory(dir)) {
            return;
        }
        DurableFiles.createDirectories(dir.getParent());
        journal.recordCreatedDirectory(dir);
        journal.sync();
        DurableFiles.createDirectories(dir);
    }

    /** Removes a tree; it is really deleted only when the unit commits. */
    boolean deleteTree(Path dir) throws IOException {
        requireUnit();
        if (!Files.exists(dir)) {
            return false;
        }
        journal.moveToTrash(dir);
        return true;
    }
}
