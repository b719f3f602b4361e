package dev.dal.integration;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application process of {@link MultiProcessFileDualWriteTest}: builds its store from settings only
 * ({@link #settings}: a file primary dual-writing to a file secondary), prints {@code READY}, waits for {@code GO},
 * then runs its threads for the given seconds on the <em>shared</em> users, sessions and memory keys the test
 * created (every process and thread writes the same records). Each acknowledged write is printed after its call
 * returned:
 * <ul>
 *   <li>{@code M <messageId> <chatId> <seq> <content>}: a message ({@code addMessage}, or each of an
 *       {@code addMessages} pair)</li>
 *   <li>{@code U <userId> <name>}: a user renamed</li>
 *   <li>{@code S <chatId> <title>}: a session retitled</li>
 *   <li>{@code K <userId> <key> <value>}: a memory entry ({@code context} type) set</li>
 * </ul>
 * A failed call prints {@code ERR ...}; the end prints {@code DONE <operations>}, and the exit code is 1 if any
 * call failed.
 *
 * <p>Arguments: primary directory, secondary directory, journal directory, process name, threads, seconds.
 */
public final class SharedDualWriteChild {
    static final int USERS = 20;
    static final int SESSIONS = 10;
    static final int MEMORY_KEYS = 3;

    private SharedDualWriteChild() {
    }

    /** The settings every process builds its store from. */
    static Map<String, String> settings(String primary, String secondary, String journal) {
        return Map.of(
                DalConfig.DATA_STORAGE_TYPE, "file",
                DalConfig.DATA_DIR, primary,
                DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true",
                DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE, "file",
                DalConfig.MIGRATION_SECONDARY_PREFIX + DalConfig.DATA_DIR, secondary,
                // fail: a secondary write that fails reaches the writer as an error (and is journaled too)
                DalConfig.MIGRATION_SECONDARY_FAILURE, "fail",
                // as long as a store call may wait for a lock (DB_QUERY_TIMEOUT's default): what is measured here
                // is locking, not how fast two cores shared with other builds can fsync
                DalConfig.MIGRATION_SECONDARY_TIMEOUT, "30",
                DalConfig.MIGRATION_REPAIR_JOURNAL_DIR, journal);
    }

    static String externalId(int user) {
        return "shared-u" + user;
    }

    static String chatId(int session) {
        return "shared-c" + session;
    }

    public static void main(String[] args) throws Exception {
        String name = args[3];
        int threads = Integer.parseInt(args[4]);
        long runNanos = Long.parseLong(args[5]) * 1_000_000_000L;
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AtomicBoolean failed = new AtomicBoolean();
        AtomicLong operations = new AtomicLong();
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings(args[0], args[1], args[2])))) {
            List<User> users = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                users.add(store.getUserByExternalId(externalId(u)).orElseThrow());
            }
            out.println("READY");
            if (!"GO".equals(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine())) {
                System.exit(2);
            }
            long end = System.nanoTime() + runNanos;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String worker = name + "t" + t;
                Random random = new Random(worker.hashCode());
                Thread thread = new Thread(() -> {
                    for (int n = 0; System.nanoTime() - end < 0; n++) {
                        try {
                            step(store, users, worker + "-" + n, random, out);
                            operations.incrementAndGet();
                        } catch (RuntimeException | Error e) {
                            failed.set(true);
                            out.println("ERR " + worker + " " + e);
                            e.printStackTrace();
                        }
                    }
                }, worker);
                workers.add(thread);
                thread.start();
            }
            for (Thread thread : workers) {
                thread.join();
            }
        }
        out.println("DONE " + operations.get());
        System.exit(failed.get() ? 1 : 0);
    }

    private static void step(DataAccess store, List<User> users, String tag, Random random, PrintStream out) {
        int dice = random.nextInt(100);
        String chatId = chatId(random.nextInt(SESSIONS));
        User user = users.get(random.nextInt(users.size()));
        if (dice < 40) {
            Message m = store.addMessage(chatId, NewMessage.user("m:" + tag));
            out.println("M " + m.id() + " " + chatId + " " + m.sequenceNumber() + " " + m.content());
        } else if (dice < 50) {
            for (Message m : store.addMessages(chatId, List.of(NewMessage.user("q:" + tag),
                    NewMessage.assistant("a:" + tag)))) {
                out.println("M " + m.id() + " " + chatId + " " + m.sequenceNumber() + " " + m.content());
            }
        } else if (dice < 65) {
            User renamed = store.updateUser(user.id(), UserUpdate.builder().name("n:" + tag).build());
            out.println("U " + renamed.id() + " " + renamed.name());
        } else if (dice < 75) {
            ChatSession retitled = store.updateChatSession(chatId, ChatSessionUpdate.builder().title("t:" + tag).build());
            out.println("S " + retitled.chatId() + " " + retitled.title());
        } else if (dice < 90) {
            String key = "k" + random.nextInt(MEMORY_KEYS);
            MemoryEntry e = store.setUserMemory(user.id(), "context", key, TextNode.valueOf("v:" + tag));
            out.println("K " + e.userId() + " " + e.key() + " " + e.value().asText());
        } else if (dice < 95) {
            store.getChatHistory(chatId, 20, 0);
        } else {
            store.getUserMemory(user.id(), "context");
        }
    }
}
