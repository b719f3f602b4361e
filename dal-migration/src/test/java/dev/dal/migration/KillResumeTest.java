package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.migration.cli.DalCli;
import dev.dal.postgres.PostgresTestServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy from the file store into PostgreSQL, run in a child JVM that is killed with SIGKILL at
 * random moments, again and again, then resumed to the end: the target must equal the source with
 * no record twice.
 */
class KillResumeTest {
    private static final int KILLS = 20;

    @TempDir
    Path checkpoints;

    @Test
    void aCopyKilledTwentyTimesAndResumedEndsEqualWithNoDuplicates() throws Exception {
        String source = Backends.FILE.freshStore();
        String target = Backends.POSTGRES.freshStore();
        try (DataAccess src = Backends.open(source)) {
            SampleData.fill(src, 20, 5, 30); // 20 users, 100 sessions, 3000 messages, 80 memory entries
        }
        List<String> command = List.of(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), DalCli.class.getName(), "copy", "--from", source, "--to", target,
                "--batch", "10", "--checkpoint-dir", checkpoints.toString());
        Random random = new Random(42);
        int killedMidCopy = 0;
        int finishedBeforeTheKill = 0;
        List<String> positions = new ArrayList<>();
        // A kill drawn late in the copy can miss: the run finishes first and deletes its checkpoint,
        // and the next run starts over (which also shows a second copy changes nothing). Such a run
        // does not count; keep going until KILLS kills have landed mid-copy.
        for (int i = 0; killedMidCopy < KILLS && i < 2 * KILLS; i++) {
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(checkpoints.resolve("child-" + i + ".log").toFile()).start();
            // Kill at a random moment after this run has written at least one batch of its own.
            String before = checkpointText();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (child.isAlive() && java.util.Objects.equals(before, checkpointText())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(random.nextInt(250));
            child.destroyForcibly(); // SIGKILL on POSIX
            child.waitFor(30, TimeUnit.SECONDS);
            String position = checkpointText();
            if (position != null) {
                killedMidCopy++;
                positions.add(position);
            } else {
                finishedBeforeTheKill++;
            }
        }
        Process last = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(checkpoints.resolve("child-last.log").toFile()).start();
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the resumed copy finishes").isTrue();
        assertThat(last.exitValue()).as(Files.readString(checkpoints.resolve("child-last.log"))).isZero();
        assertThat(Files.readString(checkpoints.resolve("child-last.log"))).contains("(resumed)");
        assertThat(killedMidCopy).as("kills that interrupted the copy, at positions %s (%d runs finished first)",
                positions, finishedBeforeTheKill).isEqualTo(KILLS);
        assertThat(positions.stream().distinct().count()).as("distinct positions killed at: %s", positions)
                .isGreaterThanOrEqualTo(KILLS - finishedBeforeTheKill);

        try (DataAccess src = Backends.open(source); DataAccess dst = Backends.open(target)) {
            VerifyReport report = new StoreVerifier(src, dst, 500, 100).verify();
            assertThat(report.differences()).isEmpty();
            assertThat(report.counts().get(RecordKind.MESSAGES).target()).isEqualTo(3000);
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
                    .as("rows, ids, (session, seq), (session, content)").containsOnly(3000L);
        }
    }

    private String checkpointText() throws Exception {
        try (var files = Files.list(checkpoints)) {
            Path file = files.filter(p -> p.getFileName().toString().startsWith("copy-")
                    && p.getFileName().toString().endsWith(".json")).findFirst().orElse(null);
            if (file == null) {
                return null;
            }
            String text = Files.readString(file);
            return text.replaceAll(".*\"kind\":\"([a-z]+)\".*\"written\":(\\{[^}]*\\}).*\\s*", "$1 $2");
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java");
    }
}
