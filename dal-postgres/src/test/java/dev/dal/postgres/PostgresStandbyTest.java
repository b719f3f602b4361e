package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.test.postgres.PostgresPrimaryStandby;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A real primary with a real streaming standby ({@link PostgresPrimaryStandby}): where reads go, and what holds
 * when the primary is killed and the standby promoted under writers.
 */
class PostgresStandbyTest {
    /** The deadlines of the stores here: what any one call may cost during the switch. */
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    private static final int CONNECT_TIMEOUT_SECONDS = 2;

    private static DataAccess open(PostgresPrimaryStandby pair) {
        return open(pair, Map.of());
    }

    private static DataAccess open(PostgresPrimaryStandby pair, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(pair.settings());
        settings.putAll(more);
        settings.put("DB_QUERY_TIMEOUT", Integer.toString(QUERY_TIMEOUT_SECONDS));
        settings.put("DB_CONNECT_TIMEOUT", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        settings.put("DB_CONNECTION_TIMEOUT", Integer.toString(QUERY_TIMEOUT_SECONDS));
        return DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider());
    }

    @Test
    void readsOutsideTransactionsAreServedByTheStandbyAndTransactionsByThePrimary() throws InterruptedException {
        try (PostgresPrimaryStandby pair = PostgresPrimaryStandby.start(false);
                DataAccess store = open(pair)) {
            User before = store.createUser(NewUser.withExternalId("before-pause"));
            pair.awaitStandbyCaughtUp(Duration.ofSeconds(30));
            // A standby may show a commit a moment after the primary's position says it replayed it: wait for it.
            await(
                    Duration.ofSeconds(10),
                    () -> readable(() -> store.getUser(before.id()).isPresent()),
                    "the user");

            // The standby keeps receiving WAL but shows nothing new: a read it serves cannot see the next write.
            pair.pauseReplay();
            try {
                User during = store.createUser(NewUser.withExternalId("during-pause"));
                assertThat(store.getUser(during.id()))
                        .as("a read outside a transaction, served by the paused standby")
                        .isEmpty();
                Optional<User> inTransaction = store.inTransaction(tx -> tx.getUser(during.id()));
                assertThat(inTransaction)
                        .as("a read in a transaction, served by the primary")
                        .contains(during);
            } finally {
                pair.resumeReplay();
            }
            await(
                    Duration.ofSeconds(10),
                    () -> store.getUserByExternalId("during-pause").isPresent(),
                    "replay");
        }
    }

    @Test
    void healthNamesThePrimaryAndTheStandbysLagAndALaggingStandbyMovesReadsToThePrimary() throws InterruptedException {
        try (PostgresPrimaryStandby pair = PostgresPrimaryStandby.start(false)) {
            // A standby that has replayed no commit since it started has no replay timestamp to measure its lag by;
            // the store's own measure (how long it has been short of the primary) still finds it lagging.
            pair.pauseReplay();
            try (DataAccess store = open(pair, Map.of("DB_MAX_REPLICA_LAG", "1"))) {
                store.createUser(NewUser.withExternalId("before-any-replayed-commit"));
                awaitDegraded(store, "while a standby that has replayed no commit since it started is paused");
                pair.resumeReplay();
                healthFollowsTheStandbysReplay(pair, store);
            }
        }
    }

