package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NotFoundException;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Token usage: records stored as given with the store's time, totalled by user, session or model over a
 * half-open time range, costs summed per currency, narrowed to one user or one session, paged by key in code
 * point order, and gone with their session or their billed user.
 */
public interface TokenUsageContract extends ConformanceTest {

    /** A session of a new user holding {@code count} messages. */
    private static ChatSession sessionWithMessages(DataAccess store, int count) {
        ChatSession session = Fixtures.session(store, Fixtures.user(store).id());
        Fixtures.messages(store, session.chatId(), count);
        return session;
    }

    /** A range from an hour before the clock's time to an hour after it. */
    private static TokenUsageQuery around(Clock clock, TokenUsageGrouping groupBy) {
        Instant now = clock.instant();
        return TokenUsageQuery.by(groupBy, now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)));
    }

    private static TokenUsageTotal total(
            String key, long prompt, long completion, long records, Map<String, Long> cost) {
        return new TokenUsageTotal(key, prompt, completion, records, cost);
    }

    /** UUID keys are ASCII, so their code point order is {@link String#compareTo}'s. */
    private static List<TokenUsageTotal> byKey(TokenUsageTotal... totals) {
        List<TokenUsageTotal> sorted = new ArrayList<>(List.of(totals));
        sorted.sort(java.util.Comparator.comparing(TokenUsageTotal::key));
        return sorted;
    }

    /**
     * A record is stored with its message's id, session and place, the billed user, the model, the tokens, the
     * cost and the store's time; totals by user sum each user's tokens, records and cost.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void usageIsStoredAsGivenAndTotalledPerUser(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 2);
        Message reply = store.getChatHistory(session.chatId(), 2, 0).get(1);
        UUID alice = Fixtures.user(store).id();
        UUID bob = Fixtures.user(store).id();

        TokenUsage recorded = store.recordTokenUsage(
                NewTokenUsage.of(session.chatId(), 2, alice, "model-a", 100, 20).withCost(1_500, "USD"));
        store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, alice, "model-b", 50, 10));
        store.recordTokenUsage(
                NewTokenUsage.of(session.chatId(), 2, bob, "model-a", 7, 3).withCost(200, "USD"));

        assertThat(recorded)
                .isEqualTo(new TokenUsage(
                        recorded.id(),
                        reply.id(),
                        session.id(),
                        2,
                        alice,
                        "model-a",
                        100,
                        20,
                        1_500L,
                        "USD",
                        Fixtures.now(clock)));
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.USER)))
                .containsExactlyElementsOf(byKey(
                        total(alice.toString(), 150, 30, 2, Map.of("USD", 1_500L)),
                        total(bob.toString(), 7, 3, 1, Map.of("USD", 200L))));
    }

    /**
     * Usage recorded with the caller's id is stored under it; recording the same request again returns the stored
     * record (a retry after an unknown outcome records nothing twice), and other usage under that id is a
     * {@link DuplicateKeyException} that changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void usageWithTheCallersIdIsRepeatableAndItsIdUnique(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 2);
        ChatSession other = sessionWithMessages(store, 2);
        UUID user = Fixtures.user(store).id();
        UUID id = UUID.randomUUID();
        NewTokenUsage usage = NewTokenUsage.of(session.chatId(), 2, user, "m", 5, 1)
                .withCost(3, "USD")
                .withId(id);

        TokenUsage first = store.recordTokenUsage(usage);
        clock.advance(Duration.ofSeconds(5));
        TokenUsage again = store.recordTokenUsage(usage);

        assertThat(first.id()).isEqualTo(id);
        assertThat(again).as("the stored record, time included").isEqualTo(first);
        for (NewTokenUsage taken : List.of(
                NewTokenUsage.of(session.chatId(), 2, user, "m", 6, 1)
                        .withCost(3, "USD")
                        .withId(id),
                NewTokenUsage.of(session.chatId(), 1, user, "m", 5, 1)
                        .withCost(3, "USD")
                        .withId(id),
                NewTokenUsage.of(session.chatId(), 2, user, "m", 5, 1).withId(id),
                NewTokenUsage.of(other.chatId(), 2, user, "m", 5, 1)
                        .withCost(3, "USD")
                        .withId(id))) {
            assertThat(assertFails(DuplicateKeyException.class, () -> store.recordTokenUsage(taken))
                            .key())
                    .isEqualTo(DuplicateKeyException.Key.TOKEN_USAGE_ID);
        }
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.SESSION)))
                .containsExactly(total(session.id().toString(), 5, 1, 1, Map.of("USD", 3L)));
    }

    /**
     * Totals by session are keyed by the session's id, totals by model by the model's name; both count every
     * user's usage.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void usageIsTotalledPerSessionAndPerModel(DataAccess store, MutableClock clock) {
        ChatSession first = sessionWithMessages(store, 1);
        ChatSession second = sessionWithMessages(store, 1);
        UUID alice = Fixtures.user(store).id();
        UUID bob = Fixtures.user(store).id();
        store.recordTokenUsage(NewTokenUsage.of(first.chatId(), 1, alice, "beta", 10, 1));
        store.recordTokenUsage(NewTokenUsage.of(first.chatId(), 1, bob, "alpha", 20, 2));
        store.recordTokenUsage(NewTokenUsage.of(second.chatId(), 1, alice, "beta", 30, 3));

        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.SESSION)))
                .containsExactlyElementsOf(byKey(
                        total(first.id().toString(), 30, 3, 2, Map.of()),
                        total(second.id().toString(), 30, 3, 1, Map.of())));
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.MODEL)))
                .containsExactly(total("alpha", 20, 2, 1, Map.of()), total("beta", 40, 4, 2, Map.of()));
    }

    /**
     * A range counts usage recorded at its start and up to, but not at, its end.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void aRangeCountsItsStartButNotItsEnd(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID user = Fixtures.user(store).id();
        Instant[] at = new Instant[3];
        for (int i = 0; i < at.length; i++) {
            at[i] = store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user, "m", 1L << i, 0))
                    .createdAt();
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(promptTokens(store, at[0], at[2])).as("[t0, t2)").isEqualTo(1 + 2);
        assertThat(promptTokens(store, at[1], at[2].plusMillis(1)))
                .as("[t1, t2]")
                .isEqualTo(2 + 4);
        assertThat(promptTokens(store, at[0].plusMillis(1), at[1]))
                .as("(t0, t1)")
                .isZero();
        assertThat(store.getTokenUsageTotals(
                        TokenUsageQuery.by(TokenUsageGrouping.MODEL, at[2].plusMillis(1), at[2].plusSeconds(60))))
                .as("after the last record")
                .isEmpty();
    }

    private static long promptTokens(DataAccess store, Instant from, Instant to) {
        return store.getTokenUsageTotals(TokenUsageQuery.by(TokenUsageGrouping.MODEL, from, to)).stream()
                .mapToLong(TokenUsageTotal::promptTokens)
                .sum();
    }

    /**
     * Costs are summed per currency and never across currencies; usage without a cost adds its tokens and its
     * record to the total but no cost.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void costsAreSummedPerCurrency(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID user = Fixtures.user(store).id();
        String chat = session.chatId();
        store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, "m", 1, 1).withCost(100, "USD"));
        store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, "m", 1, 1).withCost(50, "USD"));
        store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, "m", 1, 1).withCost(70, "EUR"));
        store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, "m", 1, 1).withCost(0, "JPY"));
        store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, "m", 1, 1));

        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.USER)))
                .containsExactly(total(user.toString(), 5, 5, 5, Map.of("USD", 150L, "EUR", 70L, "JPY", 0L)));
    }

    /**
     * A query for one user counts only the usage billed to that user, one for a session only that session's
     * usage, one for both only their intersection; an unknown session or user has no totals.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void totalsCanBeNarrowedToOneUserOrOneSession(DataAccess store, MutableClock clock) {
        ChatSession first = sessionWithMessages(store, 1);
        ChatSession second = sessionWithMessages(store, 1);
        UUID alice = Fixtures.user(store).id();
        UUID bob = Fixtures.user(store).id();
        store.recordTokenUsage(NewTokenUsage.of(first.chatId(), 1, alice, "m", 1, 0));
        store.recordTokenUsage(NewTokenUsage.of(first.chatId(), 1, bob, "m", 2, 0));
        store.recordTokenUsage(NewTokenUsage.of(second.chatId(), 1, alice, "m", 4, 0));
        TokenUsageQuery byModel = around(clock, TokenUsageGrouping.MODEL);

        assertThat(store.getTokenUsageTotals(byModel.forUser(alice))).containsExactly(total("m", 5, 0, 2, Map.of()));
        assertThat(store.getTokenUsageTotals(byModel.inSession(first.chatId())))
                .containsExactly(total("m", 3, 0, 2, Map.of()));
        assertThat(store.getTokenUsageTotals(byModel.inSession(first.chatId()).forUser(bob)))
                .containsExactly(total("m", 2, 0, 1, Map.of()));
        assertThat(store.getTokenUsageTotals(byModel.inSession("no-such-chat"))).isEmpty();
        assertThat(store.getTokenUsageTotals(byModel.forUser(UUID.randomUUID())))
                .isEmpty();
    }

    /**
     * Totals come in code point order of their key, a page holds at most {@code limit} keys (however many
     * currencies each has) and the next page starts after the last key.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void totalsArePagedByKeyInCodePointOrder(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID user = Fixtures.user(store).id();
        String chat = session.chatId();
        // Code point order; UTF-16 order would put the emoji before U+FFFD.
        List<String> models = List.of("Z", "a", "z", "\u00e9", "\ufffd", "\ud83d\ude00");
        for (String model : List.of("\ud83d\ude00", "z", "\ufffd", "a", "\u00e9", "Z")) {
            store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, model, 1, 0).withCost(1, "USD"));
            store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, model, 1, 0).withCost(2, "EUR"));
            store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, model, 1, 0));
        }
        TokenUsageQuery query = around(clock, TokenUsageGrouping.MODEL).withLimit(4);

        List<TokenUsageTotal> first = store.getTokenUsageTotals(query);
        List<TokenUsageTotal> second = store.getTokenUsageTotals(
                query.after(first.get(first.size() - 1).key()));

        assertThat(first).extracting(TokenUsageTotal::key).containsExactlyElementsOf(models.subList(0, 4));
        assertThat(second).extracting(TokenUsageTotal::key).containsExactlyElementsOf(models.subList(4, 6));
        assertThat(first.get(0)).isEqualTo(total("Z", 3, 0, 3, Map.of("USD", 1L, "EUR", 2L)));
        assertThat(store.getTokenUsageTotals(query.after("\ud83d\ude00"))).isEmpty();
    }

    /**
     * A deleted session takes its usage along (a new session under the same key starts without any); a deleted
     * user's usage stops counting, whether the user's sessions are kept or purged.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void usageGoesWithItsSessionAndItsUser(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 1);
        User leaving = Fixtures.user(store);
        User purged = Fixtures.user(store);
        UUID staying = Fixtures.user(store).id();
        for (UUID user : List.of(leaving.id(), purged.id(), staying)) {
            store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user, "m", 10, 1));
        }

        store.deleteUser(leaving.id());
        store.deleteUser(purged.id(), DeleteMode.PURGE);

        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.USER)))
                .containsExactly(total(staying.toString(), 10, 1, 1, Map.of()));

        store.deleteChatSession(session.chatId());
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.USER)))
                .isEmpty();
        ChatSession reborn = store.createChatSession(NewChatSession.of(session.chatId(), staying));
        Fixtures.messages(store, reborn.chatId(), 1);
        assertThat(store.getTokenUsageTotals(
                        around(clock, TokenUsageGrouping.SESSION).inSession(reborn.chatId())))
                .as("a new session under the old key")
                .isEmpty();
    }

    /**
     * Usage of a message, session or user that does not exist is {@link NotFoundException}, and nothing is
     * stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void usageOfWhatDoesNotExistIsNotFound(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 2);
        UUID user = Fixtures.user(store).id();

        assertFails(
                NotFoundException.class,
                () -> store.recordTokenUsage(NewTokenUsage.of("no-such-chat", 1, user, "m", 1, 1)));
        assertFails(
                NotFoundException.class,
                () -> store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 3, user, "m", 1, 1)));
        assertFails(
                NotFoundException.class,
                () -> store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, UUID.randomUUID(), "m", 1, 1)));

        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.MODEL)))
                .isEmpty();
    }

    /**
     * Bad usage and bad queries are {@link dev.dal.api.ValidationException} naming the field, and nothing is
     * stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void badUsageAndBadQueriesAreRejectedNamingTheField(DataAccess store, MutableClock clock) {
        String chat = sessionWithMessages(store, 1).chatId();
        UUID user = Fixtures.user(store).id();
        NewTokenUsage good = NewTokenUsage.of(chat, 1, user, "m", 1, 1);
        Instant now = clock.instant();

        assertRejected(store, "usage", () -> store.recordTokenUsage(null));
        assertRejected(store, "chatId", () -> store.recordTokenUsage(NewTokenUsage.of(null, 1, user, "m", 1, 1)));
        assertRejected(
                store, "sequenceNumber", () -> store.recordTokenUsage(NewTokenUsage.of(chat, 0, user, "m", 1, 1)));
        assertRejected(store, "userId", () -> store.recordTokenUsage(NewTokenUsage.of(chat, 1, null, "m", 1, 1)));
        assertRejected(store, "model", () -> store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, " ", 1, 1)));
        assertRejected(
                store,
                "model",
                () -> store.recordTokenUsage(
                        NewTokenUsage.of(chat, 1, user, "m".repeat(NewTokenUsage.MAX_MODEL_LENGTH + 1), 1, 1)));
        assertRejected(
                store, "promptTokens", () -> store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, "m", -1, 1)));
        assertRejected(
                store, "completionTokens", () -> store.recordTokenUsage(NewTokenUsage.of(chat, 1, user, "m", 1, -1)));
        assertRejected(store, "costMicros", () -> store.recordTokenUsage(good.withCost(-1, "USD")));
        assertRejected(store, "currency", () -> store.recordTokenUsage(good.withCost(1, null)));
        assertRejected(store, "currency", () -> store.recordTokenUsage(good.withCost(1, "usd")));
        assertRejected(store, "currency", () -> store.recordTokenUsage(good.withCost(1, "US$")));
        assertRejected(
                store,
                "currency",
                () -> store.recordTokenUsage(new NewTokenUsage(chat, 1, user, "m", 1, 1, null, "USD")));

        TokenUsageQuery query = TokenUsageQuery.by(TokenUsageGrouping.USER, now, now.plusSeconds(1));
        assertRejected(store, "query", () -> store.getTokenUsageTotals(null));
        assertRejected(
                store, "groupBy", () -> store.getTokenUsageTotals(TokenUsageQuery.by(null, now, now.plusSeconds(1))));
        assertRejected(
                store, "from", () -> store.getTokenUsageTotals(TokenUsageQuery.by(TokenUsageGrouping.USER, null, now)));
        assertRejected(
                store, "to", () -> store.getTokenUsageTotals(TokenUsageQuery.by(TokenUsageGrouping.USER, now, null)));
        assertRejected(
                store, "to", () -> store.getTokenUsageTotals(TokenUsageQuery.by(TokenUsageGrouping.USER, now, now)));
        assertRejected(store, "limit", () -> store.getTokenUsageTotals(query.withLimit(0)));
        assertRejected(store, "limit", () -> store.getTokenUsageTotals(query.withLimit(HistoryQuery.MAX_LIMIT + 1)));
        assertRejected(store, "chatId", () -> store.getTokenUsageTotals(query.inSession(" ")));
        assertRejected(store, "afterKey", () -> store.getTokenUsageTotals(query.after("")));
    }

    /**
     * Usage recorded in a transaction that fails is rolled back with it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires({Capability.TOKEN_USAGE, Capability.TRANSACTIONS})
    default void usageInAFailedTransactionIsRolledBack(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID user = Fixtures.user(store).id();
        store.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user, "kept", 1, 1));

        Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> store.useTransaction(tx -> {
            tx.recordTokenUsage(NewTokenUsage.of(session.chatId(), 1, user, "lost", 5, 5));
            throw new IllegalStateException("the work fails");
        }));

        assertThat(failed).isInstanceOf(IllegalStateException.class);
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.MODEL)))
                .containsExactly(total("kept", 1, 1, 1, Map.of()));
    }

    /**
     * Usage recorded by many threads at once is all counted, once each.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void usageRecordedConcurrentlyIsAllCounted(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 4);
        UUID user = Fixtures.user(store).id();
        int tasks = 16;
        List<Callable<TokenUsage>> work = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            long seq = 1 + i % 4;
            work.add(() -> store.recordTokenUsage(
                    NewTokenUsage.of(session.chatId(), seq, user, "m", 3, 2).withCost(10, "USD")));
        }

        List<TokenUsage> recorded = Fixtures.concurrently(work);

        assertThat(recorded).extracting(TokenUsage::id).doesNotHaveDuplicates().hasSize(tasks);
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.USER)))
                .containsExactly(total(user.toString(), 3L * tasks, 2L * tasks, tasks, Map.of("USD", 10L * tasks)));
    }

    /** Records usage of three users on two sessions' messages, a clock tick apart, and returns it as scanned. */
    private static List<TokenUsage> recordSomeUsage(DataAccess store, MutableClock clock) {
        List<TokenUsage> recorded = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            ChatSession session = sessionWithMessages(store, 2);
            for (int u = 0; u < 3; u++) {
                UUID user = Fixtures.user(store).id();
                NewTokenUsage usage = NewTokenUsage.of(session.chatId(), 1 + u % 2, user, "m" + u, 10 + u, s);
                recorded.add(store.recordTokenUsage(u == 0 ? usage : usage.withCost(u, "USD")));
                clock.advance(Duration.ofMillis(7));
            }
        }
        List<TokenUsage> scanned = Fixtures.scanAll(store.bulk()::scanTokenUsage, 1000);
        assertThat(scanned).containsExactlyInAnyOrderElementsOf(recorded);
        return scanned;
    }

    /**
     * A scan of token usage visits every record once, in id order, in batches of any size.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void aScanOfTokenUsageVisitsEveryRecordOnceInOrder(DataAccess store, MutableClock clock) {
        List<TokenUsage> all = recordSomeUsage(store, clock);

        assertThat(all).hasSize(6).isSortedAccordingTo(java.util.Comparator.comparing(u -> u.id().toString()));
        for (int batch : new int[] {1, 2, 4}) {
            assertThat(Fixtures.scanAll(store.bulk()::scanTokenUsage, batch))
                    .as("batches of %d", batch)
                    .isEqualTo(all);
        }
    }

    /**
     * Upserted usage is stored exactly (replacing a record of the same id) and deleted usage goes; both are
     * idempotent.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void upsertedUsageIsStoredExactlyAndDeletedUsageGoes(DataAccess store, MutableClock clock) {
        List<TokenUsage> all = recordSomeUsage(store, clock);
        List<UUID> ids = all.stream().map(TokenUsage::id).toList();

        store.bulk().deleteTokenUsage(ids);
        assertThat(Fixtures.scanAll(store.bulk()::scanTokenUsage, 1000)).isEmpty();
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.MODEL)))
                .isEmpty();
        store.bulk().deleteTokenUsage(ids);

        store.bulk().upsertTokenUsage(all);
        store.bulk().upsertTokenUsage(all);
        assertThat(Fixtures.scanAll(store.bulk()::scanTokenUsage, 1000)).isEqualTo(all);

        TokenUsage first = all.get(0);
        TokenUsage changed = new TokenUsage(
                first.id(),
                first.messageId(),
                first.sessionId(),
                first.sequenceNumber(),
                first.userId(),
                "changed",
                first.promptTokens() + 1,
                first.completionTokens() + 1,
                99L,
                "EUR",
                first.createdAt().minus(Duration.ofDays(1)));
        store.bulk().upsertTokenUsage(List.of(changed));
        assertThat(Fixtures.scanAll(store.bulk()::scanTokenUsage, 1000))
                .hasSize(all.size())
                .contains(changed)
                .doesNotContain(first);
    }

    /**
     * Upserted usage whose message (that place of that session, with that id) or user the store lacks is skipped.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.TOKEN_USAGE)
    default void upsertedUsageWithoutItsParentsIsSkipped(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 2);
        Message first = store.getChatHistory(session.chatId(), 1, 0).get(0);
        UUID user = Fixtures.user(store).id();
        Instant at = Fixtures.now(clock);

        store.bulk()
                .upsertTokenUsage(List.of(
                        new TokenUsage(
                                UUID.randomUUID(),
                                first.id(),
                                session.id(),
                                1,
                                UUID.randomUUID(),
                                "m",
                                1,
                                1,
                                null,
                                null,
                                at),
                        new TokenUsage(
                                UUID.randomUUID(), first.id(), UUID.randomUUID(), 1, user, "m", 1, 1, null, null, at),
                        new TokenUsage(UUID.randomUUID(), first.id(), session.id(), 2, user, "m", 1, 1, null, null, at),
                        new TokenUsage(
                                UUID.randomUUID(),
                                UUID.randomUUID(),
                                session.id(),
                                3,
                                user,
                                "m",
                                1,
                                1,
                                null,
                                null,
                                at)));

        assertThat(Fixtures.scanAll(store.bulk()::scanTokenUsage, 1000)).isEmpty();
        assertThat(store.getTokenUsageTotals(around(clock, TokenUsageGrouping.MODEL)))
                .isEmpty();
    }

    /**
     * A store that does not declare token usage refuses it with {@link UnsupportedCapabilityException} naming
     * the capability; one that declares it answers.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    default void tokenUsageAnswersExactlyWhenTheCapabilityIsDeclared(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID user = Fixtures.user(store).id();
        NewTokenUsage usage = NewTokenUsage.of(session.chatId(), 1, user, "m", 1, 1);
        TokenUsageQuery query = around(clock, TokenUsageGrouping.MODEL);
        if (store.capabilities().contains(Capability.TOKEN_USAGE)) {
            store.recordTokenUsage(usage);
            assertThat(store.getTokenUsageTotals(query)).containsExactly(total("m", 1, 1, 1, Map.of()));
        } else {
            assertThat(assertFails(UnsupportedCapabilityException.class, () -> store.recordTokenUsage(usage))
                            .capability())
                    .isEqualTo(Capability.TOKEN_USAGE);
            assertThat(assertFails(UnsupportedCapabilityException.class, () -> store.getTokenUsageTotals(query))
                            .capability())
                    .isEqualTo(Capability.TOKEN_USAGE);
            assertThat(store.bulk().scanTokenUsage(null, 10).items())
                    .as("a store without token usage holds none")
                    .isEmpty();
            TokenUsage any = new TokenUsage(
                    UUID.randomUUID(),
                    UUID.randomUUID(),
                    session.id(),
                    1,
                    user,
                    "m",
                    1,
                    1,
                    null,
                    null,
                    Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(assertFails(
                                    UnsupportedCapabilityException.class,
                                    () -> store.bulk().upsertTokenUsage(List.of(any)))
                            .capability())
                    .isEqualTo(Capability.TOKEN_USAGE);
        }
    }
}
