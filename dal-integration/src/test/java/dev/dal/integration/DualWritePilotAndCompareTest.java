package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.dualwrite.DualWriteCounters;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.Mismatch;
import dev.dal.dualwrite.RecordKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pilot of one record kind, and compare mode worth reading: races told from divergences, ignore rules and
 * listeners (the rate-limited log is MismatchLogTest's). file -> file, configured as an application would.
 */
class DualWritePilotAndCompareTest {
    @TempDir
    Path dir;

    private DataAccess open(Map<String, String> extra) {
        Map<String, String> settings = new TreeMap<>(Map.of(
                "DATA_STORAGE_TYPE",
                "file",
                "DATA_DIR",
                dir.resolve("old").toString(),
                "MIGRATION_ENABLE_DUAL_WRITE",
                "true",
                "MIGRATION_SECONDARY_STORAGE_TYPE",
                "file",
                "MIGRATION_SECONDARY_DATA_DIR",
                dir.resolve("new").toString()));
        settings.putAll(extra);
        return DataAccessFactory.create(DalConfig.fromMap(settings));
    }

    /** Compare mode reads a differing record again a moment later before it counts; this waits for that. */
    static DualWriteCounters awaitRechecks(DualWriteDataAccess dual, long rechecks) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        DualWriteCounters c = dual.counters();
        while (c.mismatches() + c.readRaces() < rechecks && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            c = dual.counters();
        }
        return c;
    }

    private static <T> List<T> all(java.util.function.BiFunction<String, Integer, ScanBatch<T>> scan) {
        List<T> out = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor, 100);
            out.addAll(batch.items());
            cursor = batch.nextCursor();
        } while (cursor != null);
        return out;
    }

    @Test
    void aMemoryPilotMovesOnlyMemoryAndTheUsersItNeeds() {
        try (DataAccess store =
                open(Map.of("MIGRATION_DUAL_WRITE_KINDS", "memory", "MIGRATION_READ_FROM", "secondary"))) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            User withMemory = store.createUser(NewUser.withExternalId("with-memory"));
            User without = store.createUser(NewUser.withExternalId("without"));
            store.createChatSession(NewChatSession.of("chat-1", withMemory.id()));
            store.addMessages("chat-1", List.of(NewMessage.user("hi"), NewMessage.assistant("hello")));
            store.setUserMemory(withMemory.id(), "preferences", "tone", JsonNodeFactory.instance.textNode("brief"));

            DataAccess secondary = dual.secondary();
            assertThat(all(secondary.bulk()::scanMemory)).hasSize(1);
            assertThat(all(secondary.bulk()::scanUsers))
                    .extracting(User::id)
                    .as("only the user the memory entry needs")
                    .containsExactly(withMemory.id());
            assertThat(all(secondary.bulk()::scanSessions)).isEmpty();
            assertThat(all(secondary.bulk()::scanMessages)).isEmpty();
            // Reads of kinds the pilot does not move never touch the secondary, even with reads from it.
            assertThat(store.getUser(without.id())).isPresent();
            assertThat(store.getChatHistory("chat-1", 10, 0)).hasSize(2);
            assertThat(all(store.bulk()::scanSessions)).hasSize(1);
            assertThat(store.getUserMemory(withMemory.id(), "preferences", "tone"))
                    .isPresent();
        }
    }

    @Test
    void aDifferenceGoneWhenReadAgainIsARaceNotAMismatch() {
        try (DataAccess store = open(Map.of("MIGRATION_READ_FROM", "compare"))) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            User user = store.createUser(
                    NewUser.builder().externalId("racer").name("Ada").build());
            // A write the primary holds and the secondary not yet (its replication still in flight): versions
            // then let the resync land, as the replication would.
            dual.primary()
                    .updateUser(user.id(), UserUpdate.builder().name("newer").build());

            store.getUser(user.id());
            dual.resync(RecordKind.USER, List.of(user.id().toString())); // the replication "lands" meanwhile

            DualWriteCounters counters = awaitRechecks(dual, 1);
            assertThat(counters.readRaces()).isEqualTo(1);
            assertThat(counters.mismatches()).isZero();
            assertThat(dual.recentMismatches()).isEmpty();
        }
    }

    @Test
    void ignoredFieldsAreNotDifferencesAndListenersHearOfTheRest() {
        List<Mismatch> heard = new CopyOnWriteArrayList<>();
        try (DataAccess store = open(Map.of(
                "MIGRATION_READ_FROM", "compare", "MIGRATION_COMPARE_IGNORE", "/updatedAt, /version, /profile/seen"))) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            dual.addMismatchListener(heard::add);
            User user = store.createUser(NewUser.builder()
                    .externalId("ignored")
                    .name("Ada")
                    .profile(
                            JsonNodeFactory.instance.objectNode().put("seen", 1).put("plan", "free"))
                    .build());
            dual.secondary()
                    .updateUser(
                            user.id(),
                            UserUpdate.builder()
                                    .profile(JsonNodeFactory.instance
                                            .objectNode()
                                            .put("seen", 2)
                                            .put("plan", "free"))
                                    .build());

            store.getUser(user.id());
            store.listUserSessions(user.id(), 10, 0);
            assertThat(awaitRechecks(dual, 1).mismatches())
                    .as("only ignored fields differ")
                    .isZero();

            dual.secondary()
                    .updateUser(user.id(), UserUpdate.builder().name("Eve").build());
            store.getUser(user.id());

            assertThat(awaitRechecks(dual, 1).mismatches()).isEqualTo(1);
            assertThat(heard).hasSize(1);
            assertThat(heard.get(0).differences())
                    .extracting(d -> d.path())
                    .as("/updatedAt, /version and /profile/seen ignored")
                    .containsExactly("/name");
        }
    }
}
