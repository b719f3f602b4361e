package dev.dal.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * File operations that survive a crash: a write is on disk before it is acknowledged (fsync of
 * the file, and of the directory when names change), replacements are atomic (temp file +
 * rename), and everything is private to the owner (directories 0700, files 0600).
 */
final class DurableFiles {
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final FileAttribute<?>[] FILE_ATTRS = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    private static final FileAttribute<?>[] DIR_ATTRS = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
            }
            : new FileAttribute<?>[0];
    private static final Set<StandardOpenOption> APPEND = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);

    private DurableFiles() {}

    /** Creates a directory (and missing parents) with mode 0700, and makes the new names durable. */
    static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, DIR_ATTRS);
        } catch (FileAlreadyExistsException e) {
            return;
        }
        if (parent != null) {
            syncDirectory(parent);
        }
    }

    /** @return the file's bytes, or {@code null} when it does not exist */
    static byte[] readOrNull(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Replaces a file's content atomically: a reader or a crash sees the old bytes or the new, never a mix. */
    static void replace(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        CrashSimulation.beforeChange(temp);
        try (FileChannel channel = FileChannel.open(
                temp,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                FILE_ATTRS)) {
            writeFully(channel, ByteBuffer.wrap(content), 0);
            force(channel, temp, true);
        }
        CrashSimulation.beforeNameChange();
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            CrashSimulation.moved(temp, file);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The file system under the data directory cannot rename atomically", e);
        }
        syncDirectory(file.getParent());
    }

    /**
     * Deletes a file if present and makes the removal durable.
     *
     * @return whether it existed
     */
    static boolean delete(Path file) throws IOException {
        CrashSimulation.beforeNameChange();
        boolean existed = Files.deleteIfExists(file);
        CrashSimulation.deleted(file);
        if (existed) {
            syncDirectory(file.getParent());
        }
        return existed;
    }

    /**
     * Writes bytes at a position and forces them to disk, creating the file (0600) if needed.
     *
     * @return the file's size before the write
     */
    static long writeAt(Path file, long position, ByteBuffer bytes) throws IOException {
        boolean created = !Files.exists(file);
        long before;
        CrashSimulation.beforeChange(file);
        try (FileChannel channel = FileChannel.open(file, APPEND, FILE_ATTRS)) {
            before = channel.size();
            writeFully(channel, bytes, position);
            force(channel, file, false);
        }
        if (created) {
            syncDirectory(file.getParent());
        }
        return before;
    }

    /** Cuts a file back to a length and forces it; a missing file is left missing. */
    static void truncate(Path file, long length) throws IOException {
        CrashSimulation.beforeChange(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
            force(channel, file, true);
        } catch (NoSuchFileException e) {
            // nothing to cut back
        }
    }

    /** @return the file's size, or -1 when it does not exist */
    static long sizeOrMissing(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /** Reads {@code length} bytes at {@code position}. */
    static byte[] readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("Unexpected end of file at " + (position + buffer.position()));
            }
        }
        return buffer.array();
    }

    static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }

    /**
     * Forces a file's written bytes (and its metadata when asked) to disk. Every force of a file's
     * content goes through here, so a crash simulation knows which writes are durable.
     */
    static void force(FileChannel channel, Path file, boolean metaData) throws IOException {
        CrashSimulation.beforeForce();
        channel.force(metaData);
        CrashSimulation.forced(file);
    }

    /** Renames atomically and makes both directories durable. */
    static void move(Path from, Path to) throws IOException {
        createDirectories(to.getParent());
        CrashSimulation.beforeNameChange();
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        CrashSimulation.moved(from, to);
        syncDirectory(from.getParent());
        syncDirectory(to.getParent());
    }

    /** Deletes a directory tree; missing is fine. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        CrashSimulation.beforeNameChange();
        if (Files.isDirectory(root)) {
            for (Path child : list(root)) {
                deleteTree(child);
            }
        }
        Files.deleteIfExists(root);
        CrashSimulation.deleted(root);
    }

    /** @return the directory's entries sorted by name; empty when it does not exist */
    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        Collections.sort(entries);
        return entries;
    }

    /** Forces a directory's entries (new, renamed, deleted names) to disk. */
    static void syncDirectory(Path dir) throws IOException {
        if (!POSIX) {
            return; // directories cannot be opened for sync on Windows
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Opens (creating, 0600) a file for reading and writing. */
    static FileChannel openReadWrite(Path file) throws IOException {
        return FileChannel.open(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE), FILE_ATTRS);
    }
}
