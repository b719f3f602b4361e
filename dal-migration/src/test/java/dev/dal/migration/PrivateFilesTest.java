package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.migration.internal.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the tool writes holds store data or positions in it: owner-only, like the file store's own files. */
class PrivateFilesTest {
    @TempDir
    Path dir;

    @Test
    void anArchiveIsOwnerOnlyEvenWhenItReplacesAWorldReadableFile() throws IOException {
        String source = Backends.FILE.freshStore();
        Path archive = dir.resolve("backup.ndjson.gz");
        Files.writeString(archive, "old");
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
        try (DataAccess src = Backends.open(source)) {
            SampleData.fill(src, 1, 1, 2);
            Archive.export(src, archive, source, 10);
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)))
                .isEqualTo("rw-------");
    }

    @Test
    void aCheckpointAndTheDirectoriesMadeForItAreOwnerOnly() throws IOException {
        Path file = dir.resolve("made/for/it/copy.checkpoint");

        Checkpoint.start("a->b").save(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("made"))))
                .isEqualTo("rwx------");
    }
}
