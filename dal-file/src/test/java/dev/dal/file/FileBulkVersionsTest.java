package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.spi.Ids;
import dev.dal.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store's choices where the kit leaves room: replication arriving in any order, batches, rollback. */
class FileBulkVersionsTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path temp;

    private DataAccess open() {
        return TempFileStores.open(temp.resolve("store"), MutableClock.startingNow());
    }

    private static User user(UUID id, long version) {
        return new User(id, null, null, "v" + version, null, null, UserStatus.ACTIVE, T, T, null, version);
    }

    private static ChatSession session(UUID id, String chatId, UUID userId, long count, long version) {
        return new ChatSession(
                id,
                chatId,
                userId,
                "v" + version,
                null,
                null,
                SessionStatus.ACTIVE,
                T,
                T,
                count == 0 ? null : T,
                count,
                version);
    }

    private static List<Message> messages(UUID sessionId, int count) {
        List<Message> out = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            out.add(new Message(Ids.newId(), sessionId, n, Role.USER, "m" + n, null, null, false, T));
        }
        return out;
    }

    private static MemoryEntry memory(UUID userId, String key, long version) {
        return new MemoryEntry(userId, "context", key, IntNode.valueOf((int) version), T, T, null, version);
    }

    @Test
    void aNewerSessionUnderAChatIdWaitsForTheOlderOnesTombstone() {
        try (DataAccess store = open()) {
            UUID first = Ids.newId();
            UUID second = Ids.newId();
            store.bulk().upsertSessions(List.of(session(first, "c", null, 2, 2)));
            List<Message> firstMessages = messages(first, 2);
            store.bulk().upsertMessages(firstMessages);

            // The chat id was deleted and created again in the other store; the new session arrives first: the
            // chat id is still held, a duplicate key, and nothing changes.
            assertThatThrownBy(() -> store.bulk().upsertSessions(List.of(session(second, "c", null, 0, 4))))
                    .isInstanceOf(DuplicateKeyException.class);
            assertThatThrownBy(() -> store.bulk().overwriteSessions(List.of(session(second, "c", null, 0, 4))))
                    .isInstanceOf(DuplicateKeyException.class);
            assertThat(store.getChatSession("c")).contains(session(first, "c", null, 2, 2));
            assertThat(store.getChatHistory("c", 10, 0)).isEqualTo(firstMessages);

            // Once the deletion arrives, the new session applies, and the old one's late records are skipped.
            store.bulk().upsertTombstones(List.of(Tombstone.ofSession("c", first, 3)));
            store.bulk().upsertSessions(List.of(session(second, "c", null, 0, 4)));
            store.bulk().upsertMessages(firstMessages);
            store.bulk().upsertSessions(List.of(session(first, "c", null, 2, 2)));

            assertThat(store.getChatSession("c")).contains(session(second, "c", null, 0, 4));
            assertThat(store.getChatHistory("c", 10, 0)).isEmpty();
            assertThat(store.bulk().scanMessages(null, 100).items())
                    .as("the deleted session's messages")
                    .isEmpty();
            assertThat(store.bulk().findTombstones(List.of(RecordKey.session("c"))))
                    .isEmpty();
        }
    }

    @Test
    void overwritesApplyBelowAStoredVersionAndClearTombstones() {
        try (DataAccess store = open()) {
            UUID owner = Ids.newId();
            store.bulk().upsertUsers(List.of(user(owner, 5)));
            store.bulk().upsertSessions(List.of(session(Ids.newId(), "c", owner, 0, 6)));
            store.bulk().upsertMemory(List.of(memory(owner, "k", 4)));
            store.bulk()
                    .upsertTombstones(List.of(
                            Tombstone.ofMemory(owner, "context", "gone", 9),
                            Tombstone.ofSession("deleted", Ids.newId(), 7)));
            UUID sessionAgain = Ids.newId();

            store.bulk().overwriteUsers(List.of(user(owner, 2)));
            store.bulk().overwriteSessions(List.of(session(sessionAgain, "deleted", owner, 0, 1)));
            store.bulk().overwriteMemory(List.of(memory(owner, "k", 1), memory(owner, "gone", 1)));

            assertThat(store.getUser(owner)).contains(user(owner, 2));
            assertThat(store.getChatSession("deleted")).contains(session(sessionAgain, "deleted", owner, 0, 1));
            assertThat(store.bulk().scanMemory(null, 100).items())
                    .containsExactly(memory(owner, "gone", 1), memory(owner, "k", 1));
            assertThat(store.bulk()
                            .findTombstones(
                                    List.of(RecordKey.session("deleted"), RecordKey.memoryType(owner, "context"))))
                    .isEmpty();
            // Versions go on from what the overwrite stored.
            assertThat(store.updateUser(
                                    owner,
                                    dev.dal.api.UserUpdate.builder().name("n").build())
                            .version())
                    .isEqualTo(3);
        }
    }

    @Test
    void theNewestVersionOfAKeyInOneBatchWinsWhateverItsPlaceInTheBatch() {
        try (DataAccess store = open()) {
            UUID a = Ids.newId();
            UUID b = Ids.newId();
            store.bulk().upsertUsers(List.of(user(a, 2), user(a, 5), user(a, 3), user(b, 1)));
            store.bulk()
                    .upsertMemory(List.of(memory(a, "k", 3), memory(a, "k", 2), memory(a, "j", 1), memory(a, "j", 4)));

            assertThat(store.getUser(a)).contains(user(a, 5));
            assertThat(store.bulk().scanMemory(null, 100).items())
                    .containsExactly(memory(a, "j", 4), memory(a, "k", 3));
        }
    }

    @Test
    void tombstonesOfAUserAndItsMemoryInOneBatch() {
        try (DataAccess store = open()) {
            User owner = store.createUser(NewUser.withExternalId("owner"));
            ChatSession kept = store.createChatSession(NewChatSession.of("kept", owner.id()));
            for (String key : List.of("a", "b", "c")) {
                store.setUserMemory(owner.id(), "context", key, IntNode.valueOf(1));
            }

            store.bulk()
                    .upsertTombstones(List.of(
                            Tombstone.ofMemory(owner.id(), "context", "a", 2),
                            Tombstone.ofMemory(owner.id(), "context", "b", 7),
                            Tombstone.ofUser(owner.id(), 2),
                            Tombstone.ofMemory(owner.id(), "context", "b", 5)));

            assertThat(store.getUser(owner.id())).isEmpty();
            assertThat(store.getUserByExternalId("owner")).isEmpty();
            assertThat(store.getChatSession("kept"))
                    .as("detached, one version later")
                    .contains(kept.withUserId(null));
            assertThat(store.bulk().scanMemory(null, 100).items()).isEmpty();
            assertThat(store.bulk()
                            .findTombstones(
                                    List.of(RecordKey.user(owner.id()), RecordKey.memoryType(owner.id(), "context"))))
                    .containsExactlyInAnyOrder(
                            Tombstone.ofUser(owner.id(), 2),
                            Tombstone.ofMemory(owner.id(), "context", "a", 2),
                            Tombstone.ofMemory(owner.id(), "context", "b", 7));

            // A newer user brings the user back; its memory applies again above the memory tombstones.
            store.bulk().upsertUsers(List.of(user(owner.id(), 3)));
            store.bulk()
                    .upsertMemory(List.of(
                            memory(owner.id(), "b", 7), memory(owner.id(), "b", 8), memory(owner.id(), "c", 1)));
            assertThat(store.bulk().scanMemory(null, 100).items())
                    .containsExactly(memory(owner.id(), "b", 8), memory(owner.id(), "c", 1));
            assertThat(store.bulk()
                            .findTombstones(
                                    List.of(RecordKey.user(owner.id()), RecordKey.memoryType(owner.id(), "context"))))
                    .containsExactly(Tombstone.ofMemory(owner.id(), "context", "a", 2));
        }
    }

    @Test
    void lateMessagesOfAPurgedSessionAreSkipped() {
        try (DataAccess store = open()) {
            User owner = store.createUser(NewUser.withExternalId("owner"));
            ChatSession session = store.createChatSession(NewChatSession.of("purged", owner.id()));
            List<Message> sent = store.addMessages("purged", List.of(NewMessage.user("a"), NewMessage.user("b")));

            store.deleteUser(owner.id(), DeleteMode.PURGE);
            store.bulk().upsertMessages(sent);
            store.bulk().upsertSessions(List.of(store.getChatSession("purged").orElse(session)));

            assertThat(store.bulk().scanMessages(null, 10).items()).isEmpty();
            assertThat(store.bulk().scanSessions(null, 10).items()).isEmpty();
            assertThatThrownBy(() -> store.bulk().upsertMessages(messages(Ids.newId(), 1)))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void aFailedBatchLeavesRecordsAndTombstonesAsTheyWere() {
        try (DataAccess store = open()) {
            UUID deleted = Ids.newId();
            store.bulk()
                    .upsertTombstones(List.of(Tombstone.ofUser(deleted, 3), Tombstone.ofSession("c", Ids.newId(), 2)));
            List<Tombstone> before =
                    store.bulk().findTombstones(List.of(RecordKey.user(deleted), RecordKey.session("c")));

            assertThatThrownBy(() -> store.bulk()
                            .upsertUsers(List.of(
                                    user(deleted, 4),
                                    new User(
                                            Ids.newId(),
                                            "taken",
                                            null,
                                            null,
                                            null,
                                            null,
                                            UserStatus.ACTIVE,
                                            T,
                                            T,
                                            null,
                                            1),
                                    new User(
                                            Ids.newId(),
                                            "taken",
                                            null,
                                            null,
                                            null,
                                            null,
                                            UserStatus.ACTIVE,
                                            T,
                                            T,
                                            null,
                                            1))))
                    .isInstanceOf(DuplicateKeyException.class);
            assertThatThrownBy(() -> store.bulk()
                            .upsertSessions(List.of(
                                    session(Ids.newId(), "c", null, 0, 3),
                                    session(Ids.newId(), "d", UUID.randomUUID(), 0, 1))))
                    .isInstanceOf(NotFoundException.class);

            assertThat(store.bulk().findTombstones(List.of(RecordKey.user(deleted), RecordKey.session("c"))))
                    .containsExactlyInAnyOrderElementsOf(before);
            assertThat(store.bulk().scanUsers(null, 10).items()).isEmpty();
            assertThat(store.bulk().scanSessions(null, 10).items()).isEmpty();
        }
    }
}
