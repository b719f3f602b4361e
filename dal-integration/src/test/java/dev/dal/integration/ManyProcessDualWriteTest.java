package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.dualwrite.RepairResult;
import dev.dal.migration.Partition;
import dev.dal.migration.StoreCopier;
import dev.dal.test.postgres.PostgresTestServer;
import dev.dal.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A live migration as applications run it: three processes with two threads each, every one building its
 * dual-write store from settings only ({@link ManyProcessDualWriteChild}), all writing the same users, sessions and
 * memory keys, creating and deleting records of their own and memory keys of the shared users, while a backfill
 * ({@link StoreCopier}, the {@code dal copy} of a migration) copies the primary into the secondary over and over. The
 * data set up before the writers start is on the primary only: the backfill is what brings it over.
 *
 * <p>Nothing orders two processes' replications of one record, nor a backfill's copy of a record against a live
 * replication of it: record versions do (a bulk upsert applies only a newer version; a deletion leaves a
 * tombstone). So without any repair, afterwards: no writer saw an error, every acknowledged message is on the
 * primary at its number, the shared records hold an acknowledged state, and the secondary equals the primary
 * record for record, versions included. With writers killed ({@code kill -9}) and started again mid-run, what was
 * in flight at each kill is in the dead processes' intent journals, and {@code repair()} alone, with no verify,
 * makes the stores equal.
 */
class ManyProcessDualWriteTest {
    private static final int PROCESSES = 3;
    private static final int THREADS = 2;
    private static final int SECONDS = 30;

    @TempDir
    Path dir;

    /** The migrations tried. */
    enum Migration {
        FILE_TO_FILE(false, false),
        FILE_TO_POSTGRES(true, false),
        FILE_TO_POSTGRES_WITH_KILLS(true, true);

        final boolean postgres;
        final boolean kills;

        Migration(boolean postgres, boolean kills) {
            this.postgres = postgres;
            this.kills = kills;
        }
    }

    @ParameterizedTest
    @EnumSource(Migration.class)
    void writersInSeveralProcessesAndABackfillEndWithEqualStores(Migration migration) throws Exception {
        Map<String, String> primarySettings = Map.of(
                DalConfig.DATA_STORAGE_TYPE,
                "file",
                "DATA_DIR",
                dir.resolve("primary").toString());
        Map<String, String> secondarySettings = migration.postgres
                ? PostgresTestServer.get()
                        .settingsForDatabase("many_process_" + migration.name().toLowerCase())
                : Map.of(
                        DalConfig.DATA_STORAGE_TYPE,
                        "file",
                        "DATA_DIR",
                        dir.resolve("secondary").toString());
        Path settingsFile = dir.resolve("dual-write.properties");
        ManyProcessDualWriteChild.writeSettings(settingsFile, dualWrite(primarySettings, secondarySettings));

        Ledger ledger = new Ledger();
        try (DataAccess primary = DataAccessFactory.create(DalConfig.fromMap(primarySettings));
                DataAccess secondary = DataAccessFactory.create(DalConfig.fromMap(secondarySettings))) {
            assertThat(StoreSnapshot.of(secondary).size())
                    .as("the secondary starts empty")
                    .isZero();
            setUp(primary, ledger);

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger passes = new AtomicInteger();
            ExecutorService backfill = Executors.newSingleThreadExecutor();
            List<String> lines;
            try {
                Future<?> copying = backfill.submit(() -> {
                    do {
                        new StoreCopier(primary, secondary, 50, Partition.ALL, null, null, null).copy();
                        passes.incrementAndGet();
                    } while (writing.get());
                    return null;
                });
                try {
                    lines = runWriters(settingsFile, migration.kills);
                } finally {
                    writing.set(false);
                }
                copying.get(5, TimeUnit.MINUTES);
            } finally {
                backfill.shutdownNow();
            }
            long operations = ledger.read(lines);
            StoreSnapshot before = StoreSnapshot.of(primary);
            System.out.printf(
                    "ManyProcessDualWriteTest %s: %d processes x %d threads, %d s: %d calls (%d deletions),"
                            + " %d messages acknowledged, %d records on the primary, %d backfill passes%n",
                    migration,
                    PROCESSES,
                    THREADS,
                    SECONDS,
                    operations,
                    ledger.deletions,
                    ledger.messages.size(),
                    before.size(),
                    passes.get());
            assertThat(passes.get()).as("complete backfill passes").isGreaterThanOrEqualTo(2);
            assertThat(ledger.deletions).as("deletions raced the backfill").isPositive();

            if (migration.kills) {
                try (DataAccess dual = DataAccessFactory.create(
                        DalConfig.fromMap(ManyProcessDualWriteChild.readSettings(settingsFile)))) {
                    RepairResult repaired =
                            DualWriteDataAccess.find(dual).orElseThrow().repair();
                    System.out.printf(
                            "ManyProcessDualWriteTest %s: repair() replayed %d entries, %d remain%n",
                            migration, repaired.replayed(), repaired.remaining().size());
                    assertThat(repaired.remaining())
                            .as("entries repair() could not replay")
                            .isEmpty();
                }
            } else {
                try (DataAccess dual = DataAccessFactory.create(
                        DalConfig.fromMap(ManyProcessDualWriteChild.readSettings(settingsFile)))) {
                    assertThat(DualWriteDataAccess.find(dual).orElseThrow().pendingRepairs())
                            .as("journaled divergences")
                            .isEmpty();
                }
            }

            StoreSnapshot onPrimary = StoreSnapshot.of(primary);
            ledger.check(onPrimary);
            assertThat(StoreSnapshot.of(secondary).differencesFrom(onPrimary))
                    .as("the secondary against the primary, record for record")
                    .isEmpty();
        }
    }

