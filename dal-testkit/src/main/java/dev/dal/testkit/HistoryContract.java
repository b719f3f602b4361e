package dev.dal.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Reading history: offset pages and keyset pages (latest, after, before), always in ascending order. */
public interface HistoryContract extends ConformanceTest {

    private static String conversation(DataAccess store, int size) {
        ChatSession session = Fixtures.session(store);
        Fixtures.messages(store, session.chatId(), size);
        return session.chatId();
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::sequenceNumber).toList();
    }

    private static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    /**
     * An offset page holds at most the limit's messages from the offset on, in ascending sequence order.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getChatHistoryReturnsAnAscendingPageFromTheOffset(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, 4, 0))).isEqualTo(range(1, 4));
        assertThat(seqs(store.getChatHistory(chat, 4, 3))).isEqualTo(range(4, 7));
        assertThat(store.getChatHistory(chat, 4, 3))
                .extracting(Message::content)
                .containsExactly("m4", "m5", "m6", "m7");
    }

    /**
     * History reads back exactly the messages that were added.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getChatHistoryReadsBackTheAddedRecords(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<Message> added = Fixtures.messages(store, session.chatId(), 6);

        assertThat(store.getChatHistory(session.chatId(), 100, 0)).isEqualTo(added);
        assertThat(store.getChatHistory(session.chatId(), HistoryQuery.after(0, 100)))
                .isEqualTo(added);
    }

    /**
     * Consecutive offset pages concatenate to the whole conversation, each message once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getChatHistoryOffsetPagesConcatenateToTheWholeConversation(DataAccess store) {
        String chat = conversation(store, 23);

        List<Message> paged = new ArrayList<>();
        for (int offset = 0; offset < 23; offset += 5) {
            paged.addAll(store.getChatHistory(chat, 5, offset));
        }

        assertThat(seqs(paged)).isEqualTo(range(1, 23));
    }

    /**
     * The last offset page is partial, and a page beyond the end is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getChatHistoryLastPageIsPartialAndBeyondTheEndIsEmpty(DataAccess store) {
        String chat = conversation(store, 7);

        assertThat(seqs(store.getChatHistory(chat, 5, 5))).isEqualTo(range(6, 7));
        assertThat(store.getChatHistory(chat, 5, 7)).isEmpty();
        assertThat(store.getChatHistory(chat, 5, 1000)).isEmpty();
    }

    /**
     * Every query on a session without messages returns an empty page.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void historyOfAnEmptySessionIsEmptyForEveryQuery(DataAccess store) {
        String chat = Fixtures.session(store).chatId();

        assertThat(store.getChatHistory(chat, 10, 0)).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.latest(10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.after(0, 10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.before(5, 10))).isEmpty();
    }

    /**
     * Keyset queries on an unknown chat id return an empty page rather than an error.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void keysetQueriesOnAnUnknownChatIdAreEmpty(DataAccess store) {
        conversation(store, 3);

        assertThat(store.getChatHistory("no-such-chat", HistoryQuery.latest(10)))
                .isEmpty();
        assertThat(store.getChatHistory("no-such-chat", HistoryQuery.after(0, 10)))
                .isEmpty();
        assertThat(store.getChatHistory("no-such-chat", HistoryQuery.before(3, 10)))
                .isEmpty();
    }

    /**
     * A latest page holds the newest messages, oldest first.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void latestReturnsTheNewestMessagesOldestFirst(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(3)))).isEqualTo(range(8, 10));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(1)))).containsExactly(10L);
    }

    /**
     * A latest page larger than the conversation returns all of it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void latestLargerThanTheConversationReturnsAllOfIt(DataAccess store) {
        String chat = conversation(store, 4);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(10)))).isEqualTo(range(1, 4));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(4)))).isEqualTo(range(1, 4));
    }

    /**
     * A page after sequence number 0 starts at the first message.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void afterZeroStartsAtTheFirstMessage(DataAccess store) {
        String chat = conversation(store, 6);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.after(0, 3)))).isEqualTo(range(1, 3));
    }

    /**
     * An after page starts just past its cursor, which it does not include.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void afterCursorIsExclusive(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.after(4, 3)))).isEqualTo(range(5, 7));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.after(8, 5)))).isEqualTo(range(9, 10));
    }

    /**
     * A page after the last message, or after a cursor beyond it, is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void afterTheLastMessageIsEmpty(DataAccess store) {
        String chat = conversation(store, 5);

        assertThat(store.getChatHistory(chat, HistoryQuery.after(5, 10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.after(500, 10))).isEmpty();
    }

    /**
     * After pages, each resuming at the previous page's last message, walk forward through the whole conversation once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void afterPagesWalkForwardThroughTheWholeConversation(DataAccess store) {
        String chat = conversation(store, 17);

        List<Message> walked = new ArrayList<>();
        long cursor = 0;
        List<Message> page;
        while (!(page = store.getChatHistory(chat, HistoryQuery.after(cursor, 4))).isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(4);
            walked.addAll(page);
            cursor = page.get(page.size() - 1).sequenceNumber();
            assertThat(walked).hasSizeLessThanOrEqualTo(17);
        }

        assertThat(seqs(walked)).isEqualTo(range(1, 17));
    }

    /**
     * A before page ends just short of its cursor and lists its messages in ascending order.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void beforeCursorIsExclusiveAndPageIsAscending(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(8, 3)))).isEqualTo(range(5, 7));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(11, 2)))).isEqualTo(range(9, 10));
    }

    /**
     * A before page near the start of the conversation returns only the messages that exist.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void beforeNearTheStartReturnsAPartialPage(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(3, 10)))).isEqualTo(range(1, 2));
    }

    /**
     * A page before the first message, or before sequence number 0, is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void beforeTheFirstMessageIsEmpty(DataAccess store) {
        String chat = conversation(store, 5);

        assertThat(store.getChatHistory(chat, HistoryQuery.before(1, 10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.before(0, 10))).isEmpty();
    }

    /**
     * A before page whose cursor lies beyond the end returns the newest messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void beforeACursorBeyondTheEndReturnsTheNewestMessages(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(100, 3))))
                .isEqualTo(range(8, 10));
    }

    /**
     * Before pages, starting from the latest page, walk backward through the whole conversation once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void beforePagesWalkBackwardFromLatestThroughTheWholeConversation(DataAccess store) {
        String chat = conversation(store, 18);

        List<Message> page = store.getChatHistory(chat, HistoryQuery.latest(4));
        List<Long> walked = new ArrayList<>(seqs(page));
        while (!page.isEmpty()) {
            page = store.getChatHistory(chat, HistoryQuery.before(page.get(0).sequenceNumber(), 4));
            assertThat(page).hasSizeLessThanOrEqualTo(4);
            walked.addAll(0, seqs(page));
            assertThat(walked).hasSizeLessThanOrEqualTo(18);
        }

        assertThat(walked).isEqualTo(range(1, 18));
    }

    /**
     * A keyset page equals the offset page of the same messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void keysetPagesEqualTheOffsetPagesOfTheSameMessages(DataAccess store) {
        String chat = conversation(store, 12);

        assertThat(store.getChatHistory(chat, HistoryQuery.after(3, 4))).isEqualTo(store.getChatHistory(chat, 4, 3));
        assertThat(store.getChatHistory(chat, HistoryQuery.before(9, 4))).isEqualTo(store.getChatHistory(chat, 4, 4));
        assertThat(store.getChatHistory(chat, HistoryQuery.latest(5))).isEqualTo(store.getChatHistory(chat, 5, 7));
    }

    /**
     * Every kind of page returns up to the maximum page size and no more.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void theMaximumPageSizeIsHonoured(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        Fixtures.manyMessages(store, session.chatId(), HistoryQuery.MAX_LIMIT + 5);
        String chat = session.chatId();

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.MAX_LIMIT, 0))).isEqualTo(range(1, 1000));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(HistoryQuery.MAX_LIMIT))))
                .isEqualTo(range(6, 1005));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.after(2, HistoryQuery.MAX_LIMIT))))
                .isEqualTo(range(3, 1002));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.MAX_LIMIT, 1000)))
                .isEqualTo(range(1001, 1005));
    }

    /**
     * A session's history holds only its own messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void historyIsPerSession(DataAccess store) {
        String first = conversation(store, 3);
        ChatSession other = Fixtures.session(store);
        List<Message> others = Fixtures.messages(store, other.chatId(), 2);

        assertThat(store.getChatHistory(other.chatId(), 10, 0)).isEqualTo(others);
        assertThat(store.getChatHistory(other.chatId(), HistoryQuery.latest(10)))
                .isEqualTo(others);
        assertThat(store.getChatHistory(first, 10, 0))
                .hasSize(3)
                .allSatisfy(m -> assertThat(m.sessionId()).isNotEqualTo(other.id()));
    }
}
