package dev.dal.neo4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DeleteMode;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NotFoundException;
import dev.dal.api.Retryable;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.spi.CodePointOrder;
import dev.dal.neo4j.Neo4jStoreProvider;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Record;

/**
 * Token usage in the graph (schema change 007): the node as the model says, the model's order encoding against
 * the server's two string comparisons, and every deletion path taking usage along, also when a deletion races a
 * record being written.
 */
class Neo4jTokenUsageTest {
    private static final Neo4jTestServer SERVER = Neo4jTestServer.get();

    private DataAccess store;
    private User user;
    private ChatSession session;

    @BeforeEach
    void open() {
        store = DataAccessFactory.create(SERVER.config(Clock.systemUTC()), new Neo4jStoreProvider(SERVER.driver()));
        SERVER.clear();
        user = store.createUser(dev.dal.api.NewUser.builder().build());
        session = store.createChatSession(NewChatSession.of("usage-chat", user.id()));
        store.addMessage(session.chatId(), NewMessage.user("hello"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static TokenUsageQuery byModel() {
        Instant now = Instant.now();
        return TokenUsageQuery.by(TokenUsageGrouping.MODEL, now.minus(Duration.ofHours(1)), now.plusSeconds(3600));
    }

    private static long usageNodes() {
        return SERVER.run("MATCH (t:TokenUsage) RETURN count(t) AS n", Map.of())
                .get(0)
                .get("n")
                .asLong();
    }

    @Test
    void aRecordIsOneNodeOfItsOwnHoldingTheModelsProperties() {
        Message message = store.getChatHistory(session.chatId(), 1, 0).get(0);

        TokenUsage usage =
                store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user.id(), "gpt-\ud83d\ude00", 12, 3)
                        .withCost(450, "USD"));
        TokenUsage free = store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user.id(), "free", 1, 0));

