package dev.dal.neo4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.SearchHit;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.User;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.api.spi.SearchWords;
import dev.dal.neo4j.Neo4jStoreProvider;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Search over {@code Message.search_words} (schema change 005): the words Java writes are the kit's words, the
 * migration's Cypher computes the same string for messages written before it (so they are found after it), every
 * write path stores the property, and the one place Lucene's terms are not the words (a word over 255 characters)
 * is caught by the Java check without shortening a page.
 */
class Neo4jSearchTest {
    private static final Neo4jTestServer SERVER = Neo4jTestServer.get();

    /** Contents where a word rule can go wrong: punctuation inside words, case, marks, scripts, planes. */
    private static final List<String> TRICKY = List.of(
            "",
            "   ",
            "?!",
            "don't panic",
            "visit example.com today, pi is 3.14 and 1,000 apples",
            "set user_id now; mail bob@example.org; content:dogs a well-known fact",
            "ÜBER Straße ПРИВЕТ мир",
            "ΟΔΟΣ ΟΔΟΣ. ΑΣ1 ΑΣ'Α Σ",
            "İstanbul ǅemal",
            "é (e\u0301) a\u20DDb soft\u00ADhyphen zero\u200Bwidth join\u200Dme",
            "x²½Ⅻ ٣٤ ५६ 東京都 東京 ไทย العربية",
            "𝐀𝐁c 😀 𐐀𐐨 a😀b",
            "tab\tnew\nline\r\nend\u00A0nbsp\u3000ideographic",
            "  leading and trailing  ",
            "repeat repeat REPEAT Repeat");

    private DataAccess store;
    private User user;
    private ChatSession session;

    @BeforeEach
    void open() {
        store = DataAccessFactory.create(SERVER.config(Clock.systemUTC()), new Neo4jStoreProvider(SERVER.driver()));
        SERVER.clear();
        user = store.createUser(NewUser.withExternalId("searcher"));
        session = store.createChatSession(NewChatSession.of("search-chat", user.id()));
    }

