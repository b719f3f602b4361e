package dev.dal.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DeleteMode;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.file.internal.CrashSimulation;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The writer {@link CrashSafetyTest} kills: opens the store and writes until it is killed, printing
 * one line per acknowledged write, after the call returned:
 * <ul>
 *   <li>{@code S <chatId> <seq> <op>}: one {@code addMessage}</li>
 *   <li>{@code P <chatId> <seq> <op>}: one {@code addMessages} of a user message and the reply, at {@code seq} and {@code seq+1}</li>
 *   <li>{@code T <chatId>}: one transaction that created a user, a session of that user, its messages and a memory entry</li>
 *   <li>{@code D <chatId> <userId>}: such a user deleted with {@link DeleteMode#PURGE} (session, messages, memory);
 *       {@code D- <chatId>} is printed <em>before</em> that call, so the verifier knows it may have happened</li>
 * </ul>
 * Contents are derived from the round tag and the operation number ({@link #content}), so the
 * verifier can tell what every stored message must say. Before those it prints {@code OPENING}, then
 * {@code RECOVERING} just before its store starts rolling back a unit a dead writer left (only when
 * the journal was there), {@code OPENED} once the store is open and {@code READY} before it writes.
 *
 * <p>Arguments: data dir, round tag, seed, the durable step at which {@link CrashSimulation} drops every
 * unforced write and halts the JVM ({@code 0}: never, the test kills it), and optionally a scratch
 * directory to warm up in first.
 */
public final class CrashWriterMain {
    /** The long-lived sessions every round appends to. */
    static final List<String> MAIN_CHATS = List.of("main-0", "main-1", "main-2");

    static final String MEMORY_TYPE = "context";
    static final String MEMORY_KEY = "tx";
    /** The file an unfinished unit of work leaves in the data directory. */
    static final String JOURNAL = "journal.ndjson";

    private CrashWriterMain() {}

    /**
     * @param kind {@code s} single, {@code pu}/{@code pa} pair user/assistant, {@code t} transaction, {@code w} written by the verifier
     * @param tag the round
     * @param op the operation number within the round
     * @param part the message's place within its operation
     * @return the content such a message has: its key, then a filler of varying length with non-ASCII text
     */
    static String content(String kind, int tag, int op, int part) {
        String key = kind + ":" + tag + ":" + op + ":" + part;
        return key + "|" + "grüße-€-😀-".repeat(Math.floorMod(key.hashCode(), 40));
    }

    /** @return the chat id of a transaction's session, which encodes how many messages it holds */
    static String txChatId(int tag, int op, int messages) {
        return "tx:" + tag + ":" + op + ":" + messages;
    }

    /** @return how many {@code addMessage}/{@code addMessages} calls a transaction of that many messages makes */
    static int txMessageCalls(int messages) {
        int calls = 0;
        for (int part = 0; part < messages; calls++) {
            part += messages - part >= 2 && part % 2 == 1 ? 2 : 1;
        }
        return calls;
    }

    /** @return the external id of a transaction's user */
    static String txExternalId(String chatId) {
        return "user-of-" + chatId;
    }

    /** @return the memory value a transaction stores */
    static JsonNode txMemory(String chatId, int messages) {
        ObjectNode value = JsonValues.emptyObject();
        value.put("chatId", chatId);
        value.put("messages", messages);
        return value;
    }

    static DataAccess open(Path dir) {
        return DataAccessFactory.create(DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .build());
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int tag = Integer.parseInt(args[1]);
        Random random = new Random(Long.parseLong(args[2]));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        long crashAtStep = Long.parseLong(args[3]);
        exitWhenOrphaned();
        emit(out, "OPENING");
        if (args.length > 4) {
            // Warm up (class loading, JIT) on a scratch store, so the kill window is spent writing.
            try (DataAccess scratch = open(Path.of(args[4]))) {
                writeLoop(scratch, -1, new Random(0), null, 12);
            }
        }
        // Opening the store takes its lock, and the first thing done under it is recovery, if a journal is there.
        boolean journal = Files.exists(dir.resolve(JOURNAL));
        CrashSimulation.install(crashAtStep == 0 ? Long.MAX_VALUE : crashAtStep, () -> {
            if (journal) {
                emit(out, "RECOVERING");
            }
        });
        DataAccess store = open(dir);
        emit(out, "OPENED");
        writeLoop(store, tag, random, out, Integer.MAX_VALUE);
    }

    private static void writeLoop(DataAccess store, int tag, Random random, PrintStream out, int ops) {
        for (String chatId : MAIN_CHATS) {
            if (store.getChatSession(chatId).isEmpty()) {
                store.createChatSession(NewChatSession.of(chatId));
            }
        }
        emit(out, "READY");
        List<String> transactions = new ArrayList<>();
        for (int op = 0; op < ops; op++) {
            String chatId = MAIN_CHATS.get(random.nextInt(MAIN_CHATS.size()));
            int kind = random.nextInt(10);
            if (kind == 9 && !transactions.isEmpty()) {
                String victim = transactions.remove(random.nextInt(transactions.size()));
                emit(out, "D- " + victim);
                User user = store.getUserByExternalId(txExternalId(victim)).orElseThrow();
                store.deleteUser(user.id(), DeleteMode.PURGE);
                emit(out, "D " + victim + " " + user.id());
            } else if (kind < 5 || kind == 9) {
                Message m = store.addMessage(chatId, NewMessage.user(content("s", tag, op, 0)));
                emit(out, "S " + chatId + " " + m.sequenceNumber() + " " + op);
            } else if (kind < 8) {
                List<Message> pair = store.addMessages(
                        chatId,
                        List.of(
                                NewMessage.user(content("pu", tag, op, 0)),
                                NewMessage.assistant(content("pa", tag, op, 1))));
                emit(out, "P " + chatId + " " + pair.get(0).sequenceNumber() + " " + op);
            } else {
                int messages = 1 + random.nextInt(4);
                String txChat = txChatId(tag, op, messages);
                int txOp = op;
                store.useTransaction(tx -> {
                    User user = tx.createUser(NewUser.withExternalId(txExternalId(txChat)));
                    tx.createChatSession(NewChatSession.of(txChat, user.id()));
                    int part = 0;
                    while (part < messages) { // as txMessageCalls counts
                        if (messages - part >= 2 && part % 2 == 1) {
                            tx.addMessages(
                                    txChat,
                                    List.of(
                                            NewMessage.user(content("t", tag, txOp, part)),
                                            NewMessage.assistant(content("t", tag, txOp, part + 1))));
                            part += 2;
                        } else {
                            tx.addMessage(txChat, NewMessage.user(content("t", tag, txOp, part)));
                            part++;
                        }
                    }
                    tx.setUserMemory(user.id(), MEMORY_TYPE, MEMORY_KEY, txMemory(txChat, messages));
                });
                transactions.add(txChat);
                emit(out, "T " + txChat);
            }
        }
    }

    /** Ends this JVM when the test's JVM is gone (standard input closes) or after a minute at most. */
    static void exitWhenOrphaned() {
        Thread watcher = new Thread(
                () -> {
                    try {
                        while (System.in.read() >= 0) {
                            // input is not used
                        }
                    } catch (java.io.IOException e) {
                        // treated as closed
                    }
                    Runtime.getRuntime().halt(3);
                },
                "orphan-watch");
        watcher.setDaemon(true);
        watcher.start();
        Thread timeout = new Thread(
                () -> {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    Runtime.getRuntime().halt(4);
                },
                "time-limit");
        timeout.setDaemon(true);
        timeout.start();
    }

    private static void emit(PrintStream out, String line) {
        if (out == null) {
            return;
        }
        // One write per line, so a kill cuts between lines, not inside one.
        out.print(line + "\n");
        out.flush();
    }
}
