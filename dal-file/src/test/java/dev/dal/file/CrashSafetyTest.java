package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.Role;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import dev.dal.file.internal.CrashSimulation;
import dev.dal.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills writer processes with SIGKILL at random moments, over and over, in one data directory (so
 * damage accumulates), and after each kill opens the store and checks that every acknowledged
 * write is there, unchanged, and that nothing half-done is: an {@code addMessages} pair lands
 * whole or not at all, a transaction lands whole or not at all, so does a purge of a user with
 * their session, messages and memory (and the user's tombstone), sequence numbers stay 1..n, and every
 * session's version moved exactly once per call that added its messages.
 *
 * <p>Every sixth round kills its writer while it opens the store, right after a round whose
 * crash nobody recovered; when that crash left a unit to roll back, the kill comes just after the
 * writer reports that recovery started, so recovery itself is interrupted too, and the test
 * counts the kills that landed in it (the writer had not opened the store, the journal is still
 * there) and requires at least one.
 *
 * <p>SIGKILL keeps what the operating system has not yet written, so it cannot show a missing
 * {@code force}. Every sixth round therefore simulates a power loss instead: the writer runs with
 * {@link CrashSimulation}, which drops every write not yet forced at a chosen durable step and halts
 * the JVM; when that leaves a unit to roll back, a second writer crashes the same way a few steps
 * into its recovery. The same checks follow. Reproduce a failure with the seed it names:
 * {@code -Ddal.crash.seed=…}; {@code -Ddal.crash.kills=…} sets the number of kills of running writers
 * (at least 50).
 */
class CrashSafetyTest {
    private static final long SEED = Long.getLong("dal.crash.seed", 20_261_121L);
    private static final int KILLS = Math.max(50, Integer.getInteger("dal.crash.kills", 50));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Simulated crashes land within this many durable steps of a writer's start (a write takes about a dozen). */
    private static final int CRASH_STEPS = 1500;
    /** A crash in recovery is aimed within this many steps of its start; rolling back a unit takes at least two. */
    private static final int RECOVERY_CRASH_STEPS = 6;
    /** Added to the round to tag the writes of the writer that crashes during recovery. */
    private static final int SECOND_WRITER_TAG = 1_000_000;

    @TempDir
    Path temp;

    /** One acknowledged write, as the writer reported it. */
    private record Ack(String kind, String chatId, long seq, int tag, int op, String userId) {
        Ack(String kind, String chatId, long seq, int tag, int op) {
            this(kind, chatId, seq, tag, op, null);
        }
    }

    /** Counts of what the rounds did. */
    private static final class Tally {
        int killsRunning;
        int killsOpening;
        int killsInRecovery;
        int journalsLeft;
        int crashes;
        int crashesLeavingAUnit;
        int crashesInRecovery;
    }

    @Test
    void killedWritersLoseNoAcknowledgedWriteAndLeaveNothingHalfDone() throws Exception {
        Path dir = temp.resolve("store");
        Random random = new Random(SEED);
        List<Ack> acks = new ArrayList<>();
        Tally tally = new Tally();
        int round = 0;
        long started = System.nanoTime();
        while (tally.killsRunning < KILLS) {
            round++;
            String context = "seed " + SEED + ", round " + round;
            if (round % 6 == 3) {
                simulatedCrashes(dir, round, random, acks, tally, context);
            } else {
                boolean killWhileOpening = round % 6 == 0;
                acks.addAll(parse(killedWriter(dir, round, random, killWhileOpening, tally, context), round, context));
            }
            if (round % 6 != 5) {
                verify(dir, acks, round, context);
            }
        }
        try (DataAccess store = CrashWriterMain.open(dir)) {
            check(store, acks, "seed " + SEED + ", final");
        }
        System.out.printf(
                "CrashSafetyTest: seed %d, %d rounds, %d writers killed while writing, %d while opening "
                        + "(%d of those during recovery), %d kills while writing left an unfinished unit to roll back; "
                        + "%d simulated power losses dropping unforced writes, %d of them left a unit, "
                        + "%d more landed during its recovery; %d acknowledged writes checked "
                        + "(%d transactions, %d purges), %.1f s%n",
                SEED,
                round,
                tally.killsRunning,
                tally.killsOpening,
                tally.killsInRecovery,
                tally.journalsLeft,
                tally.crashes,
                tally.crashesLeavingAUnit,
                tally.crashesInRecovery,
                acks.size(),
                acks.stream().filter(a -> a.kind().equals("T")).count(),
                acks.stream().filter(a -> a.kind().equals("D")).count(),
                (System.nanoTime() - started) / 1e9);
        assertThat(acks).as("seed %d: the writers acknowledged writes", SEED).hasSizeGreaterThan(KILLS);
        assertThat(tally.journalsLeft)
                .as("seed %d: some kills hit a unit of work in progress", SEED)
                .isPositive();
        assertThat(tally.killsInRecovery)
                .as("seed %d: some kills landed while recovery ran", SEED)
                .isPositive();
        assertThat(tally.crashesLeavingAUnit)
                .as("seed %d: some simulated crashes hit a unit of work", SEED)
                .isPositive();
        assertThat(tally.crashesInRecovery)
                .as("seed %d: some simulated crashes landed while recovery ran", SEED)
                .isPositive();
    }

    /** Runs a writer and SIGKILLs it, while it writes or while it opens the store; @return its output */
    private List<String> killedWriter(
            Path dir, int round, Random random, boolean killWhileOpening, Tally tally, String context)
            throws Exception {
        boolean journal = Files.exists(dir.resolve(CrashWriterMain.JOURNAL));
        int delay = killWhileOpening ? (journal ? random.nextInt(3) : random.nextInt(400)) : 20 + random.nextInt(281);
        List<String> args = new ArrayList<>(
                List.of(dir.toString(), Integer.toString(round), Long.toString(random.nextLong()), "0"));
        if (!killWhileOpening) {
            args.add(temp.resolve("scratch-" + round).toString());
        }
        List<String> lines;
        try (ChildJvm child = ChildJvm.start(
                CrashWriterMain.class, temp.resolve("writers-stderr.log"), args.toArray(String[]::new))) {
            String awaited = !killWhileOpening ? "READY" : journal ? "RECOVERING" : "OPENING";
            String first = child.awaitLine(awaited, START_TIMEOUT);
            if (first.equals(ChildJvm.EOF)) {
                fail(
                        "%s: the writer ended by itself before it was killed; its stderr:%n%s",
                        context, child.stderrTail());
            }
            Thread.sleep(delay);
            if (!child.isAlive()) {
                fail("%s: the writer died by itself; its stderr:%n%s", context, child.stderrTail());
            }
            child.kill();
            lines = child.lines();
        }
        boolean journalAfter = Files.exists(dir.resolve(CrashWriterMain.JOURNAL));
        if (killWhileOpening) {
            tally.killsOpening++;
            if (lines.contains("RECOVERING") && !lines.contains("OPENED") && journalAfter) {
                tally.killsInRecovery++;
            }
        } else {
            tally.killsRunning++;
            tally.journalsLeft += journalAfter ? 1 : 0;
        }
        return lines;
    }

    /**
     * Runs a writer that loses its unforced writes at a random durable step; when that leaves a unit
     * to roll back, runs another that does the same early in its recovery.
     */
    private void simulatedCrashes(Path dir, int round, Random random, List<Ack> acks, Tally tally, String context)
            throws Exception {
        List<String> lines = crashedWriter(dir, round, random, 1 + random.nextInt(CRASH_STEPS), context);
        acks.addAll(parse(lines, round, context));
        tally.crashes++;
        if (!Files.exists(dir.resolve(CrashWriterMain.JOURNAL))) {
            return;
        }
        tally.crashesLeavingAUnit++;
        String again = context + ", crash during recovery";
        // Its own tag: a writer that finished recovery before its crash writes messages of its own.
        int tag = SECOND_WRITER_TAG + round;
        List<String> recovering = crashedWriter(dir, tag, random, 1 + random.nextInt(RECOVERY_CRASH_STEPS), again);
        assertThat(recovering).as("%s: the writer started recovery", again).contains("RECOVERING");
        if (!recovering.contains("OPENED") && Files.exists(dir.resolve(CrashWriterMain.JOURNAL))) {
            tally.crashesInRecovery++;
        }
        acks.addAll(parse(recovering, tag, again));
    }

    private List<String> crashedWriter(Path dir, int tag, Random random, int step, String context) throws Exception {
        String what = context + ", simulated crash at durable step " + step;
        try (ChildJvm child = ChildJvm.start(
                CrashWriterMain.class,
                temp.resolve("writers-stderr.log"),
                dir.toString(),
                Integer.toString(tag),
                Long.toString(random.nextLong()),
                Integer.toString(step))) {
            int exit = child.awaitExit(START_TIMEOUT);
            assertThat(exit)
                    .as(
                            "%s: the writer's exit code (%d: halted by the crash simulation); its stderr:%n%s",
                            what, CrashSimulation.CRASH_EXIT, child.stderrTail())
                    .isEqualTo(CrashSimulation.CRASH_EXIT);
            return child.lines();
        }
    }

    /** Opens the store (recovering it), checks every acknowledged write, and adds one more of its own. */
    private static void verify(Path dir, List<Ack> acks, int round, String context) {
        try (DataAccess store = CrashWriterMain.open(dir)) {
            check(store, acks, context);
            Message written = store.addMessage(
                    CrashWriterMain.MAIN_CHATS.get(0), NewMessage.user(CrashWriterMain.content("w", round, 0, 0)));
            acks.add(new Ack("W", CrashWriterMain.MAIN_CHATS.get(0), written.sequenceNumber(), round, 0));
        }
    }

    private static List<Ack> parse(List<String> lines, int round, String context) {
        List<Ack> acks = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "OPENING", "RECOVERING", "OPENED", "READY" -> {
                    // progress
                }
                case "S", "P" -> acks.add(new Ack(f[0], f[1], Long.parseLong(f[2]), round, Integer.parseInt(f[3])));
                case "T", "D-" -> acks.add(new Ack(f[0], f[1], 0, round, 0));
                case "D" -> acks.add(new Ack(f[0], f[1], 0, round, 0, f[2]));
                default -> fail("%s: unexpected line from the writer: %s", context, line);
            }
        }
        return acks;
    }

    private static void check(DataAccess store, List<Ack> acks, String context) {
        StoreAudit audit = StoreAudit.of(store, context);
        Set<String> keys = new HashSet<>();
        for (Map.Entry<String, List<Message>> entry : audit.histories.entrySet()) {
            String chatId = entry.getKey();
            List<Message> history = entry.getValue();
            ChatSession session = audit.sessions.get(chatId);
            for (Message m : history) {
                String key = String.join(":", key(m));
                assertThat(keys.add(key))
                        .as("%s: message %s stored twice", context, key)
                        .isTrue();
            }
            if (CrashWriterMain.MAIN_CHATS.contains(chatId)) {
                checkMainChat(session, history, context);
            } else if (chatId.startsWith("tx:")) {
                checkTransaction(store, audit, session, history, context);
            } else {
                fail("%s: a session nobody created: %s", context, chatId);
            }
        }
        for (User user : audit.users.values()) {
            String ext = user.externalId();
            assertThat(ext).as("%s: user %s", context, user.id()).startsWith("user-of-tx:");
            String chatId = ext.substring("user-of-".length());
            assertThat(audit.sessions.get(chatId))
                    .as("%s: a transaction's user without its session (%s)", context, chatId)
                    .isNotNull()
                    .extracting(ChatSession::userId)
                    .isEqualTo(user.id());
        }
        Set<String> mayBeDeleted = new HashSet<>();
        acks.stream().filter(a -> a.kind().equals("D-")).forEach(a -> mayBeDeleted.add(a.chatId()));
        for (Ack ack : acks) {
            String what = context + ": acknowledged " + ack;
            switch (ack.kind()) {
                case "S" -> expectMessage(audit, ack.chatId(), ack.seq(), "s", ack, 0, what);
                case "W" -> expectMessage(audit, ack.chatId(), ack.seq(), "w", ack, 0, what);
                case "P" -> {
                    expectMessage(audit, ack.chatId(), ack.seq(), "pu", ack, 0, what);
                    expectMessage(audit, ack.chatId(), ack.seq() + 1, "pa", ack, 1, what);
                }
                case "T" -> {
                    if (!mayBeDeleted.contains(ack.chatId())) {
                        assertThat(audit.sessions).as(what).containsKey(ack.chatId());
                    }
                }
                case "D" -> {
                    assertThat(audit.sessions).as(what).doesNotContainKey(ack.chatId());
                    assertThat(store.getUserByExternalId(CrashWriterMain.txExternalId(ack.chatId())))
                            .as(what)
                            .isEmpty();
                    UUID userId = UUID.fromString(ack.userId());
                    assertThat(store.bulk().findTombstones(List.of(RecordKey.user(userId))))
                            .as(what + ": the deleted user's tombstone, above its version 1")
                            .containsExactly(Tombstone.ofUser(userId, 2));
                }
                case "D-" -> {
                    // may or may not have happened; all-or-nothing is checked with the transactions
                }
                default -> throw new IllegalStateException(ack.kind());
            }
        }
    }

    private static void expectMessage(
            StoreAudit audit, String chatId, long seq, String kind, Ack ack, int part, String what) {
        List<Message> history = audit.histories.get(chatId);
        assertThat(history).as(what).isNotNull().hasSizeGreaterThanOrEqualTo((int) seq);
        assertThat(history.get((int) seq - 1).content())
                .as(what)
                .isEqualTo(CrashWriterMain.content(kind, ack.tag(), ack.op(), part));
    }

    /**
     * A main chat holds singles, whole pairs (user then assistant, adjacent) and the verifier's writes; its version
     * moved once per call that added them, in the same unit, so it is one more than the number of calls.
     */
    private static void checkMainChat(ChatSession session, List<Message> history, String context) {
        String chatId = session.chatId();
        long calls = history.stream()
                .map(m -> key(m)[0])
                .filter(k -> !k.equals("pa"))
                .count();
        assertThat(session.version())
                .as("%s: %s's version is 1 + the %d calls that added its messages", context, chatId, calls)
                .isEqualTo(1 + calls);
        for (int i = 0; i < history.size(); i++) {
            Message m = history.get(i);
            String what = context + ": " + chatId + " #" + m.sequenceNumber();
            String[] key = key(m);
            assertThat(m.content())
                    .as(what + " content intact")
                    .isEqualTo(CrashWriterMain.content(
                            key[0], Integer.parseInt(key[1]), Integer.parseInt(key[2]), Integer.parseInt(key[3])));
            switch (key[0]) {
                case "s", "w" -> assertThat(m.role()).as(what).isEqualTo(Role.USER);
                case "pu" -> {
                    assertThat(m.role()).as(what).isEqualTo(Role.USER);
                    assertThat(i + 1)
                            .as(what + ": a pair's user message without its reply")
                            .isLessThan(history.size());
                    String[] next = key(history.get(i + 1));
                    assertThat(next)
                            .as(what + ": a pair's user message followed by its reply")
                            .containsExactly("pa", key[1], key[2], "1");
                }
                case "pa" -> {
                    assertThat(m.role()).as(what).isEqualTo(Role.ASSISTANT);
                    assertThat(i)
                            .as(what + ": a pair's reply without its user message")
                            .isPositive();
                    assertThat(key(history.get(i - 1)))
                            .as(what + ": a reply preceded by its user message")
                            .containsExactly("pu", key[1], key[2], "0");
                }
                default -> fail("%s: unexpected message %s", what, m.content());
            }
        }
    }

    /** A transaction's session exists only with its user, all its messages and its memory entry. */
    private static void checkTransaction(
            DataAccess store, StoreAudit audit, ChatSession session, List<Message> history, String context) {
        String chatId = session.chatId();
        String what = context + ": transaction " + chatId;
        String[] parts = chatId.split(":");
        int tag = Integer.parseInt(parts[1]);
        int op = Integer.parseInt(parts[2]);
        int messages = Integer.parseInt(parts[3]);
        assertThat(session.userId()).as(what + " has its user").isNotNull();
        User user = audit.users.get(session.userId());
        assertThat(user).as(what + " has its user").isNotNull();
        assertThat(user.externalId()).as(what).isEqualTo(CrashWriterMain.txExternalId(chatId));
        assertThat(history.stream().map(Message::content).toList())
                .as(what + " has all its messages")
                .isEqualTo(java.util.stream.IntStream.range(0, messages)
                        .mapToObj(i -> CrashWriterMain.content("t", tag, op, i))
                        .toList());
        assertThat(store.getUserMemory(user.id(), CrashWriterMain.MEMORY_TYPE, CrashWriterMain.MEMORY_KEY)
                        .map(MemoryEntry::value))
                .as(what + " has its memory entry")
                .contains(CrashWriterMain.txMemory(chatId, messages));
        assertThat(audit.memory.stream()
                        .filter(e -> e.userId().equals(user.id()))
                        .count())
                .as(what + ": one memory entry")
                .isEqualTo(1);
        assertThat(user.version()).as(what + ": the user's version").isEqualTo(1);
        assertThat(audit.memory.stream()
                        .filter(e -> e.userId().equals(user.id()))
                        .map(MemoryEntry::version))
                .as(what + ": the memory entry's version")
                .containsExactly(1L);
        assertThat(session.version())
                .as(what + ": the session's version moved once per call that added messages")
                .isEqualTo(1 + CrashWriterMain.txMessageCalls(messages));
    }

    private static String[] key(Message m) {
        String content = m.content();
        int bar = content.indexOf('|');
        return (bar < 0 ? content : content.substring(0, bar)).split(":");
    }
}
