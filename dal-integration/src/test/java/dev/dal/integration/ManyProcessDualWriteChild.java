package dev.dal.integration;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application process of {@link ManyProcessDualWriteTest}: builds its dual-write store from settings only (a
 * properties file), prints {@code READY}, waits for {@code GO}, then runs its threads for the given seconds on the
 * <em>shared</em> users, sessions and memory keys the test created (every process and thread writes the same
 * records), and on records it creates and deletes itself: memory keys of the shared users (set and deleted by
 * every process), sessions and users of its own. Each acknowledged write to a shared record is printed after its
 * call returned:
 * <ul>
 *   <li>{@code M <messageId> <chatId> <seq> <content>}: a message ({@code addMessage}, or each of an
 *       {@code addMessages} pair)</li>
 *   <li>{@code U <userId> <name>}: a user renamed</li>
 *   <li>{@code S <chatId> <title>}: a session retitled</li>
 *   <li>{@code K <userId> <key> <value>}: a memory entry ({@code context} type) set</li>
 * </ul>
 * A {@link NotFoundException} on a record another thread of the process may have deleted is an expected answer;
 * any other failure prints {@code ERR ...}. The end prints {@code DONE <operations> <deletions>}; the exit code is
 * 1 if any call failed.
 *
 * <p>Arguments: settings file, process name, threads, seconds.
 */
public final class ManyProcessDualWriteChild {
    static final int USERS = 20;
    static final int SESSIONS = 10;
    static final int MEMORY_KEYS = 3;
    static final String CHURN_TYPE = "churn";

    private final DataAccess store;
    private final List<User> users;
    private final PrintStream out;
    private final List<String> ownSessions = new CopyOnWriteArrayList<>();
    private final List<User> ownUsers = new CopyOnWriteArrayList<>();
    private final AtomicLong deletions = new AtomicLong();

    private ManyProcessDualWriteChild(DataAccess store, List<User> users, PrintStream out) {
        this.store = store;
        this.users = users;
        this.out = out;
    }

    static String externalId(int user) {
        return "shared-u" + user;
    }

    static String chatId(int session) {
        return "shared-c" + session;
    }

