package dev.dal.postgres;

import static dev.dal.postgres.PostgresTarget.assertNoDriverLeak;
import static dev.dal.postgres.PostgresTarget.assertNoSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.Retryable;
import dev.dal.api.Role;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real server errors through the public API: each reaches the caller as Dal's exception for its
 * meaning, retryable only when retrying can help, with no driver type, driver text or secret.
 * Works in the shared database with keys of its own (random ids), so it leaves the conformance
 * kit's data alone.
 */
class PostgresErrorTranslationTest {
    private static final String SECRET = "s3cr3t-pw";

    private static PostgresTarget target;
    private static DataAccess store;

    @BeforeAll
    static void open() {
        target = PostgresTarget.get();
        store = PostgresTarget.open(target.server().settings());
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    // ---- constraint violations ----

    @Test
    void duplicateExternalIdIsDuplicateKeyAndNotRetryable() {
        String externalId = unique("dup");
        User first = store.createUser(NewUser.withExternalId(externalId));

        Throwable thrown = catchThrowable(() -> store.createUser(
                NewUser.builder().externalId(externalId).name("second").build()));
        assertThat(thrown)
                .isInstanceOf(DuplicateKeyException.class)
                .isNotInstanceOf(Retryable.class)
                .hasMessageContaining("externalId");
        assertNoDriverLeak(thrown);
        assertThat(store.getUserByExternalId(externalId)).contains(first);

        // The same key taken by an update.
        User other = store.createUser(NewUser.withExternalId(unique("dup-other")));
        Throwable onUpdate = catchThrowable(() -> store.updateUser(
                other.id(), UserUpdate.builder().externalId(externalId).build()));
        assertThat(onUpdate).isInstanceOf(DuplicateKeyException.class).isNotInstanceOf(Retryable.class);
        assertNoDriverLeak(onUpdate);
        assertThat(store.getUser(other.id())).contains(other);
    }

    @Test
    void duplicateChatIdIsDuplicateKey() {
        String chatId = unique("chat");
        ChatSession first = store.createChatSession(NewChatSession.of(chatId));
        Throwable thrown = catchThrowable(() -> store.createChatSession(NewChatSession.of(chatId)));
        assertThat(thrown)
                .isInstanceOf(DuplicateKeyException.class)
                .isNotInstanceOf(Retryable.class)
                .hasMessageContaining("chatId");
        assertNoDriverLeak(thrown);
        assertThat(store.getChatSession(chatId)).contains(first);
    }

    @Test
    void foreignKeyViolationsAreNotFound() {
        UUID nobody = UUID.randomUUID();
        String chatId = unique("fk");

        Throwable session = catchThrowable(() -> store.createChatSession(NewChatSession.of(chatId, nobody)));
        assertThat(session).isInstanceOf(NotFoundException.class).hasMessageContaining("user");
        assertNoDriverLeak(session);
        assertThat(store.getChatSession(chatId)).isEmpty();

        Throwable memory = catchThrowable(
                () -> store.setUserMemory(nobody, "preferences", "theme", JsonNodeFactory.instance.textNode("dark")));
        assertThat(memory).isInstanceOf(NotFoundException.class).hasMessageContaining("user");
        assertNoDriverLeak(memory);

        ChatSession existing = store.createChatSession(NewChatSession.of(chatId));
        Throwable reassign = catchThrowable(() -> store.updateChatSession(
                chatId, ChatSessionUpdate.builder().userId(nobody).build()));
        assertThat(reassign).isInstanceOf(NotFoundException.class);
        assertNoDriverLeak(reassign);
        assertThat(store.getChatSession(chatId)).contains(existing);

        // The bulk path reaches the same constraint through a batch (the server's error is the next exception).
        Message orphan = new Message(
                UUID.randomUUID(), UUID.randomUUID(), 1, Role.USER, "hello", null, null, false, Instant.now());
        Throwable bulk = catchThrowable(() -> store.bulk().upsertMessages(List.of(orphan)));
        assertThat(bulk).isInstanceOf(NotFoundException.class).hasMessageContaining("chat session");
        assertNoDriverLeak(bulk);
    }

    // ---- deadlock ----

    @Test
    void aRealDeadlockIsRetriedByInTransaction() throws Exception {
        User a = store.createUser(NewUser.withExternalId(unique("deadlock-a")));
        User b = store.createUser(NewUser.withExternalId(unique("deadlock-b")));
        CountDownLatch bothHoldOneRow = new CountDownLatch(2);
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<String> forward = threads.submit(() -> lockInOrder(a, b, "forward", bothHoldOneRow, attempts));
            Future<String> backward = threads.submit(() -> lockInOrder(b, a, "backward", bothHoldOneRow, attempts));
            List<String> winners = new ArrayList<>();
            for (Future<String> f : List.of(forward, backward)) {
                try {
                    winners.add(f.get(30, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    // Allowed only when the retries ran out: then it must say "retry me".
                    assertThat(e.getCause())
                            .isInstanceOf(ConcurrencyConflictException.class)
                            .isInstanceOf(Retryable.class)
                            .hasMessageContaining("deadlock");
                    assertNoDriverLeak(e.getCause());
                }
            }
            assertThat(winners).as("transactions that committed").isNotEmpty();
            assertThat(attempts.get())
                    .as("attempts: two first tries plus at least one retry of the victim")
                    .isGreaterThanOrEqualTo(3);
            // Each transaction wrote both rows, so whichever committed last left both with its name.
            String nameA = store.getUser(a.id()).orElseThrow().name();
            String nameB = store.getUser(b.id()).orElseThrow().name();
            assertThat(nameA).isIn("forward", "backward").isEqualTo(nameB);
            if (winners.size() == 2) {
                assertThat(winners).containsExactlyInAnyOrder("forward", "backward");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static String lockInOrder(
            User first, User second, String name, CountDownLatch bothHoldOneRow, AtomicInteger attempts) {
        return store.inTransaction(tx -> {
            attempts.incrementAndGet();
            tx.updateUser(first.id(), UserUpdate.builder().name(name).build());
            bothHoldOneRow.countDown();
            try {
                if (!bothHoldOneRow.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other transaction never locked its first row");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            tx.updateUser(second.id(), UserUpdate.builder().name(name).build());
            return name;
        });
    }

    // ---- lost connections and timeouts ----

    @Test
    void connectionsKilledByAnAdministratorAreReplaced() throws Exception {
        String application = "dal_kill_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> settings = target.settingsWith(Map.of(
                "DATABASE_URL", target.databaseUrlWith("ApplicationName=" + application), "DB_MAX_CONNECTIONS", "2"));
        try (DataAccess killed = PostgresTarget.open(settings)) {
            User user = killed.createUser(NewUser.withExternalId(unique("killed")));
            assertThat(killed.getUser(user.id())).contains(user);

            assertThat(terminateBackends(application))
                    .as("backends of the store terminated")
                    .isPositive();

            // The very next call may get a dead pooled connection: it either works (Hikari validated
            // and replaced it) or fails as a retryable TransientDataAccessException (a read: nothing was
            // written); never a driver error, never a hang. Hikari evicts the dead connection at once.
            List<Throwable> failures = new ArrayList<>();
            boolean recovered = false;
            for (int call = 0; call < 4 && !recovered; call++) {
                try {
                    assertThat(killed.getUser(user.id())).contains(user);
                    recovered = true;
                } catch (DataAccessException e) {
                    failures.add(e);
                }
            }
            assertThat(recovered)
                    .as("the store answers again after %s", failures)
                    .isTrue();
            assertThat(failures).hasSizeLessThanOrEqualTo(2).allSatisfy(f -> {
                assertThat(f)
                        .isInstanceOf(TransientDataAccessException.class)
                        .isInstanceOf(Retryable.class)
                        .isNotInstanceOf(OutcomeUnknownException.class);
                assertNoDriverLeak(f);
            });
            assertThat(killed.createUser(NewUser.withExternalId(unique("after-kill"))))
                    .isNotNull();
            assertThat(killed.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
        }
    }

    @Test
    void aTransactionWhoseConnectionIsKilledFailsCleanlyAndTheNextOneWorks() throws Exception {
        String application = "dal_kill_tx_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> settings = target.settingsWith(Map.of(
                "DATABASE_URL",
                target.databaseUrlWith("ApplicationName=" + application),
                "DB_MAX_CONNECTIONS",
                "1",
                "DAL_TX_RETRIES",
                "0"));
        Throwable failure;
        try (DataAccess killed = PostgresTarget.open(settings)) {
            User user = killed.createUser(NewUser.withExternalId(unique("killed-tx")));
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch terminated = new CountDownLatch(1);
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                Future<Object> tx = thread.submit(() -> killed.inTransaction(t -> {
                    t.updateUser(user.id(), UserUpdate.builder().name("lost").build());
                    inside.countDown();
                    awaitOrFail(terminated);
                    return t.updateUser(
                            user.id(),
                            UserUpdate.builder().email("lost@example.com").build());
                }));
                assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(terminateBackends(application)).isPositive();
                terminated.countDown();
                Throwable thrown = catchThrowable(() -> tx.get(30, TimeUnit.SECONDS));
                assertThat(thrown).isInstanceOf(ExecutionException.class);
                // Lost before its COMMIT was sent: the server rolled it back, so the outcome is known.
                assertThat(thrown.getCause())
                        .as("what inTransaction throws when its connection is killed")
                        .isInstanceOf(TransientDataAccessException.class)
                        .isInstanceOf(Retryable.class)
                        .isNotInstanceOf(OutcomeUnknownException.class);
                failure = thrown.getCause();
            } finally {
                thread.shutdownNow();
            }
            // Nothing of the lost transaction landed, and the pool serves the next call.
            User after = recoveringRead(() -> killed.getUser(user.id()).orElseThrow());
            assertThat(after.name()).isNull();
            assertThat(after.email()).isNull();
        }
        // Last, so the checks above run either way: the failed rollback must not ride along as a
        // suppressed driver exception.
        assertNoDriverLeak(failure);
    }

    @Test
    void aTransactionWhoseConnectionIsKilledRunsAgainAndCommitsOnce() throws Exception {
        String application = "dal_kill_retry_" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> settings = target.settingsWith(Map.of(
                "DATABASE_URL", target.databaseUrlWith("ApplicationName=" + application), "DB_MAX_CONNECTIONS", "1"));
        try (DataAccess killed = PostgresTarget.open(settings)) {
            User user = killed.createUser(NewUser.withExternalId(unique("killed-retry")));
            AtomicInteger attempts = new AtomicInteger();
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch terminated = new CountDownLatch(1);
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                Future<User> tx = thread.submit(() -> killed.inTransaction(t -> {
                    attempts.incrementAndGet();
                    User named = t.updateUser(
                            user.id(), UserUpdate.builder().name("again").build());
                    inside.countDown();
                    awaitOrFail(terminated);
                    return t.updateUser(
                            named.id(),
                            UserUpdate.builder().email("again@example.com").build());
                }));
                assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(terminateBackends(application)).isPositive();
                terminated.countDown();
                User committed = tx.get(30, TimeUnit.SECONDS);
                assertThat(committed.name()).isEqualTo("again");
            } finally {
                thread.shutdownNow();
            }
            assertThat(attempts.get())
                    .as("the killed attempt and the one that committed")
                    .isEqualTo(2);
            User after = killed.getUser(user.id()).orElseThrow();
            assertThat(after.name()).isEqualTo("again");
            assertThat(after.email()).isEqualTo("again@example.com");
        }
    }

    @Test
    void aServerSideStatementTimeoutIsTranslated() throws Exception {
        Map<String, String> settings = target.settingsWith(Map.of("DB_QUERY_TIMEOUT", "PT0.3S"));
        try (DataAccess timed = PostgresTarget.open(settings);
                Connection locker = target.server().connect()) {
            User user = timed.createUser(NewUser.withExternalId(unique("timeout")));
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker.prepareStatement("SELECT id FROM users WHERE id = ? FOR UPDATE")) {
                lock.setObject(1, user.id());
                lock.executeQuery().close();
            }
            try {
                Throwable thrown = assertTimeoutPreemptively(
                        Duration.ofSeconds(5),
                        () -> catchThrowable(() -> timed.updateUser(
                                user.id(), UserUpdate.builder().name("x").build())));
                // The server cancelled the waiting statement: nothing was written, retrying may help.
                assertThat(thrown)
                        .isInstanceOf(TransientDataAccessException.class)
                        .isInstanceOf(Retryable.class)
                        .isNotInstanceOf(OutcomeUnknownException.class)
                        .hasMessageContaining("updateUser")
                        .hasMessageContaining("DB_QUERY_TIMEOUT")
                        .hasMessageContaining("300 ms");
                assertThat(thrown.getCause()).hasMessageContaining("57014");
                assertNoDriverLeak(thrown);
            } finally {
                locker.rollback();
            }
            assertThat(timed.updateUser(
                                    user.id(), UserUpdate.builder().name("x").build())
                            .name())
                    .isEqualTo("x");
        }
    }

    // ---- secrets ----

    static Stream<Arguments> unreachableSettingsWithAPassword() {
        int port = PostgresTarget.unusedPort();
        return Stream.of(
                Arguments.of(
                        "DATABASE_URL with credentials",
                        Map.of("DATABASE_URL", "postgresql://postgres:" + SECRET + "@localhost:" + port + "/postgres")),
                Arguments.of(
                        "DB_PASSWORD",
                        Map.of(
                                "DB_HOST",
                                "127.0.0.1:" + port,
                                "DB_NAME",
                                "postgres",
                                "DB_USER",
                                "postgres",
                                "DB_PASSWORD",
                                SECRET)),
                Arguments.of(
                        "password in a jdbc URL's query",
                        Map.of(
                                "DATABASE_URL",
                                "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&password=" + SECRET)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreachableSettingsWithAPassword")
    void passwordsNeverAppearInErrorsOrHealth(String label, Map<String, String> connection) {
        Map<String, String> settings = new LinkedHashMap<>(connection);
        settings.put("DATA_STORAGE_TYPE", "postgresql");
        settings.put("DB_CONNECTION_TIMEOUT", "PT0.3S");
        try (DataAccess unreachable = PostgresTarget.open(settings)) {
            assertNoSecret(unreachable.toString(), SECRET);

            HealthStatus health = assertTimeoutPreemptively(Duration.ofSeconds(10), unreachable::healthCheck);
            assertThat(health.status()).isEqualTo(HealthStatus.Status.DOWN);
            assertThat(health.error()).isNotBlank();
            assertNoSecret(health.toString(), SECRET);
            assertThat(health.error()).doesNotContain("org.postgresql").doesNotContain("PSQLException");

            Throwable thrown = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> catchThrowable(() -> unreachable.createUser(NewUser.withExternalId(unique("secret")))));
            assertThat(thrown).isInstanceOf(UnavailableException.class).hasMessageContaining("cannot be reached");
            assertNoDriverLeak(thrown);
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                assertNoSecret(t.toString(), SECRET);
            }
        }

        // Migrating on open fails at once, the same way.
        settings.put("DB_AUTO_MIGRATE", "true");
        Throwable onOpen = assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> catchThrowable(() -> PostgresTarget.open(settings).close()));
        assertThat(onOpen)
                .isInstanceOf(UnavailableException.class)
                .as("refused, not a busy pool")
                .hasMessageContaining("cannot be reached")
                .hasMessageNotContaining("DB_MAX_CONNECTIONS");
        assertNoDriverLeak(onOpen);
        for (Throwable t = onOpen; t != null; t = t.getCause()) {
            assertNoSecret(t.toString(), SECRET);
        }
    }

    // ---- helpers ----

    /** @return how many server processes of the application were terminated */
    private static int terminateBackends(String application) throws SQLException {
        try (Connection admin = target.server().connect();
                PreparedStatement kill =
                        admin.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                                + " FROM pg_stat_activity WHERE application_name = ?")) {
            kill.setString(1, application);
            try (ResultSet rs = kill.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void awaitOrFail(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out waiting for the test");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads, allowing a dead pooled connection or two to fail first, as TransientDataAccessException only. */
    private static <T> T recoveringRead(Supplier<T> read) {
        TransientDataAccessException last = null;
        for (int i = 0; i < 3; i++) {
            try {
                return read.get();
            } catch (TransientDataAccessException e) {
                assertNoDriverLeak(e);
                last = e;
            }
        }
        throw new AssertionError("the store did not recover", last);
    }
}
