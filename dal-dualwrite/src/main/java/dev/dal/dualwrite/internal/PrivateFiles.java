package dev.dal.dualwrite.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Creates the journal's files owner-only ({@code 0600} in {@code 0700}), and keeps one that already exists. */
final class PrivateFiles {
    private PrivateFiles() {}

    static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /** Creates the file unless it exists (an earlier run's file still holds what is owed to the secondary). */
    static void createFile(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // kept as it is
        } catch (UnsupportedOperationException e) {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        }
    }
}