    private Map<String, String> dualWrite(Map<String, String> primary, Map<String, String> secondary) {
        Map<String, String> settings = new HashMap<>(primary);
        secondary.forEach((k, v) -> settings.put(
                k.equals(DalConfig.DATA_STORAGE_TYPE)
                        ? DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE
                        : DalConfig.MIGRATION_SECONDARY_PREFIX + k,
                v));
        settings.put(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true");
        // fail: a secondary write that fails reaches the writer as an error (and is journaled too)
        settings.put(DualWriteSettings.SECONDARY_FAILURE.name(), "fail");
        // as long as a store call may wait for a lock (DB_QUERY_TIMEOUT's default): locking is measured here,
        // not how fast two cores shared with other builds fsync
        settings.put(DualWriteSettings.SECONDARY_TIMEOUT.name(), "30");
        settings.put(
                DualWriteSettings.REPAIR_JOURNAL_DIR.name(),
                dir.resolve("journal").toString());
        return settings;
    }

    /** The shared records, on the primary only, each with one acknowledged state in the ledger. */
    private static void setUp(DataAccess primary, Ledger ledger) {
        for (int u = 0; u < ManyProcessDualWriteChild.USERS; u++) {
            User user = primary.createUser(NewUser.builder()
                    .externalId(ManyProcessDualWriteChild.externalId(u))
                    .name("initial")
                    .build());
            ledger.names.computeIfAbsent(user.id(), k -> new HashSet<>()).add("initial");
            for (int k = 0; k < ManyProcessDualWriteChild.MEMORY_KEYS; k++) {
                primary.setUserMemory(user.id(), "context", "k" + k, TextNode.valueOf("initial"));
                ledger.values
                        .computeIfAbsent(List.of(user.id().toString(), "k" + k), x -> new HashSet<>())
                        .add("initial");
            }
            if (u < ManyProcessDualWriteChild.SESSIONS) {
                String chatId = ManyProcessDualWriteChild.chatId(u);
                primary.createChatSession(NewChatSession.of(chatId, user.id()));
                ledger.titles.computeIfAbsent(chatId, k -> new HashSet<>()).add("null");
                for (int m = 0; m < 20; m++) {
                    Message stored = primary.addMessage(chatId, NewMessage.user("before:" + m));
                    ledger.messages.put(stored.id(), new String[] {
                        "M", stored.id().toString(), chatId, Long.toString(stored.sequenceNumber()), stored.content()
                    });
                }
            }
        }
    }

    private List<String> runWriters(Path settingsFile, boolean kills) throws Exception {
        List<ChildJvm> running = new ArrayList<>();
        List<ChildJvm> killed = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                running.add(start(settingsFile, "p" + p, SECONDS));
            }
            for (ChildJvm child : running) {
                assertThat(child.awaitLine("READY", Duration.ofSeconds(60)))
                        .as(child.stderrTail())
                        .isEqualTo("READY");
            }
            running.forEach(child -> child.send("GO"));
            long started = System.nanoTime();
            if (kills) {
                // Every few seconds one writer dies by SIGKILL mid-call and another starts in its place.
                for (int k = 0; k < 4; k++) {
                    Thread.sleep(SECONDS * 1000L / 6);
                    ChildJvm victim = running.remove(k % running.size());
                    victim.kill();
                    killed.add(victim);
                    int left = (int) Math.max(3, SECONDS - (System.nanoTime() - started) / 1_000_000_000L);
                    ChildJvm replacement = start(settingsFile, "r" + k, left);
                    assertThat(replacement.awaitLine("READY", Duration.ofSeconds(60)))
                            .as(replacement.stderrTail())
                            .isEqualTo("READY");
                    replacement.send("GO");
                    running.add(replacement);
                }
            }
            List<String> all = new ArrayList<>();
            for (ChildJvm child : running) {
                int exit = child.awaitExit(Duration.ofSeconds(SECONDS + 120));
                List<String> lines = child.lines();
                assertThat(lines)
                        .as("writer output; stderr:%n%s", child.stderrTail())
                        .noneMatch(l -> l.startsWith("ERR"));
                assertThat(lines.get(lines.size() - 1)).startsWith("DONE");
                assertThat(exit)
                        .as("writer exit code; stderr:%n%s", child.stderrTail())
                        .isZero();
                all.addAll(lines);
            }
            for (ChildJvm child : killed) {
                // Acknowledged before the kill: each line is printed only after its call returned. The last line
                // may be torn: a torn message line is dropped (the ledger then checks one message less), a torn
                // name or value only adds a prefix the check allows (it cannot hide a lost write).
                List<String> lines = new ArrayList<>(child.lines());
                if (!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("M ")) {
                    lines.remove(lines.size() - 1);
                }
                all.addAll(lines.stream()
                        .filter(ManyProcessDualWriteTest::wellFormed)
                        .toList());
            }
            return all;
        } finally {
            running.forEach(ChildJvm::close);
            killed.forEach(ChildJvm::close);
        }
    }

    /** @return whether a ledger line of a killed writer has all its fields (its last one may be torn) */
    private static boolean wellFormed(String line) {
        String[] f = line.split(" ");
        try {
            return switch (f[0]) {
                case "M" -> f.length == 5 && UUID.fromString(f[1]) != null;
                case "U", "S", "TU", "TS" -> f.length == 3 && (f[0].endsWith("S") || UUID.fromString(f[1]) != null);
                case "K", "TK" -> f.length == 4 && UUID.fromString(f[1]) != null;
                default -> f[0].equals("READY");
            };
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private ChildJvm start(Path settingsFile, String name, int seconds) throws Exception {
        return ChildJvm.start(
                ManyProcessDualWriteChild.class,
                dir.resolve(name + "-stderr.log"),
                settingsFile.toString(),
                name,
                Integer.toString(THREADS),
                Integer.toString(seconds));
    }

    /** What the writers acknowledged on the shared records. */
    private static final class Ledger {
        final Map<UUID, String[]> messages = new HashMap<>();
        final Map<UUID, Set<String>> names = new HashMap<>();
        final Map<String, Set<String>> titles = new HashMap<>();
        final Map<List<String>, Set<String>> values = new HashMap<>();
        long deletions;

        /** @return the calls the writers made */
        long read(List<String> lines) {
            long operations = 0;
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "M" ->
                        assertThat(messages.put(UUID.fromString(f[1]), f))
                                .as("message acknowledged twice: " + line)
                                .isNull();
                    // an announced value ("T…", written before the call) or an acknowledged one: what the
                    // record may hold; a value no writer wrote is still caught
                    case "U", "TU" -> names.get(UUID.fromString(f[1])).add(f[2]);
                    case "S", "TS" -> titles.get(f[1]).add(f[2]);
                    case "K", "TK" -> values.get(List.of(f[1], f[2])).add(f[3]);
                    case "DONE" -> {
                        operations += Long.parseLong(f[1]);
                        deletions += Long.parseLong(f[2]);
                    }
                    default -> assertThat(f[0]).as(line).isEqualTo("READY");
                }
            }
            return operations;
        }

        /** Every acknowledged message on the primary at its number; the shared records in an acknowledged state. */
        void check(StoreSnapshot primary) {
            Map<UUID, Message> stored = primary.messages().stream().collect(Collectors.toMap(Message::id, m -> m));
            Map<UUID, String> chatIdOf =
                    primary.sessions().stream().collect(Collectors.toMap(ChatSession::id, ChatSession::chatId));
            for (String[] f : messages.values()) {
                Message m = stored.get(UUID.fromString(f[1]));
                assertThat(m).as("acknowledged message %s on the primary", f[1]).isNotNull();
                assertThat(List.of(chatIdOf.get(m.sessionId()), Long.toString(m.sequenceNumber()), m.content()))
                        .as("message %s", f[1])
                        .isEqualTo(List.of(f[2], f[3], f[4]));
            }
            for (ChatSession s : primary.sessions()) {
                List<Long> numbers = primary.messages().stream()
                        .filter(m -> m.sessionId().equals(s.id()))
                        .map(Message::sequenceNumber)
                        .sorted()
                        .toList();
                assertThat(numbers)
                        .as("%s numbered 1..messageCount", s.chatId())
                        .isEqualTo(LongStream.rangeClosed(1, s.messageCount())
                                .boxed()
                                .toList());
            }
            primary.users().stream()
                    .filter(u -> names.containsKey(u.id()))
                    .forEach(u -> assertThat(names.get(u.id()))
                            .as("name of %s", u.externalId())
                            .contains(u.name()));
            primary.sessions().stream()
                    .filter(s -> titles.containsKey(s.chatId()))
                    .forEach(s -> assertThat(titles.get(s.chatId())).contains(String.valueOf(s.title())));
            primary.memory().stream()
                    .filter(e -> e.memoryType().equals("context")
                            && values.containsKey(List.of(e.userId().toString(), e.key())))
                    .forEach(e -> assertThat(values.get(List.of(e.userId().toString(), e.key())))
                            .contains(e.value().asText()));
            assertThat(primary.users().stream().filter(u -> names.containsKey(u.id())))
                    .hasSize(ManyProcessDualWriteChild.USERS);
            assertThat(primary.sessions().stream().filter(s -> titles.containsKey(s.chatId())))
                    .hasSize(ManyProcessDualWriteChild.SESSIONS);
        }
    }
}
