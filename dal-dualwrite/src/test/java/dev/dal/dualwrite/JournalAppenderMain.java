package dev.dal.dualwrite;

import dev.dal.dualwrite.internal.RepairJournal;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One of the processes {@link RepairJournalMultiProcessTest} runs at once: its threads append to two journals in
 * turn, so the process holds one journal's lock while another of its threads waits for the other's, which a
 * blocking POSIX lock turns into a false "Resource deadlock avoided". Prints {@code A <journal> <key>} after each
 * append returned, {@code ERR ...} for a failure, then {@code DONE}; exits 1 if any append failed.
 *
 * <p>Arguments: the two journal directories, the process name, threads, appends per thread.
 */
public final class JournalAppenderMain {
    private JournalAppenderMain() {}

    public static void main(String[] args) throws Exception {
        String name = args[2];
        int threads = Integer.parseInt(args[3]);
        int appends = Integer.parseInt(args[4]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AtomicBoolean failed = new AtomicBoolean();
        try (RepairJournal a = RepairJournal.open(Path.of(args[0]));
                RepairJournal b = RepairJournal.open(Path.of(args[1]))) {
            List<RepairJournal> journals = List.of(a, b);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String worker = name + "-t" + t;
                int first = t;
                Thread thread = new Thread(
                        () -> {
                            for (int i = 0; i < appends; i++) {
                                int which = (first + i) % 2;
                                String key = worker + ":" + i;
                                try {
                                    journals.get(which)
                                            .append(List.of(new RepairEntry(
                                                    RecordKind.USER,
                                                    List.of(key),
                                                    "createUser",
                                                    Instant.parse("2026-12-01T10:00:00Z"),
                                                    "test")));
                                    out.println("A " + which + " " + key);
                                } catch (RuntimeException e) {
                                    failed.set(true);
                                    out.println("ERR " + key + " " + e);
                                }
                            }
                        },
                        worker);
                workers.add(thread);
                thread.start();
            }
            for (Thread thread : workers) {
                thread.join();
            }
        }
        out.println("DONE");
        System.exit(failed.get() ? 1 : 0);
    }
}
