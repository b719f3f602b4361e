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

    @Test
    default void getChatHistoryReturnsAnAscendingPageFromTheOffset(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, 4, 0))).isEqualTo(range(1, 4));
        assertThat(seqs(store.getChatHistory(chat, 4, 3))).isEqualTo(range(4, 7));
        assertThat(store.getChatHistory(chat, 4, 3)).extracting(Message::content)
                .containsExactly("m4", "m5", "m6", "m7");
    }

    @Test
    default void getChatHistoryReadsBackTheAddedRecords(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        List<Message> added = Fixtures.messages(store, session.chatId(), 6);

        assertThat(store.getChatHistory(session.chatId(), 100, 0)).isEqualTo(added);
        assertThat(store.getChatHistory(session.chatId(), HistoryQuery.after(0, 100))).isEqualTo(added);
    }

    @Test
    default void getChatHistoryOffsetPagesConcatenateToTheWholeConversation(DataAccess store) {
        String chat = conversation(store, 23);

        List<Message> paged = new ArrayList<>();
        for (int offset = 0; offset < 23; offset += 5) {
            paged.addAll(store.getChatHistory(chat, 5, offset));
        }

        assertThat(seqs(paged)).isEqualTo(range(1, 23));
    }

    @Test
    default void getChatHistoryLastPageIsPartialAndBeyondTheEndIsEmpty(DataAccess store) {
        String chat = conversation(store, 7);

        assertThat(seqs(store.getChatHistory(chat, 5, 5))).isEqualTo(range(6, 7));
        assertThat(store.getChatHistory(chat, 5, 7)).isEmpty();
        assertThat(store.getChatHistory(chat, 5, 1000)).isEmpty();
    }

    @Test
    default void historyOfAnEmptySessionIsEmptyForEveryQuery(DataAccess store) {
        String chat = Fixtures.session(store).chatId();

        assertThat(store.getChatHistory(chat, 10, 0)).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.latest(10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.after(0, 10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.before(5, 10))).isEmpty();
    }

    @Test
    default void keysetQueriesOnAnUnknownChatIdAreEmpty(DataAccess store) {
        conversation(store, 3);

        assertThat(store.getChatHistory("no-such-chat", HistoryQuery.latest(10))).isEmpty();
        assertThat(store.getChatHistory("no-such-chat", HistoryQuery.after(0, 10))).isEmpty();
        assertThat(store.getChatHistory("no-such-chat", HistoryQuery.before(3, 10))).isEmpty();
    }

    @Test
    default void latestReturnsTheNewestMessagesOldestFirst(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(3)))).isEqualTo(range(8, 10));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(1)))).containsExactly(10L);
    }

    @Test
    default void latestLargerThanTheConversationReturnsAllOfIt(DataAccess store) {
        String chat = conversation(store, 4);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(10)))).isEqualTo(range(1, 4));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.latest(4)))).isEqualTo(range(1, 4));
    }

    @Test
    default void afterZeroStartsAtTheFirstMessage(DataAccess store) {
        String chat = conversation(store, 6);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.after(0, 3)))).isEqualTo(range(1, 3));
    }

    @Test
    default void afterCursorIsExclusive(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.after(4, 3)))).isEqualTo(range(5, 7));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.after(8, 5)))).isEqualTo(range(9, 10));
    }

    @Test
    default void afterTheLastMessageIsEmpty(DataAccess store) {
        String chat = conversation(store, 5);

        assertThat(store.getChatHistory(chat, HistoryQuery.after(5, 10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.after(500, 10))).isEmpty();
    }

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

    @Test
    default void beforeCursorIsExclusiveAndPageIsAscending(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(8, 3)))).isEqualTo(range(5, 7));
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(11, 2)))).isEqualTo(range(9, 10));
    }

    @Test
    default void beforeNearTheStartReturnsAPartialPage(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(3, 10)))).isEqualTo(range(1, 2));
    }

    @Test
    default void beforeTheFirstMessageIsEmpty(DataAccess store) {
        String chat = conversation(store, 5);

        assertThat(store.getChatHistory(chat, HistoryQuery.before(1, 10))).isEmpty();
        assertThat(store.getChatHistory(chat, HistoryQuery.before(0, 10))).isEmpty();
    }

    @Test
    default void beforeACursorBeyondTheEndReturnsTheNewestMessages(DataAccess store) {
        String chat = conversation(store, 10);

        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.before(100, 3)))).isEqualTo(range(8, 10));
    }

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

    @Test
    default void keysetPagesEqualTheOffsetPagesOfTheSameMessages(DataAccess store) {
        String chat = conversation(store, 12);

        assertThat(store.getChatHistory(chat, HistoryQuery.after(3, 4))).isEqualTo(store.getChatHistory(chat, 4, 3));
        assertThat(store.getChatHistory(chat, HistoryQuery.before(9, 4))).isEqualTo(store.getChatHistory(chat, 4, 4));
        assertThat(store.getChatHistory(chat, HistoryQuery.latest(5))).isEqualTo(store.getChatHistory(chat, 5, 7));
    }

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
        assertThat(seqs(store.getChatHistory(chat, HistoryQuery.MAX_LIMIT, 1000))).isEqualTo(range(1001, 1005));
    }

    @Test
    default void historyIsPerSession(DataAccess store) {
        String first = conversation(store, 3);
        ChatSession other = Fixtures.session(store);
        List<Message> others = Fixtures.messages(store, other.chatId(), 2);

        assertThat(store.getChatHistory(other.chatId(), 10, 0)).isEqualTo(others);
        assertThat(store.getChatHistory(other.chatId(), HistoryQuery.latest(10))).isEqualTo(others);
        assertThat(store.getChatHistory(first, 10, 0)).hasSize(3)
                .allSatisfy(m -> assertThat(m.sessionId()).isNotEqualTo(other.id()));
    }
}
