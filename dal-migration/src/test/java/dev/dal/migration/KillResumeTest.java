package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.migration.cli.DalCli;
import dev.dal.migration.internal.Checkpoint;
import dev.dal.test.postgres.PostgresTestServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy from the file store into PostgreSQL, run in a child JVM that is killed with SIGKILL at
 * random moments, again and again, then resumed to the end: the target must equal the source with
 * no record twice.
 *
 * <p>A run counts as killed mid-copy only when the test killed it: it had written a batch of its own
 * (its checkpoint moved), it was still running when the test sent SIGKILL, and it ended with the status
 * of a process killed by signal 9 (137). A run that ended by itself must have finished the copy (status
 * 0, checkpoint gone); anything else (a crash, a hang with no progress) fails the test. The last resume
 * runs in this JVM with a listener counting what it writes: exactly the records the checkpoint had not
 * yet counted, fewer than the whole, so finished work is skipped and not just rewritten (idempotent
 * upserts would hide a copier that starts over).
 */
class KillResumeTest {
    private static final int KILLS = 20;
    /** The exit status of a process ended by SIGKILL, as {@link Process#exitValue()} reports it. */
    private static final int KILLED_BY_SIGKILL = 128 + 9;

    @TempDir
    Path checkpoints;

    @Test
    void aCopyKilledTwentyTimesAndResumedEndsEqualWithNoDuplicates() throws Exception {
        String source = Backends.FILE.freshStore();
        String target = Backends.POSTGRES.freshStore();
        long total;
        try (DataAccess src = Backends.open(source)) {
            SampleData.fill(src, 20, 5, 30); // 20 users, 100 sessions, 3000 messages, 80 memory entries
            total = StoreCopier.count(src, 500).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
        String key = StoreCopier.checkpointKey(
                StoreUri.parse(source, Map.of()).redacted(),
                StoreUri.parse(target, Map.of()).redacted(),
                Partition.ALL);
        Path checkpointFile = StoreCopier.checkpointFile(checkpoints, key);
        List<String> command = List.of(
                javaBinary(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                DalCli.class.getName(),
                "copy",
                "--from",
                source,
                "--to",
                target,
                "--batch",
                "10",
                "--checkpoint-dir",
                checkpoints.toString());
        Random random = new Random(42);
        int killedMidCopy = 0;
        int finishedBeforeTheKill = 0;
        List<String> positions = new ArrayList<>();
        List<List<Long>> generations = new ArrayList<>(List.of(new ArrayList<>()));
        // A kill drawn late in the copy can miss: the run finishes first and deletes its checkpoint,
        // and the next run starts over (which also shows a second copy changes nothing). Such a run
        // does not count; keep going until KILLS kills have landed mid-copy.
        for (int i = 0; killedMidCopy < KILLS && i < 2 * KILLS; i++) {
            Path log = checkpoints.resolve("child-" + i + ".log");
            long totalBefore = checkpointTotal(checkpointFile, key);
            Process child = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            // Kill at a random moment after this run has written at least one batch of its own.
            String before = checkpointText();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (child.isAlive()
                    && java.util.Objects.equals(before, checkpointText())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            boolean progressed = !java.util.Objects.equals(before, checkpointText());
            if (child.isAlive()) {
                Thread.sleep(random.nextInt(250));
            }
            boolean aliveAtKill = child.isAlive();
            child.destroyForcibly(); // SIGKILL on POSIX
            assertThat(child.waitFor(30, TimeUnit.SECONDS))
                    .as("run %d ends after SIGKILL", i)
                    .isTrue();
            int status = child.exitValue();
            String position = checkpointText();
            String what = String.format(
                    "run %d: exit status %d, alive at the kill %s, progressed %s, checkpoint %s, " + "log:%n%s",
                    i, status, aliveAtKill, progressed, position, Files.readString(log));
            boolean killedByUs = aliveAtKill && status == KILLED_BY_SIGKILL;
            if (killedByUs && position != null) {
                assertThat(progressed)
                        .as("a run killed before it wrote a batch of its own (hung?): %s", what)
                        .isTrue();
                long totalAfter = checkpointTotal(checkpointFile, key);
                assertThat(totalAfter)
                        .as(
                                "records counted by the checkpoint after run %d, which resumed at %d: %s",
                                i, totalBefore, what)
                        .isGreaterThan(totalBefore);
                killedMidCopy++;
                positions.add(position);
                generations.get(generations.size() - 1).add(totalAfter);
            } else {
                // The copy finished: the run exited by itself, or the kill caught it on its way out, after the
                // checkpoint was deleted. Anything else (a crash, an exit with the copy unfinished) fails.
                assertThat(status == 0 || killedByUs)
                        .as("a run that ended by itself must have finished: %s", what)
                        .isTrue();
                assertThat(position)
                        .as("a finished copy deletes its checkpoint: %s", what)
                        .isNull();
                finishedBeforeTheKill++;
                generations.add(new ArrayList<>());
            }
        }
        assertThat(killedMidCopy)
                .as(
                        "kills that interrupted the copy, at positions %s (%d runs finished first)",
                        positions, finishedBeforeTheKill)
                .isEqualTo(KILLS);
        // Between two finished copies, each killed run resumed where the last one stopped and got further.
        for (List<Long> generation : generations) {
            assertThat(generation)
                    .as("records counted at each kill of one copy, resumed run after run: %s", generations)
                    .isSorted()
                    .doesNotHaveDuplicates();
        }
        assertThat(positions.stream().distinct().count())
                .as("distinct positions killed at: %s", positions)
                .isGreaterThanOrEqualTo(KILLS / 2);

        // The last resume, in this JVM, counting what it writes itself.
        assertThat(checkpointFile).as("the checkpoint the last killed run left").exists();
        long counted = checkpointTotal(checkpointFile, key);
        AtomicLong writtenNow = new AtomicLong();
        CopyResult result;
        try (DataAccess src = Backends.open(source);
                DataAccess dst = Backends.open(target)) {
            result = new StoreCopier(
                            src,
                            dst,
                            10,
                            Partition.ALL,
                            checkpointFile,
                            key,
                            (kind, scanned, written, totalWritten) -> writtenNow.addAndGet(written))
                    .copy();
        }
        assertThat(result.resumed()).as("the last run resumed").isTrue();
        assertThat(checkpointFile).as("a finished copy's checkpoint").doesNotExist();
        assertThat(writtenNow.get())
                .as("records the resumed run wrote, of %d, the checkpoint having counted %d", total, counted)
                .isLessThan(total)
                .isEqualTo(total - counted);
        assertThat(result.written().values().stream().mapToLong(Long::longValue).sum())
                .as("records written by all runs of the copy, as its checkpoint counted them")
                .isEqualTo(total);

        try (DataAccess src = Backends.open(source);
                DataAccess dst = Backends.open(target)) {
            VerifyReport report = new StoreVerifier(src, dst, 500, 100).verify();
            assertThat(report.differences()).isEmpty();
            assertThat(report.counts().get(RecordType.MESSAGES).target()).isEqualTo(3000);
        }
        String db = target.substring(target.lastIndexOf('/') + 1);
        try (Connection c = java.sql.DriverManager.getConnection(
                        PostgresTestServer.get().settingsForDatabase(db).get("DATABASE_URL"), "postgres", null);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id), "
                        + "count(DISTINCT (chat_session_id, sequence_number)), count(DISTINCT (chat_session_id, content)) "
                        + "FROM messages")) {
            rs.next();
            assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                    .as("rows, ids, (session, seq), (session, content)")
                    .containsOnly(3000L);
        }
    }

    /** @return the records the checkpoint counts as written, 0 when there is none */
    private static long checkpointTotal(Path file, String key) {
        return Checkpoint.load(file, key).total();
    }

    private String checkpointText() throws Exception {
        try (var files = Files.list(checkpoints)) {
            Path file = files.filter(p -> p.getFileName().toString().startsWith("copy-")
                            && p.getFileName().toString().endsWith(".json"))
                    .findFirst()
                    .orElse(null);
            if (file == null) {
                return null;
            }
            String text = Files.readString(file);
            return text.replaceAll(".*\"kind\":\"([a-z]+)\".*\"written\":(\\{[^}]*\\}).*\\s*", "$1 $2");
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }
}
