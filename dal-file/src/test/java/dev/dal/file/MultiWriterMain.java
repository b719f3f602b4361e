package dev.dal.file;

import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One of the processes {@link MultiProcessWriteTest} runs at once against one data directory.
 * Opens the store, prints {@code READY}, waits for {@code GO} on standard input (so that every
 * process starts writing at the same moment), runs its threads, prints {@code DONE} and exits 0 (1
 * if any write failed). Each acknowledged write is printed after its call returned:
 * <ul>
 *   <li>{@code M <chatId> <seq> <content>}: one {@code addMessage}</li>
 *   <li>{@code P <chatId> <seq> <content> <content>}: one {@code addMessages} pair at {@code seq}, {@code seq+1}</li>
 *   <li>{@code U <userId> <externalId>}: a user created and its memory set</li>
 *   <li>{@code X <j> <userId>} / {@code X <j> DUP}: the contested external id {@code contested-j} won / refused</li>
 *   <li>{@code C <value>}: the counter incremented, {@code value} being what the transaction wrote</li>
 *   <li>{@code O <version> <conflicts>}: in {@code optimistic} mode, the counter user updated with
 *       {@code expectingVersion} to {@code version}, after {@code conflicts} refused attempts</li>
 *   <li>{@code T <store> <seq> <content>}: in {@code two-stores} mode, one {@code addMessage} to chat
 *       {@code shared-0} of store 0 (the data dir) or 1 (the second dir)</li>
 * </ul>
 * Arguments: data dir, process name, mode ({@code writes}, {@code counter}, {@code optimistic} or
 * {@code two-stores}), threads, operations per thread, and for {@code counter} and {@code optimistic} the counter
 * user's id, for {@code two-stores} the second
 * store's directory. In {@code two-stores} mode every thread writes to both stores in turn, so each process
 * holds one store's lock while another of its threads waits for the other's: what a blocking POSIX lock
 * turns into a false "Resource deadlock avoided".
 */
public final class MultiWriterMain {
    static final List<String> SHARED_CHATS = List.of("shared-0", "shared-1");
    static final int CONTESTED = 5;
    static final String COUNTER_TYPE = "counter";
    static final String COUNTER_KEY = "value";

    private MultiWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String name = args[1];
        String mode = args[2];
        int threads = Integer.parseInt(args[3]);
        int ops = Integer.parseInt(args[4]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AtomicBoolean failed = new AtomicBoolean();
        try (DataAccess store = CrashWriterMain.open(dir);
                DataAccess other = mode.equals("two-stores") ? CrashWriterMain.open(Path.of(args[5])) : null) {
            out.println("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"GO".equals(in.readLine())) {
                System.exit(2);
            }
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String worker = name + "-t" + t;
                Runnable body = switch (mode) {
                    case "writes" -> () -> writes(store, worker, ops, out);
                    case "counter" -> () -> increments(store, UUID.fromString(args[5]), ops, out);
                    case "optimistic" -> () -> optimistic(store, UUID.fromString(args[5]), worker, ops, out);
                    case "two-stores" -> () -> twoStores(List.of(store, other), worker, ops, out);
                    default -> throw new IllegalArgumentException(mode);
                };
                Thread thread = new Thread(() -> {
                    try {
                        body.run();
                    } catch (RuntimeException | Error e) {
                        failed.set(true);
                        out.println("ERR " + worker + " " + e);
                        e.printStackTrace();
                    }
                }, worker);
                workers.add(thread);
                thread.start();
            }
            for (Thread thread : workers) {
                thread.join();
            }
        } catch (IOException e) {
            failed.set(true);
            e.printStackTrace();
        }
        out.println("DONE");
        System.exit(failed.get() ? 1 : 0);
    }

    private static void writes(DataAccess store, String worker, int ops, PrintStream out) {
        for (int i = 0; i < ops; i++) {
            String chatId = SHARED_CHATS.get(i % SHARED_CHATS.size());
            String content = worker + ":" + i;
            if (i % 4 == 3) {
                List<Message> pair = store.addMessages(chatId, List.of(NewMessage.user(content + ":u"),
                        NewMessage.assistant(content + ":a")));
                out.println("P " + chatId + " " + pair.get(0).sequenceNumber() + " " + pair.get(0).content() + " "
                        + pair.get(1).content());
            } else {
                Message m = store.addMessage(chatId, NewMessage.user(content));
                out.println("M " + chatId + " " + m.sequenceNumber() + " " + m.content());
            }
            if (i % 5 == 0) {
                String externalId = "user:" + content;
                User user = store.createUser(NewUser.withExternalId(externalId));
                store.setUserMemory(user.id(), "profile", "owner", TextNode.valueOf(externalId));
                out.println("U " + user.id() + " " + externalId);
            }
            if (i < CONTESTED) {
                try {
                    User user = store.createUser(NewUser.withExternalId("contested-" + i));
                    out.println("X " + i + " " + user.id());
                } catch (DuplicateKeyException e) {
                    out.println("X " + i + " DUP");
                }
            }
        }
    }

    private static void twoStores(List<DataAccess> stores, String worker, int ops, PrintStream out) {
        for (int i = 0; i < ops; i++) {
            int which = (i + worker.hashCode()) % 2 == 0 ? 0 : 1;
            String content = worker + ":" + i;
            Message m = stores.get(which).addMessage(SHARED_CHATS.get(0), NewMessage.user(content));
            out.println("T " + which + " " + m.sequenceNumber() + " " + m.content());
        }
    }

    /** Read-modify-write without a transaction: an update expecting the version read, retried on conflict. */
    private static void optimistic(DataAccess store, UUID user, String worker, int ops, PrintStream out) {
        for (int i = 0; i < ops; i++) {
            for (int conflicts = 0; ; conflicts++) {
                if (conflicts > 100_000) {
                    throw new IllegalStateException("no optimistic update got through");
                }
                long read = store.getUser(user).orElseThrow().version();
                try {
                    User updated = store.updateUser(user, UserUpdate.builder().name(worker + ":" + i)
                            .expectingVersion(read).build());
                    out.println("O " + updated.version() + " " + conflicts);
                    break;
                } catch (ConcurrencyConflictException e) {
                    // another writer got there first: read again
                }
            }
        }
    }

    private static void increments(DataAccess store, UUID counterUser, int ops, PrintStream out) {
        for (int i = 0; i < ops; i++) {
            long written = store.inTransaction(tx -> {
                long current = tx.getUserMemory(counterUser, COUNTER_TYPE, COUNTER_KEY)
                        .map(e -> e.value().asLong()).orElse(0L);
                tx.setUserMemory(counterUser, COUNTER_TYPE, COUNTER_KEY, LongNode.valueOf(current + 1));
                return current + 1;
            });
            out.println("C " + written);
        }
    }
}
