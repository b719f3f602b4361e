package dev.dal.testkit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the process logs while it is open: everything written to {@code System.out} and
 * {@code System.err} (where SLF4J's simple backend and most console appenders write), still passed
 * on, and every {@code java.util.logging} record at any level (Liquibase and some drivers log there),
 * formatted with its parameters and its exception. The kit uses it to prove that no user value
 * reaches a log line.
 *
 * <p>SLF4J backends keep the levels they were configured with; to check debug lines too, run the
 * backend's tests with debug logging on.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private final Logger julRoot = Logger.getLogger("");
    private final Level julLevel = julRoot.getLevel();
    private final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append(' ').append(parameter);
                }
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append(' ').append(t);
                if (t.getCause() == t) {
                    break;
                }
            }
            write(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private LogCapture() {
        System.setOut(new PrintStream(new Tee(originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr), true, StandardCharsets.UTF_8));
        julHandler.setLevel(Level.ALL);
        julRoot.addHandler(julHandler);
        julRoot.setLevel(Level.ALL);
    }

    /** @return a capture that runs until {@link #close()} */
    public static LogCapture start() {
        return new LogCapture();
    }

    private synchronized void write(byte[] bytes) {
        captured.write(bytes, 0, bytes.length);
    }

    /** @return everything captured so far */
    public synchronized String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** Restores the streams and the JUL configuration. */
    @Override
    public void close() {
        System.out.flush();
        System.err.flush();
        System.setOut(originalOut);
        System.setErr(originalErr);
        julRoot.removeHandler(julHandler);
        julRoot.setLevel(julLevel);
    }

    private final class Tee extends OutputStream {
        private final PrintStream target;

        Tee(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            target.write(b);
            LogCapture.this.write(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) {
            target.write(b, off, len);
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            LogCapture.this.write(copy);
        }
    }
}
