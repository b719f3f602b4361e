package dev.dal.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The file store as a {@link TestBackend}: every store in a new directory under one temporary directory of the
 * test JVM (owner-only), removed when the JVM ends. Stores of this backend never share data, so tests on it may
 * run in parallel.
 */
public final class FileTestBackend implements TestBackend {
    private static final AtomicInteger STORES = new AtomicInteger();
    private static Path root;

    /** Creates the backend; its directory is made on first use. */
    public FileTestBackend() {}

    @Override
    public String storageType() {
        return "file";
    }

    @Override
    public Map<String, String> emptyStoreSettings() {
        Path dir = root().resolve("store-" + STORES.incrementAndGet());
        return Map.of("DATA_STORAGE_TYPE", "file", "DATA_DIR", dir.toString());
    }

    @Override
    public String description() {
        return "a new directory per store under " + root();
    }

    private static synchronized Path root() {
        if (root == null) {
            try {
                root = Files.createTempDirectory(
                        "dal-test-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not create a temporary directory for file stores", e);
            }
            Path created = root;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(created), "dal-test-cleanup"));
        }
        return root;
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // the JVM is ending; what is left is in the system's temporary directory
        }
    }
}
