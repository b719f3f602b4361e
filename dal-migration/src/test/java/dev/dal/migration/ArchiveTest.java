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
        try (DataAccess src = Backends.open(source);
                DataAccess dst = Backends.open(restored)) {
            SampleData.fill(src, 4, 2, 6);
            Map<RecordType, Long> out = Archive.export(src, archive, source, 5);
            assertThat(out)
                    .containsEntry(RecordType.MESSAGES, 48L)
                    .containsEntry(RecordType.USERS, 4L)
                    .containsEntry(RecordType.VOTES, SampleData.votes(4, 2, 6))
                    .containsEntry(RecordType.TOKEN_USAGE, SampleData.tokenUsage(4, 2, 6));
            assertThat(Archive.importInto(archive, dst, 7)).isEqualTo(out);
            assertThat(Archive.importInto(archive, dst, 7))
                    .as("a second import")
                    .isEqualTo(out);
            VerifyReport report = new StoreVerifier(src, dst, 100, 100).verify();
            assertThat(report.differences()).isEmpty();
            assertThat(report.equal()).isTrue();
        }
    }

    @Test
    void exportFromNeo4jImportIntoMongoDbThenExportAgainIsTheSameRecords() throws IOException {
        String neo4j = Backends.NEO4J.freshStore();
        String mongo = Backends.MONGODB.freshStore();
        Path first = dir.resolve("neo4j.ndjson.gz");
        Path second = dir.resolve("mongo.ndjson");
        try (DataAccess src = Backends.open(neo4j);
                DataAccess dst = Backends.open(mongo)) {
            SampleData.fill(src, 3, 2, 20);
            Map<RecordType, Long> out = Archive.export(src, first, neo4j, 7);
            assertThat(out)
                    .containsEntry(RecordType.USERS, 3L)
                    .containsEntry(RecordType.SESSIONS, 6L)
                    .containsEntry(RecordType.MESSAGES, 120L)
                    .containsEntry(RecordType.MEMORY, 12L)
                    .containsEntry(RecordType.VOTES, SampleData.votes(3, 2, 20))
                    .containsEntry(RecordType.TOKEN_USAGE, SampleData.tokenUsage(3, 2, 20));
            assertThat(Archive.importInto(first, dst, 9)).isEqualTo(out);
            assertThat(new StoreVerifier(src, dst, 50, 100).verify().differences())
                    .isEmpty();

            // MongoDB's export holds the very records Neo4j's did, hostile keys included.
            assertThat(Archive.export(dst, second, mongo, 11)).isEqualTo(out);
            String text = Files.readString(second, StandardCharsets.UTF_8);
            assertThat(text).contains("\"$ne\":null", "\"a.b\":\"dotted\"", "ключ 😀");
            assertThat(records(second)).isEqualTo(records(gunzipped(first)));
        }
    }

    /** @return the record lines of an archive, header and trailer (time, source, checksum) left out */
    private static List<String> records(Path archive) throws IOException {
        List<String> lines = Files.readAllLines(archive, StandardCharsets.UTF_8);
        return lines.subList(1, lines.size() - 1);
    }

    private Path gunzipped(Path gz) throws IOException {
        Path plain = dir.resolve(gz.getFileName() + ".txt");
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, plain);
        }
        return plain;
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
        assertThat(lines.get(0)).startsWith("{\"format\":\"dal-archive\",\"version\":4");
        assertThat(lines.get(lines.size() - 1))
                .startsWith("{\"end\":true,\"counts\":{\"users\":2,\"sessions\":2,"
                        + "\"messages\":6,\"memory\":8,\"votes\":2,\"token_usage\":1}");

        Path truncated = dir.resolve("truncated.ndjson");
        Files.write(truncated, lines.subList(0, lines.size() - 2), StandardCharsets.UTF_8);
        Path changed = dir.resolve("changed.ndjson");
        Files.write(
                changed,
                lines.stream()
                        .map(l -> l.replace("message 2 of", "message 9 of"))
                        .toList(),
                StandardCharsets.UTF_8);
        String target = Backends.FILE.freshStore();
        try (DataAccess dst = Backends.open(target)) {
            assertThatThrownBy(() -> Archive.importInto(truncated, dst, 10))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("truncated");
            assertThatThrownBy(() -> Archive.importInto(changed, dst, 10))
                    .isInstanceOf(ValidationException.class)
                    .hasMessageContaining("checksum");
            assertThat(dst.bulk().scanUsers(null, 10).items())
                    .as("nothing written")
                    .isEmpty();
        }
    }

    @Test
    void aVersionOneArchiveWrittenBeforeRecordsHadVersionsOrVotesIsReadAtVersionOne() throws Exception {
        String source = Backends.FILE.freshStore();
        Path archive = dir.resolve("current.ndjson");
        try (DataAccess src = Backends.open(source)) {
            SampleData.fill(src, 2, 1, 3);
            Archive.export(src, archive, source, 100);
        }
        List<String> lines = Files.readAllLines(archive, StandardCharsets.UTF_8);
        List<String> records = lines.subList(1, lines.size() - 1).stream()
                .filter(l -> !l.startsWith("{\"kind\":\"votes\"") && !l.startsWith("{\"kind\":\"token_usage\""))
                .map(l -> l.replaceAll(",\"version\":[0-9]+", ""))
                .toList();
        assertThat(String.join("\n", records)).doesNotContain("\"version\"");
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        records.forEach(r -> sha.update((r + "\n").getBytes(StandardCharsets.UTF_8)));
        String trailer = lines.get(lines.size() - 1)
                .replaceAll(",\"votes\":[0-9]+", "")
                .replaceAll(",\"token_usage\":[0-9]+", "")
                .replaceAll(
                        "\"sha256\":\"[0-9a-f]+\"",
                        "\"sha256\":\"" + java.util.HexFormat.of().formatHex(sha.digest()) + "\"");
        List<String> old = new java.util.ArrayList<>();
        old.add(lines.get(0).replace("\"version\":4", "\"version\":1"));
        old.addAll(records);
        old.add(trailer);
        Path v1 = dir.resolve("v1.ndjson");
        Files.write(v1, old, StandardCharsets.UTF_8);

        try (DataAccess dst = Backends.open(Backends.FILE.freshStore())) {
            Archive.importInto(v1, dst, 10);
            assertThat(dst.bulk().scanUsers(null, 100).items())
                    .hasSize(2)
                    .allSatisfy(u -> assertThat(u.version()).isEqualTo(1));
            assertThat(dst.bulk().scanSessions(null, 100).items())
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.version()).isEqualTo(1));
            assertThat(dst.bulk().scanMemory(null, 100).items())
                    .isNotEmpty()
                    .allSatisfy(m -> assertThat(m.version()).isEqualTo(1));
            assertThat(dst.bulk().scanVotes(null, 100).items())
                    .as("no votes before version 3")
                    .isEmpty();
            assertThat(dst.bulk().scanTokenUsage(null, 100).items())
                    .as("no token usage before version 4")
                    .isEmpty();
        }
    }
}
