package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.SearchHit;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Full-text search over message content: whole words, any case, Unicode words, every word required, the
 * text never read as query syntax; scoped to a user or a session; best first, paged by cursor.
 */
public interface SearchContract extends ConformanceTest {

    private static List<String> contents(SearchPage page) {
        return page.hits().stream().map(h -> h.message().content()).toList();
    }

    private static List<String> found(DataAccess store, UUID userId, String text) {
        return contents(store.searchMessages(SearchQuery.forUser(userId, text, 100)));
    }

    /** Adds one message per content to a new session of the user, in order. */
    private static ChatSession sessionWith(DataAccess store, UUID userId, String... contents) {
        ChatSession session = Fixtures.session(store, userId);
        for (String content : contents) {
            store.addMessage(session.chatId(), NewMessage.user(content));
        }
        return session;
    }

    /**
     * A word matches only a whole word: not a part of a longer word, not another form of the word.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void searchMatchesWholeWordsOnly(DataAccess store) {
        User user = Fixtures.user(store);
        sessionWith(store, user.id(), "the cat sat", "concatenate the strings", "cats are fine", "a cat!", "bobcat");

        assertThat(found(store, user.id(), "cat")).containsExactlyInAnyOrder("the cat sat", "a cat!");
        assertThat(found(store, user.id(), "cats")).containsExactly("cats are fine");
        assertThat(found(store, user.id(), "ca")).isEmpty();
    }

    /**
     * Words compare without regard to case, in the text and in the content, for ASCII and other letters.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void searchIgnoresCase(DataAccess store) {
        User user = Fixtures.user(store);
        sessionWith(store, user.id(), "Hello World", "GRÜSSE AUS ZÜRICH", "привет МИР");

        assertThat(found(store, user.id(), "hello")).containsExactly("Hello World");
        assertThat(found(store, user.id(), "WORLD")).containsExactly("Hello World");
        assertThat(found(store, user.id(), "zürich")).containsExactly("GRÜSSE AUS ZÜRICH");
        assertThat(found(store, user.id(), "Мир")).containsExactly("привет МИР");
        assertThat(found(store, user.id(), "ПРИВЕТ")).containsExactly("привет МИР");
    }

    /**
     * Words are runs of Unicode letters and digits: accented, Cyrillic and Greek words match whole, and
     * punctuation of any script separates them; an accent is part of its word.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void searchFindsUnicodeWords(DataAccess store) {
        User user = Fixtures.user(store);
        sessionWith(
                store,
                user.id(),
                "Grüße aus Zürich, sagte sie.",
                "ein naïve café",
                "Привет, мир!",
                "καλημέρα κόσμε",
                "order 66 shipped");

        assertThat(found(store, user.id(), "zürich")).containsExactly("Grüße aus Zürich, sagte sie.");
        assertThat(found(store, user.id(), "grüße")).containsExactly("Grüße aus Zürich, sagte sie.");
        assertThat(found(store, user.id(), "café")).containsExactly("ein naïve café");
        assertThat(found(store, user.id(), "cafe"))
                .as("an accent is part of its word")
                .isEmpty();
        assertThat(found(store, user.id(), "мир")).containsExactly("Привет, мир!");
        assertThat(found(store, user.id(), "κόσμε")).containsExactly("καλημέρα κόσμε");
        assertThat(found(store, user.id(), "66")).containsExactly("order 66 shipped");
    }

    /**
     * Punctuation inside a run of characters separates words there too: an apostrophe, a dot, an underscore, a
     * hyphen or an at sign splits the text into words, so each part is found, and the whole is found as its
     * parts.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void punctuationInsideAWordSeparatesItsParts(DataAccess store) {
        User user = Fixtures.user(store);
        sessionWith(
                store,
                user.id(),
                "don't panic",
                "visit example.com today",
                "pi is 3.14",
                "set user_id now",
                "a well-known fact",
                "mail bob@example.org");

        assertThat(found(store, user.id(), "don't")).containsExactly("don't panic");
        assertThat(found(store, user.id(), "don")).containsExactly("don't panic");
        assertThat(found(store, user.id(), "example.com")).containsExactly("visit example.com today");
        assertThat(found(store, user.id(), "example"))
                .containsExactlyInAnyOrder("visit example.com today", "mail bob@example.org");
        assertThat(found(store, user.id(), "3.14")).containsExactly("pi is 3.14");
        assertThat(found(store, user.id(), "14")).containsExactly("pi is 3.14");
        assertThat(found(store, user.id(), "user_id")).containsExactly("set user_id now");
        assertThat(found(store, user.id(), "id")).containsExactly("set user_id now");
        assertThat(found(store, user.id(), "well-known")).containsExactly("a well-known fact");
        assertThat(found(store, user.id(), "known well")).containsExactly("a well-known fact");
        assertThat(found(store, user.id(), "bob")).containsExactly("mail bob@example.org");
    }

    /**
     * Every word of the text is required, in any order and anywhere in the content.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void everyWordIsRequired(DataAccess store) {
        User user = Fixtures.user(store);
        sessionWith(store, user.id(), "red apple", "green apple", "red car", "an apple that is red");

        assertThat(found(store, user.id(), "red apple")).containsExactlyInAnyOrder("red apple", "an apple that is red");
        assertThat(found(store, user.id(), "apple RED")).containsExactlyInAnyOrder("red apple", "an apple that is red");
        assertThat(found(store, user.id(), "red apple car")).isEmpty();
        assertThat(found(store, user.id(), "apple")).hasSize(3);
    }

    /**
     * The text is never read as the store's query syntax: operators, quotes, wildcards, field prefixes and
     * boolean words are punctuation or plain words, so they neither widen, negate nor break the search.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void searchTextIsNeverReadAsQuerySyntax(DataAccess store) {
        User user = Fixtures.user(store);
        sessionWith(store, user.id(), "cats and dogs", "cats or dogs", "only dogs here", "catalog of cats", "cat");
        List<String> catsAndDogs = found(store, user.id(), "cats dogs");
        assertThat(catsAndDogs).containsExactlyInAnyOrder("cats and dogs", "cats or dogs");

        for (String text : List.of(
                "cats | dogs",
                "cats & dogs",
                "cats && dogs",
                "+cats +dogs",
                "\"cats dogs\"",
                "(cats) (dogs)",
                "cats:* dogs",
                "cats dogs~",
                "cats^ dogs",
                "cats; dogs --",
                "cats' dogs\\",
                "{cats} [dogs]",
                "cats <-> dogs",
                "cats/dogs")) {
            assertThat(found(store, user.id(), text))
                    .as("search for %s", text)
                    .containsExactlyInAnyOrderElementsOf(catsAndDogs);
        }
        assertThat(found(store, user.id(), "!dogs only")).as("! is no negation").containsExactly("only dogs here");
        assertThat(found(store, user.id(), "-cats dogs"))
                .as("- is no negation")
                .containsExactlyInAnyOrderElementsOf(catsAndDogs);
        assertThat(found(store, user.id(), "cat*")).as("* is no wildcard").containsExactly("cat");
        assertThat(found(store, user.id(), "cats OR dogs")).as("OR is a word").containsExactly("cats or dogs");
        assertThat(found(store, user.id(), "cats AND dogs")).as("AND is a word").containsExactly("cats and dogs");
        assertThat(found(store, user.id(), "content:dogs here"))
                .as("no field syntax")
                .isEmpty();
    }

    /**
     * A user's search covers the sessions the user owns and no other; a session's search covers that session;
     * each hit names its session. An unknown user or session finds nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void searchIsScopedToTheUserOrTheSession(DataAccess store) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        ChatSession first = sessionWith(store, user.id(), "alpha one", "beta");
        ChatSession second = sessionWith(store, user.id(), "alpha two");
        sessionWith(store, other.id(), "alpha three");
        sessionWith(store, null, "alpha four");

        SearchPage mine = store.searchMessages(SearchQuery.forUser(user.id(), "alpha", 10));
        assertThat(contents(mine)).containsExactlyInAnyOrder("alpha one", "alpha two");
        assertThat(mine.hits())
                .extracting(SearchHit::chatId)
                .containsExactlyInAnyOrder(first.chatId(), second.chatId());
        for (SearchHit hit : mine.hits()) {
            assertThat(store.getChatHistory(hit.chatId(), 10, 0)).contains(hit.message());
        }

        SearchPage inFirst = store.searchMessages(SearchQuery.inSession(first.chatId(), "alpha", 10));
        assertThat(contents(inFirst)).containsExactly("alpha one");
        assertThat(inFirst.hits().get(0).chatId()).isEqualTo(first.chatId());
        assertThat(inFirst.hasMore()).isFalse();

        assertThat(store.searchMessages(SearchQuery.forUser(UUID.randomUUID(), "alpha", 10))
                        .hits())
                .isEmpty();
        assertThat(store.searchMessages(SearchQuery.inSession("no-such-chat", "alpha", 10))
                        .hits())
                .isEmpty();
    }

    /**
     * Hits come best first: a message holding the words more often ranks above one holding them once, scores
     * never rise down the page, and equal scores are ordered by message id, newest first.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void hitsComeBestFirst(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = sessionWith(store, user.id(), "alpha beta", "alpha alpha alpha alpha", "alpha gamma");
        store.addMessage(session.chatId(), NewMessage.user("alpha beta"));

        List<SearchHit> hits = store.searchMessages(SearchQuery.forUser(user.id(), "alpha", 10))
                .hits();

        assertThat(hits).hasSize(4);
        assertThat(hits.get(0).message().content()).isEqualTo("alpha alpha alpha alpha");
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
        for (int i = 1; i < hits.size(); i++) {
            SearchHit before = hits.get(i - 1);
            SearchHit hit = hits.get(i);
            assertThat(hit.score()).isLessThanOrEqualTo(before.score());
            if (hit.score() == before.score()) {
                assertThat(hit.message().id().toString())
                        .isLessThan(before.message().id().toString());
            }
        }
        List<SearchHit> twins = hits.stream()
                .filter(h -> h.message().content().equals("alpha beta"))
                .toList();
        assertThat(twins).hasSize(2);
        assertThat(twins.get(0).score()).isEqualTo(twins.get(1).score());
        assertThat(twins.get(0).message().sequenceNumber())
                .as("the newer twin first")
                .isEqualTo(4);
    }

    /**
     * Pages followed by their cursors hold {@code limit} hits each until the last, repeat and skip nothing, and
     * concatenate to the one large page; the last page has no cursor.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void cursorPagesConcatenateToTheWholeResult(DataAccess store) {
        User user = Fixtures.user(store);
        for (int s = 0; s < 3; s++) {
            ChatSession session = Fixtures.session(store, user.id());
            for (int i = 0; i < 9; i++) {
                store.addMessage(session.chatId(), NewMessage.user("needle ".repeat(1 + i % 4) + "hay " + s + i));
            }
            store.addMessage(session.chatId(), NewMessage.user("only hay"));
        }
        SearchPage whole = store.searchMessages(SearchQuery.forUser(user.id(), "needle", 100));
        assertThat(whole.hits()).hasSize(27);
        assertThat(whole.hasMore()).isFalse();

        List<SearchHit> paged = new ArrayList<>();
        Set<UUID> seen = new HashSet<>();
        SearchQuery query = SearchQuery.forUser(user.id(), "needle", 4);
        SearchPage page = store.searchMessages(query);
        int pages = 1;
        while (true) {
            for (SearchHit hit : page.hits()) {
                assertThat(seen.add(hit.message().id()))
                        .as("repeated %s", hit.message().id())
                        .isTrue();
            }
            paged.addAll(page.hits());
            if (!page.hasMore()) {
                break;
            }
            assertThat(page.hits()).hasSize(4);
            page = store.searchMessages(query.after(page.nextCursor()));
            pages++;
        }

        assertThat(pages).isEqualTo(7);
        assertThat(paged).isEqualTo(whole.hits());
    }

    /**
     * A deleted session's messages are no longer found.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void deletedSessionsAreNotFound(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession gone = sessionWith(store, user.id(), "ephemeral words");
        sessionWith(store, user.id(), "lasting words");
        assertThat(found(store, user.id(), "words")).hasSize(2);

        store.deleteChatSession(gone.chatId());

        assertThat(found(store, user.id(), "words")).containsExactly("lasting words");
    }

    /**
     * A query without text, without a word, too long, with no scope or two scopes, a bad limit or a cursor no
     * search returned is rejected naming the field, and the store is left as it was.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void badSearchQueriesAreRejectedNamingTheField(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = sessionWith(store, user.id(), "some words");

        assertRejected(store, "query", () -> store.searchMessages(null));
        assertRejected(store, "query.text", () -> store.searchMessages(SearchQuery.forUser(user.id(), null, 10)));
        assertRejected(store, "query.text", () -> store.searchMessages(SearchQuery.forUser(user.id(), "  ", 10)));
        assertRejected(store, "query.text", () -> store.searchMessages(SearchQuery.forUser(user.id(), "!? & |", 10)));
        assertRejected(
                store,
                "query.text",
                () -> store.searchMessages(
                        SearchQuery.forUser(user.id(), "w".repeat(SearchQuery.MAX_TEXT_LENGTH + 1), 10)));
        assertRejected(
                store, "query.userId", () -> store.searchMessages(new SearchQuery("words", null, null, 10, null)));
        assertRejected(
                store,
                "query.chatId",
                () -> store.searchMessages(new SearchQuery("words", user.id(), session.chatId(), 10, null)));
        assertRejected(store, "query.limit", () -> store.searchMessages(SearchQuery.forUser(user.id(), "words", 0)));
        assertRejected(
                store,
                "query.cursor",
                () -> store.searchMessages(
                        SearchQuery.forUser(user.id(), "words", 10).after("not-a-cursor")));
    }

    /**
     * A store that does not declare full-text search refuses it with {@link UnsupportedCapabilityException}
     * naming the capability; one that declares it answers.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void searchAnswersExactlyWhenTheCapabilityIsDeclared(DataAccess store) {
        User user = Fixtures.user(store);
        sessionWith(store, user.id(), "declared words");
        SearchQuery query = SearchQuery.forUser(user.id(), "words", 10);

        if (store.capabilities().contains(Capability.FULL_TEXT_SEARCH)) {
            assertThat(contents(store.searchMessages(query))).containsExactly("declared words");
        } else {
            UnsupportedCapabilityException refused =
                    assertFails(UnsupportedCapabilityException.class, () -> store.searchMessages(query));
            assertThat(refused.capability()).isEqualTo(Capability.FULL_TEXT_SEARCH);
        }
    }

    /**
     * A hit carries the message exactly as history returns it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.FULL_TEXT_SEARCH)
    default void aHitCarriesTheStoredMessage(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        Message stored = store.addMessage(
                session.chatId(),
                new NewMessage(
                        dev.dal.api.Role.ASSISTANT, "the stored answer", Fixtures.object("{\"k\":\"v\"}"), 12, false));

        SearchHit hit = store.searchMessages(SearchQuery.inSession(session.chatId(), "answer", 5))
                .hits()
                .get(0);

        assertThat(hit.message()).isEqualTo(stored);
        assertThat(hit.chatId()).isEqualTo(session.chatId());
    }
}
