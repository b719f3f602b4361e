package dev.dal.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.dualwrite.internal.RepairJournal;
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
        return new RepairEntry(
                RecordKind.USER,
                List.of(id),
                "createUser",
                Instant.parse("2026-11-21T10:00:00Z"),
                "the secondary failed");
    }

    private void tearTheLastLine() throws Exception {
        Files.writeString(
                dir.resolve(RepairJournal.FILE_NAME),
                "{\"kind\":\"USER\",\"keys\":[\"torn",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
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
    void removingReplayedEntriesDropsTheTornLineAndKeepsTheRest() throws Exception {
        try (RepairJournal journal = RepairJournal.open(dir)) {
            journal.append(List.of(entry("a"), entry("b")));
            tearTheLastLine();

            journal.remove(List.of(entry("a")));

            assertThat(journal.readAll()).containsExactly(entry("b"));
            assertThat(Files.readString(journal.file())).doesNotContain("torn").endsWith("\n");
        }
    }

    /**
     * Two repairs that read the same entries: each removes only what it replayed, entries appended meanwhile
     * survive, and the second removal of an entry already gone removes nothing else.
     */
    @Test
    void twoRepairsReadingTheSameEntriesKeepEverythingTheyDidNotReplay() {
        try (RepairJournal first = RepairJournal.open(dir);
                RepairJournal second = RepairJournal.open(dir)) {
            first.append(List.of(entry("a"), entry("b"), entry("c")));
            List<RepairEntry> seenByFirst = first.readAll();
            List<RepairEntry> seenBySecond = second.readAll();
            second.append(List.of(entry("appended meanwhile")));

            first.remove(seenByFirst.subList(0, 2)); // c failed again for the first repair
            second.remove(seenBySecond); // the second replayed all three
            first.append(List.of(entry("later")));

            assertThat(first.readAll()).containsExactly(entry("appended meanwhile"), entry("later"));
        }
    }
}
