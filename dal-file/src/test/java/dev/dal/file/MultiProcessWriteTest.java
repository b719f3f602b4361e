package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import dev.dal.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes, each with several threads, write into one data directory at the same time.
 * Afterwards nothing is lost and nothing is doubled: every acknowledged write is there exactly
 * once, counts match, sequence numbers are 1..n and distinct, a contested unique key has exactly
 * one winner, and read-modify-write in {@code inTransaction} loses no update.
 */
class MultiProcessWriteTest {
    private static final int PROCESSES = 3;
    private static final int THREADS = 4;
    /** Writer threads in all processes together. */
    static final int WORKERS = PROCESSES * THREADS;

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path temp;

    /** Runs the writer processes at once and returns each one's output lines. */
    private List<List<String>> runAll(Path dir, String mode, int ops, String... extra) throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                List<String> args = new ArrayList<>(
                        List.of(dir.toString(), "p" + p, mode, Integer.toString(THREADS), Integer.toString(ops)));
                args.addAll(List.of(extra));
                children.add(ChildJvm.start(
                        MultiWriterMain.class, temp.resolve("p" + p + "-stderr.log"), args.toArray(String[]::new)));
            }
            for (ChildJvm child : children) {
                assertThat(child.awaitLine("READY", Duration.ofSeconds(60)))
                        .as(child.stderrTail())
                        .isEqualTo("READY");
            }
            children.forEach(child -> child.send("GO"));
            List<List<String>> outputs = new ArrayList<>();
            for (ChildJvm child : children) {
                int exit = child.awaitExit(RUN_TIMEOUT);
                List<String> lines = child.lines();
                assertThat(lines)
                        .as("writer output; stderr:%n%s", child.stderrTail())
                        .noneMatch(l -> l.startsWith("ERR"))
                        .endsWith("DONE");
                assertThat(exit)
                        .as("writer exit code; stderr:%n%s", child.stderrTail())
                        .isZero();
                outputs.add(lines);
            }
            return outputs;
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void concurrentWritersFromSeveralProcessesLoseAndDoubleNothing() throws Exception {
        Path dir = temp.resolve("store");
        int ops = 60;
        try (DataAccess store = CrashWriterMain.open(dir)) {
            MultiWriterMain.SHARED_CHATS.forEach(c -> store.createChatSession(NewChatSession.of(c)));
        }
        List<List<String>> outputs = runAll(dir, "writes", ops);

        Map<String, Map<Long, String>> acked = new HashMap<>();
        Map<UUID, String> ackedUsers = new HashMap<>();
        Map<Integer, List<String>> contested = new HashMap<>();
        Map<String, Integer> calls = new HashMap<>();
        int messageAcks = 0;
        for (List<String> lines : outputs) {
            for (String line : lines) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "M" -> {
                        putOnce(acked, f[1], Long.parseLong(f[2]), f[3]);
                        messageAcks++;
                        calls.merge(f[1], 1, Integer::sum);
                    }
                    case "P" -> {
                        putOnce(acked, f[1], Long.parseLong(f[2]), f[3]);
                        putOnce(acked, f[1], Long.parseLong(f[2]) + 1, f[4]);
                        messageAcks += 2;
                        calls.merge(f[1], 1, Integer::sum);
                    }
                    case "U" ->
                        assertThat(ackedUsers.put(UUID.fromString(f[1]), f[2]))
                                .as(line)
                                .isNull();
                    case "X" ->
                        contested
                                .computeIfAbsent(Integer.parseInt(f[1]), k -> new ArrayList<>())
                                .add(f[2]);
                    default -> assertThat(f[0]).as(line).isIn("READY", "DONE");
                }
            }
        }
        int perThreadMessages = ops + ops / 4;
        assertThat(messageAcks).as("acknowledged messages").isEqualTo(PROCESSES * THREADS * perThreadMessages);

        try (DataAccess store = CrashWriterMain.open(dir)) {
            StoreAudit audit = StoreAudit.of(store, "after the concurrent writers");
            long total = 0;
            for (String chatId : MultiWriterMain.SHARED_CHATS) {
                List<Message> history = audit.histories.get(chatId);
                Map<Long, String> expected = acked.getOrDefault(chatId, Map.of());
                assertThat(audit.sessions.get(chatId).messageCount())
                        .as(chatId + " messageCount")
                        .isEqualTo(expected.size());
                Map<Long, String> stored = new HashMap<>();
                history.forEach(m -> stored.put(m.sequenceNumber(), m.content()));
                assertThat(stored)
                        .as(chatId + ": every acknowledged message, at its number, once")
                        .isEqualTo(expected);
                assertThat(history.stream().map(Message::content).distinct().count())
                        .as(chatId + " distinct contents")
                        .isEqualTo(history.size());
                total += history.size();
                long switches = 0;
                for (int i = 1; i < history.size(); i++) {
                    switches += history.get(i).content().charAt(1)
                                    != history.get(i - 1).content().charAt(1)
                            ? 1
                            : 0;
                }
                System.out.printf(
                        "MultiProcessWriteTest: %s holds %d messages; the writing process changed %d times%n",
                        chatId, history.size(), switches);
                assertThat(switches)
                        .as(chatId + ": the processes' writes interleaved")
                        .isPositive();
            }
            assertThat(total).isEqualTo(messageAcks);
            for (String chatId : MultiWriterMain.SHARED_CHATS) {
                assertThat(audit.sessions.get(chatId).version())
                        .as("%s: one version per acknowledged call, whichever process made it", chatId)
                        .isEqualTo(1 + calls.getOrDefault(chatId, 0));
            }

            List<User> created = audit.users.values().stream()
                    .filter(u -> u.externalId() != null && u.externalId().startsWith("user:"))
                    .toList();
            assertThat(created).as("users created").hasSize(PROCESSES * THREADS * ((ops + 4) / 5));
            Map<UUID, String> stored = new HashMap<>();
            created.forEach(u -> stored.put(u.id(), u.externalId()));
            assertThat(stored)
                    .as("every acknowledged user, once, with its external id")
                    .isEqualTo(ackedUsers);
            for (Map.Entry<UUID, String> user : ackedUsers.entrySet()) {
                assertThat(store.getUserMemory(user.getKey(), "profile", "owner")
                                .map(e -> e.value().asText()))
                        .as("memory of %s", user.getValue())
                        .contains(user.getValue());
                assertThat(store.getUserMemory(user.getKey(), "profile", "owner")
                                .map(MemoryEntry::version))
                        .as("memory version of %s", user.getValue())
                        .contains(1L);
            }
            assertThat(created.stream().map(User::version))
                    .as("created users' versions")
                    .containsOnly(1L);

            assertThat(contested.keySet()).hasSize(MultiWriterMain.CONTESTED);
            for (Map.Entry<Integer, List<String>> c : contested.entrySet()) {
                List<String> winners =
                        c.getValue().stream().filter(v -> !v.equals("DUP")).toList();
                assertThat(c.getValue())
                        .as("attempts at contested-%d", c.getKey())
                        .hasSize(PROCESSES * THREADS);
                assertThat(winners).as("winners of contested-%d", c.getKey()).hasSize(1);
                assertThat(store.getUserByExternalId("contested-" + c.getKey()).map(u -> u.id().toString()))
                        .as("holder of contested-%d", c.getKey())
                        .contains(winners.get(0));
            }
            assertThat(audit.users).hasSize(created.size() + MultiWriterMain.CONTESTED);
        }
    }

    @Test
    void readModifyWriteInTransactionsLosesNoUpdateAcrossProcesses() throws Exception {
        Path dir = temp.resolve("store");
        int increments = 40;
        UUID counterUser;
        try (DataAccess store = CrashWriterMain.open(dir)) {
            counterUser = store.createUser(NewUser.withExternalId("counter")).id();
        }
        List<List<String>> outputs = runAll(dir, "counter", increments, counterUser.toString());

        int total = PROCESSES * THREADS * increments;
        List<Long> written = new ArrayList<>();
        outputs.forEach(lines -> lines.stream()
                .filter(l -> l.startsWith("C "))
                .forEach(l -> written.add(Long.parseLong(l.substring(2)))));
        Set<Long> distinct = new HashSet<>(written);
        assertThat(written).as("increments acknowledged").hasSize(total);
        assertThat(distinct)
                .as("each increment read the value the previous one wrote")
                .isEqualTo(
                        new HashSet<>(LongStream.rangeClosed(1, total).boxed().toList()));
        try (DataAccess store = CrashWriterMain.open(dir)) {
            assertThat(store.getUserMemory(counterUser, MultiWriterMain.COUNTER_TYPE, MultiWriterMain.COUNTER_KEY)
                            .map(MemoryEntry::value)
                            .map(v -> v.asLong()))
                    .as("final counter")
                    .contains((long) total);
            assertThat(store.getUserMemory(counterUser, MultiWriterMain.COUNTER_TYPE, MultiWriterMain.COUNTER_KEY)
                            .map(MemoryEntry::version))
                    .as("one version per increment, the first one creating it")
                    .contains((long) total);
        }
    }

    /**
     * Optimistic locking across processes: each thread reads the user and updates it expecting the version it read,
     * retrying on a conflict. The check and the version bump happen under the store lock, so every update that got
     * through moved the version by exactly one and no two got the same one.
     */
    @Test
    void optimisticUpdatesFromSeveralProcessesEachMoveTheVersionOnce() throws Exception {
        Path dir = temp.resolve("store");
        int updates = 20;
        UUID user;
        try (DataAccess store = CrashWriterMain.open(dir)) {
            user = store.createUser(NewUser.withExternalId("optimistic")).id();
        }
        List<List<String>> outputs = runAll(dir, "optimistic", updates, user.toString());

        int total = PROCESSES * THREADS * updates;
        List<Long> versions = new ArrayList<>();
        long conflicts = 0;
        for (List<String> lines : outputs) {
            for (String line : lines) {
                if (line.startsWith("O ")) {
                    String[] f = line.split(" ");
                    versions.add(Long.parseLong(f[1]));
                    conflicts += Long.parseLong(f[2]);
                }
            }
        }
        System.out.printf(
                "MultiProcessWriteTest: %d optimistic updates, %d refused as stale and retried%n",
                versions.size(), conflicts);
        assertThat(versions).as("updates acknowledged").hasSize(total);
        assertThat(new HashSet<>(versions))
                .as("each at its own version, 2 to %d", total + 1)
                .isEqualTo(new HashSet<>(
                        LongStream.rangeClosed(2, total + 1).boxed().toList()));
        assertThat(conflicts).as("writers did collide").isPositive();
        try (DataAccess store = CrashWriterMain.open(dir)) {
            assertThat(store.getUser(user).orElseThrow().version()).isEqualTo(total + 1);
        }
    }

    /**
     * Replication racing deletions across processes: every thread of every process runs conditional bulk upserts
     * and {@code upsertTombstones} of the same few users, chat ids and memory keys, at versions unique across all
     * writers and in shuffled order. Each check of the stored version and the write it decides are one unit under
     * the store lock, so whatever the interleaving each key must end at the highest version offered for it, live
     * if that was a record, deleted if it was a tombstone: never a record live at or below an accepted tombstone,
     * never a version lower than one the store accepted.
     */
    @Test
    void racingUpsertsAndTombstonesOfTheSameKeysEndAtTheHighestVersion() throws Exception {
        Path dir = temp.resolve("store");
        int ops = 60;
        UUID owner;
        try (DataAccess store = CrashWriterMain.open(dir)) {
            owner = store.createUser(NewUser.withExternalId("race-owner")).id();
        }
        long seed = new java.util.Random().nextLong();
        List<List<String>> outputs = runAll(dir, "race", ops, owner.toString(), Long.toString(seed));

        Map<String, String[]> highest = new HashMap<>();
        int acknowledged = 0;
        for (List<String> lines : outputs) {
            for (String line : lines) {
                if (line.startsWith("R ")) {
                    String[] f = line.split(" ");
                    acknowledged++;
                    highest.merge(f[1] + " " + f[2], f, (a, b) -> Long.parseLong(a[3]) >= Long.parseLong(b[3]) ? a : b);
                }
            }
        }
        assertThat(acknowledged).as("race operations acknowledged").isEqualTo(WORKERS * ops);
        String context = "seed " + seed;
        try (DataAccess store = CrashWriterMain.open(dir)) {
            StoreAudit.of(store, "after the race, " + context);
            for (String[] f : highest.values()) {
                int key = Integer.parseInt(f[2]);
                long version = Long.parseLong(f[3]);
                boolean deleted = f[4].equals("T");
                RecordKey recordKey = switch (f[1]) {
                    case "user" -> RecordKey.user(MultiWriterMain.raceUser(key));
                    case "session" -> RecordKey.session(MultiWriterMain.raceChat(key));
                    default -> RecordKey.memory(owner, MultiWriterMain.RACE_TYPE, "k" + key);
                };
                Optional<Long> live = switch (f[1]) {
                    case "user" -> store.getUser(MultiWriterMain.raceUser(key)).map(User::version);
                    case "session" ->
                        store.getChatSession(MultiWriterMain.raceChat(key)).map(ChatSession::version);
                    default ->
                        store.getUserMemory(owner, MultiWriterMain.RACE_TYPE, "k" + key)
                                .map(MemoryEntry::version);
                };
                List<Tombstone> tombstones = store.bulk().findTombstones(List.of(recordKey));
                String what = context + ": " + f[1] + " " + key + ", highest offered " + version + " "
                        + (deleted ? "tombstone" : "record");
                if (deleted) {
                    assertThat(live).as(what + ": not live").isEmpty();
                    assertThat(tombstones)
                            .as(what)
                            .extracting(Tombstone::version)
                            .containsExactly(version);
                } else {
                    assertThat(live).as(what).contains(version);
                    assertThat(tombstones).as(what + ": no tombstone").isEmpty();
                }
            }
        }
    }

    /**
     * Each process writes to two stores at once, so it holds one store's lock while another of its threads waits
     * for the other store's, and the other processes do the same the other way round. POSIX locks belong to the
     * process, so a blocking lock call would be refused with a false EDEADLK here; none may fail.
     */
    @Test
    void writersOfTwoStoresInSeveralProcessesNeverSeeAFalseDeadlock() throws Exception {
        List<Path> dirs = List.of(temp.resolve("store-a"), temp.resolve("store-b"));
        for (Path dir : dirs) {
            try (DataAccess store = CrashWriterMain.open(dir)) {
                store.createChatSession(NewChatSession.of(MultiWriterMain.SHARED_CHATS.get(0)));
            }
        }
        int ops = 60;
        List<List<String>> outputs =
                runAll(dirs.get(0), "two-stores", ops, dirs.get(1).toString());

        Map<String, Map<Long, String>> acked = new HashMap<>();
        int acks = 0;
        for (List<String> lines : outputs) {
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f[0].equals("T")) {
                    putOnce(acked, f[1], Long.parseLong(f[2]), f[3]);
                    acks++;
                }
            }
        }
        assertThat(acks).as("acknowledged messages").isEqualTo(PROCESSES * THREADS * ops);
        for (int i = 0; i < dirs.size(); i++) {
            try (DataAccess store = CrashWriterMain.open(dirs.get(i))) {
                StoreAudit audit = StoreAudit.of(store, "store " + i + " after the writers");
                Map<Long, String> stored = new HashMap<>();
                audit.histories
                        .get(MultiWriterMain.SHARED_CHATS.get(0))
                        .forEach(m -> stored.put(m.sequenceNumber(), m.content()));
                assertThat(stored)
                        .as("store %d: every acknowledged message, at its number, once", i)
                        .isEqualTo(acked.getOrDefault(Integer.toString(i), Map.of()));
                assertThat(stored.keySet())
                        .as("store %d: numbers 1..n", i)
                        .isEqualTo(new HashSet<>(
                                LongStream.rangeClosed(1, stored.size()).boxed().toList()));
            }
        }
    }

    private static void putOnce(Map<String, Map<Long, String>> acked, String chatId, long seq, String content) {
        String before = acked.computeIfAbsent(chatId, k -> new HashMap<>()).put(seq, content);
        assertThat(before)
                .as("%s #%d acknowledged to two writes: %s and %s", chatId, seq, before, content)
                .isNull();
    }
}
