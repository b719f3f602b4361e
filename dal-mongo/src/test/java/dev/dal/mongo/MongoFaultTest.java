package dev.dal.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.test.mongo.MongoTestServer;
import dev.dal.testkit.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store under network faults, through a TCP proxy between the driver and the test server:
 * deadlines hold, failures come out as the failure table says, and the same store serves again
 * by itself once the fault ends.
 */
class MongoFaultTest {
    private static final MongoTestServer SERVER = MongoTestServer.get();
    private static final String DATABASE = "dal_faults";
    private FaultProxy proxy;

    @BeforeEach
    void startProxy() {
        proxy = FaultProxy.to(SERVER.address());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    private DataAccess openViaProxy(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(SERVER.settingsForDatabase(DATABASE));
        settings.put("MONGODB_URL", SERVER.uriVia(proxy.address()));
        settings.putAll(extra);
        return DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider());
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** One call's outcome: when it started and ended (ms from the test's start) and what it threw. */
    private record Call(long startMs, long endMs, String outcome) {
        long millis() {
            return endMs - startMs;
        }
    }

    @Test
    void aFifteenSecondStallEndsEveryCallWithinQueryTimeoutAndTheStoreServesAgainAfterIt() throws Exception {
        try (DataAccess store = openViaProxy(Map.of("DB_QUERY_TIMEOUT", "2"))) {
            User user = store.createUser(NewUser.withExternalId("stall-" + UUID.randomUUID()));
            ChatSession session = store.createChatSession(NewChatSession.of("stall-" + UUID.randomUUID(), user.id()));
            long t0 = System.nanoTime();
            List<Call> calls = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            int threads = 6;
            CountDownLatch started = new CountDownLatch(threads);
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int kind = i;
                workers.add(CompletableFuture.runAsync(
                        () -> {
                            started.countDown();
                            for (int n = 0; !stop.get(); n++) {
                                long start = millisSince(t0);
                                String outcome = "ok";
                                try {
                                    switch ((kind + n) % 4) {
                                        case 0 -> store.getUser(user.id());
                                        case 1 -> store.addMessage(session.chatId(), NewMessage.user("turn " + n));
                                        case 2 -> store.getChatHistory(session.chatId(), 5, 0);
                                        default ->
                                            store.setUserMemory(
                                                    user.id(),
                                                    "facts",
                                                    "k" + kind,
                                                    com.fasterxml.jackson.databind.node.IntNode.valueOf(n),
                                                    null);
                                    }
                                } catch (DataAccessException e) {
                                    outcome = e.getClass().getSimpleName();
                                }
                                calls.add(new Call(start, millisSince(t0), outcome));
                            }
                        },
                        runnable -> {
                            Thread t = new Thread(runnable, "stall-worker-" + kind);
                            t.setDaemon(true);
                            t.start();
                        }));
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1000);
            long stallAt = millisSince(t0);
            proxy.stall();
            Thread.sleep(15_000);
            long healAt = millisSince(t0);
            proxy.heal();
            // Keep calling until every thread has had a success after the heal, or 10 s passed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && firstSuccessAfter(calls, healAt) < 0) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            stop.set(true);
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            List<Call> snapshot;
            synchronized (calls) {
                snapshot = new ArrayList<>(calls);
            }
            List<Call> during = snapshot.stream()
                    .filter(c -> c.endMs() > stallAt && c.startMs() < healAt)
                    .toList();
            Map<String, Integer> outcomes = new TreeMap<>();
            during.forEach(c -> outcomes.merge(c.outcome(), 1, Integer::sum));
            long longest = during.stream().mapToLong(Call::millis).max().orElse(0);
            long recovered = firstSuccessAfter(snapshot, healAt);
            System.out.printf(
                    "stall 15 s, DB_QUERY_TIMEOUT=2: %d calls overlapped the stall, longest %d ms,"
                            + " outcomes %s; first success %d ms after the heal%n",
                    during.size(), longest, outcomes, recovered < 0 ? -1 : recovered - healAt);

            // The stall did bite: calls failed during it, with the table's exceptions only.
            assertThat(during).isNotEmpty();
            assertThat(outcomes.keySet())
                    .isSubsetOf(
                            "ok", "TransientDataAccessException", "OutcomeUnknownException", "UnavailableException");
            assertThat(during.stream().filter(c -> !c.outcome().equals("ok")).count())
                    .isGreaterThanOrEqualTo(threads);
            // Every call in flight during the stall ended within DB_QUERY_TIMEOUT + 1 s.
            assertThat(during)
                    .allSatisfy(c -> assertThat(c.millis()).as("call %s", c).isLessThanOrEqualTo(3000));
            // The same store serves again within 5 s of the stall's end, without being reopened.
            assertThat(recovered).isGreaterThanOrEqualTo(healAt);
            assertThat(recovered - healAt).isLessThanOrEqualTo(5000);
            assertThat(store.getUser(user.id())).isPresent();
        }
    }

    /** @return when the first call that started after {@code fromMs} succeeded, or -1 */
    private static long firstSuccessAfter(List<Call> calls, long fromMs) {
        synchronized (calls) {
            return calls.stream()
                    .filter(c -> c.startMs() >= fromMs && c.outcome().equals("ok"))
                    .mapToLong(Call::endMs)
                    .min()
                    .orElse(-1);
        }
    }

    @Test
    void aRefusedPortFailsWithinConnectTimeoutNotThirtySeconds() {
        Map<String, String> settings = new HashMap<>(SERVER.settingsForDatabase(DATABASE));
        settings.put("MONGODB_URL", "mongodb://127.0.0.1:" + unusedPort());
        settings.put("DB_CONNECT_TIMEOUT", "1");
        long start = System.nanoTime();
        Throwable thrown = assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> catchThrowable(
                        () -> DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider())));
        long took = millisSince(start);
        System.out.printf("refused port, DB_CONNECT_TIMEOUT=1: UnavailableException after %d ms%n", took);
        assertThat(thrown).isExactlyInstanceOf(UnavailableException.class).hasMessageContaining("DB_CONNECT_TIMEOUT");
        assertThat(took).isLessThanOrEqualTo(2000);
    }

    @Test
    void aServerThatStartsRefusingIsUnavailableWithinConnectTimeoutAndTheStoreServesAfterwards() throws Exception {
        try (DataAccess store = openViaProxy(Map.of("DB_CONNECT_TIMEOUT", "1", "DB_QUERY_TIMEOUT", "1"))) {
            User user = store.createUser(NewUser.withExternalId("refuse-" + UUID.randomUUID()));
            proxy.refuse();
            // The pooled connection was closed under the store: the first call may see that (a lost
            // connection, Transient); the next one finds no server and is Unavailable.
            long start = System.nanoTime();
            Throwable first = catchThrowable(() -> store.getUser(user.id()));
            if (first instanceof TransientDataAccessException) {
                first = catchThrowable(() -> store.getUser(user.id()));
            }
            long took = millisSince(start);
            System.out.printf("refused after open: UnavailableException after %d ms%n", took);
            assertThat(first).isExactlyInstanceOf(UnavailableException.class);
            assertThat(took).isLessThanOrEqualTo(2000 + 1000);

            proxy.heal();
            long healed = System.nanoTime();
            assertThat(awaitSuccess(() -> store.getUser(user.id()).isPresent(), 5000))
                    .isTrue();
            System.out.printf("refused then healed: served again after %d ms%n", millisSince(healed));
        }
    }

    @Test
    void aConnectionThatBreaksWithARequestOnTheWireIsRetriedForAReadAndOutcomeUnknownForAWrite() throws Exception {
        try (DataAccess store = openViaProxy(Map.of("DB_QUERY_TIMEOUT", "10"))) {
            User user = store.createUser(NewUser.withExternalId("broken-" + UUID.randomUUID()));

            // Stalled, the request stays in the proxy; closing the proxy then drops it and breaks the link.
            proxy.stall();
            CompletableFuture<Throwable> read =
                    CompletableFuture.supplyAsync(() -> catchThrowable(() -> store.getUser(user.id())));
            Thread.sleep(500); // sequencing only: let the read reach the stalled link
            proxy.refuse();
            Throwable onRead = read.get(10, TimeUnit.SECONDS);
            // A read whose connection broke runs once more on a fresh connection (nothing can be
            // stored twice by a read); the server now refuses, so the answer is the table's for that.
            assertThat(onRead).isExactlyInstanceOf(UnavailableException.class).hasMessageContaining("getUser");
            MongoErrorTranslationTest.assertNoDriverLeak(onRead);

            proxy.heal();
            assertThat(awaitSuccess(() -> store.getUser(user.id()).isPresent(), 5000))
                    .isTrue();
            proxy.stall();
            // No caller-chosen id, so the call's first command is the insert (with an id, the
            // repeated-write check of dal-api reads first).
            CompletableFuture<Throwable> write = CompletableFuture.supplyAsync(() ->
                    catchThrowable(() -> store.createUser(NewUser.withExternalId("broken-w-" + UUID.randomUUID()))));
            Thread.sleep(500);
            proxy.refuse();
            Throwable onWrite = write.get(5, TimeUnit.SECONDS);
            assertThat(onWrite)
                    .isExactlyInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("createUser")
                    .hasMessageContaining("same ids");
            MongoErrorTranslationTest.assertNoDriverLeak(onWrite);
            proxy.heal();
            assertThat(awaitSuccess(() -> store.getUser(user.id()).isPresent(), 5000))
                    .isTrue();
        }
    }

    @Test
    void writesDuringAResetSucceedOrSayTheirOutcomeIsUnknown() throws Exception {
        try (DataAccess store = openViaProxy(Map.of("DB_QUERY_TIMEOUT", "5"))) {
            User user = store.createUser(NewUser.withExternalId("reset-" + UUID.randomUUID()));
            Map<String, Integer> outcomes = new TreeMap<>();
            for (int round = 0; round < 5; round++) {
                proxy.stall();
                UUID id = UUID.randomUUID();
                CompletableFuture<Throwable> write =
                        CompletableFuture.supplyAsync(() -> catchThrowable(() -> store.createUser(NewUser.builder()
                                .id(id)
                                .externalId("reset-w-" + id)
                                .build())));
                Thread.sleep(200);
                proxy.reset();
                Throwable thrown = write.get(10, TimeUnit.SECONDS);
                outcomes.merge(thrown == null ? "ok" : thrown.getClass().getSimpleName(), 1, Integer::sum);
                proxy.heal();
                if (thrown == null) {
                    // Acknowledged: it is there (read again once the other pooled connections' breaks are seen).
                    assertThat(awaitSuccess(() -> store.getUser(id).isPresent(), 5000))
                            .isTrue();
                } else {
                    assertThat(thrown)
                            .isInstanceOfAny(OutcomeUnknownException.class, TransientDataAccessException.class);
                }
                assertThat(awaitSuccess(() -> store.getUser(user.id()).isPresent(), 5000))
                        .isTrue();
            }
            System.out.printf("writes during a reset: %s%n", outcomes);
        }
    }

    @Test
    void aWriteRetriedWithTheSameIdsAfterALostAnswerIsStoredExactlyOnce() throws Exception {
        try (DataAccess store = openViaProxy(Map.of("DB_QUERY_TIMEOUT", "1"))) {
            ChatSession session = store.createChatSession(NewChatSession.of("retry-" + UUID.randomUUID()));
            Map<String, Integer> outcomes = new TreeMap<>();
            List<UUID> ids = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                UUID question = UUID.randomUUID();
                UUID answer = UUID.randomUUID();
                ids.add(question);
                ids.add(answer);
                List<NewMessage> turn = List.of(
                        NewMessage.user("q" + round).withId(question),
                        NewMessage.assistant("a" + round).withId(answer));
                proxy.stall();
                CompletableFuture<Throwable> write = CompletableFuture.supplyAsync(
                        () -> catchThrowable(() -> store.addMessages(session.chatId(), turn)));
                Thread.sleep(round % 2 == 0 ? 100 : 1500); // a reset with the insert on the wire, or the deadline first
                proxy.reset();
                Throwable thrown = write.get(10, TimeUnit.SECONDS);
                outcomes.merge(thrown == null ? "ok" : thrown.getClass().getSimpleName(), 1, Integer::sum);
                if (thrown != null) {
                    assertThat(thrown)
                            .isInstanceOfAny(OutcomeUnknownException.class, TransientDataAccessException.class);
                }
                proxy.heal();
                // The recipe: on an unknown outcome, repeat the call with the same ids.
                assertThat(awaitSuccess(
                                () -> store.addMessages(session.chatId(), turn).size() == 2, 5000))
                        .isTrue();
            }
            var history = store.getChatHistory(session.chatId(), 100, 0);
            System.out.printf(
                    "lost answers retried with the same ids: first attempts %s, %d messages stored%n",
                    outcomes, history.size());
            assertThat(history).extracting(dev.dal.api.Message::id).containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    void aStallDuringAWriteEndsWithinQueryTimeoutAsOutcomeUnknown() {
        try (DataAccess store = openViaProxy(Map.of("DB_QUERY_TIMEOUT", "1"))) {
            User user = store.createUser(NewUser.withExternalId("stall-w-" + UUID.randomUUID()));
            proxy.stall();
            long start = System.nanoTime();
            Throwable thrown = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> catchThrowable(() -> store.updateUser(
                            user.id(),
                            dev.dal.api.UserUpdate.builder().name("n").build())));
            long took = millisSince(start);
            assertThat(thrown)
                    .isExactlyInstanceOf(OutcomeUnknownException.class)
                    .hasMessageContaining("DB_QUERY_TIMEOUT");
            assertThat(took).isLessThanOrEqualTo(2000);
            long readStart = System.nanoTime();
            Throwable onRead = catchThrowable(() -> store.getUser(user.id()));
            assertThat(onRead)
                    .isInstanceOfAny(TransientDataAccessException.class, UnavailableException.class)
                    .isNotInstanceOf(OutcomeUnknownException.class);
            assertThat(millisSince(readStart)).isLessThanOrEqualTo(2000);
            proxy.heal();
        }
    }

    @Test
    void noFreePooledConnectionIsPoolExhaustedNamingTheSetting() throws Exception {
        try (DataAccess store = openViaProxy(
                Map.of("DB_MAX_CONNECTIONS", "1", "DB_CONNECTION_TIMEOUT", "PT0.5S", "DB_QUERY_TIMEOUT", "5"))) {
            User user = store.createUser(NewUser.withExternalId("pool-" + UUID.randomUUID()));
            proxy.stall();
            CompletableFuture<Throwable> holder =
                    CompletableFuture.supplyAsync(() -> catchThrowable(() -> store.getUser(user.id())));
            Thread.sleep(300); // the holder has the only connection, waiting on the stalled link
            long start = System.nanoTime();
            Throwable waiter = catchThrowable(() -> store.getUser(user.id()));
            long took = millisSince(start);
            assertThat(waiter)
                    .isExactlyInstanceOf(UnavailableException.class)
                    .hasMessageContaining("DB_MAX_CONNECTIONS")
                    .hasMessageContaining("DB_CONNECTION_TIMEOUT");
            assertThat(took).isLessThanOrEqualTo(1500);
            proxy.heal();
            holder.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void healthIsDownWithinItsTimeoutDuringAStallAndUpAfterwards() throws Exception {
        try (DataAccess store = openViaProxy(Map.of("DAL_HEALTH_TIMEOUT", "1", "DB_QUERY_TIMEOUT", "5"))) {
            HealthStatus before = store.healthCheck();
            assertThat(before.status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(before.details()).containsKeys("poolUtilizationPercent", "poolInUse", "poolMax");
            proxy.stall();
            AtomicInteger busy = new AtomicInteger();
            // Application calls hang on the stalled link meanwhile; the probe does not queue behind them.
            List<CompletableFuture<Throwable>> hanging = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hanging.add(CompletableFuture.supplyAsync(() -> {
                    busy.incrementAndGet();
                    return catchThrowable(() -> store.getUser(UUID.randomUUID()));
                }));
            }
            long start = System.nanoTime();
            HealthStatus during = assertTimeoutPreemptively(Duration.ofSeconds(10), store::healthCheck);
            long took = millisSince(start);
            System.out.printf("health during a stall, DAL_HEALTH_TIMEOUT=1: %s after %d ms%n", during.status(), took);
            assertThat(during.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(during.error()).contains("DAL_HEALTH_TIMEOUT");
            assertThat(took).isLessThanOrEqualTo(2000);
            proxy.heal();
            assertThat(awaitSuccess(() -> store.healthCheck().status() == HealthStatus.Status.UP, 5000))
                    .isTrue();
            for (CompletableFuture<Throwable> f : hanging) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean awaitSuccess(java.util.function.BooleanSupplier probe, long withinMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs);
        while (System.nanoTime() < deadline) {
            try {
                if (probe.getAsBoolean()) {
                    return true;
                }
            } catch (DataAccessException e) {
                // not yet
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static int unusedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
