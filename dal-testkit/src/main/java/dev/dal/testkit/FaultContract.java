package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertNoDriverNames;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The network misbehaves: a {@link FaultProxy} between the store and its server stalls, resets or
 * refuses, with every deadline set to one second. Each call must end within its deadline plus one
 * second with the exception the failure table names, the same store must serve again within five
 * seconds once the fault ends, health must say DOWN in time, and a retry with the same ids after an
 * unknown outcome must leave exactly one copy. Runs on stores that declare {@link Capability#NETWORK};
 * their provider implements {@link StoreProvider#serverAddress()} and
 * {@link StoreProvider#openEmpty(java.time.Clock, Map, InetSocketAddress)}.
 */
public interface FaultContract extends ConformanceTest {

    /** Every deadline at one second. */
    Map<String, String> SHORT_DEADLINES = Map.of(
            DalConfig.DB_QUERY_TIMEOUT,
            "1",
            DalConfig.DB_CONNECT_TIMEOUT,
            "1",
            DalConfig.DB_CONNECTION_TIMEOUT,
            "1",
            DalConfig.DAL_HEALTH_TIMEOUT,
            "1");
    /** What a call may take under a fault: the one-second deadline plus one second. */
    Duration WITHIN = Duration.ofSeconds(2);
    /** How soon the same store must serve again after a fault ends. */
    Duration RECOVERY = Duration.ofSeconds(5);

    /** A store behind a proxy, closed with it. */
    record Faulty(FaultProxy proxy, DataAccess store) implements AutoCloseable {
        @Override
        public void close() {
            proxy.heal();
            try {
                store.close();
            } finally {
                proxy.close();
            }
        }
    }

    private static Faulty behindProxy(StoreProvider provider, MutableClock clock) {
        InetSocketAddress server = provider.serverAddress()
                .orElseThrow(() -> new AssertionError(
                        provider.getClass().getName() + " declares NETWORK but serverAddress() is empty"));
        FaultProxy proxy = FaultProxy.to(server);
        try {
            return new Faulty(proxy, provider.openEmpty(clock, SHORT_DEADLINES, proxy.address()));
        } catch (RuntimeException | Error e) {
            proxy.close();
            throw e;
        }
    }

    /** What a call did: its failure (or {@code null}) and how long it took; a hung call fails the test. */
    record Ended(Throwable failure, Duration took) {}

    private static Ended timed(Callable<?> call) {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        long start = System.nanoTime();
        try {
            Future<?> future = runner.submit(call);
            try {
                future.get(WITHIN.toMillis() + 20_000, TimeUnit.MILLISECONDS);
                return new Ended(null, Duration.ofNanos(System.nanoTime() - start));
            } catch (java.util.concurrent.ExecutionException e) {
                return new Ended(e.getCause(), Duration.ofNanos(System.nanoTime() - start));
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the call did not end within "
                        + WITHIN.plusSeconds(20).toSeconds() + " s: it is not bounded by the deadlines");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            runner.shutdownNow();
        }
    }

    private static void assertEndedInTime(Ended ended) {
        assertThat(ended.took()).as("time the call took under the fault").isLessThanOrEqualTo(WITHIN);
    }

    /** Polls a read until it succeeds; asserts that happens within {@link #RECOVERY} of the fault's end. */
    private static void assertServesAgain(DataAccess store, UUID userId) {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                assertThat(store.getUser(userId)).isPresent();
                return;
            } catch (RuntimeException e) {
                last = e;
            }
            sleep(100);
        }
        throw new AssertionError(
                "the store did not serve again within " + RECOVERY.toSeconds()
                        + " s after the fault ended; last failure: " + last,
                last);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * A stall during a read ends within the query timeout plus a second with TransientDataAccessException.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.NETWORK)
    default void aStallDuringAReadEndsWithinTheQueryTimeoutAsTransient(StoreProvider provider, MutableClock clock) {
        try (Faulty f = behindProxy(provider, clock)) {
            ChatSession session =
                    Fixtures.session(f.store(), Fixtures.user(f.store()).id());
            Fixtures.messages(f.store(), session.chatId(), 4);
            f.proxy().stall();

            Ended read = timed(() -> f.store().getChatHistory(session.chatId(), HistoryQuery.latest(10)));

            assertEndedInTime(read);
            assertThat(read.failure()).isInstanceOf(TransientDataAccessException.class);
            assertNoDriverNames(read.failure());
        }
    }

    /**
     * A stall during a write ends in time as transient or outcome unknown, and its retry with the same ids stores the
     * messages once.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.NETWORK)
    default void aStallDuringAWriteEndsWithinTheQueryTimeoutAndTheRetryStoresOnce(
            StoreProvider provider, MutableClock clock) {
        try (Faulty f = behindProxy(provider, clock)) {
            User user = Fixtures.user(f.store());
            ChatSession session = Fixtures.session(f.store(), user.id());
            List<NewMessage> turn = List.of(
                    NewMessage.user("q").withId(UUID.randomUUID()),
                    NewMessage.assistant("a").withId(UUID.randomUUID()));
            f.proxy().stall();

            Ended write = timed(() -> f.store().addMessages(session.chatId(), turn));

            assertEndedInTime(write);
            assertThat(write.failure())
                    .isInstanceOfAny(TransientDataAccessException.class, OutcomeUnknownException.class);
            assertNoDriverNames(write.failure());
            f.proxy().heal();
            assertServesAgain(f.store(), user.id());
            List<Message> stored = f.store().addMessages(session.chatId(), turn);
            assertThat(stored)
                    .extracting(Message::id)
                    .containsExactly(turn.get(0).id(), turn.get(1).id());
            assertThat(f.store().getChatHistory(session.chatId(), HistoryQuery.latest(10)))
                    .isEqualTo(stored);
        }
    }

    /**
     * A stall during a vote ends in time as transient or outcome unknown, and a tally during it in time as a failure
     * the failure table names; once the
     * network heals, casting the vote again leaves exactly that one vote (a vote is idempotent by its user and
     * message, so the retry needs nothing the caller did not have).
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires({Capability.NETWORK, Capability.MESSAGE_VOTES})
    default void aStallDuringAVoteEndsWithinTheQueryTimeoutAndTheRetryKeepsOneVote(
            StoreProvider provider, MutableClock clock) {
        try (Faulty f = behindProxy(provider, clock)) {
            User user = Fixtures.user(f.store());
            ChatSession session = Fixtures.session(f.store(), user.id());
            Fixtures.messages(f.store(), session.chatId(), 2);
            f.store().voteMessage(session.chatId(), 1, user.id(), Vote.DOWN);
            f.proxy().stall();

            Ended vote = timed(() -> f.store().voteMessage(session.chatId(), 1, user.id(), Vote.UP));
            Ended tally = timed(() -> f.store().getVoteTallies(session.chatId(), 1, 2));

            assertEndedInTime(vote);
            assertThat(vote.failure())
                    .isInstanceOfAny(TransientDataAccessException.class, OutcomeUnknownException.class);
            assertNoDriverNames(vote.failure());
            assertEndedInTime(tally);
            // The stalled vote may cost its pooled connection; a new one is not accepted during the stall, which
            // the failure table names unavailable.
            assertThat(tally.failure()).isInstanceOfAny(TransientDataAccessException.class, UnavailableException.class);
            assertNoDriverNames(tally.failure());
            f.proxy().heal();
            assertServesAgain(f.store(), user.id());
            f.store().voteMessage(session.chatId(), 1, user.id(), Vote.UP);
            assertThat(f.store().getVoteTallies(session.chatId(), 1, 2)).containsExactly(new VoteTally(1, 1, 0));
        }
    }

    /**
     * A stall while usage is recorded under the caller's id ends in time as transient or outcome unknown; once the
     * network heals, recording the same request again leaves exactly one record, whether or not the stalled one
     * reached the store.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires({Capability.NETWORK, Capability.TOKEN_USAGE})
    default void aStallWhileUsageIsRecordedEndsInTimeAndTheRetryWithItsIdKeepsOneRecord(
            StoreProvider provider, MutableClock clock) {
        try (Faulty f = behindProxy(provider, clock)) {
            User user = Fixtures.user(f.store());
            ChatSession session = Fixtures.session(f.store(), user.id());
            Fixtures.messages(f.store(), session.chatId(), 2);
            NewTokenUsage usage = NewTokenUsage.of(session.chatId(), 2, user.id(), "m", 40, 8)
                    .withCost(90, "USD")
                    .withId(UUID.randomUUID());
            f.proxy().stall();

            Ended recorded = timed(() -> f.store().recordTokenUsage(usage));

            assertEndedInTime(recorded);
            assertThat(recorded.failure())
                    .isInstanceOfAny(TransientDataAccessException.class, OutcomeUnknownException.class);
            assertNoDriverNames(recorded.failure());
            f.proxy().heal();
            assertServesAgain(f.store(), user.id());
            assertThat(f.store().recordTokenUsage(usage).id()).isEqualTo(usage.id());
            java.time.Instant now = clock.instant();
            assertThat(f.store()
                            .getTokenUsageTotals(TokenUsageQuery.by(
                                    TokenUsageGrouping.USER, now.minusSeconds(3600), now.plusSeconds(3600))))
                    .containsExactly(new TokenUsageTotal(user.id().toString(), 40, 8, 1, java.util.Map.of("USD", 90L)));
        }
    }

    /**
     * Writes during repeated connection resets, retried with the same ids, land exactly once, and each failure is of a
     * kind the failure table names.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     * @throws Exception when waiting for work on another thread fails or is interrupted
     */
    @Test
    @Requires(Capability.NETWORK)
    default void writesDuringResetsLandOnceWhenRetriedWithTheSameIds(StoreProvider provider, MutableClock clock)
            throws Exception {
        try (Faulty f = behindProxy(provider, clock)) {
            User user = Fixtures.user(f.store());
            int writers = 4;
            int turnsEach = 12;
            List<ChatSession> sessions = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                sessions.add(Fixtures.session(f.store(), user.id()));
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Throwable> wrongKinds = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
            try {
                Future<Integer> resetter = pool.submit(() -> {
                    int resets = 0;
                    while (writing.get()) {
                        // Every fourth gap is a calm second: on a loaded machine one attempt can outlast 120 ms, and a
                        // writer reset on every attempt would prove nothing about retries landing once.
                        sleep(resets % 4 == 3 ? 1_000 : 120);
                        f.proxy().reset();
                        resets++;
                    }
                    return resets;
                });
                List<Future<List<UUID>>> results = new ArrayList<>();
                for (ChatSession session : sessions) {
                    results.add(pool.submit(() -> {
                        List<UUID> acknowledged = new ArrayList<>();
                        for (int t = 0; t < turnsEach; t++) {
                            List<NewMessage> turn = List.of(
                                    NewMessage.user("q" + t).withId(UUID.randomUUID()),
                                    NewMessage.assistant("a" + t).withId(UUID.randomUUID()));
                            for (int attempt = 1; ; attempt++) {
                                Ended ended = timed(() -> f.store().addMessages(session.chatId(), turn));
                                if (ended.failure() == null) {
                                    turn.forEach(m -> acknowledged.add(m.id()));
                                    break;
                                }
                                failures.add(ended.failure());
                                if (!(ended.failure() instanceof OutcomeUnknownException
                                                || ended.failure() instanceof TransientDataAccessException
                                                || ended.failure() instanceof UnavailableException)
                                        || ended.took().compareTo(WITHIN) > 0) {
                                    wrongKinds.add(ended.failure());
                                }
                                assertThat(attempt).as("attempts for one turn").isLessThan(40);
                                sleep(50);
                            }
                        }
                        return acknowledged;
                    }));
                }
                List<List<UUID>> acknowledged = new ArrayList<>();
                for (Future<List<UUID>> r : results) {
                    acknowledged.add(r.get(180, TimeUnit.SECONDS));
                }
                writing.set(false);
                assertThat(resetter.get(10, TimeUnit.SECONDS)).as("resets made").isPositive();
                f.proxy().heal();
                assertThat(wrongKinds)
                        .as("failures that were not Transient, OutcomeUnknown or Unavailable within "
                                + WITHIN.toSeconds() + " s")
                        .isEmpty();
                for (int w = 0; w < writers; w++) {
                    String chatId = sessions.get(w).chatId();
                    List<Message> history = f.store().getChatHistory(chatId, HistoryQuery.latest(1000));
                    assertThat(history)
                            .extracting(Message::id)
                            .as("each acknowledged message exactly once, in order")
                            .containsExactlyElementsOf(acknowledged.get(w));
                    for (int i = 0; i < history.size(); i++) {
                        assertThat(history.get(i).sequenceNumber()).isEqualTo(i + 1);
                    }
                    assertThat(f.store().getMessageCount(chatId)).isEqualTo(history.size());
                }
            } finally {
                writing.set(false);
                pool.shutdownNow();
            }
        }
    }

    /**
     * A refusing server gives UnavailableException within the connect timeout, and the store serves again once it
     * accepts.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.NETWORK)
    default void aRefusingServerGivesUnavailableWithinTheConnectTimeout(StoreProvider provider, MutableClock clock) {
        try (Faulty f = behindProxy(provider, clock)) {
            User user = Fixtures.user(f.store());
            f.proxy().refuse();

            // The first call may still find a pooled connection the refusal just broke (transient);
            // once the store has to connect, the refusal itself must show.
            Throwable seen = null;
            for (int call = 1; call <= 3 && !(seen instanceof UnavailableException); call++) {
                Ended read = timed(() -> f.store().getUser(user.id()));
                assertEndedInTime(read);
                assertThat(read.failure())
                        .isInstanceOfAny(UnavailableException.class, TransientDataAccessException.class);
                assertNoDriverNames(read.failure());
                seen = read.failure();
            }
            assertThat(seen).as("within three calls to a refusing server").isInstanceOf(UnavailableException.class);
            f.proxy().heal();
            assertServesAgain(f.store(), user.id());
        }
    }

    /**
     * The same store serves again within the recovery time after a stall or a reset ends.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.NETWORK)
    default void theSameStoreServesAgainAfterAStallOrAReset(StoreProvider provider, MutableClock clock) {
        try (Faulty f = behindProxy(provider, clock)) {
            User user = Fixtures.user(f.store());
            f.proxy().stall();
            timed(() -> f.store().getUser(user.id()));
            f.proxy().heal();
            assertServesAgain(f.store(), user.id());

            f.proxy().reset();
            assertServesAgain(f.store(), user.id());
        }
    }

    /**
     * During a stall, health reports DOWN with an error within its timeout, and UP again once the stall ends.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.NETWORK)
    default void healthIsDownWithinTheHealthTimeoutDuringAStall(StoreProvider provider, MutableClock clock) {
        try (Faulty f = behindProxy(provider, clock)) {
            User user = Fixtures.user(f.store());
            assertThat(f.store().healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
            f.proxy().stall();

            long start = System.nanoTime();
            HealthStatus during = f.store().healthCheck();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(during.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(took).isLessThanOrEqualTo(WITHIN);
            assertThat(during.error()).isNotBlank();
            f.proxy().heal();
            assertServesAgain(f.store(), user.id());
            long deadline = System.nanoTime() + RECOVERY.toNanos();
            HealthStatus after = f.store().healthCheck();
            while (!after.isUp() && System.nanoTime() < deadline) {
                sleep(100);
                after = f.store().healthCheck();
            }
            assertThat(after.status()).as("health after the stall").isEqualTo(HealthStatus.Status.UP);
        }
    }

    /**
     * No user value reaches a log line while the network stalls, resets or refuses.
     *
     * @param provider the backend's provider, for stores this test opens itself
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.NETWORK)
    default void noUserValueReachesTheLogsWhileTheNetworkFails(StoreProvider provider, MutableClock clock) {
        String canary = "canary-" + UUID.randomUUID();
        try (LogCapture logs = LogCapture.start();
                Faulty f = behindProxy(provider, clock)) {
            User user = LoggedValues.writeEverywhere(f.store(), canary);
            String chatId = f.store().listUserSessions(user.id(), 1, 0).get(0).chatId();
            f.proxy().stall();
            timed(() -> f.store().addMessage(chatId, NewMessage.user(canary + " stalled")));
            f.proxy().heal();
            f.proxy().reset();
            timed(() -> f.store().setUserMemory(user.id(), "context", "after-reset", F.textNode(canary)));
            assertServesAgain(f.store(), user.id());
            f.proxy().refuse();
            timed(() -> f.store().addMessage(chatId, NewMessage.user(canary + " refused")));
            f.proxy().heal();
            assertServesAgain(f.store(), user.id());
            LoggedValues.failEverywhere(f.store(), user, chatId, canary);

            assertThat(logs.text()).as("captured log output").doesNotContain(canary);
        }
    }

    /** Stores and fails with a canary value in every field that holds user data. */
    final class LoggedValues {
        private LoggedValues() {}

        static User writeEverywhere(DataAccess store, String canary) {
            User user = store.createUser(NewUser.builder()
                    .externalId(Fixtures.unique("ext"))
                    .email(canary + "@example.com")
                    .name(canary)
                    .profile(F.objectNode().put("bio", canary))
                    .preferences(F.objectNode().put("tone", canary))
                    .build());
            ChatSession session = store.createChatSession(new NewChatSession(
                    Fixtures.unique("chat"),
                    user.id(),
                    canary,
                    null,
                    F.objectNode().put("topic", canary)));
            store.addMessages(
                    session.chatId(),
                    List.of(
                            NewMessage.user(canary),
                            NewMessage.assistant(canary)
                                    .withMetadata(F.objectNode().put("note", canary))));
            store.setUserMemory(user.id(), "profile", "fact", F.textNode(canary));
            return user;
        }

        static void failEverywhere(DataAccess store, User user, String chatId, String canary) {
            Set<Class<?>> seen = new HashSet<>();
            Runnable[] failing = {
                () -> store.createUser(NewUser.builder()
                        .externalId(user.externalId())
                        .email(canary + "@x.org")
                        .build()),
                () -> store.createChatSession(new NewChatSession(chatId, user.id(), canary, null, null)),
                () -> store.addMessage("missing-" + UUID.randomUUID(), NewMessage.user(canary)),
                () -> store.setUserMemory(UUID.randomUUID(), "profile", "k", F.textNode(canary)),
                () -> store.addMessages(
                        chatId,
                        List.of(
                                NewMessage.user(canary).withId(user.id()),
                                NewMessage.user(canary).withId(user.id()))),
            };
            for (Runnable call : failing) {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    seen.add(e.getClass());
                    assertThat(String.valueOf(e.getMessage()))
                            .as("exception message")
                            .doesNotContain(canary);
                }
            }
            assertThat(seen).as("the failing calls failed").isNotEmpty().doesNotContain(RuntimeException.class);
            assertThat(seen.stream().anyMatch(DuplicateKeyException.class::isAssignableFrom))
                    .isTrue();
        }
    }
}
