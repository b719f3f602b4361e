package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.now;
import static dev.dal.testkit.Fixtures.object;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HistoryQuery;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NotFoundException;
import dev.dal.api.SessionOverview;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Chat sessions: create, read, update and delete by chat id; a user's session listings. */
public interface SessionContract extends ConformanceTest {

    private static List<ChatSession> sessionsOf(DataAccess store, UUID userId, int count, MutableClock clock) {
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sessions.add(Fixtures.session(store, userId));
            clock.advance(Duration.ofSeconds(1));
        }
        return sessions;
    }

    private static List<UUID> ids(List<ChatSession> sessions) {
        return sessions.stream().map(ChatSession::id).toList();
    }

    /**
     * A session created with only a chat id gets a UUID version 7 id, no owner or title, the default profile, empty
     * metadata, ACTIVE status, no messages and the clock's time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void createChatSessionAppliesDefaults(DataAccess store, MutableClock clock) {
        ChatSession session = store.createChatSession(NewChatSession.of("defaults"));

        assertThat(session.id()).isNotNull();
        assertThat(session.id().version()).isEqualTo(7);
        assertThat(session.chatId()).isEqualTo("defaults");
        assertThat(session.userId()).isNull();
        assertThat(session.title()).isNull();
        assertThat(session.profile()).isEqualTo(ChatSession.DEFAULT_PROFILE).isEqualTo("general");
        assertThat(session.metadata()).isEqualTo(JsonValues.emptyObject());
        assertThat(session.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(session.messageCount()).isZero();
        assertThat(session.lastMessageAt()).isNull();
        assertThat(session.createdAt()).isEqualTo(now(clock));
        assertThat(session.updatedAt()).isEqualTo(now(clock));
    }

    /**
     * A created session keeps every field given and reads back equal.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void createChatSessionRoundTripsEveryField(DataAccess store) {
        User user = Fixtures.user(store);

        ChatSession session = store.createChatSession(new NewChatSession(
                "full",
                user.id(),
                "Trip planning",
                "travel",
                object("{\"source\":\"web\",\"ab\":[1,2],\"nested\":{\"x\":null}}")));

        assertThat(session.userId()).isEqualTo(user.id());
        assertThat(session.title()).isEqualTo("Trip planning");
        assertThat(session.profile()).isEqualTo("travel");
        assertThat(session.metadata()).isEqualTo(object("{\"source\":\"web\",\"ab\":[1,2],\"nested\":{\"x\":null}}"));
        assertThat(store.getChatSession("full")).contains(session);
    }

    /**
     * Reading a session by chat id returns the record as created.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getChatSessionReadsBackTheCreatedRecord(DataAccess store) {
        ChatSession session = store.createChatSession(new NewChatSession("read", null, "t", null, null));

        assertThat(store.getChatSession("read")).contains(session);
    }

    /**
     * Reading an unknown chat id is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getUnknownChatSessionIsEmpty(DataAccess store) {
        Fixtures.session(store);

        assertThat(store.getChatSession("no-such-chat")).isEmpty();
    }

    /**
     * Creating a session with a chat id already in use throws DuplicateKeyException and keeps the original.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void duplicateChatIdThrowsDuplicateKeyAndKeepsTheOriginal(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession original = store.createChatSession(NewChatSession.of("dup"));
        var before = snapshot(store);

        assertFails(
                DuplicateKeyException.class,
                () -> store.createChatSession(new NewChatSession("dup", user.id(), "other", "x", null)));

        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getChatSession("dup")).contains(original);
    }

    /**
     * Creating a session for an unknown user throws NotFoundException and writes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void createChatSessionForUnknownUserThrowsNotFoundAndWritesNothing(DataAccess store) {
        Fixtures.user(store);
        var before = snapshot(store);

        assertFails(
                NotFoundException.class, () -> store.createChatSession(NewChatSession.of("orphan", UUID.randomUUID())));

        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getChatSession("orphan")).isEmpty();
    }

    /**
     * An update sets the title, and a {@code null} title clears it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateTitleSetsAndNullClears(DataAccess store) {
        ChatSession session = store.createChatSession(new NewChatSession("titled", null, "Old", null, null));

        assertThat(store.updateChatSession(
                                "titled",
                                ChatSessionUpdate.builder().title("New").build())
                        .title())
                .isEqualTo("New");
        ChatSession cleared = store.updateChatSession(
                "titled", ChatSessionUpdate.builder().title(null).build());

        assertThat(cleared.title()).isNull();
        assertThat(cleared.id()).isEqualTo(session.id());
        assertThat(store.getChatSession("titled")).contains(cleared);
    }

    /**
     * An update sets the profile, and a {@code null} profile resets it to the default.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateProfileSetsAndNullResetsToDefault(DataAccess store) {
        store.createChatSession(NewChatSession.of("profiled"));

        assertThat(store.updateChatSession(
                                "profiled",
                                ChatSessionUpdate.builder().profile("coding").build())
                        .profile())
                .isEqualTo("coding");
        assertThat(store.getChatSession("profiled").orElseThrow().profile()).isEqualTo("coding");
        ChatSession reset = store.updateChatSession(
                "profiled", ChatSessionUpdate.builder().profile(null).build());

        assertThat(reset.profile()).isEqualTo(ChatSession.DEFAULT_PROFILE);
        assertThat(store.getChatSession("profiled")).contains(reset);
    }

    /**
     * An update replaces the whole metadata object, and {@code null} empties it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateMetadataReplacesTheWholeObjectAndNullEmptiesIt(DataAccess store) {
        store.createChatSession(new NewChatSession("meta", null, null, null, object("{\"a\":1,\"b\":2}")));

        ChatSession replaced = store.updateChatSession(
                "meta",
                ChatSessionUpdate.builder().metadata(object("{\"c\":3}")).build());
        assertThat(replaced.metadata()).isEqualTo(object("{\"c\":3}"));

        ChatSession emptied = store.updateChatSession(
                "meta", ChatSessionUpdate.builder().metadata(null).build());
        assertThat(emptied.metadata()).isEqualTo(JsonValues.emptyObject());
        assertThat(store.getChatSession("meta")).contains(emptied);
    }

    /**
     * An update archives a session and reactivates it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateStatusArchivesAndReactivates(DataAccess store) {
        store.createChatSession(NewChatSession.of("status"));

        assertThat(store.updateChatSession(
                                "status",
                                ChatSessionUpdate.builder()
                                        .status(SessionStatus.ARCHIVED)
                                        .build())
                        .status())
                .isEqualTo(SessionStatus.ARCHIVED);
        assertThat(store.getChatSession("status").orElseThrow().status()).isEqualTo(SessionStatus.ARCHIVED);
        assertThat(store.updateChatSession(
                                "status",
                                ChatSessionUpdate.builder()
                                        .status(SessionStatus.ACTIVE)
                                        .build())
                        .status())
                .isEqualTo(SessionStatus.ACTIVE);
    }

    /**
     * An update moves a session between users, and a {@code null} owner detaches it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateUserIdMovesTheSessionBetweenUsersAndNullDetaches(DataAccess store) {
        User first = Fixtures.user(store);
        User second = Fixtures.user(store);
        ChatSession session = store.createChatSession(NewChatSession.of("moving", first.id()));

        ChatSession moved = store.updateChatSession(
                "moving", ChatSessionUpdate.builder().userId(second.id()).build());
        assertThat(moved.userId()).isEqualTo(second.id());
        assertThat(store.listUserSessions(first.id(), 10, 0)).isEmpty();
        assertThat(ids(store.listUserSessions(second.id(), 10, 0))).containsExactly(session.id());

        ChatSession detached = store.updateChatSession(
                "moving", ChatSessionUpdate.builder().userId(null).build());
        assertThat(detached.userId()).isNull();
        assertThat(store.listUserSessions(second.id(), 10, 0)).isEmpty();
        assertThat(store.getChatSession("moving")).contains(detached);
    }

    /**
     * An update of one field keeps every other field.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateSessionOfOneFieldKeepsTheOthers(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = store.createChatSession(
                new NewChatSession("keep-others", user.id(), "Title", "coding", object("{\"m\":true}")));

        ChatSession updated = store.updateChatSession(
                "keep-others", ChatSessionUpdate.builder().title("T2").build());

        assertThat(updated)
                .isEqualTo(new ChatSession(
                        session.id(),
                        "keep-others",
                        user.id(),
                        "T2",
                        "coding",
                        object("{\"m\":true}"),
                        SessionStatus.ACTIVE,
                        session.createdAt(),
                        updated.updatedAt(),
                        null,
                        0,
                        2));
    }

    /**
     * An update moves the update time to the clock and keeps the creation time and the message counters.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void updateMovesUpdatedAtAndKeepsCreatedAtAndMessageCounters(DataAccess store, MutableClock clock) {
        ChatSession session = Fixtures.session(store);
        clock.advance(Duration.ofSeconds(10));
        List<Message> messages = Fixtures.messages(store, session.chatId(), 2);
        clock.advance(Duration.ofSeconds(10));

        ChatSession updated = store.updateChatSession(
                session.chatId(), ChatSessionUpdate.builder().title("x").build());

        assertThat(updated.createdAt()).isEqualTo(session.createdAt());
        assertThat(updated.updatedAt()).isEqualTo(now(clock));
        assertThat(updated.messageCount()).isEqualTo(2);
        assertThat(updated.lastMessageAt()).isEqualTo(messages.get(1).createdAt());
        assertThat(store.getChatSession(session.chatId())).contains(updated);
    }

    /**
     * Updating an unknown chat id throws NotFoundException and changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateUnknownChatSessionThrowsNotFound(DataAccess store) {
        Fixtures.session(store);
        var before = snapshot(store);

        assertFails(
                NotFoundException.class,
                () -> store.updateChatSession(
                        "missing", ChatSessionUpdate.builder().title("t").build()));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Updating a session to an unknown owner throws NotFoundException and changes nothing, not even the other fields.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void updateToUnknownUserThrowsNotFoundAndChangesNothing(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = store.createChatSession(NewChatSession.of("owned", user.id()));
        var before = snapshot(store);

        assertFails(
                NotFoundException.class,
                () -> store.updateChatSession(
                        "owned",
                        ChatSessionUpdate.builder()
                                .userId(UUID.randomUUID())
                                .title("changed")
                                .build()));

        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getChatSession("owned")).contains(session);
    }

    /**
     * Deleting a session returns true, then false, and false for a chat id that never existed.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteChatSessionReturnsTrueThenFalse(DataAccess store) {
        store.createChatSession(NewChatSession.of("bye"));

        assertThat(store.deleteChatSession("bye")).isTrue();
        assertThat(store.getChatSession("bye")).isEmpty();
        assertThat(store.deleteChatSession("bye")).isFalse();
        assertThat(store.deleteChatSession("never-was")).isFalse();
    }

    /**
     * Deleting a session deletes its own messages and no others.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteChatSessionDeletesItsMessagesOnly(DataAccess store) {
        ChatSession doomed = Fixtures.session(store);
        ChatSession kept = Fixtures.session(store);
        Fixtures.messages(store, doomed.chatId(), 4);
        List<Message> keptMessages = Fixtures.messages(store, kept.chatId(), 2);

        store.deleteChatSession(doomed.chatId());

        assertThat(store.getChatHistory(doomed.chatId(), 10, 0)).isEmpty();
        assertThat(store.getMessageCount(doomed.chatId())).isZero();
        assertThat(snapshot(store).messages()).isEqualTo(keptMessages);
    }

    /**
     * A chat id may be used again after its session is deleted; the new session has a new id and starts again at
     * sequence number 1.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void chatIdCanBeReusedAfterDeleteAndStartsAgainAtSequenceOne(DataAccess store) {
        ChatSession first = store.createChatSession(NewChatSession.of("again"));
        Fixtures.messages(store, "again", 3);
        store.deleteChatSession("again");

        ChatSession second = store.createChatSession(NewChatSession.of("again"));
        Message message = store.addMessage("again", NewMessage.user("hello again"));

        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(second.messageCount()).isZero();
        assertThat(message.sequenceNumber()).isEqualTo(1);
        assertThat(message.sessionId()).isEqualTo(second.id());
        assertThat(store.getChatHistory("again", 10, 0)).containsExactly(message);
    }

    /**
     * A session read reports its current message count and last message time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getChatSessionReportsTheCurrentMessageCount(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<Message> messages = Fixtures.messages(store, session.chatId(), 5);

        ChatSession read = store.getChatSession(session.chatId()).orElseThrow();

        assertThat(read.messageCount()).isEqualTo(5);
        assertThat(read.lastMessageAt()).isEqualTo(messages.get(4).createdAt());
    }

    /**
     * A user's sessions are listed by last activity, newest first.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void listUserSessionsOrdersByLastActivityNewestFirst(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = sessionsOf(store, user.id(), 3, clock);
        store.addMessage(sessions.get(0).chatId(), NewMessage.user("wake up"));

        List<ChatSession> listed = store.listUserSessions(user.id(), 10, 0);

        assertThat(ids(listed))
                .containsExactly(
                        sessions.get(0).id(),
                        sessions.get(2).id(),
                        sessions.get(1).id());
        assertThat(listed).isSortedAccordingTo(Fixtures.listingOrder());
    }

    /**
     * Sessions with the same last activity are listed by id, newest first.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listUserSessionsBreaksTiesByIdNewestFirst(DataAccess store) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sessions.add(Fixtures.session(store, user.id()));
        }

        List<ChatSession> listed = store.listUserSessions(user.id(), 10, 0);

        List<ChatSession> expected = new ArrayList<>(sessions);
        expected.sort(Fixtures.listingOrder());
        assertThat(ids(listed)).isEqualTo(ids(expected));
        assertThat(listed.get(0).id()).isEqualTo(sessions.get(4).id());
    }

    /**
     * A listing returns the sessions' current records.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void listUserSessionsReturnsCurrentRecords(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = sessionsOf(store, user.id(), 2, clock);
        Fixtures.messages(store, sessions.get(1).chatId(), 2);
        store.updateChatSession(
                sessions.get(0).chatId(),
                ChatSessionUpdate.builder().title("renamed").build());

        List<ChatSession> listed = store.listUserSessions(user.id(), 10, 0);

        assertThat(listed)
                .containsExactly(
                        store.getChatSession(sessions.get(1).chatId()).orElseThrow(),
                        store.getChatSession(sessions.get(0).chatId()).orElseThrow());
    }

    /**
     * Listing pages by limit and offset concatenate to the whole listing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void listUserSessionsPagesByLimitAndOffset(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        sessionsOf(store, user.id(), 7, clock);
        List<ChatSession> all = store.listUserSessions(user.id(), 100, 0);

        List<ChatSession> paged = new ArrayList<>();
        for (int offset = 0; offset < 7; offset += 3) {
            paged.addAll(store.listUserSessions(user.id(), 3, offset));
        }

        assertThat(all).hasSize(7);
        assertThat(paged).isEqualTo(all);
        assertThat(store.listUserSessions(user.id(), 2, 3)).isEqualTo(all.subList(3, 5));
    }

    /**
     * The last listing page is partial, and a page beyond the end is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void listUserSessionsLastPageIsPartialAndBeyondIsEmpty(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        sessionsOf(store, user.id(), 5, clock);
        List<ChatSession> all = store.listUserSessions(user.id(), 100, 0);

        assertThat(store.listUserSessions(user.id(), 3, 3)).isEqualTo(all.subList(3, 5));
        assertThat(store.listUserSessions(user.id(), 3, 5)).isEmpty();
        assertThat(store.listUserSessions(user.id(), 3, 500)).isEmpty();
        assertThat(store.listUserSessions(user.id(), 1, 4)).containsExactly(all.get(4));
    }

    /**
     * A listing holds only that user's sessions.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listUserSessionsReturnsOnlyThatUsersSessions(DataAccess store) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        ChatSession mine = Fixtures.session(store, user.id());
        Fixtures.session(store, other.id());
        Fixtures.session(store);

        assertThat(ids(store.listUserSessions(user.id(), 10, 0))).containsExactly(mine.id());
    }

    /**
     * Listings of an unknown user are empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listUserSessionsOfUnknownUserIsEmpty(DataAccess store) {
        Fixtures.session(store, Fixtures.user(store).id());

        assertThat(store.listUserSessions(UUID.randomUUID(), 10, 0)).isEmpty();
        assertThat(store.listUserSessionsWithLastMessage(UUID.randomUUID(), 10, 0))
                .isEmpty();
    }

    /**
     * Updating a session's own fields does not change its position in the listing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void updatingASessionDoesNotChangeItsListPosition(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = sessionsOf(store, user.id(), 3, clock);
        List<UUID> before = ids(store.listUserSessions(user.id(), 10, 0));

        store.updateChatSession(
                sessions.get(0).chatId(),
                ChatSessionUpdate.builder().title("touched").build());

        assertThat(ids(store.listUserSessions(user.id(), 10, 0))).isEqualTo(before);
    }

    /**
     * Adding a message moves its session to the front of the listing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void addingAMessageMovesTheSessionToTheFront(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = sessionsOf(store, user.id(), 4, clock);

        store.addMessage(sessions.get(1).chatId(), NewMessage.user("bump"));

        assertThat(store.listUserSessions(user.id(), 1, 0))
                .extracting(ChatSession::id)
                .containsExactly(sessions.get(1).id());
    }

    /**
     * The listing with last messages returns the same sessions, page by page, as the plain listing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void listWithLastMessageReturnsTheSamePageAsListUserSessions(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = sessionsOf(store, user.id(), 6, clock);
        Fixtures.messages(store, sessions.get(2).chatId(), 3);
        clock.advance(Duration.ofSeconds(1));
        Fixtures.messages(store, sessions.get(4).chatId(), 1);

        for (int[] page : new int[][] {{10, 0}, {2, 0}, {2, 2}, {4, 3}, {3, 6}}) {
            List<ChatSession> plain = store.listUserSessions(user.id(), page[0], page[1]);
            List<SessionOverview> rich = store.listUserSessionsWithLastMessage(user.id(), page[0], page[1]);
            assertThat(rich)
                    .extracting(SessionOverview::session)
                    .as("page %s/%s", page[0], page[1])
                    .isEqualTo(plain);
        }
    }

    /**
     * The listing with last messages carries each session's newest message.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void listWithLastMessageCarriesEachSessionsNewestMessage(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = sessionsOf(store, user.id(), 3, clock);
        List<Message> first = Fixtures.messages(store, sessions.get(0).chatId(), 4);
        clock.advance(Duration.ofSeconds(1));
        List<Message> second =
                store.addMessages(sessions.get(1).chatId(), List.of(NewMessage.user("q"), NewMessage.assistant("a")));

        List<SessionOverview> listed = store.listUserSessionsWithLastMessage(user.id(), 10, 0);

        assertThat(listed).hasSize(3);
        assertThat(listed.get(0).session().id()).isEqualTo(sessions.get(1).id());
        assertThat(listed.get(0).lastMessage()).isEqualTo(second.get(1));
        assertThat(listed.get(1).session().id()).isEqualTo(sessions.get(0).id());
        assertThat(listed.get(1).lastMessage()).isEqualTo(first.get(3));
        assertThat(listed.get(1).lastMessage())
                .isEqualTo(store.getChatHistory(sessions.get(0).chatId(), HistoryQuery.latest(1))
                        .get(0));
    }

    /**
     * In the listing with last messages, a session without messages has no last message.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listWithLastMessageHasNoMessageForAnEmptySession(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession empty = Fixtures.session(store, user.id());

        List<SessionOverview> listed = store.listUserSessionsWithLastMessage(user.id(), 10, 0);

        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).session()).isEqualTo(empty);
        assertThat(listed.get(0).lastMessage()).isNull();
        assertThat(listed.get(0).findLastMessage()).isEmpty();
    }

    /**
     * A session's creation and update times follow the store's clock.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void sessionTimestampsFollowTheClock(DataAccess store, MutableClock clock) {
        Instant created = now(clock);
        ChatSession session = Fixtures.session(store);
        clock.advance(Duration.ofMillis(1500));

        ChatSession updated = store.updateChatSession(
                session.chatId(),
                ChatSessionUpdate.builder().status(SessionStatus.ARCHIVED).build());

        assertThat(session.createdAt()).isEqualTo(created);
        assertThat(updated.updatedAt()).isEqualTo(created.plusMillis(1500));
    }
}
