package dev.dal.integration;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Application threads writing through one store: each owns its users (with their sessions and memory) and creates,
 * updates and deletes them; all of them add messages to a few shared sessions at once. Every write the store
 * acknowledged goes into the {@link Ledger}; each update is read back at once (read-your-writes, from whichever
 * store answers reads). Any exception stops its thread and fails {@link #stop()}.
 */
final class Writers {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One writer's own records, which survive from phase to phase (the application's state). */
    static final class Owned {
        final int writer;
        final Random random;
        final List<UUID> users = new ArrayList<>();
        final List<ChatSession> sessions = new ArrayList<>();
        final List<String[]> memory = new ArrayList<>();
        int serial;

        Owned(int writer) {
            this.writer = writer;
            this.random = new Random(1000L + writer);
        }
    }

    private final DataAccess store;
    private final Ledger ledger;
    private final List<String> shared;
    private final List<Thread> threads = new ArrayList<>();
    private final List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger operations = new AtomicInteger();
    private final CountDownLatch enough;

    /**
     * Starts one thread per owner.
     *
     * @param minimumPerWriter operations each writer does at least, whatever {@link #stop()} says
     */
    Writers(DataAccess store, Ledger ledger, List<String> sharedChatIds, List<Owned> owners, int minimumPerWriter) {
        this.store = store;
        this.ledger = ledger;
        this.shared = sharedChatIds;
        this.enough = new CountDownLatch(owners.size());
        for (Owned owned : owners) {
            Thread t = new Thread(() -> run(owned, minimumPerWriter), "writer-" + owned.writer);
            threads.add(t);
            t.start();
        }
    }

    private void run(Owned owned, int minimum) {
        try {
            for (int n = 0; n < minimum || !stopping.get(); n++) {
                step(owned);
                operations.incrementAndGet();
                if (n + 1 == minimum) {
                    enough.countDown();
                }
            }
        } catch (Throwable t) {
            errors.add(new AssertionError(Thread.currentThread().getName() + " failed", t));
            enough.countDown();
        }
    }

    /** Lets the writers finish (each does its minimum), waits for them, and fails if any write failed. */
    int stop() throws InterruptedException {
        enough.await();
        stopping.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError(errors.size() + " writer(s) failed", errors.get(0));
            errors.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        return operations.get();
    }

    private void step(Owned o) {
        int dice = o.random.nextInt(100);
        if (o.users.size() < 3 || dice < 8) {
            User user = store.createUser(NewUser.builder()
                    .externalId("w" + o.writer + "-" + o.serial++)
                    .name("writer " + o.writer)
                    .build());
            ledger.user(user);
            o.users.add(user.id());
        } else if (dice < 16) {
            UUID id = pick(o, o.users);
            User updated = store.updateUser(
                    id, UserUpdate.builder().name("renamed " + o.serial++).build());
            ledger.user(updated);
            check(store.getUser(id).orElseThrow().equals(updated), "read back user " + id);
        } else if (dice < 19) {
            deleteUser(o, pick(o, o.users));
        } else if (dice < 28 || o.sessions.isEmpty()) {
            ChatSession session =
                    store.createChatSession(NewChatSession.of("c" + o.writer + "-" + o.serial++, pick(o, o.users)));
            ledger.session(session);
            o.sessions.add(session);
        } else if (dice < 32) {
            ChatSession session = pick(o, o.sessions);
            String title = "title " + o.serial++;
            ChatSession updated = store.updateChatSession(
                    session.chatId(), ChatSessionUpdate.builder().title(title).build());
            check(
                    updated.id().equals(session.id()) && title.equals(updated.title()),
                    "updated session " + session.chatId());
            ledger.session(updated);
            check(
                    title.equals(
                            store.getChatSession(session.chatId()).orElseThrow().title()),
                    "read back session " + session.chatId());
        } else if (dice < 35) {
            ChatSession session = pick(o, o.sessions);
            check(store.deleteChatSession(session.chatId()), "deleted session " + session.chatId());
            ledger.sessionDeleted(session.chatId());
            o.sessions.remove(session);
        } else if (dice < 55) {
            String chatId = pick(o, o.sessions).chatId();
            message(o, chatId);
        } else if (dice < 80) {
            message(o, shared.get(o.random.nextInt(shared.size())));
        } else if (dice < 93) {
            UUID user = pick(o, o.users);
            String key = "k" + o.random.nextInt(4);
            MemoryEntry entry = store.setUserMemory(
                    user,
                    "context",
                    key,
                    NODES.objectNode().put("n", o.serial++).put("text", "Grüße 👋"));
            ledger.memory(entry);
            o.memory.add(new String[] {user.toString(), key});
            check(store.getUserMemory(user, "context", key).orElseThrow().equals(entry), "read back memory");
        } else if (!o.memory.isEmpty()) {
            String[] m = o.memory.remove(o.random.nextInt(o.memory.size()));
            store.deleteUserMemory(UUID.fromString(m[0]), "context", m[1]);
            ledger.memoryDeleted(UUID.fromString(m[0]), "context", m[1]);
        }
    }

    private void message(Owned o, String chatId) {
        Message stored = store.addMessage(
                chatId,
                o.random.nextBoolean()
                        ? NewMessage.user("question " + o.serial++ + " from writer " + o.writer)
                        : NewMessage.assistant("answer " + o.serial++ + " — 你好"));
        ledger.message(stored);
    }

    private void deleteUser(Owned o, UUID id) {
        DeleteMode mode = o.random.nextBoolean() ? DeleteMode.PURGE : DeleteMode.KEEP_SESSIONS;
        check(store.deleteUser(id, mode), "deleted user " + id);
        ledger.userDeleted(id);
        o.users.remove(id);
        o.memory.removeIf(m -> m[0].equals(id.toString()));
        List<ChatSession> theirs =
                o.sessions.stream().filter(s -> id.equals(s.userId())).toList();
        if (mode == DeleteMode.PURGE) {
            theirs.forEach(s -> ledger.sessionDeleted(s.chatId()));
            o.sessions.removeAll(theirs);
        } else {
            // kept without a user: the writer goes on using them
            theirs.forEach(s -> {
                o.sessions.set(o.sessions.indexOf(s), s.withUserId(null));
                ledger.sessionKeptWithoutUser(s.chatId());
            });
        }
    }

    private static <T> T pick(Owned o, List<T> from) {
        return from.get(o.random.nextInt(from.size()));
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("failed: " + what);
        }
    }
}
