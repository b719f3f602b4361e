package dev.dal.api.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.dualwrite.internal.RepairJournal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repair journal after a process died in the middle of an append (a torn last line). */
class RepairJournalTest {
    @TempDir
    Path dir;

    private static RepairEntry entry(String id) {
        return new RepairEntry(RecordKind.USER, List.of(id), "createUser", Instant.parse("2026-11-21T10:00:00Z"),
                "the secondary failed");
    }

    private void tearTheLastLine() throws Exception {
        Files.writeString(dir.resolve(RepairJournal.FILE_NAME), "{\"kind\":\"USER\",\"keys\":[\"torn",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Test
    void aTornLastLineIsSkippedAndTheNextProcessesAppendsStayReadable() throws Exception {
        try (RepairJournal first = RepairJournal.open(dir)) {
            first.append(List.of(entry("a"), entry("b")));
        }
        tearTheLastLine();

        try (RepairJournal next = RepairJournal.open(dir)) {
            assertThat(next.readAll()).containsExactly(entry("a"), entry("b"));
            next.append(List.of(entry("c")));
            next.append(List.of(entry("d")));

            assertThat(next.readAll()).containsExactly(entry("a"), entry("b"), entry("c"), entry("d"));
            assertThat(next.size()).isEqualTo(4);
        }
    }

    @Test
    void aTrimDropsTheTornLineAndKeepsWhatFailedAgain() throws Exception {
        try (RepairJournal journal = RepairJournal.open(dir)) {
            journal.append(List.of(entry("a"), entry("b")));
            tearTheLastLine();

            journal.trim(2, List.of(entry("b")));

            assertThat(journal.readAll()).containsExactly(entry("b"));
            assertThat(Files.readString(journal.file())).doesNotContain("torn").endsWith("\n");
        }
    }
}
