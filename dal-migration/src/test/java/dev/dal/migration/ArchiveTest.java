package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.DataAccess;
import dev.dal.api.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export and import through the NDJSON archive. */
class ArchiveTest {
    @TempDir
    Path dir;

    @Test
    void gzipRoundTripFromFileThroughPostgresIsEqual() {
        String source = Backends.FILE.freshStore();
        String restored = Backends.POSTGRES.freshStore();
        Path archive = dir.resolve("backup.ndjson.gz");
        try (DataAccess src = Backends.open(source); DataAccess dst = Backends.open(restored)) {
            SampleData.fill(src, 4, 2, 6);
            Map<RecordKind, Long> out = Archive.export(src, archive, source, 5);
            assertThat(out).containsEntry(RecordKind.MESSAGES, 48L).containsEntry(RecordKind.USERS, 4L);
            assertThat(Archive.importInto(archive, dst, 7)).isEqualTo(out);
            assertThat(Archive.importInto(archive, dst, 7)).as("a second import").isEqualTo(out);
            VerifyReport report = new StoreVerifier(src, dst, 100, 100).verify();
            assertThat(report.differences()).isEmpty();
            assertThat(report.equal()).isTrue();
        }
    }

    @Test
    void aTruncatedOrChangedArchiveIsRefusedBeforeAnythingIsWritten() throws IOException {
        String source = Backends.FILE.freshStore();
        Path archive = dir.resolve("backup.ndjson");
        try (DataAccess src = Backends.open(source)) {
            SampleData.fill(src, 2, 1, 3);
            Archive.export(src, archive, source, 100);
        }
        List<String> lines = Files.readAllLines(archive, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).startsWith("{\"format\":\"dal-archive\",\"version\":1");
        assertThat(lines.get(lines.size() - 1)).startsWith("{\"end\":true,\"counts\":{\"users\":2,\"sessions\":2,"
                + "\"messages\":6,\"memory\":6}");

        Path truncated = dir.resolve("truncated.ndjson");
        Files.write(truncated, lines.subList(0, lines.size() - 2), StandardCharsets.UTF_8);
        Path changed = dir.resolve("changed.ndjson");
        Files.write(changed, lines.stream().map(l -> l.replace("message 2 of", "message 9 of")).toList(),
                StandardCharsets.UTF_8);
        String target = Backends.FILE.freshStore();
        try (DataAccess dst = Backends.open(target)) {
            assertThatThrownBy(() -> Archive.importInto(truncated, dst, 10)).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("truncated");
            assertThatThrownBy(() -> Archive.importInto(changed, dst, 10)).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("checksum");
            assertThat(dst.bulk().scanUsers(null, 10).items()).as("nothing written").isEmpty();
        }
    }
}
