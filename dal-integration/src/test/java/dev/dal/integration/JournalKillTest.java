package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.dualwrite.RepairResult;
import dev.dal.dualwrite.internal.IntentLog;
import dev.dal.dualwrite.internal.RepairJournal;
import dev.dal.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repair journal survives {@code kill -9}: a child JVM ({@link JournalChild}) dual-writes with policy
 * {@code record} to a secondary that is down, is SIGKILLed mid-stream, five times over the same stores and journal
 * (each new child appending after whatever the last one left, a torn last line included). Then the secondary comes
 * back, {@code repair()} replays the journal, and every write a child acknowledged is on the secondary, as it was
 * acknowledged: each user, session, message and memory entry is the record the store returned for its last
 * acknowledged write. The only other state allowed is the one write each child was killed in (begun, never
 * acknowledged; the primary may or may not have committed it), and each such write explains at most one record.
 *
 * <p>That write is covered by the child's intent, recorded durably before the primary saw the write: the decorator
 * opened afterwards adopts the dead children's intents, so {@code repair()} alone, with no verify and no resync,
 * leaves the two stores equal record for record. After each kill the test checks that the next decorator adopted
 * exactly the dead child's open intents.
 *
 * <p><b>Torn lines.</b> A SIGKILL cannot tear these lines by itself here: each line is one small {@code write} call,
 * which the kernel completes or does not start. A kill mid-append of a longer write, or a power cut, leaves a partial
 * last line; the test puts one where a kill would have left it, unless a kill left one already: after one kill at
 * the end of the repair journal (the next child's append must start a new line, not join it), after another at the
 * end of the dead child's intent file (its next adopter must skip it and adopt the rest). Both are checked when
 * handled, and the final {@code repair()} leaves no unreadable line in the journal.
 */
class JournalKillTest {
    private static final int KILLS = 5;
    /** The run after whose kill the repair journal gets a torn last line. */
    private static final int TEAR_JOURNAL_AFTER = 1;
    /** The run after whose kill the dead child's intent file gets a torn last line. */
    private static final int TEAR_INTENTS_AFTER = 2;
    /** What a decorator logs (at WARN, to the child's stderr) when it adopts dead processes' intents. */
    private static final String ADOPTED_LOG = "a process stopped with ";

    private static final ObjectMapper JSON = JsonValues.newMapper();

    @TempDir
    Path dir;

    // The last acknowledged state of each record.
    private final Map<UUID, User> users = new LinkedHashMap<>();
    private final Map<String, ChatSession> sessions = new LinkedHashMap<>();
    private final Map<UUID, Message> messages = new LinkedHashMap<>();
    private final Map<List<String>, MemoryEntry> memory = new LinkedHashMap<>();
    /** Writes begun and never acknowledged (one per killed child at most): operation and arguments. */
    private final List<String[]> inFlightWrites = new ArrayList<>();

    @Test
    void everyAcknowledgedWriteReachesTheSecondaryAfterKillsAndRepair() throws Exception {
        Path primaryDir = dir.resolve("primary");
        Path secondaryDir = dir.resolve("secondary");
        Path journalDir = dir.resolve("journal");
        Path journalFile = journalDir.resolve(RepairJournal.FILE_NAME);
        Path intents = journalDir.resolve(IntentLog.DIRECTORY);
        int acknowledged = 0;
        Set<String> inFlight = new HashSet<>();
        Random random = new Random(42);
        int naturallyTornJournal = 0;
        int naturallyTornIntents = 0;
        String journalTear = null;
        boolean journalTearHandled = false;
        boolean intentTearHandled = false;
        Path childLog = dir.resolve("child.log");
        Path deadIntents = null;
        boolean deadIntentsTorn = false;
        long openInDead = 0;
        for (int run = 0; run < KILLS; run++) {
            long logFrom = Files.exists(childLog) ? Files.size(childLog) : 0;
            try (ChildJvm child = ChildJvm.start(
                    JournalChild.class,
                    childLog,
                    primaryDir.toString(),
                    secondaryDir.toString(),
                    journalDir.toString(),
                    Integer.toString(run))) {
                int acks = 20 + random.nextInt(60);
                for (int i = 0; i < acks; i++) {
                    assertThat(child.awaitLine("ack ", Duration.ofSeconds(60)))
                            .as(child.stderrTail())
                            .isNotEqualTo(ChildJvm.EOF);
                }
                assertThat(child.isAlive())
                        .as("child %d still writing when killed: %s", run, child.stderrTail())
                        .isTrue();
                child.kill();
                assertThat(child.awaitExit(Duration.ofSeconds(5)))
                        .as("exit status of child %d, SIGKILLed", run)
                        .isEqualTo(128 + 9);
                String lastBegin = null;
                String[] pending = null;
                for (String line : child.lines()) {
                    if (line.startsWith("ack ")) {
                        acknowledge(line.substring(4));
                        acknowledged++;
                        pending = null;
                    } else if (line.startsWith("begin ")) {
                        String[] parts = line.substring(6).split("\t");
                        lastBegin = parts[0];
                        pending = Arrays.copyOfRange(parts, 1, parts.length);
                    }
                }
                inFlight.add(lastBegin);
                if (pending != null) {
                    inFlightWrites.add(pending);
                }
            }
            String log = readFrom(childLog, logFrom);

            // This child adopted the intents the one before it left: exactly those (it says how many, since the
            // repair it starts then may trim them from the journal at once), and removed their file.
            if (deadIntents != null) {
                assertThat(deadIntents)
                        .as("the intent file of child %d, adopted by child %d", run - 1, run)
                        .doesNotExist();
                if (openInDead > 0) {
                    assertThat(log)
                            .as("child %d adopting the %d open intents of child %d", run, openInDead, run - 1)
                            .contains(ADOPTED_LOG + openInDead + " write(s)");
                } else {
                    assertThat(log)
                            .as("child %d, with no intents to adopt", run)
                            .doesNotContain(ADOPTED_LOG);
                }
                intentTearHandled |= deadIntentsTorn;
            }
            // ... and appended after the torn line, not onto it.
            if (journalTear != null && !journalTearHandled) {
                assertTornLineEndedBeforeTheNextEntry(journalFile, journalTear);
                journalTearHandled = true;
            }

            try (var left = Files.list(intents)) {
                List<Path> files =
                        left.filter(p -> p.toString().endsWith(".ndjson")).toList();
                assertThat(files)
                        .as("intent files killed child %d left behind", run)
                        .hasSize(1);
                deadIntents = files.get(0);
            }
            deadIntentsTorn = endsTorn(deadIntents);
            if (deadIntentsTorn) {
                naturallyTornIntents++;
            } else if (run == TEAR_INTENTS_AFTER) {
                tear(deadIntents);
                deadIntentsTorn = true;
            }
            openInDead = openIntents(deadIntents);
            boolean journalTorn = endsTorn(journalFile);
            if (journalTorn) {
                naturallyTornJournal++;
            }
            if (run == TEAR_JOURNAL_AFTER) {
                if (journalTorn) {
                    String text = Files.readString(journalFile, StandardCharsets.UTF_8);
                    journalTear = text.substring(text.lastIndexOf('\n') + 1);
                } else {
                    journalTear = tear(journalFile);
                }
                // This time the test adopts the dead child's intents itself, as a decorator opening does but
                // without the repair one starts then (its trim would drop the torn line before it can be seen):
                // the adoption is the first append after the torn line, or the next child's first entry is.
                try (RepairJournal journal = RepairJournal.open(journalDir)) {
                    assertThat(IntentLog.adoptDead(journalDir, journal))
                            .as("intents of child %d adopted", run)
                            .isEqualTo(openInDead);
                }
                assertThat(deadIntents)
                        .as("the adopted intent file of child %d", run)
                        .doesNotExist();
                intentTearHandled |= deadIntentsTorn;
                if (openInDead > 0) {
                    assertTornLineEndedBeforeTheNextEntry(journalFile, journalTear);
                    journalTearHandled = true;
                }
                openInDead = 0;
            }
        }

        Map<String, String> settings = Map.of(
                DalConfig.DATA_STORAGE_TYPE,
                "file",
                "DATA_DIR",
                primaryDir.toString(),
                DalConfig.MIGRATION_ENABLE_DUAL_WRITE,
                "true",
                DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE,
                "file",
                DalConfig.MIGRATION_SECONDARY_PREFIX + "DATA_DIR",
                secondaryDir.toString(),
                DualWriteSettings.SECONDARY_FAILURE.name(),
                "record",
                DualWriteSettings.REPAIR_JOURNAL_DIR.name(),
                journalDir.toString());
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            try (var left = Files.list(intents)) {
                assertThat(left.filter(p -> p.toString().endsWith(".ndjson")).count())
                        .as("only the new decorator's own intent file, the dead ones adopted")
                        .isEqualTo(1);
            }
            assertThat(deadIntents)
                    .as("the last killed child's intent file, adopted")
                    .doesNotExist();
            intentTearHandled |= deadIntentsTorn;
            assertThat(journalTearHandled)
                    .as(
                            "a torn last line of the repair journal (%d left by a kill itself) was"
                                    + " followed by entries of their own",
                            naturallyTornJournal)
                    .isTrue();
            assertThat(intentTearHandled)
                    .as(
                            "a dead child's intent file ending in a torn line (%d left by a kill"
                                    + " itself) was adopted",
                            naturallyTornIntents)
                    .isTrue();

            RepairResult result = dual.repair();

            assertThat(result.remaining()).isEmpty();
            assertThat(dual.pendingRepairs()).isEmpty();
            assertThat(Files.readAllLines(journalFile, StandardCharsets.UTF_8))
                    .as("the journal after repair()")
                    .allSatisfy(line ->
                            assertThat(readable(line)).as("readable: %s", line).isTrue());
            StoreSnapshot primary = StoreSnapshot.of(dual.primary());
            StoreSnapshot secondary = StoreSnapshot.of(dual.secondary());
            assertThat(acknowledged).as("acknowledged writes").isPositive();
            assertThat(inFlight)
                    .as("each child was killed inside a write")
                    .hasSize(KILLS)
                    .doesNotContainNull();
            assertHoldsTheAcknowledgedState(secondary);
            assertThat(differingScopes(primary, secondary))
                    .as("records that differ after repair() alone")
                    .isEmpty();
            assertThat(secondary.differencesFrom(primary)).isEmpty();
        }
    }

    /** Takes in an ack line's record: the last acknowledged state of its key. */
    private void acknowledge(String ack) throws IOException {
        int space = ack.indexOf(' ');
        String kind = ack.substring(0, space);
        String json = ack.substring(space + 1);
        switch (kind) {
            case "user" -> {
                User u = JSON.readValue(json, User.class);
                users.put(u.id(), u);
            }
            case "session" -> {
                ChatSession s = JSON.readValue(json, ChatSession.class);
                sessions.put(s.chatId(), s);
            }
            case "message" -> {
                Message m = JSON.readValue(json, Message.class);
                messages.put(m.id(), m);
            }
            case "memory" -> {
                MemoryEntry e = JSON.readValue(json, MemoryEntry.class);
                memory.put(key(e), e);
            }
            default -> throw new AssertionError("unknown ack " + ack);
        }
    }

    /**
     * Asserts the store holds each record as its last acknowledged write left it, or as the one unacknowledged write
     * in flight at a kill would have, and nothing else.
     */
    private void assertHoldsTheAcknowledgedState(StoreSnapshot store) {
        List<String[]> unexplained = new ArrayList<>(inFlightWrites);

        Map<UUID, User> storedUsers = byKey(store.users(), User::id);
        for (User acked : users.values()) {
            User got = storedUsers.remove(acked.id());
            assertThat(got).as("acknowledged user %s", acked).isNotNull();
            if (!got.equals(acked)) {
                String[] w = take(
                        unexplained,
                        op -> op[0].equals("updateUser")
                                && op[1].equals(acked.id().toString()));
                assertThat(w)
                        .as(
                                "user %s is not its last acknowledged state %s, and no update of it was in flight",
                                got, acked)
                        .isNotNull();
                assertThat(got.name())
                        .as("name of %s after its update in flight", got)
                        .isEqualTo(w[2]);
                assertThat(sameButNameAndUpdatedAt(got, acked))
                        .as("%s, but for the update in flight, is %s", got, acked)
                        .isTrue();
            }
        }
        for (User extra : storedUsers.values()) {
            assertThat(take(unexplained, op -> op[0].equals("createUser") && op[1].equals(extra.externalId())))
                    .as("user %s was never acknowledged nor in flight", extra)
                    .isNotNull();
        }

        Map<String, ChatSession> storedSessions = byKey(store.sessions(), ChatSession::chatId);
        for (ChatSession acked : sessions.values()) {
            ChatSession got = storedSessions.remove(acked.chatId());
            assertThat(got).as("acknowledged session %s", acked).isNotNull();
            assertThat(ownFields(got)).as("session %s", acked.chatId()).isEqualTo(ownFields(acked));
        }
        for (ChatSession extra : storedSessions.values()) {
            assertThat(take(
                            unexplained,
                            op -> op[0].equals("createSession")
                                    && op[1].equals(extra.chatId())
                                    && op[2].equals(String.valueOf(extra.userId()))))
                    .as("session %s was never acknowledged nor in flight", extra)
                    .isNotNull();
        }

        Map<UUID, String> chatIds =
                store.sessions().stream().collect(Collectors.toMap(ChatSession::id, ChatSession::chatId));
        Map<UUID, Message> storedMessages = byKey(store.messages(), Message::id);
        for (Message acked : messages.values()) {
            assertThat(storedMessages.remove(acked.id()))
                    .as("acknowledged message %s", acked.id())
                    .isEqualTo(acked);
        }
        for (Message extra : storedMessages.values()) {
            assertThat(take(
                            unexplained,
                            op -> op[0].equals("addMessage")
                                    && op[1].equals(chatIds.get(extra.sessionId()))
                                    && op[2].equals(extra.content())))
                    .as("message %s was never acknowledged nor in flight", extra)
                    .isNotNull();
        }
        Map<UUID, Long> counts =
                store.messages().stream().collect(Collectors.groupingBy(Message::sessionId, Collectors.counting()));
        for (ChatSession s : store.sessions()) {
            assertThat(s.messageCount())
                    .as("messageCount of %s", s.chatId())
                    .isEqualTo(counts.getOrDefault(s.id(), 0L));
        }

        Map<List<String>, MemoryEntry> storedMemory = byKey(store.memory(), JournalKillTest::key);
        for (MemoryEntry acked : memory.values()) {
            MemoryEntry got = storedMemory.remove(key(acked));
            assertThat(got).as("acknowledged memory %s", acked).isNotNull();
            if (!got.equals(acked)) {
                String[] w = take(
                        unexplained,
                        op -> op[0].equals("setMemory")
                                && List.of(op[1], op[2], op[3]).equals(key(acked)));
                assertThat(w)
                        .as(
                                "memory %s is not its last acknowledged value %s, and no write of it was in flight",
                                got, acked)
                        .isNotNull();
                assertThat(got.value())
                        .as("value of %s after its write in flight", key(got))
                        .isEqualTo(JsonNodeFactory.instance.numberNode(Long.parseLong(w[4])));
            }
        }
        for (MemoryEntry extra : storedMemory.values()) {
            assertThat(take(
                            unexplained,
                            op -> op[0].equals("setMemory")
                                    && List.of(op[1], op[2], op[3]).equals(key(extra))
                                    && extra.value()
                                            .equals(JsonNodeFactory.instance.numberNode(Long.parseLong(op[4])))))
                    .as("memory %s was never acknowledged nor in flight", extra)
                    .isNotNull();
        }
    }

    /** Removes and returns the first in-flight write that matches, or {@code null}. */
    private static String[] take(List<String[]> writes, Predicate<String[]> matches) {
        for (Iterator<String[]> it = writes.iterator(); it.hasNext(); ) {
            String[] w = it.next();
            if (matches.test(w)) {
                it.remove();
                return w;
            }
        }
        return null;
    }

    private static boolean sameButNameAndUpdatedAt(User a, User b) {
        return Arrays.asList(
                                a.id(),
                                a.externalId(),
                                a.email(),
                                a.profile(),
                                a.preferences(),
                                a.status(),
                                a.createdAt(),
                                a.lastActiveAt())
                        .equals(Arrays.asList(
                                b.id(),
                                b.externalId(),
                                b.email(),
                                b.profile(),
                                b.preferences(),
                                b.status(),
                                b.createdAt(),
                                b.lastActiveAt()))
                && !a.updatedAt().isBefore(b.updatedAt());
    }

    /** What a session's own writes set; its counters and times move with the messages added to it. */
    private static List<Object> ownFields(ChatSession s) {
        return Arrays.asList(
                s.id(), s.chatId(), s.userId(), s.title(), s.profile(), s.metadata(), s.status(), s.createdAt());
    }

    private static List<String> key(MemoryEntry e) {
        return List.of(e.userId().toString(), e.memoryType(), e.key());
    }

    private static <K, V> Map<K, V> byKey(List<V> records, Function<V, K> key) {
        Map<K, V> out = new HashMap<>();
        records.forEach(r -> assertThat(out.put(key.apply(r), r))
                .as("one record for key %s", key.apply(r))
                .isNull());
        return out;
    }

    /** @return whether a file ends inside a line */
    private static boolean endsTorn(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return bytes.length > 0 && bytes[bytes.length - 1] != '\n';
    }

    /**
     * Appends the first half of the file's last line, without its newline: what a process killed while appending
     * that line again would leave.
     *
     * @return the torn line
     */
    private static String tear(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).as("lines of %s to tear one of", file).isNotEmpty();
        String last = lines.get(lines.size() - 1);
        String torn = last.substring(0, last.length() / 2);
        Files.writeString(file, torn, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertThat(endsTorn(file)).as("%s ends torn", file).isTrue();
        return torn;
    }

    /** The torn line stands alone, and what the next child appended begins on a line of its own. */
    private static void assertTornLineEndedBeforeTheNextEntry(Path journal, String torn) throws IOException {
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        int at = lines.lastIndexOf(torn);
        assertThat(at)
                .as("the torn line %s, alone on its line, in the journal %s", torn, lines)
                .isNotNegative();
        assertThat(readable(torn)).as("the torn line is unreadable").isFalse();
        assertThat(lines.size()).as("entries appended after the torn line").isGreaterThan(at + 1);
        assertThat(readable(lines.get(at + 1)))
                .as("the entry after the torn line: %s", lines.get(at + 1))
                .isTrue();
    }

    private static boolean readable(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() && node.has("kind") && node.has("keys");
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the intents of a dead child's file that no resolution line closed (torn lines skipped) */
    private static long openIntents(Path file) throws IOException {
        Set<Long> open = new HashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                continue;
            }
            if (node == null || !node.isObject()) {
                continue;
            }
            if (node.has("done")) {
                open.remove(node.get("done").asLong());
            } else if (node.has("n") && node.has("kind")) {
                open.add(node.get("n").asLong());
            }
        }
        return open.size();
    }

    /** @return the text of a file from a byte offset on */
    private static String readFrom(Path file, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return new String(
                bytes,
                (int) Math.min(offset, bytes.length),
                (int) Math.max(0, bytes.length - offset),
                StandardCharsets.UTF_8);
    }

    /** Each record that is not the same in both stores, named by its scope: {@code user:<externalId>}, {@code chat:<chatId>}. */
    private static Set<String> differingScopes(StoreSnapshot primary, StoreSnapshot secondary) {
        Map<UUID, String> externalIds =
                primary.users().stream().collect(Collectors.toMap(User::id, u -> "user:" + u.externalId()));
        Map<UUID, String> chatIds =
                primary.sessions().stream().collect(Collectors.toMap(ChatSession::id, s -> "chat:" + s.chatId()));
        Set<String> scopes = new HashSet<>();
        differing(primary.users(), secondary.users(), User::id, u -> externalIds.get(u.id()), scopes);
        differing(
                primary.memory(),
                secondary.memory(),
                m -> List.of(m.userId(), m.memoryType(), m.key()),
                m -> externalIds.get(m.userId()),
                scopes);
        differing(primary.sessions(), secondary.sessions(), ChatSession::id, s -> chatIds.get(s.id()), scopes);
        differing(primary.messages(), secondary.messages(), Message::id, m -> chatIds.get(m.sessionId()), scopes);
        return scopes;
    }

    private static <T, K> void differing(
            List<T> primary, List<T> secondary, Function<T, K> key, Function<T, String> scope, Set<String> out) {
        Map<K, T> other = secondary.stream().collect(Collectors.toMap(key, Function.identity()));
        for (T record : primary) {
            if (!record.equals(other.remove(key.apply(record)))) {
                out.add(scope.apply(record));
            }
        }
        other.values().forEach(r -> out.add("only on the secondary: " + r));
    }
}
