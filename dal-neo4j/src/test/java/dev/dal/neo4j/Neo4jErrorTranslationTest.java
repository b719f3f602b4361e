package dev.dal.neo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.ChatSession;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.Retryable;
import dev.dal.api.Role;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.spi.SanitizedCause;
import dev.dal.neo4j.internal.Neo4jSettings;
import dev.dal.test.neo4j.Neo4jTestServer;
import dev.dal.testkit.FaultProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Errors through the public API against real servers: a closed port, a server cut off mid-life
 * and constraint violations each reach the caller as Dal's exception for its meaning, with no
 * driver exception as cause, no driver text and no password; health on a dead server answers
 * DOWN (sync and async) instead of throwing. Keys are random, so the shared graph is left alone.
 */
class Neo4jErrorTranslationTest {
    private static final String SECRET = "n30j-s3cr3t-pw";
    private final Neo4jTestServer server = Neo4jTestServer.get();

    /** Short timeouts: a dead server is found in about a second, not the 30 s defaults. */
    private static Map<String, String> fastFailing(String uri) {
        Map<String, String> settings = new HashMap<>();
        settings.put("DATA_STORAGE_TYPE", "neo4j");
        settings.put("NEO4J_URI", uri);
        settings.put("NEO4J_USER", "neo4j");
        settings.put("NEO4J_PASSWORD", SECRET);
        settings.put(DalConfig.DB_CONNECT_TIMEOUT, "1");
        settings.put(DalConfig.DB_CONNECTION_TIMEOUT, "2");
        return settings;
    }

    private static DataAccess open(Map<String, String> settings) {
        return DataAccessFactory.create(
                DalConfig.builder().settings(settings).clock(Clock.systemUTC()).build(), new Neo4jStoreProvider());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void assertClean(Throwable thrown) {
        for (Throwable cause = thrown.getCause(); cause != null; cause = cause.getCause()) {
            assertThat(cause).as("cause of %s", thrown).isInstanceOf(SanitizedCause.class);
        }
        assertThat(thrown.getSuppressed()).isEmpty();
        assertClean(thrown.getMessage());
    }

    private static void assertClean(String message) {
        String text = String.valueOf(message);
        assertThat(text.toLowerCase(Locale.ROOT))
                .doesNotContain(SECRET.toLowerCase(Locale.ROOT))
                .doesNotContain("org.neo4j")
                .doesNotContain("serviceunavailable")
                .doesNotContain("neo.clienterror")
                .doesNotContain("unable to connect")
                .doesNotContain("connection refused:")
                .doesNotContain("already exists with label");
    }

    @Test
    void openingAStoreOnAClosedPortIsUnavailableAndNamesTheOpen() throws IOException {
        int port = closedPort();
        for (String scheme : List.of("neo4j", "bolt")) {
            String uri = scheme + "://localhost:" + port;
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> open(fastFailing(uri)).close());
            assertThat(thrown)
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageStartingWith("Could not open the Neo4j store at " + uri + ": unavailable")
                    .hasMessageNotContaining("schema status");
            assertClean(thrown);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("ms to give up (DB_CONNECT_TIMEOUT 1 s)")
                    .isLessThan(2000);
        }
    }

