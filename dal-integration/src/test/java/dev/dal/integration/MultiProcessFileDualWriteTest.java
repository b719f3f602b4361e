package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.dualwrite.DualWriteDataAccess;
import dev.dal.api.dualwrite.RecordKind;
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
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File-to-file dual-write from several processes with several threads each, all on the same users, sessions and
 * memory keys ({@link SharedDualWriteChild}), each process configured only through settings. Every process holds
 * one store's lock (or the journal's) while other threads of it wait for the other store's: with blocking POSIX
 * locks the kernel refused such calls with a false "Resource deadlock avoided" (issue 12: 336-874 messages a run
 * missing from the secondary). Afterwards: no writer saw an error, nothing was journaled, every acknowledged write
 * is on the primary, and the secondary equals the primary record for record.
 *
 * <p>What nothing orders yet is replication of the same record from two processes (documented in
 * {@link DualWriteDataAccess}: each process re-reads the primary, but two processes' re-reads and upserts may
 * interleave, so the secondary may keep a version one step behind). Messages never change once stored, so they must
 * be equal as they are. A user, session or memory entry that differs must hold an acknowledged older state on the
 * secondary (a reordering, not a loss or a corruption); those are counted, printed, brought over with
 * {@code resync}, and then the stores must be equal. Record versions (issue 12, item 2) remove the reordering;
 * then the count is zero and this test should assert so.
 */
class MultiProcessFileDualWriteTest {
    private static final int PROCESSES = 2;
    private static final int THREADS = 4;
    private static final int SECONDS = 15;

    @TempDir
    Path dir;

    @Test
    void writersInSeveralProcessesOnTheSameRecordsLoseNothingAndTheStoresEndEqual() throws Exception {
        String primaryDir = dir.resolve("primary").toString();
        String secondaryDir = dir.resolve("secondary").toString();
        String journalDir = dir.resolve("journal").toString();
        Map<String, String> settings = SharedDualWriteChild.settings(primaryDir, secondaryDir, journalDir);

        Map<UUID, Set<String>> names = new HashMap<>();
        Map<String, Set<String>> titles = new HashMap<>();
        Map<List<String>, Set<String>> values = new HashMap<>();
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            for (int u = 0; u < SharedDualWriteChild.USERS; u++) {
                User user = store.createUser(NewUser.builder().externalId(SharedDualWriteChild.externalId(u))
                        .name("initial").build());
                names.computeIfAbsent(user.id(), k -> new HashSet<>()).add("initial");
                for (int k = 0; k < SharedDualWriteChild.MEMORY_KEYS; k++) {
                    store.setUserMemory(user.id(), "context", "k" + k, TextNode.valueOf("initial"));
                    values.computeIfAbsent(List.of(user.id().toString(), "k" + k), x -> new HashSet<>()).add("initial");
                }
                if (u < SharedDualWriteChild.SESSIONS) {
                    store.createChatSession(NewChatSession.of(SharedDualWriteChild.chatId(u), user.id()));
                    titles.computeIfAbsent(SharedDualWriteChild.chatId(u), k -> new HashSet<>()).add("null");
                }
            }
        }

        List<String> lines = runWriters(primaryDir, secondaryDir, journalDir);

