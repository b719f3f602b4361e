package dev.dal.file;

import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.Tombstone;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

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
 *   <li>{@code R <kind> <key> <version> <L|T>}: in {@code race} mode, one conditional bulk upsert ({@code L}) or
 *       {@code upsertTombstones} ({@code T}) of race key {@code key} of kind {@code user}, {@code session} or
 *       {@code memory} at {@code version}; versions are unique across all writers, in a shuffled order</li>
 * </ul>
 * Arguments: data dir, process name ({@code p<n>}), mode ({@code writes}, {@code counter}, {@code optimistic},
 * {@code race} or {@code two-stores}), threads, operations per thread, and for {@code counter} and {@code optimistic}
 * the counter user's id, for {@code race} the memory owner's id and a seed, for {@code two-stores} the second
 * store's directory. In {@code two-stores} mode every thread writes to both stores in turn, so each process
 * holds one store's lock while another of its threads waits for the other's: what a blocking POSIX lock
 * turns into a false "Resource deadlock avoided".
 */
public final class MultiWriterMain {
    static final List<String> SHARED_CHATS = List.of("shared-0", "shared-1");
    static final int CONTESTED = 5;
    static final String COUNTER_TYPE = "counter";
    static final String COUNTER_KEY = "value";
    static final int RACE_KEYS = 3;
    static final String RACE_TYPE = "race";
    static final Instant RACE_TIME = Instant.parse("2026-01-01T00:00:00Z");

    private MultiWriterMain() {}

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
                int workerIndex = Integer.parseInt(name.substring(1)) * threads + t;
                Runnable body = switch (mode) {
                    case "writes" -> () -> writes(store, worker, ops, out);
                    case "counter" -> () -> increments(store, UUID.fromString(args[5]), ops, out);
                    case "optimistic" -> () -> optimistic(store, UUID.fromString(args[5]), worker, ops, out);
                    case "two-stores" -> () -> twoStores(List.of(store, other), worker, ops, out);
                    case "race" ->
                        () -> race(
                                store,
                                UUID.fromString(args[5]),
                                Long.parseLong(args[6]) + workerIndex,
                                workerIndex,
                                MultiProcessWriteTest.WORKERS,
                                ops,
                                out);
                    default -> throw new IllegalArgumentException(mode);
                };
                Thread thread = new Thread(
                        () -> {
                            try {
                                body.run();
                            } catch (RuntimeException | Error e) {
                                failed.set(true);
                                out.println("ERR " + worker + " " + e);
                                e.printStackTrace();
                            }
                        },
                        worker);
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
                List<Message> pair = store.addMessages(
                        chatId, List.of(NewMessage.user(content + ":u"), NewMessage.assistant(content + ":a")));
                out.println("P " + chatId + " " + pair.get(0).sequenceNumber() + " "
                        + pair.get(0).content() + " " + pair.get(1).content());
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

    static UUID raceUser(int key) {
        return UUID.nameUUIDFromBytes(("race-user-" + key).getBytes(StandardCharsets.UTF_8));
    }

    static UUID raceSession(int key) {
        return UUID.nameUUIDFromBytes(("race-session-" + key).getBytes(StandardCharsets.UTF_8));
    }

    static String raceChat(int key) {
        return "race-chat-" + key;
    }

    /**
     * Replication from several sources at once: conditional upserts and tombstones of the same few keys, at
     * versions unique across all writers and shuffled, so whatever the interleaving the store must end up holding,
     * for each key, exactly what the highest version offered was (live or deleted).
     */
    private static void race(
            DataAccess store, UUID owner, long seed, int worker, int workers, int ops, PrintStream out) {
        Random random = new Random(seed);
        List<Integer> slots = new ArrayList<>(IntStream.range(0, ops).boxed().toList());
        Collections.shuffle(slots, random);
        for (int i = 0; i < ops; i++) {
            long version = (long) slots.get(i) * workers + worker + 2; // 2 or more: a tombstone is never at 1
            int key = random.nextInt(RACE_KEYS);
            boolean tombstone = random.nextBoolean();
            String kind = List.of("user", "session", "memory").get(random.nextInt(3));
            switch (kind) {
                case "user" -> {
                    if (tombstone) {
                        store.bulk().upsertTombstones(List.of(Tombstone.ofUser(raceUser(key), version)));
                    } else {
                        store.bulk()
                                .upsertUsers(List.of(new User(
                                        raceUser(key),
                                        null,
                                        null,
                                        "v" + version,
                                        null,
                                        null,
                                        UserStatus.ACTIVE,
                                        RACE_TIME,
                                        RACE_TIME,
                                        null,
                                        version)));
                    }
                }
                case "session" -> {
                    if (tombstone) {
                        store.bulk()
                                .upsertTombstones(
                                        List.of(Tombstone.ofSession(raceChat(key), raceSession(key), version)));
                    } else {
                        store.bulk()
                                .upsertSessions(List.of(new ChatSession(
                                        raceSession(key),
                                        raceChat(key),
                                        null,
                                        "v" + version,
                                        null,
                                        null,
                                        SessionStatus.ACTIVE,
                                        RACE_TIME,
                                        RACE_TIME,
                                        null,
                                        0,
                                        version)));
                    }
                }
                default -> {
                    if (tombstone) {
                        store.bulk()
                                .upsertTombstones(List.of(Tombstone.ofMemory(owner, RACE_TYPE, "k" + key, version)));
                    } else {
                        store.bulk()
                                .upsertMemory(List.of(new MemoryEntry(
                                        owner,
                                        RACE_TYPE,
                                        "k" + key,
                                        LongNode.valueOf(version),
                                        RACE_TIME,
                                        RACE_TIME,
                                        null,
                                        version)));
                    }
                }
            }
            out.println("R " + kind + " " + key + " " + version + " " + (tombstone ? "T" : "L"));
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
                    User updated = store.updateUser(
                            user,
                            UserUpdate.builder()
                                    .name(worker + ":" + i)
                                    .expectingVersion(read)
                                    .build());
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
                        .map(e -> e.value().asLong())
                        .orElse(0L);
                tx.setUserMemory(counterUser, COUNTER_TYPE, COUNTER_KEY, LongNode.valueOf(current + 1));
                return current + 1;
            });
            out.println("C " + written);
        }
    }
}
