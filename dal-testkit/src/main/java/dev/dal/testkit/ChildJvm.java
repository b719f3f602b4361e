package dev.dal.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started from the test class path running a main class of the test sources, for tests
 * that kill a process mid-write (crash safety, resumable copies, durable journals) or write from
 * several processes at once. Its standard output is read line by line on a thread (so a line the
 * child flushed before it was killed is still seen); its standard error goes to a log file, shown
 * when something goes wrong.
 */
public final class ChildJvm implements AutoCloseable {
    /** What {@link #awaitLine} returns when the child's output ended first. */
    public static final String EOF = "\u0000EOF";

    private final Process process;
    private final Path stderr;
    private final LinkedBlockingQueue<String> fresh = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final Thread reader;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::pump, "child-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param main the main class (in the test sources)
     * @param stderrLog where the child's standard error is appended
     * @param args the program arguments
     * @return the running child
     * @throws IOException when the JVM cannot be started
     */
    public static ChildJvm start(Class<?> main, Path stderrLog, String... args) throws IOException {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()))
                .start();
        return new ChildJvm(process, stderrLog);
    }

    private void pump() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (all) {
                    all.add(line);
                }
                fresh.add(line);
            }
        } catch (IOException e) {
            // the child is gone; what was read is kept
        } finally {
            fresh.add(EOF);
        }
    }

    /**
     * @param prefix what the wanted line starts with
     * @param timeout how long to wait
     * @return the first unseen line starting with {@code prefix}, or {@link #EOF} when output ended
     * @throws InterruptedException when the wait is interrupted
     */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : fresh.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("The child printed no line starting with " + prefix + " within " + timeout
                        + "; its stderr:\n" + stderrTail());
            }
            if (line.equals(EOF)) {
                fresh.add(EOF);
                return EOF;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /**
     * Writes one line to the child's standard input.
     *
     * @param line the line, without its line break
     */
    public void send(String line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills the child with SIGKILL (no shutdown hooks, no flushing) and waits for it to be gone.
     *
     * @throws InterruptedException when the wait is interrupted
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("A SIGKILLed child did not end within 30 s");
        }
    }

    /** @return whether the child is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the child to end by itself.
     *
     * @param timeout how long to wait before killing it and failing
     * @return its exit code
     * @throws InterruptedException when the wait is interrupted
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("The child did not end within " + timeout + "; its stderr:\n" + stderrTail());
        }
        return process.exitValue();
    }

    /**
     * @return every line the child printed, once its output has ended
     * @throws InterruptedException when the wait is interrupted
     */
    public List<String> lines() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(30));
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** @return the last part of the child's standard error log */
    public String stderrTail() {
        try {
            String text = Files.readString(stderr, StandardCharsets.UTF_8);
            return text.length() <= 8000 ? text : "…" + text.substring(text.length() - 8000);
        } catch (IOException e) {
            return "(stderr log unreadable: " + e + ")";
        }
    }

    /** Kills the child if it still runs; does not wait. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
