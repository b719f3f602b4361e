package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.now;
import static dev.dal.testkit.Fixtures.object;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.UserUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Users: create, read by id and external id, update field by field, delete in both modes. */
public interface UserContract extends ConformanceTest {

    private static NewUser fullUser(String externalId) {
        return NewUser.builder()
                .externalId(externalId)
                .email("ada@example.org")
                .name("Ada Lovelace")
                .profile(object("{\"bio\":\"analyst\",\"tags\":[\"math\",\"poetry\"],\"age\":36}"))
                .preferences(object("{\"theme\":\"dark\",\"notify\":{\"email\":false}}"))
                .status(UserStatus.DISABLED)
                .build();
    }

    /**
     * A created user gets an id, and its creation and update times are the clock's time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void createUserReturnsIdAndClockTimestamps(DataAccess store, MutableClock clock) {
        User user = store.createUser(NewUser.withExternalId("u1"));

        assertThat(user.id()).isNotNull();
        assertThat(user.createdAt()).isEqualTo(now(clock));
        assertThat(user.updatedAt()).isEqualTo(now(clock));
    }

    /**
     * A created user keeps every field given and reads back equal.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void createUserRoundTripsEveryField(DataAccess store) {
        User created = store.createUser(fullUser("ada"));

        assertThat(created.externalId()).isEqualTo("ada");
        assertThat(created.email()).isEqualTo("ada@example.org");
        assertThat(created.name()).isEqualTo("Ada Lovelace");
        assertThat(created.profile())
                .isEqualTo(object("{\"bio\":\"analyst\",\"tags\":[\"math\",\"poetry\"],\"age\":36}"));
        assertThat(created.preferences()).isEqualTo(object("{\"theme\":\"dark\",\"notify\":{\"email\":false}}"));
        assertThat(created.status()).isEqualTo(UserStatus.DISABLED);
        assertThat(store.getUser(created.id())).contains(created);
    }

    /**
     * A user created with no fields gets no external id, e-mail or name, ACTIVE status, empty profile and preferences,
     * and no last activity.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void createUserAppliesDefaults(DataAccess store) {
        User user = store.createUser(NewUser.builder().build());

        assertThat(user.externalId()).isNull();
        assertThat(user.email()).isNull();
        assertThat(user.name()).isNull();
        assertThat(user.status()).isEqualTo(UserStatus.ACTIVE);
        assertThat(user.profile()).isEqualTo(JsonValues.emptyObject());
        assertThat(user.preferences()).isEqualTo(JsonValues.emptyObject());
        assertThat(user.lastActiveAt()).isNull();
        assertThat(store.getUser(user.id())).contains(user);
    }

    /**
     * Reading a user by id returns the record as created.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getUserReadsBackTheCreatedRecord(DataAccess store) {
        User user = store.createUser(fullUser("read-back"));

        assertThat(store.getUser(user.id())).contains(user);
    }

    /**
     * Reading a user by external id returns that user's record as created.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getUserByExternalIdReadsBackTheCreatedRecord(DataAccess store) {
        User user = store.createUser(fullUser("by-external"));
        store.createUser(NewUser.withExternalId("someone-else"));

        assertThat(store.getUserByExternalId("by-external")).contains(user);
    }

    /**
     * Reading an unknown user id is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getUnknownUserIsEmpty(DataAccess store) {
        Fixtures.user(store);

        assertThat(store.getUser(UUID.randomUUID())).isEmpty();
    }

    /**
     * Reading an unknown external id is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getUnknownExternalIdIsEmpty(DataAccess store) {
        Fixtures.user(store);

        assertThat(store.getUserByExternalId("nobody")).isEmpty();
    }

    /**
     * User ids are distinct, time-ordered UUID version 7 ids.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void userIdsAreTimeOrderedVersion7Uuids(DataAccess store) {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            users.add(Fixtures.user(store));
        }

        assertThat(users).allSatisfy(u -> assertThat(u.id().version()).isEqualTo(7));
        assertThat(users).extracting(u -> u.id().toString()).isSorted().doesNotHaveDuplicates();
    }

    /**
     * Users without an external id do not collide with each other.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void usersWithoutExternalIdDoNotCollide(DataAccess store) {
        User first = store.createUser(NewUser.builder().name("a").build());
        User second = store.createUser(NewUser.builder().name("b").build());

        assertThat(first.id()).isNotEqualTo(second.id());
        assertThat(store.getUser(first.id())).contains(first);
        assertThat(store.getUser(second.id())).contains(second);
    }

    /**
     * Creating a user with an external id already in use throws DuplicateKeyException and writes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void duplicateExternalIdOnCreateThrowsDuplicateKeyAndWritesNothing(DataAccess store) {
        User original = store.createUser(NewUser.withExternalId("taken"));
        var before = snapshot(store);

        assertFails(DuplicateKeyException.class, () -> store.createUser(fullUser("taken")));

        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getUserByExternalId("taken")).contains(original);
    }

    /**
     * An empty update keeps every field, moves the update time and raises the version by one.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void emptyUpdateKeepsEveryFieldAndMovesUpdatedAt(DataAccess store, MutableClock clock) {
        User user = store.createUser(fullUser("keep"));
        clock.advance(Duration.ofSeconds(5));

        User updated = store.updateUser(user.id(), UserUpdate.builder().build());

        assertThat(updated)
                .isEqualTo(new User(
                        user.id(),
                        user.externalId(),
                        user.email(),
                        user.name(),
                        user.profile(),
                        user.preferences(),
                        user.status(),
                        user.createdAt(),
                        now(clock),
                        user.lastActiveAt(),
                        user.version() + 1));
        assertThat(store.getUser(user.id())).contains(updated);
    }

    /**
     * An update moves the update time to the clock and keeps the creation time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void updateUserMovesUpdatedAtToClockAndKeepsCreatedAt(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        Instant created = now(clock);
        clock.advance(Duration.ofMinutes(3).plusNanos(987_654));

        User updated =
                store.updateUser(user.id(), UserUpdate.builder().name("renamed").build());

        assertThat(updated.createdAt()).isEqualTo(created);
        assertThat(updated.updatedAt()).isEqualTo(now(clock)).isAfter(created);
    }

    /**
     * An update returns exactly what is then stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void updateUserReturnsWhatIsStored(DataAccess store, MutableClock clock) {
        User user = store.createUser(fullUser("returned"));
        clock.advance(Duration.ofSeconds(1));

        User updated = store.updateUser(
                user.id(),
                UserUpdate.builder()
                        .email("new@example.org")
                        .profile(object("{\"x\":[1,2]}"))
                        .lastActiveAt(clock.instant())
                        .build());

        assertThat(store.getUser(user.id())).contains(updated);
        assertThat(store.getUserByExternalId("returned")).contains(updated);
    }

    /**
     * Changing the external id moves the lookup to the new value.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateExternalIdMovesLookupToTheNewValue(DataAccess store) {
        User user = store.createUser(fullUser("old-ext"));

        User updated = store.updateUser(
                user.id(), UserUpdate.builder().externalId("new-ext").build());

        assertThat(updated.externalId()).isEqualTo("new-ext");
        assertThat(store.getUserByExternalId("new-ext")).contains(updated);
        assertThat(store.getUserByExternalId("old-ext")).isEmpty();
    }

    /**
     * Clearing the external id removes the lookup and frees the value for another user.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateExternalIdToNullClearsIt(DataAccess store) {
        User user = store.createUser(fullUser("to-clear"));

        User updated = store.updateUser(
                user.id(), UserUpdate.builder().externalId(null).build());

        assertThat(updated.externalId()).isNull();
        assertThat(store.getUserByExternalId("to-clear")).isEmpty();
        assertThat(store.getUser(user.id())).contains(updated);
        assertThat(store.createUser(NewUser.withExternalId("to-clear")).externalId())
                .isEqualTo("to-clear");
    }

    /**
     * An update sets the e-mail and name, and {@code null} clears them.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateEmailAndNameSetsAndNullClears(DataAccess store) {
        User user = store.createUser(fullUser("text"));

        User changed = store.updateUser(
                user.id(), UserUpdate.builder().email("b@example.org").name("B").build());
        assertThat(changed.email()).isEqualTo("b@example.org");
        assertThat(changed.name()).isEqualTo("B");

        User cleared = store.updateUser(
                user.id(), UserUpdate.builder().email(null).name(null).build());
        assertThat(cleared.email()).isNull();
        assertThat(cleared.name()).isNull();
        assertThat(store.getUser(user.id())).contains(cleared);
    }

    /**
     * An update replaces the whole profile object, and {@code null} empties it, leaving the preferences alone.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateProfileReplacesTheWholeObjectAndNullEmptiesIt(DataAccess store) {
        User user = store.createUser(fullUser("profile"));

        User replaced = store.updateUser(
                user.id(),
                UserUpdate.builder().profile(object("{\"only\":true}")).build());
        assertThat(replaced.profile()).isEqualTo(object("{\"only\":true}"));
        assertThat(replaced.preferences()).isEqualTo(user.preferences());

        User emptied =
                store.updateUser(user.id(), UserUpdate.builder().profile(null).build());
        assertThat(emptied.profile()).isEqualTo(JsonValues.emptyObject());
        assertThat(store.getUser(user.id())).contains(emptied);
    }

    /**
     * An update replaces the whole preferences object, and {@code null} empties it, leaving the profile alone.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updatePreferencesReplacesTheWholeObjectAndNullEmptiesIt(DataAccess store) {
        User user = store.createUser(fullUser("prefs"));

        User replaced = store.updateUser(
                user.id(),
                UserUpdate.builder()
                        .preferences(object("{\"theme\":\"light\"}"))
                        .build());
        assertThat(replaced.preferences()).isEqualTo(object("{\"theme\":\"light\"}"));
        assertThat(replaced.profile()).isEqualTo(user.profile());

        User emptied = store.updateUser(
                user.id(), UserUpdate.builder().preferences(null).build());
        assertThat(emptied.preferences()).isEqualTo(JsonValues.emptyObject());
        assertThat(store.getUser(user.id())).contains(emptied);
    }

    /**
     * An update stores each user status.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateStatusStoresEachValue(DataAccess store) {
        User user = Fixtures.user(store);

        for (UserStatus status : List.of(UserStatus.DISABLED, UserStatus.DELETED, UserStatus.ACTIVE)) {
            User updated = store.updateUser(
                    user.id(), UserUpdate.builder().status(status).build());
            assertThat(updated.status()).isEqualTo(status);
            assertThat(store.getUser(user.id()).orElseThrow().status()).isEqualTo(status);
        }
    }

    /**
     * An update sets the last activity time truncated to milliseconds, and {@code null} clears it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateLastActiveAtSetsTruncatedAndNullClears(DataAccess store) {
        User user = Fixtures.user(store);
        Instant seen = Instant.parse("2024-05-06T07:08:09.123456789Z");

        User set = store.updateUser(
                user.id(), UserUpdate.builder().lastActiveAt(seen).build());
        assertThat(set.lastActiveAt()).isEqualTo(Instant.parse("2024-05-06T07:08:09.123Z"));
        assertThat(store.getUser(user.id())).contains(set);

        User cleared = store.updateUser(
                user.id(), UserUpdate.builder().lastActiveAt(null).build());
        assertThat(cleared.lastActiveAt()).isNull();
        assertThat(store.getUser(user.id())).contains(cleared);
    }

    /**
     * An update of one field keeps every other field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateUserOfOneFieldKeepsTheOthers(DataAccess store) {
        User user = store.createUser(fullUser("one-field"));

        User updated = store.updateUser(
                user.id(), UserUpdate.builder().name("Only Name").build());

        assertThat(updated)
                .isEqualTo(new User(
                        user.id(),
                        user.externalId(),
                        user.email(),
                        "Only Name",
                        user.profile(),
                        user.preferences(),
                        user.status(),
                        user.createdAt(),
                        updated.updatedAt(),
                        user.lastActiveAt(),
                        user.version() + 1));
    }

    /**
     * Changing the external id to another user's throws DuplicateKeyException and changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void updateExternalIdToAnotherUsersThrowsDuplicateKeyAndChangesNothing(
            DataAccess store, MutableClock clock) {
        store.createUser(NewUser.withExternalId("first"));
        User second = store.createUser(NewUser.withExternalId("second"));
        var before = snapshot(store);
        clock.advance(Duration.ofSeconds(1));

        assertFails(
                DuplicateKeyException.class,
                () -> store.updateUser(
                        second.id(),
                        UserUpdate.builder().externalId("first").name("changed").build()));

        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getUser(second.id())).contains(second);
    }

    /**
     * Setting the external id to its own value succeeds.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateExternalIdToItsOwnValueSucceeds(DataAccess store) {
        User user = store.createUser(NewUser.withExternalId("mine"));

        User updated = store.updateUser(
                user.id(), UserUpdate.builder().externalId("mine").name("n").build());

        assertThat(updated.externalId()).isEqualTo("mine");
        assertThat(store.getUserByExternalId("mine")).contains(updated);
    }

    /**
     * Updating an unknown user throws NotFoundException and writes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateUnknownUserThrowsNotFoundAndWritesNothing(DataAccess store) {
        Fixtures.user(store);
        var before = snapshot(store);

        assertFails(
                NotFoundException.class,
                () -> store.updateUser(
                        UUID.randomUUID(), UserUpdate.builder().name("ghost").build()));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Deleting a user returns true, then false, and false for a user that never existed.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteUserReturnsTrueThenFalse(DataAccess store) {
        User user = Fixtures.user(store);

        assertThat(store.deleteUser(user.id())).isTrue();
        assertThat(store.deleteUser(user.id())).isFalse();
        assertThat(store.deleteUser(UUID.randomUUID(), DeleteMode.PURGE)).isFalse();
    }

    /**
     * A deleted user is gone by id and by external id, and other users stay.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deletedUserIsGoneByIdAndByExternalId(DataAccess store) {
        User user = store.createUser(NewUser.withExternalId("gone"));
        User other = store.createUser(NewUser.withExternalId("stays"));

        store.deleteUser(user.id());

        assertThat(store.getUser(user.id())).isEmpty();
        assertThat(store.getUserByExternalId("gone")).isEmpty();
        assertThat(store.getUser(other.id())).contains(other);
    }

    /**
     * An external id may be used again after its user is deleted, by a user with a new id.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void externalIdCanBeReusedAfterDelete(DataAccess store) {
        User user = store.createUser(NewUser.withExternalId("recycled"));
        store.deleteUser(user.id());

        User again = store.createUser(NewUser.withExternalId("recycled"));

        assertThat(again.id()).isNotEqualTo(user.id());
        assertThat(store.getUserByExternalId("recycled")).contains(again);
    }

    /**
     * Deleting a user with KEEP_SESSIONS detaches the user's sessions and keeps their messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteUserKeepSessionsDetachesSessionsAndKeepsMessages(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        List<Message> messages = Fixtures.messages(store, session.chatId(), 3);

        assertThat(store.deleteUser(user.id(), DeleteMode.KEEP_SESSIONS)).isTrue();

        ChatSession kept = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(kept.userId()).isNull();
        assertThat(kept.id()).isEqualTo(session.id());
        assertThat(kept.messageCount()).isEqualTo(3);
        assertThat(store.getChatHistory(session.chatId(), 10, 0)).isEqualTo(messages);
        assertThat(store.listUserSessions(user.id(), 10, 0)).isEmpty();
    }

    /**
     * Deleting a user in the default mode keeps the user's sessions, detached, with their messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteUserDefaultModeKeepsSessions(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        Fixtures.messages(store, session.chatId(), 2);

        store.deleteUser(user.id());

        assertThat(store.getChatSession(session.chatId())).hasValueSatisfying(s -> {
            assertThat(s.userId()).isNull();
            assertThat(s.messageCount()).isEqualTo(2);
        });
        assertThat(store.getMessageCount(session.chatId())).isEqualTo(2);
    }

    /**
     * Deleting a user deletes that user's memory and no one else's.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteUserDeletesTheirMemoryAndNoOneElses(DataAccess store) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        store.setUserMemory(user.id(), "context", "a", Fixtures.F.textNode("x"));
        store.setUserMemory(user.id(), "preferences", "b", Fixtures.F.numberNode(1));
        store.setUserMemory(other.id(), "context", "a", Fixtures.F.textNode("y"));

        store.deleteUser(user.id());

        assertThat(store.getUserMemory(user.id(), "context")).isEmpty();
        assertThat(store.getUserMemory(user.id(), "preferences")).isEmpty();
        assertThat(snapshot(store).memory()).extracting(m -> m.userId()).containsExactly(other.id());
        assertThat(store.getUserMemory(other.id(), "context", "a")).isPresent();
    }

    /**
     * Deleting a user with PURGE removes the user's sessions and their messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteUserPurgeRemovesTheirSessionsAndMessages(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession first = Fixtures.session(store, user.id());
        ChatSession second = Fixtures.session(store, user.id());
        Fixtures.messages(store, first.chatId(), 3);
        Fixtures.messages(store, second.chatId(), 2);

        assertThat(store.deleteUser(user.id(), DeleteMode.PURGE)).isTrue();

        assertThat(store.getChatSession(first.chatId())).isEmpty();
        assertThat(store.getChatSession(second.chatId())).isEmpty();
        assertThat(store.getChatHistory(first.chatId(), 10, 0)).isEmpty();
        assertThat(store.getMessageCount(second.chatId())).isZero();
        var after = snapshot(store);
        assertThat(after.sessions()).isEmpty();
        assertThat(after.messages()).isEmpty();
        assertThat(after.users()).isEmpty();
    }

    /**
     * Deleting a user with PURGE leaves other users' sessions and unowned sessions alone.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteUserPurgeLeavesOtherUsersSessionsAlone(DataAccess store) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        Fixtures.messages(store, Fixtures.session(store, user.id()).chatId(), 2);
        ChatSession theirs = Fixtures.session(store, other.id());
        ChatSession unowned = Fixtures.session(store);
        List<Message> theirMessages = Fixtures.messages(store, theirs.chatId(), 2);
        List<Message> unownedMessages = Fixtures.messages(store, unowned.chatId(), 1);

        store.deleteUser(user.id(), DeleteMode.PURGE);

        assertThat(store.getChatHistory(theirs.chatId(), 10, 0)).isEqualTo(theirMessages);
        assertThat(store.getChatHistory(unowned.chatId(), 10, 0)).isEqualTo(unownedMessages);
        assertThat(store.getUser(other.id())).isPresent();
        assertThat(snapshot(store).sessions())
                .extracting(ChatSession::id)
                .containsExactlyInAnyOrder(theirs.id(), unowned.id());
    }

    /**
     * Sessions of a deleted user can be given to another user.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deletedUserSessionsCanBeReassignedToAnotherUser(DataAccess store) {
        User user = Fixtures.user(store);
        User heir = Fixtures.user(store);
        ChatSession session = store.createChatSession(NewChatSession.of("inherit", user.id()));
        store.deleteUser(user.id());

        ChatSession moved = store.updateChatSession(
                "inherit", ChatSessionUpdate.builder().userId(heir.id()).build());

        assertThat(moved.userId()).isEqualTo(heir.id());
        assertThat(store.listUserSessions(heir.id(), 10, 0))
                .extracting(ChatSession::id)
                .containsExactly(session.id());
    }
}
