package dev.dal.migration.cli;

import static dev.dal.migration.cli.CliRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.migration.JsonDirImporterTest;
import dev.dal.migration.cli.CliRuns.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dal import-json-dir} and the legacy imports' exit statuses, on the file store. */
class ImportJsonDirCliTest {
    @TempDir
    Path dir;

    @Test
    void importsSeed004sDirectoryTwiceAndReportsWhatItLeft() throws Exception {
        Path data = JsonDirImporterTest.seed004(dir);
        Map<String, String> before = JsonDirImporterTest.snapshot(data);
        String store = "file:" + dir.resolve("store");
        Run first = run("import-json-dir", "--to", store, data.toString());
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out())
                .contains("messages: 5 imported, 1 deduplicated")
                .contains("memory: 2 imported, 0 kept")
                .contains("chat_sessions/c-1.json messages[4]: unknown role 'wizard'")
                .contains("directory generated_pages (2 files)")
                .contains("chat_sessions/c-2.json: world-readable and world-writable (rwxrwxrwx)")
                .doesNotContain("Lisbon")
                .doesNotContain("t0k");
        Run second = run("import-json-dir", "--json", "--to", store, data.toString());
        assertThat(second.status()).as("already there is not nothing").isZero();
        assertThat(second.out())
                .contains("\"messages\":{\"imported\":0,\"deduplicated\":6}")
                .contains("{\"kind\":\"file\",\"name\":\"index.json\",\"documents\":1}");
        assertThat(JsonDirImporterTest.snapshot(data)).isEqualTo(before);
    }

    @Test
    void exitsOneWhenNothingOfTheInputWasImported() throws Exception {
        Path tiny = dir.resolve("embedded.json");
        Files.writeString(
                tiny, "{\"_default\": {\"1\": {\"username\": \"ann\", \"messages\": []}}, \"documents\": {}}");
        Run unmapped = run("import-tinydb", "--to", "file:" + dir.resolve("t"), tiny.toString());
        assertThat(unmapped.status()).isEqualTo(DalCli.DIFFERENT);
        assertThat(unmapped.out())
                .contains("table _default (1 documents)")
                .contains("Nothing of the input was imported");

        Path data = dir.resolve("legacy");
        Files.createDirectories(data.resolve("chat_history"));
        Files.writeString(data.resolve("chat_history/old.json"), "{}");
        Run nothing = run("import-json-dir", "--to", "file:" + dir.resolve("s"), data.toString());
        assertThat(nothing.status()).isEqualTo(DalCli.DIFFERENT);
        assertThat(nothing.out()).contains("directory chat_history (1 files)");
    }

    @Test
    void refusesAFileStoreInsideTheDirectoryAndMalformedInput() throws Exception {
        Path data = JsonDirImporterTest.seed004(dir);
        Run overlap = run("import-json-dir", "--to", "file:" + data, data.toString());
        assertThat(overlap.status()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(overlap.err()).contains("overlap").contains("never writes into its source");
        Path link = Files.createSymbolicLink(dir.resolve("link"), data);
        Run throughLink = run("import-json-dir", "--to", "file:" + link.resolve("dal"), data.toString());
        assertThat(throughLink.status())
                .as("another name of the same directory")
                .isEqualTo(DalCli.BAD_INPUT);
        assertThat(data.resolve("dal")).doesNotExist();

        Files.writeString(data.resolve("chat_sessions/c-1.json"), "{\"title\": 7}");
        Path target = dir.resolve("target");
        Run bad = run("import-json-dir", "--to", "file:" + target, data.toString());
        assertThat(bad.status()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(bad.err()).contains("file chat_sessions/c-1.json, document c-1, field 'title': must be a string");
        assertThat(target).as("a bad input creates no store").doesNotExist();
    }

    @Test
    void theHelpDescribesSeed004sLayout() {
        Run help = run("import-json-dir", "--help");
        assertThat(help.out())
                .contains("DIR/chat_sessions/<chat_id>.json")
                .contains("DIR/memory/<user_id>.json")
                .contains("Mapping file");
    }
}