    @AfterEach
    void close() {
        store.close();
        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
        }
    }

    private static SchemaMigrator migrator() {
        return new Neo4jStoreProvider(SERVER.driver()).schemaMigrator(SERVER.config(Clock.systemUTC()));
    }

    private List<String> found(String text) {
        return store.searchMessages(SearchQuery.forUser(user.id(), text, 1000)).hits().stream()
                .map(h -> h.message().content())
                .toList();
    }

    /** Long contents: words and separators of every kind, across the 256-character blocks of the Cypher. */
    private static List<String> randomContents() {
        int[] pool = {
            'a', 'Z', '7', ' ', '.', '\'', '_', '-', 0x03A3, 0x0391, 0x0130, 0x0301, 0x20DD, 0x00B2, 0x0663, 0x6771,
            0x1D400, 0x1F600, 0x10400, 0x00AD, 0x200D, '\t', 0x00A0, 0x0E44, 0x0E17
        };
        Random random = new Random(42);
        List<String> contents = new ArrayList<>();
        for (int n = 0; n < 60; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(900);
            for (int i = 0; i < length; i++) {
                // Mostly letters, so words are long enough to cross block boundaries.
                int cp = random.nextInt(3) == 0 ? pool[random.nextInt(pool.length)] : 'a' + random.nextInt(26);
                text.appendCodePoint(cp);
            }
            contents.add(text.toString());
        }
        return contents;
    }

    @Test
    void searchWordsAreTheKitsWordsWithEveryOccurrence() {
        List<String> contents = new ArrayList<>(TRICKY);
        contents.addAll(randomContents());
        for (String content : contents) {
            String words = Neo4jRecords.searchWords(content);
            List<String> split = words.isEmpty() ? List.of() : Arrays.asList(words.split(" ", -1));
            assertThat(split).as("words of %s", content).doesNotContain("");
            assertThat(split.stream().distinct().toList())
                    .as("words of %s", content)
                    .isEqualTo(SearchWords.of(content));
            assertThat(split.size())
                    .as("every occurrence of %s", content)
                    .isEqualTo(SearchWords.occurrences(SearchWords.of(content), content));
        }
        assertThat(Neo4jRecords.searchWords("Repeat don't REPEAT")).isEqualTo("repeat don t repeat");
        assertThat(Neo4jRecords.searchWords(null)).isEmpty();
    }

    @Test
    void theMigrationComputesInCypherWhatJavaWritesAndRollingBackRemovesIt() {
        List<String> contents = new ArrayList<>(TRICKY);
        contents.addAll(randomContents());
        store.addMessage(session.chatId(), NewMessage.user("written by the store"));
        try (SchemaMigrator migrator = migrator()) {
            assertThat(migrator.rollback("004"))
                    .extracting(SchemaChange::version)
                    .containsExactly("007", "006", "005");
        }
        assertThat(SERVER.run("MATCH (m:Message) WHERE m.search_words IS NOT NULL RETURN m", Map.of()))
                .as("the rollback removes the property")
                .isEmpty();
        assertThat(SERVER.run(
                        "SHOW INDEXES YIELD name WHERE name = $n RETURN name", Map.of("n", "dal_message_search_words")))
                .isEmpty();
        Map<String, String> byId = new LinkedHashMap<>();
        for (String content : contents) {
            String id = UUID.randomUUID().toString();
            byId.put(id, content);
            SERVER.run("CREATE (:Message {id: $id, content: $content})", Map.of("id", id, "content", content));
        }
        SERVER.run("CREATE (:Message {id: 'no-content'}) CREATE (:Message {id: 'number', content: 5})", Map.of());

        try (SchemaMigrator migrator = migrator()) {
            assertThat(migrator.migrate()).extracting(SchemaChange::version).containsExactly("005", "006", "007");
        }

        Map<String, String> stored = new LinkedHashMap<>();
        SERVER.run("MATCH (m:Message) RETURN m.id AS id, m.content AS c, m.search_words AS w", Map.of())
                .forEach(r -> stored.put(r.get("id").asString(), r.get("w").asString(null)));
        byId.forEach((id, content) -> assertThat(stored.get(id))
                .as("the Cypher words of %s", content)
                .isEqualTo(Neo4jRecords.searchWords(content)));
        assertThat(stored).containsEntry("no-content", "").containsEntry("number", "");
        assertThat(stored).doesNotContainValue(null);
    }

    @Test
    void messagesWrittenBeforeTheMigrationAreFoundAfterIt() {
        try (SchemaMigrator migrator = migrator()) {
            migrator.rollback("004");
        }
        // As Dal wrote messages before schema change 005: no search_words.
        List<String> contents = List.of("don't panic", "visit example.com today", "ΟΔΟΣ İstanbul", "pi is 3.14");
        for (int i = 0; i < contents.size(); i++) {
            SERVER.run(
                    """
                    MATCH (s:ChatSession {id: $sid})
                    CREATE (s)-[:HAS_MESSAGE]->(:Message {id: $id, session_id: $sid, sequence_number: $seq,
                        role: 'user', content: $content, metadata: '{}', abuse_flagged: false,
                        created_at: datetime()})""",
                    Map.of(
                            "sid",
                            session.id().toString(),
                            "id",
                            Ids.newId().toString(),
                            "seq",
                            i + 1,
                            "content",
                            contents.get(i)));
        }

        try (SchemaMigrator migrator = migrator()) {
            migrator.migrate();
        }

        assertThat(found("don't")).containsExactly("don't panic");
        assertThat(found("don")).containsExactly("don't panic");
        assertThat(found("example.com")).containsExactly("visit example.com today");
        assertThat(found("com")).containsExactly("visit example.com today");
        assertThat(found("οδος")).containsExactly("ΟΔΟΣ İstanbul");
        assertThat(found("İSTANBUL")).containsExactly("ΟΔΟΣ İstanbul");
        assertThat(found("14")).containsExactly("pi is 3.14");
        assertThat(found("3.14 pi")).containsExactly("pi is 3.14");
    }

    @Test
    void everyWritePathStoresTheWords() {
        ChatSession bulk = store.createChatSession(NewChatSession.of("bulk-chat", user.id()));
        store.addMessages(session.chatId(), List.of(NewMessage.user("chat path don't"), NewMessage.user("second")));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Message> many = new ArrayList<>();
        for (int i = 1; i <= Neo4jBulkWrites.CREATE_ALL_FROM; i++) {
            many.add(new Message(
                    Ids.newId(), bulk.id(), i, Role.USER, "bulk create " + i, JsonValues.emptyObject(), 1, false, now));
        }
        store.bulk().upsertMessages(many);
        Message first = many.get(0);
        store.bulk()
                .upsertMessages(List.of(
                        new Message(
                                first.id(),
                                bulk.id(),
                                1,
                                Role.USER,
                                "bulk merge user_id",
                                JsonValues.emptyObject(),
                                1,
                                false,
                                now),
                        new Message(
                                Ids.newId(),
                                bulk.id(),
                                Neo4jBulkWrites.CREATE_ALL_FROM + 1,
                                Role.USER,
                                "bulk new id",
                                JsonValues.emptyObject(),
                                1,
                                false,
                                now)));

        assertThat(SERVER.run("MATCH (m:Message) RETURN m.content AS c, m.search_words AS w", Map.of()).stream()
                        .filter(r -> !r.get("w")
                                .asString("<none>")
                                .equals(Neo4jRecords.searchWords(r.get("c").asString())))
                        .map(r -> r.get("c").asString())
                        .toList())
                .as("messages whose search_words are not their content's words")
                .isEmpty();
        assertThat(found("don")).containsExactly("chat path don't");
        assertThat(found("id user")).containsExactly("bulk merge user_id");
        assertThat(found("bulk new")).containsExactly("bulk new id");
        assertThat(found("create 7")).containsExactly("bulk create 7");
        assertThat(found("create")).hasSize(Neo4jBulkWrites.CREATE_ALL_FROM - 1);
        assertThat(store.bulk().scanMessages(null, 1000).items())
                .extracting(Message::content)
                .contains("bulk merge user_id", "chat path don't");
    }

    @Test
    void aWordLongerThanALuceneTermIsCheckedInJavaAndPagesStayFull() {
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            letters.append((char) ('a' + i % 26));
        }
        String word = letters.toString();
        // Lucene's whitespace tokenizer cuts terms at 255 characters: the word is two terms, and so are its pieces.
        String pieces = word.substring(0, 255) + " " + word.substring(255);
        for (int i = 0; i < 5; i++) {
            store.addMessage(session.chatId(), NewMessage.user(pieces));
        }
        for (int i = 0; i < 3; i++) {
            store.addMessage(session.chatId(), NewMessage.user(word + " tail " + i));
        }

        assertThat(SERVER.run(
                                "CALL db.index.fulltext.queryNodes('dal_message_search_words', $q) YIELD node "
                                        + "RETURN count(node) AS n",
                                Map.of("q", Neo4jReads.luceneQuery(List.of(word))))
                        .get(0)
                        .get("n")
                        .asLong())
                .as("the index over-matches")
                .isEqualTo(8);

        List<SearchHit> paged = new ArrayList<>();
        SearchQuery query = SearchQuery.inSession(session.chatId(), word, 1);
        SearchPage page = store.searchMessages(query);
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            sizes.add(page.hits().size());
            paged.addAll(page.hits());
            if (!page.hasMore()) {
                break;
            }
            page = store.searchMessages(query.after(page.nextCursor()));
        }

        assertThat(sizes).containsExactly(1, 1, 1);
        assertThat(paged)
                .extracting(h -> h.message().content())
                .allMatch(c -> c.startsWith(word + " tail"))
                .doesNotHaveDuplicates();
        assertThat(paged)
                .isEqualTo(store.searchMessages(SearchQuery.inSession(session.chatId(), word, 10))
                        .hits());
        assertThat(found(word.substring(0, 255))).containsOnly(pieces).hasSize(5);
    }
}
