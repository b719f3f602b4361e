package dev.dal.neo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Role;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.test.neo4j.Neo4jTestServer;
import dev.dal.testkit.FaultProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deadlines against a real server behind a fault proxy: a long stall ends every call within
 * {@code DB_QUERY_TIMEOUT} + 1 s and the same store serves again by itself afterwards; a refused or
 * silent server fails the open within {@code DB_CONNECT_TIMEOUT} + 1 s; a saturated pool fails the
 * waiting call after {@code DB_CONNECTION_TIMEOUT} naming {@code DB_MAX_CONNECTIONS}, while health
 * still answers (DEGRADED). Durations are measured around each call.
 */
class Neo4jFaultTest {
    private final Neo4jTestStores stores = new Neo4jTestStores();

    /** One call as a client saw it. */
    private record Call(String op, long startNanos, long endNanos, Throwable failure) {
        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
        }
    }

    @Test
    void aFifteenSecondStallEndsEveryCallWithinThreeSecondsAndTheStoreServesAfterIt() throws Exception {
        try (FaultProxy proxy = FaultProxy.to(stores.serverAddress().orElseThrow());
                DataAccess store =
                        stores.openEmpty(Clock.systemUTC(), Map.of(DalConfig.DB_QUERY_TIMEOUT, "2"), proxy.address())) {
            User user = store.createUser(NewUser.withExternalId("stall-" + UUID.randomUUID()));
            ChatSession session = store.createChatSession(NewChatSession.of("stall-" + UUID.randomUUID(), user.id()));
            ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int client = t;
                Thread thread = new Thread(
                        () -> {
                            for (int i = 0; !stop.get(); i++) {
                                String op = (i + client) % 3 == 0
                                        ? "addMessage"
                                        : (i + client) % 3 == 1 ? "getChatHistory" : "getUser";
                                long start = System.nanoTime();
                                Throwable failure = null;
                                try {
                                    switch (op) {
                                        case "addMessage" ->
                                            store.addMessage(session.chatId(), NewMessage.of(Role.USER, "turn"));
                                        case "getChatHistory" -> store.getChatHistory(session.chatId(), 5, 0);
                                        default -> store.getUser(user.id());
                                    }
                                } catch (RuntimeException e) {
                                    failure = e;
                                }
                                calls.add(new Call(op, start, System.nanoTime(), failure));
                            }
                        },
                        "stall-client-" + t);
                clients.add(thread);
                thread.start();
            }
            TimeUnit.SECONDS.sleep(1); // the clients warm the pool
            long stallStart = System.nanoTime();
            proxy.stall();
            TimeUnit.SECONDS.sleep(8); // the fault's length, not an assertion
            if (Boolean.getBoolean("dal.test.dump")) {
                Thread.getAllStackTraces().forEach((thread, stack) -> {
                    if (thread.getName().startsWith("stall-client")
                            || thread.getName().startsWith("dal-neo4j")) {
                        System.out.println("DUMP " + thread.getName() + " " + thread.getState());
                        for (StackTraceElement e : stack) {
                            System.out.println("DUMP    at " + e);
                        }
                    }
                });
            }
            TimeUnit.SECONDS.sleep(7);
            proxy.heal();
            long healed = System.nanoTime();
            TimeUnit.SECONDS.sleep(6);
            stop.set(true);
            for (Thread thread : clients) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(thread.isAlive()).as("%s ended", thread.getName()).isFalse();
            }

            List<Call> duringStall = calls.stream()
                    .filter(c -> c.endNanos() > stallStart && c.startNanos() < healed)
                    .toList();
            assertThat(duringStall).as("calls during the stall").isNotEmpty();
            long longest = calls.stream().mapToLong(Call::millis).max().orElseThrow();
            System.out.printf(
                    "stall: %d calls during the stall, %d failed, longest call %d ms%n",
                    duringStall.size(),
                    duringStall.stream().filter(c -> c.failure() != null).count(),
                    longest);
            assertThat(calls)
                    .allSatisfy(c ->
                            assertThat(c.millis()).as("%s took (ms)", c.op()).isLessThanOrEqualTo(3000));
            assertThat(duringStall.stream().filter(c -> c.failure() != null))
                    .as("calls the stall failed")
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.failure())
                            .isInstanceOfAny(
                                    TransientDataAccessException.class,
                                    OutcomeUnknownException.class,
                                    UnavailableException.class));
            long firstSuccessAfterHeal = calls.stream()
                    .filter(c -> c.failure() == null && c.startNanos() >= healed)
                    .mapToLong(Call::endNanos)
                    .min()
                    .orElseThrow(() -> new AssertionError("no call succeeded after the stall"));
            long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(firstSuccessAfterHeal - healed);
            System.out.printf("stall: first success %d ms after the stall ended%n", recoveryMillis);
            assertThat(recoveryMillis)
                    .as("ms until the same store served again")
                    .isLessThan(5000);
            assertThat(calls.stream().filter(c -> c.startNanos() >= healed + TimeUnit.SECONDS.toNanos(5)))
                    .as("calls from 5 s after the stall")
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.failure()).isNull());
        }
    }

    @Test
    void aRefusedOrSilentServerFailsTheOpenWithinTheConnectTimeout() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        // A listener that never accepts: the kernel completes TCP, the Bolt handshake never answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            for (int port : new int[] {closed, silent.getLocalPort()}) {
                Neo4jTestServer.get().clear(); // openEmpty clears the real server first: not part of what is timed
                long start = System.nanoTime();
                Throwable thrown = catchThrowable(() -> stores.openEmpty(
                                Clock.systemUTC(),
                                Map.of(DalConfig.DB_CONNECT_TIMEOUT, "1"),
                                new InetSocketAddress("127.0.0.1", port))
                        .close());
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.printf("open on port %s: %d ms%n", port == closed ? "refused" : "silent", millis);
                assertThat(thrown)
                        .isInstanceOf(UnavailableException.class)
                        .hasMessageContaining(DalConfig.DB_CONNECT_TIMEOUT);
                assertThat(millis).as("ms to fail the open").isLessThan(2000);
            }
        }
    }

    @Test
    void aRefusingServerIsUnavailableWithinTwoSecondsAndTheSameStoreServesAfterItHeals() throws Exception {
        Map<String, String> settings = Map.of(
                DalConfig.DB_CONNECT_TIMEOUT,
                "1",
                DalConfig.DB_QUERY_TIMEOUT,
                "1",
                DalConfig.DB_CONNECTION_TIMEOUT,
                "1");
        try (FaultProxy proxy = FaultProxy.to(stores.serverAddress().orElseThrow());
                DataAccess store = stores.openEmpty(Clock.systemUTC(), settings, proxy.address())) {
            User user = store.createUser(NewUser.withExternalId("refuse-" + UUID.randomUUID()));
            proxy.refuse();
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> store.getUser(user.id()));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(thrown).isInstanceOf(UnavailableException.class);
            assertThat(millis).as("ms to fail").isLessThan(2000);
            assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.DOWN);

            proxy.heal();
            long healed = System.nanoTime();
            while (true) {
                try {
                    assertThat(store.getUser(user.id())).contains(user);
                    break;
                } catch (UnavailableException | TransientDataAccessException e) {
                    assertThat(System.nanoTime() - healed)
                            .as("still failing after 5 s")
                            .isLessThan(TimeUnit.SECONDS.toNanos(5));
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
            System.out.printf(
                    "refuse: served again %d ms after healing%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed));
        }
    }

    @Test
    void aSaturatedPoolFailsTheWaitingCallNamingThePoolSizeWhileHealthSaysDegraded() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put(DalConfig.DB_MAX_CONNECTIONS, "1");
        settings.put(DalConfig.DB_CONNECTION_TIMEOUT, "1");
        try (DataAccess store = stores.openEmpty(Clock.systemUTC(), settings, null)) {
            User user = store.createUser(NewUser.withExternalId("pool-" + UUID.randomUUID()));
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(
                    () -> store.inTransaction(tx -> {
                        tx.getUser(user.id());
                        holding.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    }),
                    "pool-holder");
            holder.start();
            try {
                assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
                long start = System.nanoTime();
                Throwable thrown = catchThrowable(() -> store.getUser(user.id()));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(thrown)
                        .isInstanceOf(UnavailableException.class)
                        .hasMessageContaining(DalConfig.DB_MAX_CONNECTIONS)
                        .hasMessageContaining(DalConfig.DB_CONNECTION_TIMEOUT);
                assertThat(millis).as("ms waiting for the pool").isBetween(900L, 2500L);

                HealthStatus health = store.healthCheck();
                assertThat(health.status()).isEqualTo(HealthStatus.Status.DEGRADED);
                assertThat(health.details()).containsEntry("poolUtilizationPercent", 100);
                assertThat(health.latency().toMillis()).isLessThan(2000);
            } finally {
                release.countDown();
                holder.join(10_000);
            }
            HealthStatus after = store.healthCheck();
            assertThat(after.status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(after.details()).containsEntry("poolUtilizationPercent", 0);
        }
    }

    /**
     * A server that completes the Bolt handshake and then never answers the login: the driver's
     * connect timeout covers only the handshake, and an interrupt cannot free a thread that is still
     * acquiring a connection, so only the store's own bound can end the call.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // without the store's bound it hangs for good
    void aServerThatNeverAnswersTheLoginFailsTheCallWithinTheQueryTimeout() throws Exception {
        List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(
                    () -> {
                        while (!mute.isClosed()) {
                            try {
                                java.net.Socket client = mute.accept();
                                held.add(client);
                                client.getInputStream().readNBytes(20); // magic and four proposed versions
                                client.getOutputStream().write(new byte[] {0, 0, 0, 5}); // Bolt 5.0, then silence
                                client.getOutputStream().flush();
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "mute-bolt-server");
            acceptor.setDaemon(true);
            acceptor.start();
            Map<String, String> settings = Map.of(DalConfig.DB_QUERY_TIMEOUT, "1", DalConfig.DB_CONNECT_TIMEOUT, "1");
            Neo4jTestServer.get().clear(); // openEmpty clears the real server first: not part of what is timed
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> stores.openEmpty(
                            Clock.systemUTC(), settings, new InetSocketAddress("127.0.0.1", mute.getLocalPort()))
                    .close());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf(
                    "open on a server that never answers the login: %d ms (%s)%n",
                    millis, thrown == null ? null : thrown.getClass().getSimpleName());
            assertThat(held).as("the driver connected").isNotEmpty();
            assertThat(thrown).isInstanceOfAny(TransientDataAccessException.class, UnavailableException.class);
            assertThat(millis).as("ms to fail the open").isLessThan(2000);
        } finally {
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
    }
}
