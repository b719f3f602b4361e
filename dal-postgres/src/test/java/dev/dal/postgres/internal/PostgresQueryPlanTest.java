package dev.dal.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.SessionFilter;
import dev.dal.api.User;
import dev.dal.api.Vote;
import dev.dal.postgres.PostgresStoreProvider;
import dev.dal.test.postgres.PostgresTestServer;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The indexes serve the statements they were made for: a filtered session listing reads the index made for its
 * filter and sorts nothing; a search reads the full-text index; vote reads find a page's messages by their place
 * and the votes by their key. For listings and votes, sequential scans (and for listings sorts) are priced out so
 * the plan shows which index can serve the statement (on a real table the pick also depends on its statistics);
 * the search plan is the planner's own.
 */
class PostgresQueryPlanTest {
    /** A Sort node of a plan, not its "Sort Key" line. */
    private static final Pattern SORT_NODE = Pattern.compile("^\\s*(->\\s+)?Sort\\s+\\(");

    private static DataAccess store;
    private static Jdbi jdbi;
    private static User user;
    /** A user with one long conversation and one rare word in it: the case the full-text index is for. */
    private static User talker;
    /** The talker's conversation, with votes on a few of its messages. */
    private static ChatSession talk;

    @BeforeAll
    static void open() {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase("dal_query_plan");
        store = DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider());
        user = store.createUser(NewUser.withExternalId("listing-plan-" + System.nanoTime()));
        for (int i = 0; i < 20; i++) {
            ChatSession session = store.createChatSession(new NewChatSession(
                    "listing-plan-" + System.nanoTime() + "-" + i, user.id(), null, i % 2 == 0 ? "sql" : null, null));
        }
        talker = store.createUser(NewUser.withExternalId("search-plan-" + System.nanoTime()));
        talk = store.createChatSession(
                new NewChatSession("search-plan-" + System.nanoTime(), talker.id(), null, null, null));
        for (int batch = 0; batch < 5; batch++) {
            List<NewMessage> filler = new java.util.ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                filler.add(NewMessage.user("filler words number " + batch + "-" + i));
            }
            store.addMessages(talk.chatId(), filler);
        }
        store.addMessage(talk.chatId(), NewMessage.user("the one needle"));
        for (long seq = 1; seq <= 4000; seq += 100) {
            store.voteMessage(talk.chatId(), seq, talker.id(), seq % 200 == 1 ? Vote.UP : Vote.DOWN);
            store.voteMessage(talk.chatId(), seq, user.id(), Vote.UP);
        }
        jdbi = Jdbi.create(
                settings.get("DATABASE_URL"),
                settings.getOrDefault("DB_USER", "postgres"),
                settings.getOrDefault("DB_PASSWORD", ""));
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    static List<Object[]> filtersAndIndexes() {
        return List.of(
                new Object[] {SessionFilter.activeOnly(), "idx_chat_sessions_user_status_activity"},
                new Object[] {SessionFilter.everySession().withProfile("sql"), "idx_chat_sessions_user_profile_activity"
                });
    }

    private static String plan(Handle h, String sql, SessionFilter filter) {
        h.execute("SET enable_seqscan = off");
        h.execute("SET enable_sort = off");
        h.execute("ANALYZE chat_sessions");
        return String.join(
                "\n",
                PostgresReads.bindFilter(h.createQuery("EXPLAIN " + sql), filter)
                        .bind("userId", user.id())
                        .bind("limit", 10)
                        .bind("offset", 0)
                        .mapTo(String.class)
                        .list());
    }

    @ParameterizedTest
    @MethodSource("filtersAndIndexes")
    void theListingReadsItsIndexInOrder(SessionFilter filter, String index) {
        String plan = jdbi.withHandle(h -> plan(h, PostgresReads.listingSql(filter), filter));

        assertThat(plan).contains("Index Scan using " + index).doesNotContain("Sort");
    }

    /** A rare word in a user's long conversation: the planner, left to its statistics, reads the GIN index. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aSearchReadsTheFullTextIndex(boolean bySession) {
        String plan = jdbi.withHandle(h -> {
            h.execute("ANALYZE messages");
            return String.join(
                    "\n",
                    h.createQuery("EXPLAIN "
                                    + PostgresReads.searchSql(PostgresSettings.DEFAULT_SEARCH_CONFIG, bySession, true))
                            .bind("words", "needle")
                            .bind(bySession ? "chatId" : "userId", bySession ? (Object) "any-chat" : talker.id())
                            .bind("score", 0.5f)
                            .bind("afterId", java.util.UUID.randomUUID())
                            .bind("limit", 11)
                            .mapTo(String.class)
                            .list());
        });

        assertThat(plan).contains("Bitmap Index Scan on idx_messages_content_fts");
    }

    /**
     * A page's tallies and a user's votes on it: the messages of the range by {@code idx_messages_sequence}, their
     * votes by {@code message_votes_pkey} (by message id; for one user, by the whole key).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void voteReadsFindTheRangeByItsPlaceAndTheVotesByTheirKey(boolean oneUser) {
        String plan = jdbi.withHandle(h -> {
            h.execute("SET enable_seqscan = off");
            h.execute("ANALYZE messages");
            h.execute("ANALYZE message_votes");
            var explain = h.createQuery(
                            "EXPLAIN " + (oneUser ? PostgresReads.USER_VOTES_SQL : PostgresReads.TALLIES_SQL))
                    .bind("chatId", talk.chatId())
                    .bind("from", 1L)
                    .bind("to", 1000L);
            if (oneUser) {
                explain.bind("userId", talker.id());
            } else {
                explain.bind("up", Vote.UP.wireName()).bind("down", Vote.DOWN.wireName());
            }
            return String.join("\n", explain.mapTo(String.class).list());
        });

        assertThat(plan).as(plan).contains("idx_messages_sequence").contains("message_votes_pkey");
    }

    @ParameterizedTest
    @MethodSource("filtersAndIndexes")
    void theOverviewReadsTheSameIndexInOrder(SessionFilter filter, String index) {
        String plan = jdbi.withHandle(h -> plan(h, PostgresReads.overviewSql(filter), filter));

        assertThat(plan).contains("Index Scan using " + index);
        // The outer ORDER BY re-sorts the page of at most `limit` rows; the inner page must come from the index.
        assertThat(plan.lines().filter(l -> SORT_NODE.matcher(l).find()).count())
                .as(plan)
                .isEqualTo(1);
    }
}