    static void writeSettings(Path file, Map<String, String> settings) throws IOException {
        Properties props = new Properties();
        props.putAll(settings);
        try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(w, "dual-write settings of every writer process");
        }
    }

    static Map<String, String> readSettings(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        }
        Map<String, String> settings = new HashMap<>();
        props.stringPropertyNames().forEach(k -> settings.put(k, props.getProperty(k)));
        return settings;
    }

    public static void main(String[] args) throws Exception {
        String name = args[1];
        int threads = Integer.parseInt(args[2]);
        long runNanos = Long.parseLong(args[3]) * 1_000_000_000L;
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AtomicBoolean failed = new AtomicBoolean();
        AtomicLong operations = new AtomicLong();
        long deleted;
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(readSettings(Path.of(args[0]))))) {
            List<User> users = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                users.add(store.getUserByExternalId(externalId(u)).orElseThrow());
            }
            ManyProcessDualWriteChild child = new ManyProcessDualWriteChild(store, users, out);
            out.println("READY");
            if (!"GO".equals(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine())) {
                System.exit(2);
            }
            long end = System.nanoTime() + runNanos;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String worker = name + "t" + t;
                Random random = new Random(worker.hashCode());
                Thread thread = new Thread(
                        () -> {
                            for (int n = 0; System.nanoTime() - end < 0; n++) {
                                try {
                                    child.step(worker + "-" + n, random);
                                    operations.incrementAndGet();
                                } catch (RuntimeException | Error e) {
                                    failed.set(true);
                                    out.println("ERR " + worker + " " + e);
                                    e.printStackTrace();
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
            deleted = child.deletions.get();
        }
        out.println("DONE " + operations.get() + " " + deleted);
        System.exit(failed.get() ? 1 : 0);
    }

    private void step(String tag, Random random) {
        int dice = random.nextInt(100);
        String chatId = chatId(random.nextInt(SESSIONS));
        User user = users.get(random.nextInt(users.size()));
        if (dice < 30) {
            Message m = store.addMessage(chatId, NewMessage.user("m:" + tag));
            out.println("M " + m.id() + " " + chatId + " " + m.sequenceNumber() + " " + m.content());
        } else if (dice < 37) {
            for (Message m :
                    store.addMessages(chatId, List.of(NewMessage.user("q:" + tag), NewMessage.assistant("a:" + tag)))) {
                out.println("M " + m.id() + " " + chatId + " " + m.sequenceNumber() + " " + m.content());
            }
        } else if (dice < 47) {
            // Announced before the call: a writer killed after the store took it but before the ack line still
            // leaves the value in the ledger as one it may have written.
            out.println("TU " + user.id() + " n:" + tag);
            User renamed = store.updateUser(
                    user.id(), UserUpdate.builder().name("n:" + tag).build());
            out.println("U " + renamed.id() + " " + renamed.name());
        } else if (dice < 54) {
            out.println("TS " + chatId + " t:" + tag);
            ChatSession retitled = store.updateChatSession(
                    chatId, ChatSessionUpdate.builder().title("t:" + tag).build());
            out.println("S " + retitled.chatId() + " " + retitled.title());
        } else if (dice < 66) {
            String key = "k" + random.nextInt(MEMORY_KEYS);
            out.println("TK " + user.id() + " " + key + " v:" + tag);
            MemoryEntry e = store.setUserMemory(user.id(), "context", key, TextNode.valueOf("v:" + tag));
            out.println("K " + e.userId() + " " + e.key() + " " + e.value().asText());
        } else if (dice < 72) {
            // set and deleted by every process: the same keys come and go
            store.setUserMemory(user.id(), CHURN_TYPE, "c" + random.nextInt(2), TextNode.valueOf("c:" + tag));
        } else if (dice < 76) {
            if (store.deleteUserMemory(user.id(), CHURN_TYPE, "c" + random.nextInt(2))) {
                deletions.incrementAndGet();
            }
        } else if (dice < 77) {
            deletions.addAndGet(store.deleteUserMemory(user.id(), CHURN_TYPE));
        } else if (dice < 81) {
            String own = "own-" + tag;
            store.createChatSession(NewChatSession.of(own, user.id()));
            ownSessions.add(own);
            expectingDeletion(() -> store.addMessage(own, NewMessage.user("o:" + tag)));
        } else if (dice < 84) {
            String own = take(ownSessions, random);
            if (own != null) {
                expectingDeletion(() -> store.addMessage(own, NewMessage.assistant("last:" + tag)));
                if (store.deleteChatSession(own)) {
                    deletions.incrementAndGet();
                }
            }
        } else if (dice < 87) {
            User own = store.createUser(
                    NewUser.builder().externalId("own-" + tag).name("o:" + tag).build());
            ownUsers.add(own);
            expectingDeletion(() -> {
                store.setUserMemory(own.id(), "context", "k", TextNode.valueOf("o:" + tag));
                store.createChatSession(NewChatSession.of("own-of-" + tag, own.id()));
                store.addMessage("own-of-" + tag, NewMessage.user("o:" + tag));
            });
        } else if (dice < 89) {
            User own = take(ownUsers, random);
            if (own != null
                    && store.deleteUser(own.id(), random.nextBoolean() ? DeleteMode.PURGE : DeleteMode.KEEP_SESSIONS)) {
                deletions.incrementAndGet();
            }
        } else if (dice < 95) {
            store.getChatHistory(chatId, 20, 0);
        } else {
            store.getUserMemory(user.id(), "context");
        }
    }

    /** Runs work on a record of this process that another of its threads may delete meanwhile. */
    private static void expectingDeletion(Runnable work) {
        try {
            work.run();
        } catch (NotFoundException e) {
            // another thread deleted it first: an answer, not a failure
        }
    }

    private static <T> T take(List<T> from, Random random) {
        while (!from.isEmpty()) {
            try {
                T item = from.get(random.nextInt(from.size()));
                if (from.remove(item)) {
                    return item;
                }
            } catch (IndexOutOfBoundsException e) {
                // another thread took one meanwhile
            }
        }
        return null;
    }
}
