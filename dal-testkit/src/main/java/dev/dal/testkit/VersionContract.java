package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Retryable;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Record versions: 1 on create, one more on every change, set by the store with the change; bulk
 * upserts apply only newer versions and never bring a deleted record back; an expected version
 * makes an update an optimistic lock.
 */
public interface VersionContract extends ConformanceTest {

    /**
     * Records start at version 1 and every change adds one.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void recordsStartAtVersionOneAndEveryChangeAddsOne(DataAccess store) {
        User user = store.createUser(NewUser.withExternalId(Fixtures.unique("v")));
        ChatSession session = store.createChatSession(NewChatSession.of(Fixtures.unique("chat"), user.id()));
        MemoryEntry memory = store.setUserMemory(user.id(), "context", "k", F.textNode("one"));
        assertThat(List.of(user.version(), session.version(), memory.version())).containsOnly(1L);

        User renamed =
                store.updateUser(user.id(), UserUpdate.builder().name("renamed").build());
        ChatSession titled = store.updateChatSession(
                session.chatId(), ChatSessionUpdate.builder().title("t").build());
        MemoryEntry again = store.setUserMemory(user.id(), "context", "k", F.textNode("two"));

        assertThat(renamed.version()).isEqualTo(2);
        assertThat(titled.version()).isEqualTo(2);
        assertThat(again.version()).isEqualTo(2);
        assertThat(store.getUser(user.id()).orElseThrow()).isEqualTo(renamed);
        assertThat(store.getChatSession(session.chatId()).orElseThrow()).isEqualTo(titled);
        assertThat(store.getUserMemory(user.id(), "context", "k").orElseThrow()).isEqualTo(again);
    }

    /**
     * Adding messages moves the session's version once per call, however many messages the call adds.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addingMessagesMovesTheSessionsVersionOncePerCall(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        store.addMessage(session.chatId(), NewMessage.user("one"));
        store.addMessages(session.chatId(), List.of(NewMessage.user("two"), NewMessage.assistant("three")));

        ChatSession after = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(after.messageCount()).isEqualTo(3);
        assertThat(after.version()).isEqualTo(3);
    }

    /**
     * Deleting a user moves the version of every session it leaves behind.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deletingAUserMovesTheVersionOfTheSessionsItLeavesBehind(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());

        store.deleteUser(user.id(), DeleteMode.KEEP_SESSIONS);

        ChatSession detached = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(detached.userId()).isNull();
        assertThat(detached.version()).isEqualTo(session.version() + 1);
    }

    /**
     * An expected version makes an update an optimistic lock: a stale one throws a retryable
     * ConcurrencyConflictException and changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void anExpectedVersionMakesAnUpdateAnOptimisticLock(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        User moved = store.updateUser(
                user.id(),
                UserUpdate.builder().name("first").expectingVersion(1).build());
        assertThat(moved.version()).isEqualTo(2);
        var before = snapshot(store);

        ConcurrencyConflictException stale = assertFails(
                ConcurrencyConflictException.class,
                () -> store.updateUser(
                        user.id(),
                        UserUpdate.builder().name("second").expectingVersion(1).build()));
        assertFails(
                ConcurrencyConflictException.class,
                () -> store.updateChatSession(
                        session.chatId(),
                        ChatSessionUpdate.builder()
                                .title("x")
                                .expectingVersion(7)
                                .build()));

        assertThat(stale).isInstanceOf(Retryable.class);
        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.updateChatSession(
                                session.chatId(),
                                ChatSessionUpdate.builder()
                                        .title("x")
                                        .expectingVersion(session.version())
                                        .build())
                        .version())
                .isEqualTo(session.version() + 1);
    }

    /**
     * Of concurrent updates expecting the same version, exactly one goes through.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentUpdatesExpectingTheSameVersionLetExactlyOneThrough(DataAccess store) {
        User user = Fixtures.user(store);
        List<Callable<Boolean>> racers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "racer-" + i;
            racers.add(() -> {
                try {
                    store.updateUser(
                            user.id(),
                            UserUpdate.builder().name(name).expectingVersion(1).build());
                    return true;
                } catch (ConcurrencyConflictException e) {
                    return false;
                }
            });
        }

        List<Boolean> won = Fixtures.concurrently(racers);

        assertThat(won.stream().filter(w -> w).count()).isEqualTo(1);
        assertThat(store.getUser(user.id()).orElseThrow().version()).isEqualTo(2);
    }

    /**
     * Bulk upserts apply only versions newer than the stored one.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void bulkUpsertsApplyOnlyNewerVersions(DataAccess store) {
        User user = store.createUser(
                NewUser.builder().externalId(Fixtures.unique("bulk")).name("v1").build());
        User v3 = store.updateUser(user.id(), UserUpdate.builder().name("v2").build());
        v3 = store.updateUser(user.id(), UserUpdate.builder().name("v3").build());
        ChatSession session = Fixtures.session(store, user.id());
        ChatSession session2 = store.updateChatSession(
                session.chatId(), ChatSessionUpdate.builder().title("new").build());
        MemoryEntry m2 = store.setUserMemory(user.id(), "context", "k", F.textNode("new"));
        m2 = store.setUserMemory(user.id(), "context", "k", F.textNode("newer"));

        store.bulk().upsertUsers(List.of(user));
        store.bulk().upsertSessions(List.of(session));
        store.bulk().upsertMemory(List.of(m2.withVersion(1)));

        assertThat(store.getUser(user.id()).orElseThrow())
                .as("older user skipped")
                .isEqualTo(v3);
        assertThat(store.getChatSession(session.chatId()).orElseThrow())
                .as("older session skipped")
                .isEqualTo(session2);
        assertThat(store.getUserMemory(user.id(), "context", "k").orElseThrow())
                .as("older memory skipped")
                .isEqualTo(m2);

        User v4 = new User(
                v3.id(),
                v3.externalId(),
                v3.email(),
                "from the other store",
                v3.profile(),
                v3.preferences(),
                v3.status(),
                v3.createdAt(),
                v3.updatedAt(),
                v3.lastActiveAt(),
                4);
        store.bulk().upsertUsers(List.of(v4));
        store.bulk().upsertUsers(List.of(v3));
        assertThat(store.getUser(user.id()).orElseThrow())
                .as("newer applied, then an older one skipped")
                .isEqualTo(v4);
    }

    /**
     * A late upsert of an older version never brings a deleted record back, and a key set again continues above the
     * deleted version.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aLateOlderUpsertNeverBringsADeletedRecordBack(DataAccess store) {
        User owner = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, owner.id());
        List<Message> messages = Fixtures.messages(store, session.chatId(), 3);
        ChatSession withMessages = store.getChatSession(session.chatId()).orElseThrow();
        MemoryEntry memory = store.setUserMemory(owner.id(), "context", "k", F.textNode("v"));
        User gone = Fixtures.user(store);

        assertThat(store.deleteChatSession(session.chatId())).isTrue();
        assertThat(store.deleteUserMemory(owner.id(), "context", "k")).isTrue();
        assertThat(store.deleteUser(gone.id())).isTrue();
        store.bulk().upsertUsers(List.of(gone));
        store.bulk().upsertSessions(List.of(withMessages));
        store.bulk().upsertMessages(messages);
        store.bulk().upsertMemory(List.of(memory));

        assertThat(store.getUser(gone.id())).isEmpty();
        assertThat(store.getChatSession(session.chatId())).isEmpty();
        assertThat(Fixtures.snapshot(store).messages()).isEmpty();
        assertThat(store.getUserMemory(owner.id(), "context", "k")).isEmpty();

        MemoryEntry setAgain = store.setUserMemory(owner.id(), "context", "k", F.textNode("again"));
        assertThat(setAgain.version())
                .as("a key set again continues above the deleted version")
                .isGreaterThan(memory.version());
        store.bulk().upsertMemory(List.of(memory));
        assertThat(store.getUserMemory(owner.id(), "context", "k").orElseThrow())
                .isEqualTo(setAgain);
    }

    /**
     * Concurrent changes without an expected version each add one to the version.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentChangesWithoutAnExpectedVersionEachAddOne(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        store.setUserMemory(user.id(), "context", "k", F.numberNode(0));
        List<Callable<Void>> writers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            writers.add(() -> {
                store.updateUser(
                        user.id(), UserUpdate.builder().name("writer-" + n).build());
                store.setUserMemory(user.id(), "context", "k", F.numberNode(n));
                store.addMessage(session.chatId(), NewMessage.user("m" + n));
                return null;
            });
        }

        Fixtures.concurrently(writers);

        assertThat(store.getUser(user.id()).orElseThrow().version()).isEqualTo(7);
        assertThat(store.getUserMemory(user.id(), "context", "k").orElseThrow().version())
                .isEqualTo(7);
        assertThat(store.getChatSession(session.chatId()).orElseThrow().version())
                .isEqualTo(7);
    }

    /**
     * Setting an expired memory key again continues its version.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void settingAnExpiredKeyAgainContinuesItsVersion(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        store.setUserMemory(
                user.id(), "context", "k", F.textNode("old"), clock.instant().plusSeconds(10));
        clock.advance(Duration.ofSeconds(20));

        MemoryEntry fresh = store.setUserMemory(user.id(), "context", "k", F.textNode("new"));

        assertThat(fresh.version()).isEqualTo(2);
    }

    /**
     * Every deletion, purges and expiry included, leaves a tombstone at the deleted version plus one.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void everyDeletionLeavesATombstoneAtTheDeletedVersionPlusOne(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        User gone = store.updateUser(
                Fixtures.user(store).id(), UserUpdate.builder().name("two").build());
        ChatSession session = Fixtures.session(store, user.id());
        store.addMessage(session.chatId(), NewMessage.user("one"));
        store.setUserMemory(user.id(), "context", "k", F.numberNode(1));
        store.setUserMemory(user.id(), "context", "k", F.numberNode(2));
        store.setUserMemory(user.id(), "facts", "a", F.numberNode(1));
        store.setUserMemory(user.id(), "facts", "b", F.numberNode(1));
        store.setUserMemory(
                user.id(), "brief", "x", F.numberNode(1), clock.instant().plusSeconds(5));
        clock.advance(Duration.ofSeconds(10));

        ChatSession purged = Fixtures.session(store, gone.id());
        store.deleteUser(gone.id(), DeleteMode.PURGE);
        store.deleteChatSession(session.chatId());
        store.deleteUserMemory(user.id(), "context", "k");
        store.deleteUserMemory(user.id(), "facts");
        assertThat(store.purgeExpiredMemory()).isEqualTo(1);

        assertThat(store.bulk()
                        .findTombstones(List.of(
                                RecordKey.user(gone.id()),
                                RecordKey.session(session.chatId()),
                                RecordKey.memory(user.id(), "context", "k"),
                                RecordKey.memoryType(user.id(), "facts"),
                                RecordKey.memory(user.id(), "brief", "x"),
                                RecordKey.user(user.id()),
                                RecordKey.memory(user.id(), "context", "never"),
                                RecordKey.session("never"),
                                RecordKey.session(purged.chatId()))))
                .containsExactlyInAnyOrder(
                        Tombstone.ofUser(gone.id(), 3),
                        Tombstone.ofSession(purged.chatId(), purged.id(), 2),
                        Tombstone.ofSession(session.chatId(), session.id(), 3),
                        Tombstone.ofMemory(user.id(), "context", "k", 3),
                        Tombstone.ofMemory(user.id(), "facts", "a", 2),
                        Tombstone.ofMemory(user.id(), "facts", "b", 2),
                        Tombstone.ofMemory(user.id(), "brief", "x", 2));
    }

    /**
     * A record created again under a deleted key continues above the tombstone's version, and the tombstone goes.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aRecordCreatedAgainUnderADeletedKeyContinuesAboveTheTombstone(DataAccess store) {
        User owner = Fixtures.user(store);
        UUID reused = UUID.randomUUID();
        User first = store.createUser(NewUser.builder().id(reused).name("first").build());
        store.updateUser(reused, UserUpdate.builder().name("second").build());
        String chatId = Fixtures.unique("again");
        ChatSession session = store.createChatSession(NewChatSession.of(chatId, owner.id()));
        store.addMessage(chatId, NewMessage.user("one"));
        store.setUserMemory(owner.id(), "context", "k", F.numberNode(1));

        store.deleteUser(first.id());
        store.deleteChatSession(chatId);
        store.deleteUserMemory(owner.id(), "context", "k");

        assertThat(store.createUser(NewUser.builder().id(reused).name("again").build())
                        .version())
                .isEqualTo(4);
        ChatSession sessionAgain = store.createChatSession(NewChatSession.of(chatId, owner.id()));
        assertThat(sessionAgain.version()).as("created, one message, deleted").isEqualTo(4);
        assertThat(sessionAgain.id()).isNotEqualTo(session.id());
        assertThat(store.setUserMemory(owner.id(), "context", "k", F.numberNode(2))
                        .version())
                .isEqualTo(3);
        assertThat(store.bulk()
                        .findTombstones(List.of(
                                RecordKey.user(reused),
                                RecordKey.session(chatId),
                                RecordKey.memory(owner.id(), "context", "k"))))
                .as("live again: no tombstones")
                .isEmpty();
    }

    /**
     * Replicated tombstones delete older records and skip newer ones, and never lower a newer tombstone.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void replicatedTombstonesDeleteOlderRecordsAndSkipNewerOnes(DataAccess store) {
        User user = Fixtures.user(store);
        User newer = store.updateUser(
                Fixtures.user(store).id(), UserUpdate.builder().name("v2").build());
        ChatSession session = Fixtures.session(store, user.id());
        Fixtures.messages(store, session.chatId(), 2);
        MemoryEntry memory = store.setUserMemory(user.id(), "context", "k", F.numberNode(1));

        store.bulk()
                .upsertTombstones(List.of(
                        Tombstone.ofUser(newer.id(), 2),
                        Tombstone.ofSession(session.chatId(), session.id(), 9),
                        Tombstone.ofMemory(user.id(), "context", "k", 4)));

        assertThat(store.getUser(newer.id()))
                .as("a tombstone at the live version is skipped")
                .contains(newer);
        assertThat(store.getChatSession(session.chatId())).isEmpty();
        assertThat(Fixtures.snapshot(store).messages())
                .as("the session's messages go with it")
                .isEmpty();
        assertThat(store.getUserMemory(user.id(), "context", "k")).isEmpty();
        assertThat(store.bulk()
                        .findTombstones(List.of(
                                RecordKey.user(newer.id()),
                                RecordKey.session(session.chatId()),
                                RecordKey.memory(user.id(), "context", "k"))))
                .containsExactlyInAnyOrder(
                        Tombstone.ofSession(session.chatId(), session.id(), 9),
                        Tombstone.ofMemory(user.id(), "context", "k", 4));

        store.bulk()
                .upsertTombstones(List.of(
                        Tombstone.ofMemory(user.id(), "context", "k", 3),
                        Tombstone.ofSession(session.chatId(), session.id(), 9)));
        assertThat(store.bulk().findTombstones(List.of(RecordKey.memory(user.id(), "context", "k"))))
                .as("an older tombstone does not lower a newer one")
                .containsExactly(Tombstone.ofMemory(user.id(), "context", "k", 4));

        store.bulk().upsertMemory(List.of(memory.withVersion(4)));
        assertThat(store.getUserMemory(user.id(), "context", "k"))
                .as("equal to the tombstone: skipped")
                .isEmpty();
        store.bulk().upsertMemory(List.of(memory.withVersion(5)));
        assertThat(store.getUserMemory(user.id(), "context", "k"))
                .as("newer: applied")
                .contains(memory.withVersion(5));
        assertThat(store.bulk().findTombstones(List.of(RecordKey.memory(user.id(), "context", "k"))))
                .isEmpty();
    }

    /**
     * A tombstone for a record never seen keeps its late creation, and that of its children, out.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aTombstoneForARecordNeverSeenKeepsItsLateCreationOut(DataAccess store) {
        User user = Fixtures.user(store);
        UUID sessionId = UUID.randomUUID();
        UUID deletedUserId = UUID.randomUUID();
        String chatId = Fixtures.unique("late");
        var now = store.getUser(user.id()).orElseThrow().createdAt();
        ChatSession late = new ChatSession(
                sessionId,
                chatId,
                user.id(),
                null,
                null,
                F.objectNode(),
                dev.dal.api.SessionStatus.ACTIVE,
                now,
                now,
                null,
                0,
                1);
        Message lateMessage = new Message(
                UUID.randomUUID(), sessionId, 1, dev.dal.api.Role.USER, "late", F.objectNode(), null, false, now);
        User lateUser = new User(
                deletedUserId,
                null,
                null,
                "late",
                F.objectNode(),
                F.objectNode(),
                dev.dal.api.UserStatus.ACTIVE,
                now,
                now,
                null,
                1);
        ChatSession orphan = new ChatSession(
                UUID.randomUUID(),
                Fixtures.unique("orphan"),
                deletedUserId,
                null,
                null,
                F.objectNode(),
                dev.dal.api.SessionStatus.ACTIVE,
                now,
                now,
                null,
                0,
                1);
        var before = snapshot(store);

        store.bulk()
                .upsertTombstones(
                        List.of(Tombstone.ofSession(chatId, sessionId, 2), Tombstone.ofUser(deletedUserId, 2)));
        store.bulk().upsertUsers(List.of(lateUser));
        store.bulk().upsertSessions(List.of(late, orphan));
        store.bulk().upsertMessages(List.of(lateMessage));
        store.bulk()
                .upsertMemory(
                        List.of(new MemoryEntry(deletedUserId, "context", "k", F.numberNode(1), now, now, null, 1)));

        assertThat(snapshot(store))
                .as("children of tombstoned parents are skipped, not refused")
                .isEqualTo(before);
        assertFails(
                NotFoundException.class,
                () -> store.bulk()
                        .upsertSessions(List.of(new ChatSession(
                                UUID.randomUUID(),
                                Fixtures.unique("nobody"),
                                UUID.randomUUID(),
                                null,
                                null,
                                F.objectNode(),
                                dev.dal.api.SessionStatus.ACTIVE,
                                now,
                                now,
                                null,
                                0,
                                1))));
    }

    /**
     * Overwrites replace whatever version the store holds, and bring deleted records back to life.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void overwritesReplaceWhateverVersionTheStoreHolds(DataAccess store) {
        User user = Fixtures.user(store);
        User older = store.getUser(user.id()).orElseThrow();
        store.updateUser(
                user.id(),
                UserUpdate.builder().name("changed behind the repair's back").build());
        ChatSession session = Fixtures.session(store, user.id());
        List<Message> messages = Fixtures.messages(store, session.chatId(), 2);
        ChatSession withMessages = store.getChatSession(session.chatId()).orElseThrow();
        MemoryEntry memory = store.setUserMemory(user.id(), "context", "k", F.numberNode(1));
        store.setUserMemory(user.id(), "context", "k", F.numberNode(2));
        MemoryEntry gone = store.setUserMemory(user.id(), "context", "gone", F.numberNode(3));
        store.deleteChatSession(session.chatId());
        store.deleteUserMemory(user.id(), "context", "gone");

        store.bulk().overwriteUsers(List.of(older));
        store.bulk().overwriteSessions(List.of(withMessages));
        store.bulk().upsertMessages(messages);
        store.bulk().overwriteMemory(List.of(memory, gone));

        assertThat(store.getUser(user.id())).contains(older);
        assertThat(store.getChatSession(session.chatId())).contains(withMessages);
        assertThat(store.getChatHistory(session.chatId(), 10, 0)).isEqualTo(messages);
        assertThat(store.getUserMemory(user.id(), "context")).containsExactlyInAnyOrder(memory, gone);
        assertThat(store.bulk()
                        .findTombstones(List.of(
                                RecordKey.session(session.chatId()), RecordKey.memoryType(user.id(), "context"))))
                .as("overwritten: live again")
                .isEmpty();
    }

    /**
     * A session under a chat id another live session holds is a duplicate key, whatever its version.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aNewerSessionUnderAChatIdAnotherLiveSessionHoldsIsADuplicateKey(DataAccess store) {
        ChatSession held = Fixtures.session(store);
        ChatSession other = new ChatSession(
                UUID.randomUUID(),
                held.chatId(),
                held.userId(),
                "other",
                null,
                F.objectNode(),
                dev.dal.api.SessionStatus.ACTIVE,
                held.createdAt(),
                held.updatedAt(),
                null,
                0,
                held.version() + 5);
        var before = snapshot(store);

        assertFails(dev.dal.api.DuplicateKeyException.class, () -> store.bulk().upsertSessions(List.of(other)));
        assertFails(dev.dal.api.DuplicateKeyException.class, () -> store.bulk().overwriteSessions(List.of(other)));

        assertThat(snapshot(store)).as("the held session and its messages stay").isEqualTo(before);
    }

    /**
     * An expected version below 1 is rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void anExpectedVersionBelowOneIsRejected(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());

        Fixtures.assertRejected(
                store,
                "update.expectedVersion",
                () -> store.updateUser(
                        user.id(),
                        UserUpdate.builder().name("x").expectingVersion(0).build()));
        Fixtures.assertRejected(
                store,
                "update.expectedVersion",
                () -> store.updateChatSession(
                        session.chatId(),
                        ChatSessionUpdate.builder()
                                .title("x")
                                .expectingVersion(-1)
                                .build()));
    }

    /**
     * The tombstone calls validate their input.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void tombstoneCallsValidateTheirInput(DataAccess store) {
        Fixtures.assertRejected(store, "keys", () -> store.bulk().findTombstones(null));
        Fixtures.assertRejected(store, "tombstones", () -> store.bulk().upsertTombstones(null));
        Fixtures.assertRejected(
                store,
                "memoryType",
                () -> store.bulk().findTombstones(List.of(RecordKey.memoryType(UUID.randomUUID(), ""))));
        Fixtures.assertRejected(
                store,
                "key.chatId",
                () -> store.bulk().upsertTombstones(List.of(Tombstone.ofSession("", UUID.randomUUID(), 2))));
    }
}