        Record stored = SERVER.run(
                        "MATCH (t:TokenUsage {id: $id}) RETURN properties(t) AS p, valueType(t.created_at) AS type,"
                                + " COUNT { (t)--() } AS relationships",
                        Map.of("id", usage.id().toString()))
                .get(0);
        Map<String, Object> p = stored.get("p").asMap();
        assertThat(p)
                .containsEntry("id", usage.id().toString())
                .containsEntry("message_id", message.id().toString())
                .containsEntry("session_id", session.id().toString())
                .containsEntry("sequence_number", 1L)
                .containsEntry("user_id", user.id().toString())
                .containsEntry("model", "gpt-\ud83d\ude00")
                .containsEntry("model_order", Neo4jRecords.modelOrder("gpt-\ud83d\ude00"))
                .containsEntry("prompt_tokens", 12L)
                .containsEntry("completion_tokens", 3L)
                .containsEntry("cost_micros", 450L)
                .containsEntry("currency", "USD")
                .containsKey("created_at");
        assertThat(stored.get("type").asString()).startsWith("ZONED DATETIME");
        assertThat(stored.get("relationships").asLong()).isZero();
        assertThat(SERVER.run(
                                "MATCH (t:TokenUsage {id: $id}) RETURN keys(t) AS k",
                                Map.of("id", free.id().toString()))
                        .get(0)
                        .get("k")
                        .asList())
                .as("no cost: neither property")
                .doesNotContain("cost_micros", "currency");
    }

    @Test
    void theModelOrderEncodingComparesAsCodePointsWhicheverWayStringsAreCompared() {
        int[] alphabet = {'a', 'z', 0xE9, 0x7FF, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1D400, 0x1F600, 0x10FFFF};
        Random random = new Random(7);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder name = new StringBuilder();
            int length = random.nextInt(5);
            for (int j = 0; j < length; j++) {
                name.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
            }
            names.add(name.toString());
        }
        for (String a : names) {
            for (String b : names) {
                int expected = Integer.signum(CodePointOrder.compare(a, b));
                String ea = Neo4jRecords.modelOrder(a);
                String eb = Neo4jRecords.modelOrder(b);
                assertThat(Integer.signum(ea.compareTo(eb)))
                        .as("UTF-16 order of the encodings of %s and %s", a, b)
                        .isEqualTo(expected);
                assertThat(Integer.signum(CodePointOrder.compare(ea, eb)))
                        .as("code point order of the encodings of %s and %s", a, b)
                        .isEqualTo(expected);
            }
        }
    }

    /**
     * Values written in the running transaction are compared as Java strings, committed ones by their bytes: a
     * page mixing both (and the next page's key, a parameter) still comes in code point order.
     */
    @Test
    void modelsArePagedInCodePointOrderAlsoAmongRecordsOfTheRunningTransaction() {
        List<String> committed = List.of("\ud83d\ude00", "a", "\uffff");
        List<String> inTransaction = List.of("\ufffd", "\ud835\udc00", "\ue000", "Z");
        committed.forEach(m -> store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user.id(), m, 1, 0)));

        List<String> keys = store.inTransaction(tx -> {
            inTransaction.forEach(m -> tx.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user.id(), m, 1, 0)));
            List<String> seen = new ArrayList<>();
            TokenUsageQuery query = byModel().withLimit(2);
            List<TokenUsageTotal> page = tx.getTokenUsageTotals(query);
            while (!page.isEmpty()) {
                page.forEach(t -> seen.add(t.key()));
                page = tx.getTokenUsageTotals(
                        query.after(page.get(page.size() - 1).key()));
            }
            return seen;
        });

        List<String> expected = new ArrayList<>(committed);
        expected.addAll(inTransaction);
        expected.sort(CodePointOrder.COMPARATOR);
        assertThat(keys).containsExactlyElementsOf(expected);
        assertThat(store.getTokenUsageTotals(byModel().after("\uffff")))
                .extracting(TokenUsageTotal::key)
                .containsExactly("\ud835\udc00", "\ud83d\ude00");
    }

    @Test
    void replicatedDeletionsOfASessionAndOfAUserTakeTheirUsageAlong() {
        User other = store.createUser(dev.dal.api.NewUser.builder().build());
        ChatSession kept = store.createChatSession(NewChatSession.of("kept-chat", other.id()));
        store.addMessage(kept.chatId(), NewMessage.user("kept"));
        store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, other.id(), "in-deleted-session", 1, 0));
        store.recordTokenUsage(NewTokenUsage.of(kept.chatId(), 1, user.id(), "billed-to-deleted-user", 1, 0));
        store.recordTokenUsage(NewTokenUsage.of(kept.chatId(), 1, other.id(), "stays", 1, 0));

        long sessionVersion =
                store.getChatSession(session.chatId()).orElseThrow().version();
        store.bulk().upsertTombstones(List.of(Tombstone.ofSession(session.chatId(), session.id(), sessionVersion + 1)));
        store.bulk().upsertTombstones(List.of(Tombstone.ofUser(user.id(), user.version() + 1)));

        assertThat(store.getTokenUsageTotals(byModel()))
                .extracting(TokenUsageTotal::key)
                .containsExactly("stays");
        assertThat(usageNodes()).isEqualTo(1);
    }

    @Test
    void deletingAUserWithPurgeTakesTheUsageOfTheirSessionsAndTheirBilledUsageAlong() {
        User other = store.createUser(dev.dal.api.NewUser.builder().build());
        ChatSession kept = store.createChatSession(NewChatSession.of("kept-chat", other.id()));
        store.addMessage(kept.chatId(), NewMessage.user("kept"));
        store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, other.id(), "in-purged-session", 1, 0));
        store.recordTokenUsage(NewTokenUsage.of(kept.chatId(), 1, user.id(), "billed-to-deleted-user", 1, 0));
        store.recordTokenUsage(NewTokenUsage.of(kept.chatId(), 1, other.id(), "stays", 1, 0));

        assertThat(store.deleteUser(user.id(), DeleteMode.PURGE)).isTrue();

        assertThat(store.getTokenUsageTotals(byModel()))
                .extracting(TokenUsageTotal::key)
                .containsExactly("stays");
        assertThat(usageNodes()).isEqualTo(1);
    }

    /**
     * A record whose transaction is still open when its session or billed user is deleted: the deletion waits for
     * the record's locks and deletes it after it committed; a record arriving while the deletion holds the nodes
     * finds them gone. Either way no usage outlives what it names.
     */
    @Test
    void aRecordRacingTheDeletionOfItsSessionOrUserLeavesNoOrphan() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // The record first: the deletions wait for its transaction.
            User billed = store.createUser(dev.dal.api.NewUser.builder().build());
            CountDownLatch recorded = new CountDownLatch(1);
            Future<?> recording = pool.submit(() -> store.useTransaction(tx -> {
                tx.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, billed.id(), "m", 1, 0));
                tx.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user.id(), "m", 1, 0));
                recorded.countDown();
                sleep(700);
            }));
            assertThat(recorded.await(30, TimeUnit.SECONDS)).isTrue();
            Future<Boolean> userDeleted = pool.submit(() -> store.deleteUser(billed.id(), DeleteMode.KEEP_SESSIONS));
            recording.get(60, TimeUnit.SECONDS);
            assertThat(userDeleted.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(SERVER.run(
                            "MATCH (t:TokenUsage {user_id: $id}) RETURN t",
                            Map.of("id", billed.id().toString())))
                    .as("the billed user's usage went with them")
                    .isEmpty();

            CountDownLatch again = new CountDownLatch(1);
            recording = pool.submit(() -> store.useTransaction(tx -> {
                tx.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user.id(), "m", 1, 0));
                again.countDown();
                sleep(700);
            }));
            assertThat(again.await(30, TimeUnit.SECONDS)).isTrue();
            Future<Boolean> sessionDeleted = pool.submit(() -> store.deleteChatSession(session.chatId()));
            recording.get(60, TimeUnit.SECONDS);
            assertThat(sessionDeleted.get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(usageNodes()).as("the session's usage went with it").isZero();

            // The deletion first: the record waits, then finds the message gone.
            ChatSession next = store.createChatSession(NewChatSession.of("next-chat", user.id()));
            store.addMessage(next.chatId(), NewMessage.user("next"));
            CountDownLatch deleted = new CountDownLatch(1);
            Future<?> deleting = pool.submit(() -> store.useTransaction(tx -> {
                tx.deleteChatSession(next.chatId());
                deleted.countDown();
                sleep(700);
            }));
            assertThat(deleted.await(30, TimeUnit.SECONDS)).isTrue();
            Future<Throwable> late = pool.submit(() -> {
                try {
                    store.recordTokenUsage(NewTokenUsage.of(next.chatId(), 1, user.id(), "m", 1, 0));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            deleting.get(60, TimeUnit.SECONDS);
            Throwable failure = late.get(60, TimeUnit.SECONDS);
            assertThat(failure)
                    .as("the session is gone, or a failure the caller may retry")
                    .satisfiesAnyOf(
                            f -> assertThat(f).isInstanceOf(NotFoundException.class),
                            f -> assertThat(f).isInstanceOf(Retryable.class));
            assertThat(usageNodes()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theDeletionsFindUsageByIndexSeeks() {
        Map<String, Object> p =
                Map.of("id", "u", "purge", true, "chatId", "c", "rows", List.of(Map.of("id", "u", "version", 2L)));
        for (String statement : List.of(
                Neo4jWrites.DELETE_USER,
                Neo4jWrites.DELETE_SESSION,
                Neo4jBulkWrites.TOMBSTONE_USERS,
                Neo4jBulkWrites.TOMBSTONE_SESSIONS)) {
            assertThat(plan("EXPLAIN " + statement, p))
                    .as(statement)
                    .containsPattern("NodeIndexSeek .*TokenUsage\\((session|user)_id, created_at\\)")
                    .doesNotContainPattern("NodeByLabelScan .*TokenUsage");
        }
    }

    private static String plan(String explain, Map<String, Object> parameters) {
        try (var s = SERVER.driver().session()) {
            return render(s.run(explain, parameters).consume().plan());
        }
    }

    private static String render(org.neo4j.driver.summary.Plan plan) {
        StringBuilder text = new StringBuilder(plan.operatorType().replaceAll("@.*", ""))
                .append(' ')
                .append(plan.arguments().get("Details"))
                .append('\n');
        plan.children().forEach(c -> text.append(render(c)));
        return text.toString();
    }
}
