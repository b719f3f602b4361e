package dev.dal.dualwrite.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.dualwrite.RecordKind;
import dev.dal.dualwrite.RepairEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntentLogTest {
    @TempDir
    Path dir;

    private static long intentFiles(Path journalDir) throws Exception {
        try (var files = Files.list(journalDir.resolve(IntentLog.DIRECTORY))) {
            return files.filter(p -> p.toString().endsWith(".ndjson")).count();
        }
    }

    @Test
    void openIntentsOfAStoppedLogAreAdoptedIntoTheRepairJournalOnce() throws Exception {
        UUID resolved = UUID.randomUUID();
        UUID open = UUID.randomUUID();
        try (RepairJournal journal = RepairJournal.open(dir)) {
            IntentLog log = IntentLog.open(dir);
            long[] done = log.record(List.of(Step.user(resolved, "updateUser")));
            log.record(List.of(Step.user(open, "updateUser"), Step.sessionTail("chat-1", "addMessages")));
            log.resolve(done);
            assertThat(IntentLog.adoptDead(dir, journal))
                    .as("a live log is not adopted")
                    .isZero();
            log.close(); // stops with intents open, as a killed process would leave them

            assertThat(IntentLog.adoptDead(dir, journal)).isEqualTo(2);
            assertThat(IntentLog.adoptDead(dir, journal)).as("adopted once").isZero();

            assertThat(journal.readAll())
                    .extracting(RepairEntry::kind, RepairEntry::keys)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(RecordKind.USER, List.of(open.toString())),
                            org.assertj.core.groups.Tuple.tuple(RecordKind.SESSION_TAIL, List.of("chat-1")));
            assertThat(intentFiles(dir)).isZero();
        }
    }

    @Test
    void concurrentWritersShareForcesCompactAndACleanCloseLeavesNothing() throws Exception {
        IntentLog log = IntentLog.open(dir);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 1300; i++) { // 20,800 lines: past the compaction threshold
                        log.resolve(log.record(List.of(Step.user(UUID.randomUUID(), "createUser"))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(intentFiles(dir)).isEqualTo(1);
        log.close();
        assertThat(intentFiles(dir)).as("nothing owed, nothing left").isZero();
        try (RepairJournal journal = RepairJournal.open(dir)) {
            assertThat(IntentLog.adoptDead(dir, journal)).isZero();
        }
    }

    @Test
    void aLogBeingOpenedIsNeverTakenForADeadOneByAProcessLookingForThem() throws Exception {
        List<IntentLog> logs = new ArrayList<>();
        ExecutorService adopter = Executors.newSingleThreadExecutor();
        try (RepairJournal journal = RepairJournal.open(dir)) {
            java.util.concurrent.atomic.AtomicBoolean opening = new java.util.concurrent.atomic.AtomicBoolean(true);
            Future<Integer> adopted = adopter.submit(() -> {
                int total = 0;
                while (opening.get()) {
                    total += IntentLog.adoptDead(dir, journal);
                }
                return total;
            });
            try {
                for (int i = 0; i < 2000; i++) {
                    logs.add(IntentLog.open(dir));
                }
                for (IntentLog log : logs) {
                    log.record(List.of(Step.user(UUID.randomUUID(), "updateUser")));
                }
            } finally {
                opening.set(false);
            }
            assertThat(adopted.get(60, TimeUnit.SECONDS))
                    .as("intents adopted from live logs")
                    .isZero();
            assertThat(intentFiles(dir)).as("every live log keeps its file").isEqualTo(2000);
            assertThat(journal.readAll()).isEmpty();
        } finally {
            adopter.shutdownNow();
            for (IntentLog log : logs) {
                log.close();
            }
        }
    }
}