        Map<UUID, String[]> acked = new HashMap<>();
        long operations = 0;
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "M" -> assertThat(acked.put(UUID.fromString(f[1]), f)).as("message acknowledged twice: " + line)
                        .isNull();
                case "U" -> names.get(UUID.fromString(f[1])).add(f[2]);
                case "S" -> titles.get(f[1]).add(f[2]);
                case "K" -> values.get(List.of(f[1], f[2])).add(f[3]);
                case "DONE" -> operations += Long.parseLong(f[1]);
                default -> assertThat(f[0]).as(line).isEqualTo("READY");
            }
        }

        StoreSnapshot primary = snapshot(primaryDir);
        StoreSnapshot secondary = snapshot(secondaryDir);
        System.out.printf("MultiProcessFileDualWriteTest: %d processes x %d threads, %d s: %d calls, %d messages"
                + " acknowledged, %d records on the primary%n", PROCESSES, THREADS, SECONDS, operations,
                acked.size(), primary.size());
        assertThat(acked).as("messages acknowledged").isNotEmpty();

        // Every acknowledged message on the primary, at its number, once, numbers 1..n per session.
        Map<UUID, Message> stored = primary.messages().stream().collect(Collectors.toMap(Message::id, m -> m));
        assertThat(stored.keySet()).as("the primary's messages are the acknowledged ones").isEqualTo(acked.keySet());
        Map<UUID, String> chatIdOf = primary.sessions().stream()
                .collect(Collectors.toMap(ChatSession::id, ChatSession::chatId));
        for (String[] f : acked.values()) {
            Message m = stored.get(UUID.fromString(f[1]));
            assertThat(List.of(chatIdOf.get(m.sessionId()), Long.toString(m.sequenceNumber()), m.content()))
                    .as("message %s", f[1]).isEqualTo(List.of(f[2], f[3], f[4]));
        }
        for (ChatSession s : primary.sessions()) {
            List<Long> numbers = primary.messages().stream().filter(m -> m.sessionId().equals(s.id()))
                    .map(Message::sequenceNumber).sorted().toList();
            assertThat(numbers).as("%s numbered 1..messageCount", s.chatId())
                    .isEqualTo(LongStream.rangeClosed(1, s.messageCount()).boxed().toList());
        }
        // Users, sessions and memory on the primary hold one of the acknowledged states.
        primary.users().forEach(u -> assertThat(names.get(u.id())).as("name of %s", u.externalId()).contains(u.name()));
        primary.sessions().forEach(s -> assertThat(titles.get(s.chatId())).contains(String.valueOf(s.title())));
        primary.memory().forEach(e -> assertThat(values.get(List.of(e.userId().toString(), e.key())))
                .contains(e.value().asText()));
        assertThat(primary.users()).hasSize(SharedDualWriteChild.USERS);
        assertThat(primary.sessions()).hasSize(SharedDualWriteChild.SESSIONS);
        assertThat(primary.memory()).hasSize(SharedDualWriteChild.USERS * SharedDualWriteChild.MEMORY_KEYS);

        // The secondary: every message, as is; nothing journaled.
        assertThat(secondary.messages()).as("the secondary's messages, record for record")
                .isEqualTo(primary.messages());

        // What differs otherwise is an acknowledged older state (replication reordered across processes).
        List<String> stale = new ArrayList<>();
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            assertThat(dual.pendingRepairs()).as("journaled divergences").isEmpty();
            Map<UUID, User> secondaryUsers = byKey(secondary.users(), User::id);
            for (User u : primary.users()) {
                User other = secondaryUsers.get(u.id());
                assertThat(other).as("user %s on the secondary", u.externalId()).isNotNull();
                if (!other.equals(u)) {
                    assertThat(names.get(u.id())).as("stale name of %s", u.externalId()).contains(other.name());
                    assertThat(other.updatedAt()).isBeforeOrEqualTo(u.updatedAt());
                    stale.add("user " + u.externalId());
                    dual.resync(RecordKind.USER, List.of(u.id().toString()));
                }
            }
            Map<String, ChatSession> secondarySessions = byKey(secondary.sessions(), ChatSession::chatId);
            for (ChatSession s : primary.sessions()) {
                ChatSession other = secondarySessions.get(s.chatId());
                assertThat(other).as("session %s on the secondary", s.chatId()).isNotNull();
                if (!other.equals(s)) {
                    assertThat(titles.get(s.chatId())).as("stale title of %s", s.chatId())
                            .contains(String.valueOf(other.title()));
                    assertThat(other.messageCount()).isLessThanOrEqualTo(s.messageCount());
                    stale.add("session " + s.chatId());
                    dual.resync(RecordKind.SESSION, List.of(s.chatId()));
                }
            }
            Map<List<String>, MemoryEntry> secondaryMemory = byKey(secondary.memory(),
                    e -> List.of(e.userId().toString(), e.key()));
            for (MemoryEntry e : primary.memory()) {
                MemoryEntry other = secondaryMemory.get(List.of(e.userId().toString(), e.key()));
                assertThat(other).as("memory %s/%s on the secondary", e.userId(), e.key()).isNotNull();
                if (!other.equals(e)) {
                    assertThat(values.get(List.of(e.userId().toString(), e.key()))).as("stale memory value")
                            .contains(other.value().asText());
                    stale.add("memory " + e.userId() + "/" + e.key());
                    dual.resync(RecordKind.MEMORY, List.of(e.userId().toString(), e.memoryType(), e.key()));
                }
            }
        }
        System.out.printf("MultiProcessFileDualWriteTest: %d of %d users, sessions and memory entries were one"
                + " acknowledged version behind on the secondary (replications of one record from two processes"
                + " reordered), resynced: %s%n", stale.size(),
                primary.users().size() + primary.sessions().size() + primary.memory().size(), stale);

        assertThat(snapshot(secondaryDir).differencesFrom(snapshot(primaryDir))).as("the stores, record for record")
                .isEmpty();
    }

    private List<String> runWriters(String primaryDir, String secondaryDir, String journalDir) throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                children.add(ChildJvm.start(SharedDualWriteChild.class, dir.resolve("p" + p + "-stderr.log"),
                        primaryDir, secondaryDir, journalDir, "p" + p, Integer.toString(THREADS),
                        Integer.toString(SECONDS)));
            }
            for (ChildJvm child : children) {
                assertThat(child.awaitLine("READY", Duration.ofSeconds(60))).as(child.stderrTail()).isEqualTo("READY");
            }
            children.forEach(child -> child.send("GO"));
            List<String> all = new ArrayList<>();
            for (ChildJvm child : children) {
                int exit = child.awaitExit(Duration.ofSeconds(SECONDS + 120));
                List<String> lines = child.lines();
                assertThat(lines).as("writer output; stderr:%n%s", child.stderrTail())
                        .noneMatch(l -> l.startsWith("ERR"));
                assertThat(lines.get(lines.size() - 1)).startsWith("DONE");
                assertThat(exit).as("writer exit code; stderr:%n%s", child.stderrTail()).isZero();
                all.addAll(lines);
            }
            return all;
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    private static StoreSnapshot snapshot(String dataDir) {
        try (DataAccess store = DataAccessFactory.create(DalConfig.builder().storageType("file")
                .dataDir(Path.of(dataDir)).build())) {
            return StoreSnapshot.of(store);
        }
    }

    private static <K, T> Map<K, T> byKey(List<T> records, Function<T, K> key) {
        return records.stream().collect(Collectors.toMap(key, r -> r));
    }
}
