package dev.dal.file.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A test hook that simulates a power loss, in the spirit of SQLite's crash tests: it counts the
 * file store's durable steps (every change to a file's bytes, every deletion or rename, every
 * {@code force}) and, at a chosen step, puts every file changed since its last {@code force} back
 * to what it held at that force (a file created since is removed), then halts the JVM. A write
 * the store did not force is lost, as it may be when the machine loses power, while a process
 * kill alone keeps it in the page cache.
 *
 * <p>The model keeps renames and deletions as they happened (directory entries are not rolled
 * back), and it loses whole unforced writes rather than some of their sectors.
 *
 * <p>Off unless a test installs it, once per JVM and before the store is opened; when off, each
 * durable step costs one read of a static field. For tests only: never install it in a
 * process whose data matters.
 */
public final class CrashSimulation {
    /** The exit code of a JVM this hook halted. */
    public static final int CRASH_EXIT = 77;

    private static CrashSimulation installed;

    private final long crashAtStep;
    private final Runnable beforeFirstStep;
    private final Map<Path, byte[]> unforced = new HashMap<>();
    private long steps;

    private CrashSimulation(long crashAtStep, Runnable beforeFirstStep) {
        this.crashAtStep = crashAtStep;
        this.beforeFirstStep = beforeFirstStep;
    }

    /**
     * Installs the hook: the JVM crashes just before durable step {@code crashAtStep} (counted from 1).
     *
     * @param crashAtStep the step to crash at, at least 1; {@link Long#MAX_VALUE} only observes
     * @param beforeFirstStep runs once, just before the first durable step
     * @throws IllegalStateException when a hook is installed already
     * @throws IllegalArgumentException when {@code crashAtStep} is below 1
     */
    public static synchronized void install(long crashAtStep, Runnable beforeFirstStep) {
        if (installed != null) {
            throw new IllegalStateException("A crash simulation is installed already in this JVM");
        }
        if (crashAtStep < 1) {
            throw new IllegalArgumentException("crashAtStep must be at least 1");
        }
        installed = new CrashSimulation(crashAtStep, beforeFirstStep);
    }

    /** Before a file's bytes change (written, cut back or created): a crash point, and what to restore. */
    static void beforeChange(Path file) {
        CrashSimulation hook = installed;
        if (hook != null) {
            hook.change(file);
        }
    }

    /** Before a file or tree is deleted or renamed: a crash point. */
    static void beforeNameChange() {
        CrashSimulation hook = installed;
        if (hook != null) {
            hook.step();
        }
    }

    /** Before a file is forced: a crash point at which its unforced bytes are lost. */
    static void beforeForce() {
        CrashSimulation hook = installed;
        if (hook != null) {
            hook.step();
        }
    }

    /** After a file was forced: its bytes are durable now. */
    static void forced(Path file) {
        CrashSimulation hook = installed;
        if (hook != null) {
            hook.clean(file);
        }
    }

    /** After a file or tree was deleted: nothing under it is restored. */
    static void deleted(Path path) {
        CrashSimulation hook = installed;
        if (hook != null) {
            hook.forget(path);
        }
    }

    /** After a rename: what a file under {@code from} would be restored to moves with it. */
    static void moved(Path from, Path to) {
        CrashSimulation hook = installed;
        if (hook != null) {
            hook.move(from, to);
        }
    }

    private synchronized void step() {
        if (steps++ == 0) {
            beforeFirstStep.run();
        }
        if (steps == crashAtStep) {
            crash();
        }
    }

    private synchronized void change(Path file) {
        step();
        if (crashAtStep != Long.MAX_VALUE && !unforced.containsKey(file)) {
            try {
                unforced.put(file, DurableFiles.readOrNull(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private synchronized void clean(Path file) {
        unforced.remove(file);
    }

    private synchronized void forget(Path path) {
        unforced.keySet().removeIf(p -> p.startsWith(path));
    }

    private synchronized void move(Path from, Path to) {
        forget(to);
        Map<Path, byte[]> moved = new HashMap<>();
        for (Iterator<Map.Entry<Path, byte[]>> it = unforced.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, byte[]> entry = it.next();
            if (entry.getKey().startsWith(from)) {
                moved.put(to.resolve(from.relativize(entry.getKey())), entry.getValue());
                it.remove();
            }
        }
        unforced.putAll(moved);
    }

    private void crash() {
        try {
            for (Map.Entry<Path, byte[]> entry : unforced.entrySet()) {
                if (entry.getValue() == null) {
                    Files.deleteIfExists(entry.getKey());
                } else if (Files.isDirectory(entry.getKey().getParent())) {
                    Files.write(entry.getKey(), entry.getValue());
                }
            }
        } catch (IOException e) {
            Runtime.getRuntime().halt(CRASH_EXIT + 1);
        }
        Runtime.getRuntime().halt(CRASH_EXIT);
    }
}
