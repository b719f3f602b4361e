package dev.dal.postgres;

import static dev.dal.postgres.PostgresTarget.assertNoDriverLeak;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.testkit.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A 15 s network stall between the store and the server (a frozen TCP proxy: no byte passes, no
 * connection closes), with {@code DB_QUERY_TIMEOUT=2}: every call in flight when the stall began
 * ends within 3 s of it, every call started during the stall ends within 3 s of its start, each
 * with the failure table's exception, and the same store serves again by itself once the stall
 * ends.
 */
class PostgresStallTest {
    private static final Duration STALL = Duration.ofSeconds(15);
    private static final Duration BOUND = Duration.ofSeconds(3);

    /** One call as a worker saw it. */
    private record Call(String kind, long startNanos, long endNanos, Throwable failure) {
        Duration took() {
            return Duration.ofNanos(endNanos - startNanos);
        }
    }

    @Test
    void everyCallEndsWithinTheDeadlineDuringAStallAndTheStoreRecoversByItself() throws Exception {
        PostgresTarget target = PostgresTarget.get();
        try (FaultProxy proxy = FaultProxy.to(new java.net.InetSocketAddress(target.host(), target.port()))) {
            Map<String, String> settings = target.settingsWith(Map.of(
                    "DATABASE_URL",
                    PostgresTarget.urlVia(target.server().settings().get("DATABASE_URL"), proxy.address()),
                    "DB_QUERY_TIMEOUT",
                    "2",
                    "DB_CONNECT_TIMEOUT",
                    "2",
                    "DB_CONNECTION_TIMEOUT",
                    "2",
                    "DAL_HEALTH_TIMEOUT",
                    "1",
                    "DB_MAX_CONNECTIONS",
                    "8"));
            try (DataAccess store = PostgresTarget.open(settings)) {
                User user = store.createUser(NewUser.withExternalId("stall-" + UUID.randomUUID()));
                ChatSession session =
                        store.createChatSession(NewChatSession.of("stall-" + UUID.randomUUID(), user.id()));

                ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
                AtomicBoolean running = new AtomicBoolean(true);
                int threads = 6;
                ExecutorService workers = Executors.newFixedThreadPool(threads);
                List<Future<?>> loops = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    boolean writer = i % 2 == 0;
                    loops.add(workers.submit(() -> {
                        while (running.get()) {
                            long start = System.nanoTime();
                            Throwable failure = null;
                            try {
                                if (writer) {
                                    store.addMessage(
                                            session.chatId(),
                                            NewMessage.user("turn").withId(UUID.randomUUID()));
                                } else {
                                    store.getChatHistory(session.chatId(), 20, 0);
                                }
                            } catch (RuntimeException e) {
                                failure = e;
                            }
                            calls.add(new Call(writer ? "write" : "read", start, System.nanoTime(), failure));
                        }
                    }));
                }
                try {
                    Thread.sleep(1_000); // traffic flows before the stall
                    long stallStart = System.nanoTime();
                    proxy.stall();
                    HealthStatus during;
                    try {
                        Thread.sleep(3_000);
                        long healthStart = System.nanoTime();
                        during = store.healthCheck();
                        assertThat(Duration.ofNanos(System.nanoTime() - healthStart))
                                .as("health during the stall")
                                .isLessThan(Duration.ofMillis(1_900));
                        long left = stallStart + STALL.toNanos() - System.nanoTime();
                        if (left > 0) {
                            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
                        }
                    } finally {
                        proxy.heal();
                    }
                    long healed = System.nanoTime();
                    assertThat(during.status()).isEqualTo(HealthStatus.Status.DOWN);

                    // The same store serves again by itself.
                    Duration recovered = null;
                    while (Duration.ofNanos(System.nanoTime() - healed).compareTo(Duration.ofSeconds(10)) < 0) {
                        try {
                            store.getChatHistory(session.chatId(), 1, 0);
                            store.addMessage(
                                    session.chatId(), NewMessage.user("after").withId(UUID.randomUUID()));
                            recovered = Duration.ofNanos(System.nanoTime() - healed);
                            break;
                        } catch (DataAccessException e) {
                            Thread.sleep(50);
                        }
                    }
                    assertThat(recovered)
                            .as("the store served again within 5 s after the stall")
                            .isNotNull()
                            .isLessThan(Duration.ofSeconds(5));
                    Thread.sleep(500);
                    running.set(false);
                    for (Future<?> loop : loops) {
                        loop.get(10, TimeUnit.SECONDS);
                    }

                    long stallEnd = stallStart + STALL.toNanos();
                    List<Call> inFlight = calls.stream()
                            .filter(c -> c.startNanos() < stallStart && c.endNanos() > stallStart)
                            .toList();
                    List<Call> startedDuring = calls.stream()
                            .filter(c -> c.startNanos() >= stallStart && c.startNanos() < stallEnd - BOUND.toNanos())
                            .toList();
                    Duration worstInFlight = inFlight.stream()
                            .map(c -> Duration.ofNanos(c.endNanos() - stallStart))
                            .max(Duration::compareTo)
                            .orElse(Duration.ZERO);
                    Duration worstDuring = startedDuring.stream()
                            .map(Call::took)
                            .max(Duration::compareTo)
                            .orElse(Duration.ZERO);
                    System.out.printf(
                            "stall: %d calls in flight (worst end %d ms after the stall began), %d started"
                                    + " during it (worst %d ms), recovered %d ms after it ended%n",
                            inFlight.size(),
                            worstInFlight.toMillis(),
                            startedDuring.size(),
                            worstDuring.toMillis(),
                            recovered.toMillis());

                    calls.stream()
                            .filter(c -> c.took().compareTo(Duration.ofMillis(2_600)) > 0)
                            .forEach(c -> {
                                StringBuilder chain = new StringBuilder();
                                for (Throwable t = c.failure(); t != null; t = t.getCause()) {
                                    chain.append(" <- ")
                                            .append(t.getClass().getSimpleName())
                                            .append(": ")
                                            .append(t.getMessage());
                                }
                                System.out.printf(
                                        "slow %s: %d ms, started %d ms after the stall began%s%n",
                                        c.kind(),
                                        c.took().toMillis(),
                                        TimeUnit.NANOSECONDS.toMillis(c.startNanos() - stallStart),
                                        chain);
                            });
                    assertThat(inFlight)
                            .as("calls in flight when the stall began")
                            .isNotEmpty();
                    assertThat(worstInFlight)
                            .as("calls in flight ended within 3 s of the stall")
                            .isLessThanOrEqualTo(BOUND);
                    assertThat(startedDuring)
                            .as("calls started during the stall")
                            .isNotEmpty();
                    assertThat(worstDuring)
                            .as("each call started during the stall ended within 3 s")
                            .isLessThanOrEqualTo(BOUND);
                    assertThat(inFlight)
                            .as("calls in flight that the stall cut off")
                            .anyMatch(c -> c.failure() != null);
                    for (Call c : calls) {
                        if (c.failure() == null) {
                            continue;
                        }
                        assertNoDriverLeak(c.failure());
                        if (c.kind().equals("read")) {
                            assertThat(c.failure())
                                    .as("a read during the stall")
                                    .isInstanceOfAny(TransientDataAccessException.class, UnavailableException.class)
                                    .isNotInstanceOf(OutcomeUnknownException.class);
                        } else {
                            assertThat(c.failure())
                                    .as("a write during the stall")
                                    .isInstanceOfAny(
                                            TransientDataAccessException.class,
                                            OutcomeUnknownException.class,
                                            UnavailableException.class);
                        }
                    }
                } finally {
                    running.set(false);
                    workers.shutdownNow();
                    workers.awaitTermination(10, TimeUnit.SECONDS);
                }
                assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
            }
        }
    }
}
