package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.dualwrite.DualWriteDataAccess;
import dev.dal.api.dualwrite.RecordKind;
import dev.dal.api.dualwrite.RepairResult;
import dev.dal.testkit.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repair journal survives {@code kill -9}: a child JVM ({@link JournalChild}) dual-writes with policy
 * {@code record} to a secondary that is down, is SIGKILLed mid-stream, five times over the same stores and journal
 * (each new child appending after whatever the last one left, a torn last line included). Then the secondary comes
 * back, {@code repair()} replays the journal, and every write a child acknowledged is on the secondary.
 *
 * <p>The one write each child was killed in (the primary may have committed it, its divergence was not yet
 * journaled, the caller was never answered) is covered by the child's intent, recorded durably before the primary
 * saw the write: the decorator opened afterwards adopts the dead children's intents, so {@code repair()} alone, with
 * no verify and no resync, leaves the two stores equal record for record.
 */
class JournalKillTest {
    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteReachesTheSecondaryAfterKillsAndRepair() throws Exception {
        Path primaryDir = dir.resolve("primary");
        Path secondaryDir = dir.resolve("secondary");
        Path journalDir = dir.resolve("journal");
        Set<String> acknowledged = new HashSet<>();
        Set<String> inFlight = new HashSet<>();
        Random random = new Random(42);
        for (int run = 0; run < KILLS; run++) {
            try (ChildJvm child = ChildJvm.start(JournalChild.class, dir.resolve("child.log"), primaryDir.toString(),
                    secondaryDir.toString(), journalDir.toString(), Integer.toString(run))) {
                int acks = 20 + random.nextInt(60);
                for (int i = 0; i < acks; i++) {
                    assertThat(child.awaitLine("ack ", Duration.ofSeconds(60))).as(child.stderrTail())
                            .isNotEqualTo(ChildJvm.EOF);
                }
                child.kill();
                String lastBegin = null;
                for (String line : child.lines()) {
                    if (line.startsWith("ack ")) {
                        acknowledged.add(line.substring(4));
                    } else if (line.startsWith("begin ")) {
                        lastBegin = line.substring(6);
                    }
                }
                inFlight.add(lastBegin);
            }
        }

        Map<String, String> settings = Map.of(
                DalConfig.DATA_STORAGE_TYPE, "file", DalConfig.DATA_DIR, primaryDir.toString(),
                DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true",
                DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE, "file",
                DalConfig.MIGRATION_SECONDARY_PREFIX + DalConfig.DATA_DIR, secondaryDir.toString(),
                DalConfig.MIGRATION_SECONDARY_FAILURE, "record",
                DalConfig.MIGRATION_REPAIR_JOURNAL_DIR, journalDir.toString());
        Path intents = journalDir.resolve("intents");
        try (var left = Files.list(intents)) {
            // Each child adopted the intents of the one killed before it; the last one's are still there.
            assertThat(left.filter(p -> p.toString().endsWith(".ndjson")).count())
                    .as("intent files the last killed child left behind").isEqualTo(1);
        }
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            try (var left = Files.list(intents)) {
                assertThat(left.filter(p -> p.toString().endsWith(".ndjson")).count())
                        .as("only the new decorator's own intent file, the dead ones adopted").isEqualTo(1);
            }

            RepairResult result = dual.repair();

            assertThat(result.remaining()).isEmpty();
            assertThat(dual.pendingRepairs()).isEmpty();
            StoreSnapshot primary = StoreSnapshot.of(dual.primary());
            StoreSnapshot secondary = StoreSnapshot.of(dual.secondary());
            assertThat(acknowledged).isNotEmpty().allSatisfy(ack -> assertThat(holds(secondary, ack))
                    .as("acknowledged %s is on the secondary", ack).isTrue());
            assertThat(inFlight).as("each child was killed inside a write").hasSize(KILLS).doesNotContainNull();
            assertThat(differingScopes(primary, secondary)).as("records that differ after repair() alone").isEmpty();
            assertThat(secondary.differencesFrom(primary)).isEmpty();
        }
    }

    /** @return whether the store holds what an ack line names */
    private static boolean holds(StoreSnapshot store, String ack) {
        String[] parts = ack.split(" ");
        return switch (parts[0]) {
            case "user" -> store.users().stream().anyMatch(u -> u.id().toString().equals(parts[1]));
            case "session" -> store.sessions().stream().anyMatch(s -> s.chatId().equals(parts[1]));
            case "message" -> store.messages().stream().anyMatch(m -> m.id().toString().equals(parts[1]));
            case "memory" -> store.memory().stream().anyMatch(m -> m.userId().toString().equals(parts[1])
                    && m.memoryType().equals(parts[2]) && m.key().equals(parts[3]));
            default -> throw new AssertionError("unknown ack " + ack);
        };
    }

    /** Each record that is not the same in both stores, named by its scope: {@code user:<externalId>}, {@code chat:<chatId>}. */
    private static Set<String> differingScopes(StoreSnapshot primary, StoreSnapshot secondary) {
        Map<UUID, String> externalIds = primary.users().stream()
                .collect(Collectors.toMap(User::id, u -> "user:" + u.externalId()));
        Map<UUID, String> chatIds = primary.sessions().stream()
                .collect(Collectors.toMap(ChatSession::id, s -> "chat:" + s.chatId()));
        Set<String> scopes = new HashSet<>();
        differing(primary.users(), secondary.users(), User::id, u -> externalIds.get(u.id()), scopes);
        differing(primary.memory(), secondary.memory(), m -> List.of(m.userId(), m.memoryType(), m.key()),
                m -> externalIds.get(m.userId()), scopes);
        differing(primary.sessions(), secondary.sessions(), ChatSession::id, s -> chatIds.get(s.id()), scopes);
        differing(primary.messages(), secondary.messages(), Message::id, m -> chatIds.get(m.sessionId()), scopes);
        return scopes;
    }

    private static <T, K> void differing(List<T> primary, List<T> secondary, Function<T, K> key,
            Function<T, String> scope, Set<String> out) {
        Map<K, T> other = secondary.stream().collect(Collectors.toMap(key, Function.identity()));
        for (T record : primary) {
            if (!record.equals(other.remove(key.apply(record)))) {
                out.add(scope.apply(record));
            }
        }
        other.values().forEach(r -> out.add("only on the secondary: " + r));
    }

    private static void resync(DualWriteDataAccess dual, StoreSnapshot primary, String scope) {
        String name = scope.substring(scope.indexOf(':') + 1);
        if (scope.startsWith("user:")) {
            primary.users().stream().filter(u -> name.equals(u.externalId())).forEach(u -> {
                dual.resync(RecordKind.USER, List.of(u.id().toString()));
                primary.memory().stream().filter(m -> m.userId().equals(u.id())).forEach(m -> dual.resync(
                        RecordKind.MEMORY, List.of(m.userId().toString(), m.memoryType(), m.key())));
            });
        } else {
            primary.sessions().stream().filter(s -> s.chatId().equals(name)).forEach(s -> {
                dual.resync(RecordKind.SESSION, List.of(s.chatId()));
                if (s.messageCount() > 0) {
                    dual.resync(RecordKind.MESSAGES, List.of(s.chatId(), "1", Long.toString(s.messageCount())));
                }
            });
        }
    }
}
