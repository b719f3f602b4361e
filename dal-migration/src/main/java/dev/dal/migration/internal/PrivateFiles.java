package dev.dal.migration.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files the tool writes hold store data (archives, verify reports) or store positions
 * (checkpoints), so they are created owner-only, as the file store's own files are: files 0600,
 * new directories 0700. On a file system without POSIX permissions the platform default applies.
 */
public final class PrivateFiles {
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /**
     * Creates a directory and its missing parents, each new one owner-only.
     *
     * @param dir the directory
     * @throws IOException when it cannot be created
     */
    public static void createDirectories(Path dir) throws IOException {
        if (POSIX) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } else {
            Files.createDirectories(dir);
        }
    }

    /**
     * Opens a file for writing from the start, creating it owner-only; an existing file is
     * truncated and made owner-only too.
     *
     * @param file the file
     * @return a channel the caller closes
     * @throws IOException when it cannot be opened
     */
    public static FileChannel openForWrite(Path file) throws IOException {
        FileChannel channel = POSIX
                ? FileChannel.open(
                        file,
                        Set.of(
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE,
                                StandardOpenOption.TRUNCATE_EXISTING),
                        fileAttribute())
                : FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        if (POSIX) {
            Files.setPosixFilePermissions(file, FILE);
        }
        return channel;
    }

    /**
     * {@link #openForWrite(Path)} as a stream.
     *
     * @param file the file
     * @return a stream the caller closes
     * @throws IOException when it cannot be opened
     */
    public static OutputStream newOutputStream(Path file) throws IOException {
        return Channels.newOutputStream(openForWrite(file));
    }

    /**
     * Replaces a file's content durably and atomically: written to {@code FILE.tmp} (0600), forced to disk, renamed
     * over the file, and the rename forced, so a kill at any moment leaves the old content or the new, never a torn
     * file. Missing parent directories are created owner-only.
     *
     * @param file the file
     * @param bytes its new content
     * @throws IOException when it cannot be written
     */
    public static void replaceDurably(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        createDirectories(file.toAbsolutePath().getParent());
        try (FileChannel ch = openForWrite(tmp)) {
            ch.write(ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        // Makes the rename itself durable; not every file system lets a directory be opened.
        try (FileChannel ch = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // best effort
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
        return PosixFilePermissions.asFileAttribute(FILE);
    }
}
