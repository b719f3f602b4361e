package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.now;
import static dev.dal.testkit.Fixtures.object;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NotFoundException;
import dev.dal.api.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Messages: sequence numbers, counters, atomic batches, counts; unknown sessions. */
public interface MessageContract extends ConformanceTest {

    /**
     * Messages added to a session are numbered from 1 and belong to that session.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessageAssignsSequenceNumbersFromOne(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        List<Message> messages = Fixtures.messages(store, session.chatId(), 5);

        assertThat(messages).extracting(Message::sequenceNumber).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(messages).allSatisfy(m -> assertThat(m.sessionId()).isEqualTo(session.id()));
    }

    /**
     * An added message keeps every field given, gets a time-ordered UUID version 7 id and the clock's time, and reads
     * back equal.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void addMessageRoundTripsEveryField(DataAccess store, MutableClock clock) {
        ChatSession session = Fixtures.session(store);
        NewMessage input = new NewMessage(
                Role.ASSISTANT,
                "Hello, Ada.\nHow can I help?",
                object("{\"model\":\"m-1\",\"latencyMs\":42,\"tools\":[\"search\"]}"),
                17,
                true);

        Message message = store.addMessage(session.chatId(), input);

        assertThat(message.id()).isNotNull();
        assertThat(message.id().version()).isEqualTo(7);
        assertThat(message.sessionId()).isEqualTo(session.id());
        assertThat(message.sequenceNumber()).isEqualTo(1);
        assertThat(message.role()).isEqualTo(Role.ASSISTANT);
        assertThat(message.content()).isEqualTo("Hello, Ada.\nHow can I help?");
        assertThat(message.metadata()).isEqualTo(object("{\"model\":\"m-1\",\"latencyMs\":42,\"tools\":[\"search\"]}"));
        assertThat(message.tokenCount()).isEqualTo(17);
        assertThat(message.abuseFlagged()).isTrue();
        assertThat(message.createdAt()).isEqualTo(now(clock));
        assertThat(store.getChatHistory(session.chatId(), 10, 0)).containsExactly(message);
    }

    /**
     * A message added without metadata, token count or flag gets an empty object, {@code null} and {@code false}.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessageAppliesDefaults(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        Message message = store.addMessage(session.chatId(), NewMessage.user("plain"));

        assertThat(message.metadata()).isEqualTo(JsonValues.emptyObject());
        assertThat(message.tokenCount()).isNull();
        assertThat(message.abuseFlagged()).isFalse();
        assertThat(store.getChatHistory(session.chatId(), 10, 0)).containsExactly(message);
    }

    /**
     * A message may have every role.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessageAcceptsEveryRole(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        for (Role role : Role.values()) {
            store.addMessage(session.chatId(), NewMessage.of(role, "from " + role.wireName()));
        }

        assertThat(store.getChatHistory(session.chatId(), 10, 0))
                .extracting(Message::role)
                .containsExactly(Role.values());
    }

    /**
     * A message may have empty content.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessageAcceptsEmptyContent(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        Message message = store.addMessage(session.chatId(), NewMessage.assistant(""));

        assertThat(message.content()).isEmpty();
        assertThat(store.getChatHistory(session.chatId(), 10, 0)).containsExactly(message);
    }

    /**
     * Content of the default maximum length is accepted and read back unchanged.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessageAcceptsContentOfTheDefaultMaximumLength(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        int max = DalConfig.builder().build().maxContentLength();
        StringBuilder content = new StringBuilder(max);
        while (content.length() < max) {
            content.append("abcdefghij\u00e9\u4e2d ".charAt(content.length() % 13));
        }

        Message message = store.addMessage(session.chatId(), NewMessage.user(content.toString()));

        assertThat(message.content()).hasSize(max);
        assertThat(store.getChatHistory(session.chatId(), 1, 0).get(0).content())
                .isEqualTo(content.toString());
    }

    /**
     * Content length is counted in code points, so the maximum holds as many emoji as letters, and one more is
     * rejected.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void contentLengthIsCountedInCodePoints(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        int max = DalConfig.builder().build().maxContentLength();
        String emoji = "\ud83d\ude00".repeat(max);

        Message message = store.addMessage(session.chatId(), NewMessage.user(emoji));

        assertThat(message.content()).hasSize(2 * max);
        assertThat(store.getChatHistory(session.chatId(), 1, 0).get(0).content())
                .isEqualTo(emoji);
        Fixtures.assertRejected(
                store,
                "message.content",
                () -> store.addMessage(session.chatId(), NewMessage.user(emoji + "\ud83d\ude00")));
    }

    /**
     * Adding a message moves the session's message count and last message time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void addMessageMovesMessageCountAndLastMessageAt(DataAccess store, MutableClock clock) {
        ChatSession session = Fixtures.session(store);
        clock.advance(Duration.ofSeconds(30));
        store.addMessage(session.chatId(), NewMessage.user("one"));
        clock.advance(Duration.ofSeconds(30));
        Message second = store.addMessage(session.chatId(), NewMessage.assistant("two"));

        ChatSession read = store.getChatSession(session.chatId()).orElseThrow();

        assertThat(read.messageCount()).isEqualTo(2);
        assertThat(read.lastMessageAt()).isEqualTo(second.createdAt()).isEqualTo(now(clock));
        assertThat(read.lastActivityAt()).isEqualTo(now(clock));
    }

    /**
     * Adding a message changes none of the session's own fields.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void addMessageDoesNotChangeTheSessionsOwnFields(DataAccess store, MutableClock clock) {
        ChatSession session = store.createChatSession(
                new NewChatSession("own-fields", Fixtures.user(store).id(), "t", "p", object("{\"a\":1}")));
        clock.advance(Duration.ofMinutes(1));

        Message message = store.addMessage("own-fields", NewMessage.user("x"));

        assertThat(store.getChatSession("own-fields")).contains(session.withMessages(1, message.createdAt()));
    }

    /**
     * Adding a message to an unknown chat id throws NotFoundException and writes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessageOnUnknownChatIdThrowsNotFound(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        assertFails(NotFoundException.class, () -> store.addMessage("no-such-chat", NewMessage.user("hi")));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * A batch of messages gets consecutive sequence numbers after the existing ones, in the order given.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessagesAssignsConsecutiveNumbersAfterExistingOnes(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        Fixtures.messages(store, session.chatId(), 2);

        List<Message> added = store.addMessages(
                session.chatId(),
                List.of(NewMessage.user("q"), NewMessage.assistant("a"), NewMessage.of(Role.TOOL, "t")));

        assertThat(added).extracting(Message::sequenceNumber).containsExactly(3L, 4L, 5L);
        assertThat(added).extracting(Message::content).containsExactly("q", "a", "t");
        assertThat(store.addMessage(session.chatId(), NewMessage.user("next")).sequenceNumber())
                .isEqualTo(6);
    }

    /**
     * A batch of messages is stored at one time, with its metadata, and moves the session's counters.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void addMessagesStoresAllAtOneTimeAndMovesCounters(DataAccess store, MutableClock clock) {
        ChatSession session = Fixtures.session(store);
        clock.advance(Duration.ofSeconds(2));

        List<Message> added = store.addMessages(
                session.chatId(),
                List.of(NewMessage.user("q").withMetadata(object("{\"n\":1}")), NewMessage.assistant("a")));

        assertThat(added).extracting(Message::createdAt).containsOnly(now(clock));
        assertThat(added.get(0).metadata()).isEqualTo(object("{\"n\":1}"));
        assertThat(store.getChatHistory(session.chatId(), 10, 0)).isEqualTo(added);
        ChatSession read = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(read.messageCount()).isEqualTo(2);
        assertThat(read.lastMessageAt()).isEqualTo(now(clock));
    }

    /**
     * A batch with an invalid later message is rejected, naming that message, and writes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessagesWithAnInvalidLaterElementWritesNothing(DataAccess store) {
        Fixtures.Seed seed = Fixtures.seed(store);
        List<NewMessage> batch =
                List.of(NewMessage.user("fine"), NewMessage.assistant("fine too"), NewMessage.user("bad\u0000content"));

        Fixtures.assertRejected(
                store,
                "messages[2].content",
                () -> store.addMessages(seed.session().chatId(), batch));

        assertThat(store.getMessageCount(seed.session().chatId())).isEqualTo(3);
    }

    /**
     * A batch on an unknown chat id throws NotFoundException and writes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessagesOnUnknownChatIdThrowsNotFoundAndWritesNothing(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        assertFails(
                NotFoundException.class,
                () -> store.addMessages("no-such-chat", List.of(NewMessage.user("a"), NewMessage.assistant("b"))));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * A large batch of messages is accepted and numbered without gaps.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void addMessagesAcceptsALargeBatch(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        List<Message> added = Fixtures.manyMessages(store, session.chatId(), 2500);

        assertThat(added)
                .extracting(Message::sequenceNumber)
                .isEqualTo(LongStream.rangeClosed(1, 2500).boxed().toList());
        assertThat(store.getMessageCount(session.chatId())).isEqualTo(2500);
        assertThat(store.getChatSession(session.chatId()).orElseThrow().messageCount())
                .isEqualTo(2500);
    }

    /**
     * Each session numbers its messages on its own.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void sequenceNumbersAreIndependentPerSession(DataAccess store) {
        ChatSession a = Fixtures.session(store);
        ChatSession b = Fixtures.session(store);

        Fixtures.messages(store, a.chatId(), 3);
        Message firstOfB = store.addMessage(b.chatId(), NewMessage.user("b1"));
        Message fourthOfA = store.addMessage(a.chatId(), NewMessage.user("a4"));

        assertThat(firstOfB.sequenceNumber()).isEqualTo(1);
        assertThat(fourthOfA.sequenceNumber()).isEqualTo(4);
        assertThat(store.getMessageCount(a.chatId())).isEqualTo(4);
        assertThat(store.getMessageCount(b.chatId())).isEqualTo(1);
    }

    /**
     * The message count counts the session's messages, whether added alone or in batches.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getMessageCountCountsTheSessionsMessages(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        assertThat(store.getMessageCount(session.chatId())).isZero();

        Fixtures.messages(store, session.chatId(), 4);
        store.addMessages(session.chatId(), List.of(NewMessage.user("x"), NewMessage.user("y")));

        assertThat(store.getMessageCount(session.chatId())).isEqualTo(6);
        assertThat(store.getChatSession(session.chatId()).orElseThrow().messageCount())
                .isEqualTo(6);
    }

    /**
     * Reads of an unknown chat id are empty or zero.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void readsOfAnUnknownChatIdAreEmpty(DataAccess store) {
        Fixtures.seed(store);

        assertThat(store.getMessageCount("no-such-chat")).isZero();
        assertThat(store.getChatHistory("no-such-chat", 10, 0)).isEmpty();
        assertThat(store.getChatSession("no-such-chat")).isEmpty();
    }

    /**
     * Message ids are distinct, time-ordered UUID version 7 ids.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void messageIdsAreDistinctAndTimeOrdered(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        List<Message> messages = new ArrayList<>(Fixtures.messages(store, session.chatId(), 10));
        messages.addAll(store.addMessages(session.chatId(), List.of(NewMessage.user("a"), NewMessage.user("b"))));

        assertThat(messages)
                .extracting(m -> m.id().toString())
                .doesNotHaveDuplicates()
                .isSorted();
        assertThat(messages).allSatisfy(m -> assertThat(m.id().version()).isEqualTo(7));
    }

    /**
     * Message content round-trips exactly, whitespace, line breaks and control characters included.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void messageContentRoundTripsExactly(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<String> contents = List.of(
                "  leading and trailing spaces  ",
                "\r\nwindows\r\nlines\r\n",
                "\ttabs\t",
                "tr\u00e8s \u00e9l\u00e9gant",
                "\u4f60\u597d\uff0c\u4e16\u754c",
                "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
                "emoji \ud83d\udc4b\ud83c\udffd \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67",
                "e\u0301 vs \u00e9",
                "quotes \" ' ` and backslash \\ and \\\\",
                "{\"looks\":\"like json\"}",
                "\u2028\u2029\u0085\u00a0\ufeff",
                "control \u0001\u0002\u001f\u007f");

        List<Message> added = new ArrayList<>();
        for (String content : contents) {
            added.add(store.addMessage(session.chatId(), NewMessage.user(content)));
        }

        assertThat(store.getChatHistory(session.chatId(), 100, 0))
                .extracting(Message::content)
                .isEqualTo(contents);
        assertThat(added).extracting(Message::content).isEqualTo(contents);
    }

    /**
     * A token count of {@code null}, zero or the largest int round-trips.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void tokenCountNullZeroAndLargeRoundTrip(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        store.addMessage(session.chatId(), new NewMessage(Role.USER, "a", null, null, false));
        store.addMessage(session.chatId(), new NewMessage(Role.USER, "b", null, 0, false));
        store.addMessage(session.chatId(), new NewMessage(Role.USER, "c", null, Integer.MAX_VALUE, false));

        assertThat(store.getChatHistory(session.chatId(), 10, 0))
                .extracting(Message::tokenCount)
                .containsExactly(null, 0, Integer.MAX_VALUE);
    }

    /**
     * Each message keeps the time it was added.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void messagesKeepTheTimeTheyWereAdded(DataAccess store, MutableClock clock) {
        ChatSession session = Fixtures.session(store);
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(250));
            times.add(now(clock));
            store.addMessage(session.chatId(), NewMessage.user("t" + i));
        }

        assertThat(store.getChatHistory(session.chatId(), 10, 0))
                .extracting(Message::createdAt)
                .isEqualTo(times);
    }
}
