package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.dualwrite.internal.IntentLog;
import dev.dal.dualwrite.internal.RepairJournal;
import dev.dal.dualwrite.internal.Step;
import dev.dal.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live process's intent log is never taken for a dead one's by another process, even after the live process
 * looked for dead logs itself (as every dual-write decorator does when it opens): POSIX locks belong to the
 * process, and closing any channel on a file drops them all, so a process must not open its own lock file. Once
 * the process is killed, its open intents are adopted exactly once.
 */
class IntentLogAcrossProcessesTest {
    @TempDir
    Path dir;

    /** Holds an intent log with one open intent after looking for dead logs, until killed. */
    public static final class Holder {
        private Holder() {}

        public static void main(String[] args) throws Exception {
            Path journalDir = Path.of(args[0]);
            IntentLog log = IntentLog.open(journalDir);
            try (RepairJournal journal = RepairJournal.open(journalDir)) {
                IntentLog.adoptDead(journalDir, journal); // what a decorator does at start, over its own log too
            }
            log.record(List.of(Step.user(UUID.randomUUID(), "updateUser")));
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(2).toMillis()); // killed long before
        }
    }

    private long intentFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve(IntentLog.DIRECTORY))) {
            return files.filter(p -> p.toString().endsWith(".ndjson")).count();
        }
    }

    @Test
    void aLiveProcesssLogIsNotAdoptedAndItsOpenIntentIsAdoptedOnceItIsKilled() throws Exception {
        try (ChildJvm child = ChildJvm.start(Holder.class, dir.resolve("holder-stderr.log"), dir.toString());
                RepairJournal journal = RepairJournal.open(dir)) {
            assertThat(child.awaitLine("READY", Duration.ofSeconds(60)))
                    .as(child.stderrTail())
                    .isEqualTo("READY");

            assertThat(IntentLog.adoptDead(dir, journal))
                    .as("intents adopted from a live process")
                    .isZero();
            assertThat(intentFiles())
                    .as("the live process's log is still there")
                    .isEqualTo(1);

            child.kill();
            assertThat(IntentLog.adoptDead(dir, journal))
                    .as("its open intent, once it is dead")
                    .isEqualTo(1);
            assertThat(IntentLog.adoptDead(dir, journal)).as("adopted once").isZero();
            assertThat(journal.readAll()).hasSize(1);
        }
    }
}
