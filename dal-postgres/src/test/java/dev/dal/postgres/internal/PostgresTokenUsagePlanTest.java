package dev.dal.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.User;
import dev.dal.postgres.PostgresStoreProvider;
import dev.dal.test.postgres.PostgresTestServer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token usage totals read the index of their filter and time range: one user's by
 * {@code idx_token_usage_user_created}, one session's by {@code idx_token_usage_session_created}, everyone's by
 * {@code idx_token_usage_created}. Sequential scans are priced out so the plan shows which index can serve the
 * statement (on a real table the pick also depends on its statistics). A database of its own, so its sessions do
 * not change the statistics {@link PostgresQueryPlanTest} plans with.
 */
class PostgresTokenUsagePlanTest {
    private static DataAccess store;
    private static Jdbi jdbi;
    /** Billed for a few records only. */
    private static User rare;
    /** A session with a few records only. */
    private static ChatSession small;

    @BeforeAll
    static void open() {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase("dal_usage_plan");
        store = DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider());
        User often = store.createUser(NewUser.withExternalId("usage-plan-" + System.nanoTime()));
        rare = store.createUser(NewUser.withExternalId("usage-plan-rare-" + System.nanoTime()));
        for (int i = 0; i < 10; i++) {
            ChatSession session = store.createChatSession(
                    new NewChatSession("usage-plan-" + System.nanoTime() + "-" + i, often.id(), null, null, null));
            store.addMessage(session.chatId(), NewMessage.assistant("answer " + i));
            for (int call = 0; call < 40; call++) {
                store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, often.id(), "m-" + call % 3, 10, 5)
                        .withCost(call, "USD"));
            }
        }
        small = store.createChatSession(
                new NewChatSession("usage-plan-small-" + System.nanoTime(), rare.id(), null, null, null));
        store.addMessage(small.chatId(), NewMessage.assistant("a short answer"));
        for (int call = 0; call < 5; call++) {
            store.recordTokenUsage(NewTokenUsage.of(small.chatId(), 1, rare.id(), "m-0", 10, 5));
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
                new Object[] {"user", "idx_token_usage_user_created"},
                new Object[] {"session", "idx_token_usage_session_created"},
                new Object[] {"none", "idx_token_usage_created"});
    }

    /** Totals over the hour that holds every record of the table. */
    @ParameterizedTest
    @MethodSource("filtersAndIndexes")
    void totalsReadTheIndexOfTheirFilterAndRange(String filter, String index) {
        boolean byUser = filter.equals("user");
        boolean bySession = filter.equals("session");
        Instant from = Instant.now().minusSeconds(1800);
        String plan = jdbi.withHandle(h -> {
            h.execute("SET enable_seqscan = off");
            h.execute("ANALYZE token_usage");
            var explain = h.createQuery(
                            "EXPLAIN " + PostgresReads.totalsSql(TokenUsageGrouping.MODEL, byUser, bySession, false))
                    .bind("from", from.atOffset(ZoneOffset.UTC))
                    .bind("to", from.plusSeconds(3600).atOffset(ZoneOffset.UTC))
                    .bind("limit", 10);
            if (byUser) {
                explain.bind("userId", rare.id());
            }
            if (bySession) {
                explain.bind("chatId", small.chatId());
            }
            return String.join("\n", explain.mapTo(String.class).list());
        });

        assertThat(plan).as(plan).contains(index);
    }
}
