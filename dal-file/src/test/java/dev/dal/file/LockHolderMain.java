package dev.dal.file;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another process holding a store's lock file: locks the whole of {@code <dir>/store.lock} exclusively (as a
 * writer in the middle of a long unit would, or an older Dal that locks the whole file), prints {@code LOCKED},
 * and holds the lock until a line arrives on standard input (or the process is killed), then prints
 * {@code RELEASED} and exits. Argument: the data directory.
 */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        Path lockFile = Path.of(args[0]).resolve("store.lock");
        try (FileChannel channel = FileChannel.open(
                        lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
                FileLock lock = channel.lock()) {
            System.out.println("LOCKED " + lock.isValid());
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        System.out.println("RELEASED");
        System.out.flush();
    }
}
