package dev.dal.migration.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import dev.dal.migration.ImportReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Reading a legacy input's files: only ever opened for reading (an import never changes its
 * source), parsed as JSON with errors that name the file and the line, and checked for the
 * permissions legacy stores left behind (the legacy PHP file store wrote its files world-readable, 0777).
 */
public final class LegacyFiles {
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private LegacyFiles() {}

    /**
     * @param file a JSON file
     * @param source the {@link ValidationException#field()} of errors, e.g. {@code tinydb}
     * @param name how errors name the file
     * @return its JSON
     * @throws ValidationException when it cannot be read or is not JSON (line and column given)
     */
    public static JsonNode readJson(Path file, String source, String name) {
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ)) {
            JsonNode root = JsonValues.newMapper().readTree(in);
            if (root == null || root.isMissingNode()) {
                throw new ValidationException(source, name + " is empty, not JSON; nothing was imported");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ValidationException(
                    source,
                    name + " is not JSON (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + "); nothing was imported");
        } catch (IOException e) {
            throw new ValidationException(
                    source, name + " could not be read (" + e.getClass().getSimpleName() + "); nothing was imported");
        }
    }

    /**
     * @param path a file or directory of the input
     * @param name how the report names it
     * @return a warning when anyone on the machine may read (or write) it
     */
    public static Optional<ImportReport.Warning> exposure(Path path, String name) {
        if (!POSIX) {
            return Optional.empty();
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            String text = PosixFilePermissions.toString(perms);
            boolean read = perms.contains(PosixFilePermission.OTHERS_READ);
            boolean write = perms.contains(PosixFilePermission.OTHERS_WRITE);
            if (read || write) {
                String problem = read && write
                        ? "world-readable and world-writable"
                        : read ? "world-readable" : "world-writable";
                return Optional.of(new ImportReport.Warning(name, problem + " (" + text + ")"));
            }
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
