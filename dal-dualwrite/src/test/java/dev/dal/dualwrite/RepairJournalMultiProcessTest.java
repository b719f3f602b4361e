package dev.dal.dualwrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.DalConfig;
import dev.dal.api.TransientDataAccessException;
import dev.dal.dualwrite.internal.RepairJournal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repair journal's lock across processes with several threads each: no false {@code EDEADLK}, no lost or
 * doubled entry, and a wait bounded by the journal's lock wait.
 */
class RepairJournalMultiProcessTest {
    private static final int PROCESSES = 3;
    private static final int THREADS = 4;
    private static final int APPENDS = 50;

    @TempDir
    Path temp;

    private static RepairEntry entry(String key) {
        return new RepairEntry(
                RecordKind.USER, List.of(key), "createUser", Instant.parse("2026-12-01T10:00:00Z"), "test");
    }

    @Test
    void threadsOfSeveralProcessesAppendingToTwoJournalsLoseNothingAndNeverSeeAFalseDeadlock() throws Exception {
        List<Path> dirs = List.of(temp.resolve("journal-a"), temp.resolve("journal-b"));
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<Process> children = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                children.add(new ProcessBuilder(
                                java,
                                "-XX:TieredStopAtLevel=1",
                                "-XX:+UseSerialGC",
                                "-Xmx128m",
                                "-cp",
                                System.getProperty("java.class.path"),
                                JournalAppenderMain.class.getName(),
                                dirs.get(0).toString(),
                                dirs.get(1).toString(),
                                "p" + p,
                                Integer.toString(THREADS),
                                Integer.toString(APPENDS))
                        .redirectError(ProcessBuilder.Redirect.appendTo(
                                temp.resolve("p" + p + ".err").toFile()))
                        .start());
            }
            List<Set<String>> acked = List.of(new HashSet<>(), new HashSet<>());
            List<String> errors = new ArrayList<>();
            for (Process child : children) {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        String[] f = line.split(" ");
                        if (f[0].equals("A")) {
                            assertThat(acked.get(Integer.parseInt(f[1])).add(f[2]))
                                    .as(line)
                                    .isTrue();
                        } else if (f[0].equals("ERR")) {
                            errors.add(line);
                        }
                    }
                }
                assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
            }
            assertThat(errors).as("failed appends").isEmpty();
            assertThat(acked.get(0).size() + acked.get(1).size()).isEqualTo(PROCESSES * THREADS * APPENDS);
            for (int j = 0; j < dirs.size(); j++) {
                try (RepairJournal journal = RepairJournal.open(dirs.get(j))) {
                    List<String> keys =
                            journal.readAll().stream().map(e -> e.keys().get(0)).toList();
                    assertThat(keys)
                            .as("journal %d: every acknowledged append, once", j)
                            .doesNotHaveDuplicates()
                            .containsExactlyInAnyOrderElementsOf(acked.get(j));
                }
            }
        } finally {
            children.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void aLockHeldByAnotherHandleEndsTheAppendWithinTheLockWaitAndWritesNothing() throws Exception {
        Duration wait = Duration.ofSeconds(1);
        try (RepairJournal journal = RepairJournal.open(temp, wait);
                FileChannel other = FileChannel.open(
                        temp.resolve(RepairJournal.FILE_NAME + ".lock"),
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
            journal.append(List.of(entry("before")));
            try (FileLock held = other.lock()) {
                assertThat(held.isValid()).isTrue();
                long start = System.nanoTime();
                Throwable thrown = catchThrowable(() -> journal.append(List.of(entry("while locked"))));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(thrown)
                        .isInstanceOf(TransientDataAccessException.class)
                        .hasMessageContaining(DalConfig.DB_QUERY_TIMEOUT);
                assertThat(took).isGreaterThanOrEqualTo(wait.minusMillis(50)).isLessThan(wait.plusSeconds(1));

                start = System.nanoTime();
                thrown = catchThrowable(() -> journal.remove(List.of(entry("before"))));
                assertThat(thrown).isInstanceOf(TransientDataAccessException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(wait.plusSeconds(1));
            }
            assertThat(journal.readAll()).containsExactly(entry("before"));
            journal.append(List.of(entry("after")));
            assertThat(journal.readAll()).containsExactly(entry("before"), entry("after"));
        }
    }

    @Test
    void anInterruptedAppenderStillAppendsAndKeepsItsInterrupt() {
        try (RepairJournal journal = RepairJournal.open(temp)) {
            Thread.currentThread().interrupt();
            try {
                journal.append(List.of(entry("interrupted")));
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            journal.append(List.of(entry("next")));
            assertThat(journal.readAll()).containsExactly(entry("interrupted"), entry("next"));
        }
    }
}
