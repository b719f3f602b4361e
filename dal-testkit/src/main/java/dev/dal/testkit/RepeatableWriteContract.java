package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.assertRejected;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Writes with caller-chosen ids are safe to repeat: the retry after an outcome-unknown failure
 * leaves exactly one copy. The same ids with other content are a duplicate key.
 */
public interface RepeatableWriteContract extends ConformanceTest {

    private static List<NewMessage> turn(String question) {
        return List.of(
                NewMessage.user(question).withId(UUID.randomUUID()),
                NewMessage.assistant("answer to " + question)
                        .withMetadata(F.objectNode().put("model", "m1"))
                        .withId(UUID.randomUUID()));
    }

    /**
     * Messages given caller-chosen ids are stored under those ids.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void messagesAreStoredUnderTheCallersIds(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<NewMessage> turn = turn("hello");

        List<Message> stored = store.addMessages(session.chatId(), turn);

        assertThat(stored)
                .extracting(Message::id)
                .containsExactly(turn.get(0).id(), turn.get(1).id());
        assertThat(store.getChatHistory(session.chatId(), HistoryQuery.latest(10)))
                .isEqualTo(stored);
    }

    /**
     * A turn repeated with the same ids and content is stored once and the repeat returns the stored messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aTurnRepeatedWithTheSameIdsIsStoredOnce(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        store.addMessage(session.chatId(), NewMessage.of(dev.dal.api.Role.SYSTEM, "be brief"));
        List<NewMessage> turn = turn("once?");

        List<Message> first = store.addMessages(session.chatId(), turn);
        List<Message> again = store.addMessages(session.chatId(), turn);

        assertThat(again).isEqualTo(first);
        assertThat(store.getMessageCount(session.chatId())).isEqualTo(3);
        assertThat(store.getChatHistory(session.chatId(), HistoryQuery.latest(10)))
                .hasSize(3)
                .endsWith(first.get(0), first.get(1));
    }

    /**
     * A repeat finds its already stored message even behind many later ones.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aRepeatFindsItsMessagesBehindLaterOnes(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        NewMessage early = NewMessage.user("early").withId(UUID.randomUUID());
        Message stored = store.addMessage(session.chatId(), early);
        Fixtures.messages(store, session.chatId(), 450);

        assertThat(store.addMessage(session.chatId(), early)).isEqualTo(stored);
        assertThat(store.getMessageCount(session.chatId())).isEqualTo(451);
    }

    /**
     * Repeating an id with other content, or with more messages, throws DuplicateKeyException and adds nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void theSameIdWithOtherContentIsADuplicateKeyAndAddsNothing(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<NewMessage> turn = turn("first");
        store.addMessages(session.chatId(), turn);
        var before = snapshot(store);

        assertFails(
                DuplicateKeyException.class,
                () -> store.addMessages(
                        session.chatId(),
                        List.of(
                                turn.get(0),
                                NewMessage.assistant("a different answer")
                                        .withId(turn.get(1).id()))));
        assertFails(
                DuplicateKeyException.class,
                () -> store.addMessages(
                        session.chatId(),
                        List.of(turn.get(0), NewMessage.assistant("more").withId(UUID.randomUUID()))));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Ids must be given for every message of one call or for none, and must differ from each other.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void idsMustBeGivenForEveryMessageOfACallOrForNone(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        assertRejected(
                store,
                "messages[1].id",
                () -> store.addMessages(
                        session.chatId(),
                        List.of(NewMessage.user("a").withId(UUID.randomUUID()), NewMessage.assistant("b"))));
        UUID same = UUID.randomUUID();
        assertRejected(
                store,
                "messages[1].id",
                () -> store.addMessages(
                        session.chatId(),
                        List.of(
                                NewMessage.user("a").withId(same),
                                NewMessage.assistant("b").withId(same))));
    }

    /**
     * A user created twice with the same id and fields is stored once; the same id with other fields is a duplicate
     * key.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aUserCreatedTwiceWithTheSameIdIsStoredOnce(DataAccess store) {
        NewUser request = NewUser.builder()
                .id(UUID.randomUUID())
                .externalId(Fixtures.unique("ext"))
                .email("a@example.com")
                .profile(F.objectNode().put("plan", "pro"))
                .build();

        User first = store.createUser(request);
        User again = store.createUser(request);

        assertThat(first.id()).isEqualTo(request.id());
        assertThat(again).isEqualTo(first);
        assertThat(snapshot(store).users()).containsExactly(first);
        assertFails(
                DuplicateKeyException.class,
                () -> store.createUser(NewUser.builder()
                        .id(request.id())
                        .externalId(request.externalId())
                        .email("other@example.com")
                        .build()));
    }

    /**
     * A session created twice with the same id and fields is stored once; the same id or chat id with other fields is a
     * duplicate key.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aSessionCreatedTwiceWithTheSameIdIsStoredOnce(DataAccess store) {
        User owner = Fixtures.user(store);
        NewChatSession request = new NewChatSession(
                        Fixtures.unique("chat"),
                        owner.id(),
                        "title",
                        null,
                        F.objectNode().put("k", "v"))
                .withId(UUID.randomUUID());

        ChatSession first = store.createChatSession(request);
        ChatSession again = store.createChatSession(request);

        assertThat(first.id()).isEqualTo(request.id());
        assertThat(again).isEqualTo(first);
        assertThat(snapshot(store).sessions()).containsExactly(first);
        assertFails(
                DuplicateKeyException.class,
                () -> store.createChatSession(
                        NewChatSession.of(request.chatId()).withId(request.id())));
        assertFails(
                DuplicateKeyException.class,
                () -> store.createChatSession(new NewChatSession(
                                request.chatId(),
                                owner.id(),
                                "title",
                                null,
                                F.objectNode().put("k", "v"))
                        .withId(UUID.randomUUID())));
    }
}