    private static void healthFollowsTheStandbysReplay(PostgresPrimaryStandby pair, DataAccess store)
            throws InterruptedException {
        store.createUser(NewUser.withExternalId("warm-up"));
        pair.awaitStandbyCaughtUp(Duration.ofSeconds(30));
        await(
                Duration.ofSeconds(20),
                () -> {
                    HealthStatus health = store.healthCheck();
                    return health.status() == HealthStatus.Status.UP
                            && replicas(health).stream().allMatch(r -> r.get("lagSeconds") != null);
                },
                "health UP with the standby's lag known");
        HealthStatus up = store.healthCheck();
        assertThat(up.details()).containsEntry("primaryHost", pair.primaryHost());
        assertThat(replicas(up)).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("host", pair.standbyHost()).containsEntry("state", "streaming");
            assertThat((Long) r.get("lagBytes")).isNotNegative();
            assertThat((Double) r.get("lagSeconds")).isLessThanOrEqualTo(1.0);
        });

        pair.pauseReplay();
        try {
            User during = store.createUser(NewUser.withExternalId("while-lagging"));
            awaitDegraded(store, "while the standby's replay is paused");
            HealthStatus lagging = store.healthCheck();
            assertThat(lagging.error()).contains(pair.standbyHost()).contains("DB_MAX_REPLICA_LAG");
            assertThat(replicas(lagging)).singleElement().satisfies(r -> {
                assertThat(r).containsEntry("state", "lagging");
                assertThat((Long) r.get("lagBytes")).isPositive();
                assertThat((Double) r.get("lagSeconds")).isGreaterThan(1.0);
            });
            assertThat(store.getUser(during.id()))
                    .as("a read outside a transaction while the standby lags: served by the primary")
                    .contains(during);
        } finally {
            pair.resumeReplay();
        }
        await(Duration.ofSeconds(20), () -> store.healthCheck().status() == HealthStatus.Status.UP, "UP again");
    }

    private static void awaitDegraded(DataAccess store, String when) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<HealthStatus> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        try {
            await(
                    Duration.ofSeconds(20),
                    () -> {
                        last.set(store.healthCheck());
                        return last.get().status() == HealthStatus.Status.DEGRADED;
                    },
                    "health DEGRADED " + when);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the last health was " + last.get(), e);
        }
    }

    private static boolean readable(java.util.function.BooleanSupplier read) {
        try {
            return read.getAsBoolean();
        } catch (dev.dal.api.DataAccessException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> replicas(HealthStatus health) {
        return (List<Map<String, Object>>) health.details().get("replicas");
    }

    @Test
    void afterKillingThePrimaryAndPromotingTheStandbyTheSameStoreWritesAgainAndKeepsEveryAcknowledgedWrite()
            throws Exception {
        try (PostgresPrimaryStandby pair = PostgresPrimaryStandby.start(true);
                DataAccess store = open(pair)) {
            List<String> chats = List.of("failover-a", "failover-b");
            chats.forEach(c -> store.createChatSession(NewChatSession.of(c)));

            Map<UUID, String> acknowledged = new ConcurrentHashMap<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicLong slowestFailureMillis = new AtomicLong();
            AtomicLong killedAt = new AtomicLong();
            AtomicLong firstWriteAfterKill = new AtomicLong();
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService writers = Executors.newFixedThreadPool(chats.size());
            List<Future<?>> running = new ArrayList<>();
            for (String chat : chats) {
                running.add(writers.submit(() -> {
                    for (int n = 0; writing.get(); n++) {
                        long start = System.nanoTime();
                        try {
                            Message m = store.addMessage(chat, NewMessage.user(chat + ":" + n));
                            acknowledged.put(m.id(), m.content());
                            long killed = killedAt.get();
                            if (killed != 0 && start - killed > 0) {
                                firstWriteAfterKill.compareAndSet(0, System.nanoTime());
                            }
                        } catch (UnavailableException | TransientDataAccessException | OutcomeUnknownException e) {
                            failures.add(e.getClass().getSimpleName());
                            slowestFailureMillis.accumulateAndGet(
                                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
                        }
                    }
                    return null;
                }));
            }
            await(Duration.ofSeconds(30), () -> acknowledged.size() >= 50, "50 writes before the kill");

            long killSent = System.nanoTime();
            pair.killPrimary();
            killedAt.set(System.nanoTime());
            pair.promoteStandby();
            long promotedAt = System.nanoTime();
            await(Duration.ofSeconds(60), () -> firstWriteAfterKill.get() != 0, "a write after the failover");
            int afterFailover = acknowledged.size();
            await(Duration.ofSeconds(30), () -> acknowledged.size() >= afterFailover + 50, "50 writes after it");
            writing.set(false);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            writers.shutdown();

            System.out.printf(
                    "PostgresStandbyTest: %d writes acknowledged; after SIGKILL the primary was gone in %d ms, the"
                            + " standby promoted at %d ms, the first write begun after that acknowledged at %d ms;"
                            + " %d calls failed meanwhile (%s), the slowest in %d ms%n",
                    acknowledged.size(),
                    TimeUnit.NANOSECONDS.toMillis(killedAt.get() - killSent),
                    TimeUnit.NANOSECONDS.toMillis(promotedAt - killSent),
                    TimeUnit.NANOSECONDS.toMillis(firstWriteAfterKill.get() - killSent),
                    failures.size(),
                    failures.stream().collect(Collectors.groupingBy(f -> f, Collectors.counting())),
                    slowestFailureMillis.get());

            await(
                    Duration.ofSeconds(20),
                    () -> pair.standbyHost()
                            .equals(store.healthCheck().details().get("primaryHost")),
                    "health naming the promoted standby as the primary");
            assertThat(replicas(store.healthCheck()))
                    .singleElement()
                    .satisfies(r -> assertThat(r).containsEntry("state", "not a standby"));

            Set<UUID> stored = new java.util.HashSet<>();
            for (String chat : chats) {
                long count = store.inTransaction(tx -> tx.getMessageCount(chat));
                store.inTransaction(tx -> tx.getChatHistory(chat, (int) count, 0))
                        .forEach(m -> stored.add(m.id()));
            }
            assertThat(stored)
                    .as("every write acknowledged before, during and after the failover (synchronous replication)")
                    .containsAll(acknowledged.keySet());
            assertThat(slowestFailureMillis.get())
                    .as("a call during the switch fails within its deadlines")
                    .isLessThanOrEqualTo(
                            TimeUnit.SECONDS.toMillis(QUERY_TIMEOUT_SECONDS + CONNECT_TIMEOUT_SECONDS + 5));
        }
    }

    private static void await(Duration limit, java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no " + what + " within " + limit);
            }
            Thread.sleep(20);
        }
    }
}