    @Test
    void anUnknownDatabaseIsAConfigurationErrorNamingTheSetting() {
        Map<String, String> settings = fastFailing(server.uri());
        settings.put(Neo4jSettings.NEO4J_DATABASE.name(), "nosuchdatabase");
        Throwable thrown = catchThrowable(() -> open(settings).close());
        URI uri = URI.create(server.uri());
        assertThat(thrown)
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Could not open the Neo4j store at " + uri.getScheme() + "://" + uri.getHost()
                        + ":" + uri.getPort() + ": ")
                .hasMessageContaining(Neo4jSettings.NEO4J_DATABASE.name());
        assertClean(thrown);
    }

    @Test
    void aServerThatDiesIsUnavailableAndHealthSaysDownWithoutThrowing() throws Exception {
        URI target = URI.create(server.uri());
        try (FaultProxy proxy = FaultProxy.to(new InetSocketAddress(target.getHost(), target.getPort()));
                DataAccess store = open(fastFailing("bolt://127.0.0.1:" + proxy.port()))) {
            User user = store.createUser(NewUser.withExternalId("error-" + UUID.randomUUID()));
            assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(store.healthCheckAsync()
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS)
                            .status())
                    .isEqualTo(HealthStatus.Status.UP);

            proxy.refuse();

            Throwable thrown = catchThrowable(() -> store.getUser(user.id()));
            assertThat(thrown).isInstanceOf(UnavailableException.class).hasMessageContaining("getUser");
            assertClean(thrown);

            HealthStatus sync = store.healthCheck();
            assertThat(sync.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(sync.error()).contains("cannot be reached");
            assertClean(sync.error());
            assertClean(String.valueOf(sync.details()));

            HealthStatus async = store.healthCheckAsync().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(async.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(async.error()).contains("cannot be reached");
            assertClean(async.error());
        }
    }

    @Test
    void constraintViolationsAreDuplicateKeysNamedByFieldWithoutTheServersText() {
        try (DataAccess store =
                DataAccessFactory.create(server.config(Clock.systemUTC()), new Neo4jStoreProvider(server.driver()))) {
            String externalId = "dup-" + UUID.randomUUID();
            User first = store.createUser(NewUser.withExternalId(externalId));
            Throwable user = catchThrowable(() -> store.createUser(NewUser.withExternalId(externalId)));
            assertThat(user)
                    .isInstanceOf(DuplicateKeyException.class)
                    .isNotInstanceOf(Retryable.class)
                    .hasMessageContaining("externalId")
                    .hasMessageNotContaining(externalId);
            assertClean(user);
            assertThat(store.getUserByExternalId(externalId)).contains(first);

            String chatId = "dup-chat-" + UUID.randomUUID();
            ChatSession session = store.createChatSession(NewChatSession.of(chatId));
            Throwable chat = catchThrowable(() -> store.createChatSession(NewChatSession.of(chatId)));
            assertThat(chat)
                    .isInstanceOf(DuplicateKeyException.class)
                    .hasMessageContaining("chatId")
                    .hasMessageNotContaining(chatId);
            assertClean(chat);

            // The bulk path: a second message id at a taken sequence number breaks the composite constraint.
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            Message one = new Message(
                    UUID.randomUUID(), session.id(), 1, Role.USER, "one", JsonValues.emptyObject(), null, false, now);
            store.bulk().upsertMessages(List.of(one));
            Message clash = new Message(
                    UUID.randomUUID(), session.id(), 1, Role.USER, "clash", JsonValues.emptyObject(), null, false, now);
            Throwable bulk = catchThrowable(() -> store.bulk().upsertMessages(List.of(clash)));
            assertThat(bulk).isInstanceOf(DuplicateKeyException.class).hasMessageContaining("sequence number");
            assertClean(bulk);
            assertThat(store.getChatHistory(chatId, 10, 0)).containsExactly(one);
        }
    }

    /**
     * Two transactions that lock two users in opposite orders deadlock on the server. With
     * {@code DAL_TX_RETRIES=0} the victim gets {@link ConcurrencyConflictException} after its work ran
     * once (the driver's own retry is off); with one retry Dal's policy runs the victim's work again and
     * both commit.
     */
    @Test
    void aDeadlockIsAConcurrencyConflictRetriedOnlyByDalsPolicy() throws Exception {
        for (int retries : new int[] {0, 1}) {
            Map<String, String> settings = new HashMap<>(server.settings());
            settings.put(DalConfig.DAL_TX_RETRIES, String.valueOf(retries));
            try (DataAccess store = DataAccessFactory.create(
                    DalConfig.builder()
                            .settings(settings)
                            .clock(Clock.systemUTC())
                            .build(),
                    new Neo4jStoreProvider())) {
                User a = store.createUser(NewUser.withExternalId("lock-a-" + UUID.randomUUID()));
                User b = store.createUser(NewUser.withExternalId("lock-b-" + UUID.randomUUID()));
                CyclicBarrier bothLocked = new CyclicBarrier(2);
                AtomicInteger runs = new AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    List<Future<?>> sides = new ArrayList<>();
                    for (User[] order : new User[][] {{a, b}, {b, a}}) {
                        AtomicInteger mine = new AtomicInteger();
                        sides.add(pool.submit(() -> store.useTransaction(tx -> {
                            runs.incrementAndGet();
                            tx.updateUser(
                                    order[0].id(),
                                    UserUpdate.builder().name("first").build());
                            if (mine.getAndIncrement() == 0) {
                                try {
                                    bothLocked.await(10, TimeUnit.SECONDS);
                                } catch (Exception e) {
                                    throw new IllegalStateException("the other side never took its first lock", e);
                                }
                            }
                            tx.updateUser(
                                    order[1].id(),
                                    UserUpdate.builder().name("second").build());
                        })));
                    }
                    List<Throwable> failures = new ArrayList<>();
                    for (Future<?> side : sides) {
                        try {
                            side.get(30, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.ExecutionException e) {
                            failures.add(e.getCause());
                        }
                    }
                    if (retries == 0) {
                        assertThat(failures).as("the deadlock's victim").hasSize(1);
                        assertThat(failures.get(0))
                                .isInstanceOf(ConcurrencyConflictException.class)
                                .isInstanceOf(Retryable.class);
                        assertClean(failures.get(0));
                        assertThat(runs)
                                .as("work runs: once each, no driver retry")
                                .hasValue(2);
                    } else {
                        assertThat(failures).as("failures with one retry").isEmpty();
                        assertThat(runs).as("work runs: the victim's twice").hasValue(3);
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }
}
