package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.SearchHit;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.spi.SearchWords;
import dev.dal.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store's word index: what a search finds is what a scan of the messages finds, while the index is
 * appended to, merged, missing, torn, rolled back, or outdated by a bulk upsert.
 */
class FileWordIndexTest {
    @TempDir
    Path temp;

    private Path root() {
        return temp.resolve("store");
    }

    private DataAccess open() {
        return TempFileStores.open(root(), MutableClock.startingNow());
    }

    /** Eight words from a 300-word vocabulary, so every word has many messages and queries of two words some. */
    private static String content(int n) {
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            text.append(k == 0 ? "" : " ").append("w").append((n * 7919 + k * 104729) % 300);
        }
        return text.toString();
    }

    private static void fill(DataAccess store, String chatId, int from, int count) {
        List<NewMessage> batch = new ArrayList<>();
        for (int n = from; n < from + count; n++) {
            batch.add(NewMessage.user(content(n)));
            if (batch.size() == 100) {
                store.addMessages(chatId, batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.addMessages(chatId, batch);
        }
    }

    /** Every hit of a search, page by page. */
    private static Set<Long> searched(DataAccess store, String chatId, String text) {
        Set<Long> found = new TreeSet<>();
        String cursor = null;
        do {
            SearchQuery query = SearchQuery.inSession(chatId, text, 100);
            SearchPage page = store.searchMessages(cursor == null ? query : query.after(cursor));
            for (SearchHit hit : page.hits()) {
                assertThat(found.add(hit.message().sequenceNumber()))
                        .as("no hit twice")
                        .isTrue();
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        return found;
    }

    /** What a scan of every stored message finds. */
    private static Set<Long> scanned(DataAccess store, String chatId, String text) {
        List<String> words = SearchWords.of(text);
        Set<Long> found = new TreeSet<>();
        List<Message> page = store.getChatHistory(chatId, HistoryQuery.after(0, HistoryQuery.MAX_LIMIT));
        while (!page.isEmpty()) {
            page.stream()
                    .filter(m -> SearchWords.allIn(words, m.content()))
                    .forEach(m -> found.add(m.sequenceNumber()));
            long last = page.get(page.size() - 1).sequenceNumber();
            page = store.getChatHistory(chatId, HistoryQuery.after(last, HistoryQuery.MAX_LIMIT));
        }
        return found;
    }

    private static void searchesAgreeWithAScan(DataAccess store, String chatId) {
        for (String text : List.of("w1", "w17", "w299", "w5 w6", "w17 w123", "absent")) {
            assertThat(searched(store, chatId, text)).as(text).isEqualTo(scanned(store, chatId, text));
        }
        assertThat(searched(store, chatId, "w17")).isNotEmpty();
    }

    private Path sessionDir(DataAccess store, String chatId) {
        ChatSession session = store.getChatSession(chatId).orElseThrow();
        return root().resolve("sessions").resolve(session.id().toString());
    }

    @Test
    void aLongSessionIsMergedIntoASortedBaseAndSearchesStillFindWhatAScanFinds() throws IOException {
        try (DataAccess store = open()) {
            store.createChatSession(NewChatSession.of("long"));
            // 1,500 messages of eight words: past the tail's 4,096 postings, so at least one merge.
            fill(store, "long", 0, 1_500);
            Path dir = sessionDir(store, "long");
            assertThat(dir.resolve("words.base")).exists();
            long tailAfterMerge = Files.exists(dir.resolve("words.tail")) ? Files.size(dir.resolve("words.tail")) : 0;
            assertThat(tailAfterMerge)
                    .as("the tail holds only what came after the last merge")
                    .isLessThan(60_000);
            searchesAgreeWithAScan(store, "long");
            fill(store, "long", 1_500, 7);
            searchesAgreeWithAScan(store, "long");
        }
    }

    @Test
    void aSessionAnOlderDalWroteHasNoIndexIsSearchedByItsMessagesAndIndexedByItsNextWrite() throws IOException {
        Path dir;
        try (DataAccess store = open()) {
            store.createChatSession(NewChatSession.of("old"));
            fill(store, "old", 0, 300);
            dir = sessionDir(store, "old");
        }
        Files.delete(dir.resolve("words.tail"));
        Files.deleteIfExists(dir.resolve("words.base"));
        try (DataAccess store = open()) {
            searchesAgreeWithAScan(store, "old");
            assertThat(dir.resolve("words.base")).doesNotExist();
            fill(store, "old", 300, 1);
            assertThat(dir.resolve("words.base"))
                    .as("rebuilt from the stored messages")
                    .exists();
            searchesAgreeWithAScan(store, "old");
        }
    }

    @Test
    void aTornTailIsNotTrustedAndTheNextWriteRebuildsTheIndex() throws IOException {
        Path dir;
        try (DataAccess store = open()) {
            store.createChatSession(NewChatSession.of("torn"));
            fill(store, "torn", 0, 120);
            dir = sessionDir(store, "torn");
        }
        Path tail = dir.resolve("words.tail");
        byte[] bytes = Files.readAllBytes(tail);
        bytes[bytes.length - 1] ^= 0x5a;
        Files.write(tail, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        try (DataAccess store = open()) {
            searchesAgreeWithAScan(store, "torn");
            fill(store, "torn", 120, 1);
            assertThat(dir.resolve("words.base")).exists();
            searchesAgreeWithAScan(store, "torn");
        }
    }

    @Test
    void anAppendTheIndexMissedMakesItStaleNotWrong() throws IOException {
        Path dir;
        try (DataAccess store = open()) {
            store.createChatSession(NewChatSession.of("missed"));
            fill(store, "missed", 0, 50);
            dir = sessionDir(store, "missed");
            // An older Dal appends to the log and its slots but not to the index: the covered length no longer
            // matches, so the index is not used until it is rebuilt.
            byte[] tail = Files.readAllBytes(dir.resolve("words.tail"));
            fill(store, "missed", 50, 20);
            Files.write(dir.resolve("words.tail"), tail, StandardOpenOption.TRUNCATE_EXISTING);
            searchesAgreeWithAScan(store, "missed");
            fill(store, "missed", 70, 1);
            searchesAgreeWithAScan(store, "missed");
        }
    }

    @Test
    void aRolledBackWriteLeavesTheIndexAsItWas() throws IOException {
        try (DataAccess store = open()) {
            store.createChatSession(NewChatSession.of("rollback"));
            fill(store, "rollback", 0, 40);
            Path tail = sessionDir(store, "rollback").resolve("words.tail");
            long before = Files.size(tail);
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                        tx.addMessage("rollback", NewMessage.user("vanishing words"));
                        throw new IllegalStateException("abandon the transaction");
                    }))
                    .hasMessageContaining("abandon");
            assertThat(Files.size(tail)).isEqualTo(before);
            assertThat(searched(store, "rollback", "vanishing")).isEmpty();
            searchesAgreeWithAScan(store, "rollback");
        }
    }

    @Test
    void aMessageABulkUpsertReplacedIsFoundByItsNewWordsOnly() {
        try (DataAccess store = open()) {
            store.createChatSession(NewChatSession.of("upsert"));
            fill(store, "upsert", 0, 10);
            Message third =
                    store.getChatHistory("upsert", HistoryQuery.after(0, 10)).get(2);
            store.bulk()
                    .upsertMessages(List.of(new Message(
                            third.id(),
                            third.sessionId(),
                            third.sequenceNumber(),
                            third.role(),
                            "replacement words only",
                            third.metadata(),
                            third.tokenCount(),
                            third.abuseFlagged(),
                            third.createdAt())));
            assertThat(searched(store, "upsert", "replacement")).containsExactly(3L);
            assertThat(searched(store, "upsert", third.content().split(" ")[0])).doesNotContain(3L);
            searchesAgreeWithAScan(store, "upsert");
        }
    }
}
