package dev.dal.migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the {@code dal} command line in this JVM or, through {@code main}, in a JVM of its own. */
final class CliRuns {
    private CliRuns() {}

    /** One run: exit status, standard output, standard error, and the wall-clock time it took. */
    record Run(int status, String out, String err, long millis) {}

    /** Runs the command in this JVM, capturing its output. */
    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = DalCli.run(args);
            return new Run(
                    status,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /**
     * Runs {@code main} in a JVM of its own, as {@code ./dal} does: its logging set-up applies (the
     * drivers' retries and stack traces stay quiet), and no in-process test server shares its stderr.
     *
     * @param dir where the child's output is kept
     * @param properties system properties for the child, e.g. {@code -DDB_CONNECTION_TIMEOUT=1}
     * @param args the command line
     */
    static Run runMain(Path dir, List<String> properties, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-XX:TieredStopAtLevel=1"));
        command.addAll(properties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DalCli.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        long start = System.nanoTime();
        Process child = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("exits").isTrue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new Run(child.exitValue(), Files.readString(out), Files.readString(err), millis);
    }

    private static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
