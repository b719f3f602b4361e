package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import dev.dal.api.spi.Ids;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A deletion and a bulk upsert of an older version of the same key, started at the same moment, many times
 * over: whichever commits first, the record must end deleted (the upsert is older than the deletion's
 * tombstone), and a child of a user being deleted is skipped or detached, never refused. Under READ COMMITTED
 * neither transaction sees the other's uncommitted rows; the store orders them (advisory locks per key bucket).
 */
class PostgresVersionRaceTest {
    private static final int ROUNDS = 60;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static PostgresTarget target;
    private static String database;
    private static DataAccess store;
    private static ExecutorService pool;

    @BeforeAll
    static void open() throws Exception {
        target = PostgresTarget.get();
        database = target.createDatabase("dal_version_race");
        store = PostgresTarget.open(target.server().settingsForDatabase(database));
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void close() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (store != null) {
            store.close();
        }
        if (database != null) {
            target.dropDatabase(database);
        }
    }

    /**
     * Runs both at once.
     *
     * @return the failures, as text
     */
    private static List<String> race(Callable<?> a, Callable<?> b) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<?>> runs = new ArrayList<>();
        for (Callable<?> work : List.of(a, b)) {
            runs.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return work.call();
            }));
        }
        List<String> failures = new ArrayList<>();
        for (Future<?> run : runs) {
            try {
                run.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failures.add(String.valueOf(e.getCause()));
            }
        }
        return failures;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void aDeletionRacingAnOlderUpsertLeavesTheRecordDeleted() throws Exception {
        List<String> failures = new ArrayList<>();
        int users = 0;
        int sessions = 0;
        int memory = 0;
        for (int i = 0; i < ROUNDS; i++) {
            User user = store.createUser(NewUser.withExternalId("race-user-" + i));
            User later = user.withVersion(2);
            failures.addAll(race(() -> store.deleteUser(user.id()), () -> {
                store.bulk().upsertUsers(List.of(later));
                return null;
            }));
            users += store.getUser(user.id()).isPresent() ? 1 : 0;

            User owner = store.createUser(NewUser.withExternalId("race-owner-" + i));
            ChatSession session = store.createChatSession(NewChatSession.of("race-chat-" + i, owner.id()));
            ChatSession laterSession = session.withVersion(2);
            failures.addAll(race(() -> store.deleteChatSession(session.chatId()), () -> {
                store.bulk().upsertSessions(List.of(laterSession));
                return null;
            }));
            sessions += store.getChatSession(session.chatId()).isPresent() ? 1 : 0;

            MemoryEntry entry = store.setUserMemory(owner.id(), "context", "k" + i, F.numberNode(i));
            MemoryEntry laterEntry = entry.withVersion(2);
            failures.addAll(race(() -> store.deleteUserMemory(owner.id(), "context", entry.key()), () -> {
                store.bulk().upsertMemory(List.of(laterEntry));
                return null;
            }));
            memory += store.getUserMemory(owner.id(), "context", entry.key()).isPresent() ? 1 : 0;
        }
        assertThat(failures).as("failed calls").isEmpty();
        assertThat(List.of(users, sessions, memory))
                .as("users, sessions, memory entries brought back")
                .containsOnly(0);
    }

    @Test
    void aReplicatedTombstoneRacingAnOlderUpsertOfAnUnseenKeyKeepsItOut() throws Exception {
        List<String> failures = new ArrayList<>();
        int back = 0;
        for (int i = 0; i < ROUNDS; i++) {
            Instant now = now();
            User user = new User(
                    Ids.newId(),
                    null,
                    null,
                    "late",
                    F.objectNode(),
                    F.objectNode(),
                    UserStatus.ACTIVE,
                    now,
                    now,
                    null,
                    3);
            failures.addAll(race(
                    () -> {
                        store.bulk().upsertTombstones(List.of(Tombstone.ofUser(user.id(), 5)));
                        return null;
                    },
                    () -> {
                        store.bulk().upsertUsers(List.of(user));
                        return null;
                    }));
            back += store.getUser(user.id()).isPresent() ? 1 : 0;
            assertThat(store.bulk().findTombstones(List.of(RecordKey.user(user.id()))))
                    .containsExactly(Tombstone.ofUser(user.id(), 5));
        }
        assertThat(failures).as("failed calls").isEmpty();
        assertThat(back).as("users brought back").isZero();
    }

    @Test
    void aSessionUpsertedWhileItsUserIsDeletedIsSkippedOrDetachedNeverRefused() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            User owner = store.createUser(NewUser.withExternalId("race-parent-" + i));
            Instant now = now();
            ChatSession session = new ChatSession(
                    Ids.newId(),
                    "race-child-" + i,
                    owner.id(),
                    null,
                    null,
                    F.objectNode(),
                    SessionStatus.ACTIVE,
                    now,
                    now,
                    null,
                    0,
                    1);
            MemoryEntry entry = new MemoryEntry(owner.id(), "context", "k", F.numberNode(1), now, now, null, 1);
            failures.addAll(race(() -> store.deleteUser(owner.id()), () -> {
                store.bulk().upsertSessions(List.of(session));
                store.bulk().upsertMemory(List.of(entry));
                return null;
            }));
            store.getChatSession(session.chatId())
                    .ifPresent(s -> assertThat(s.userId()).isNull());
            assertThat(store.getUserMemory(owner.id(), "context", "k")).isEmpty();
        }
        assertThat(failures).as("failed calls").isEmpty();
    }

    /**
     * A backfill copying messages while their session is deleted (by chat id, or with its user purged): the
     * messages are skipped or deleted with the session, never refused with NotFoundException by the foreign key.
     */
    @Test
    void messagesUpsertedWhileTheirSessionIsDeletedAreSkippedNeverRefused() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            User owner = store.createUser(NewUser.withExternalId("race-msg-owner-" + i));
            ChatSession session = store.createChatSession(NewChatSession.of("race-msg-chat-" + i, owner.id()));
            Instant now = now();
            List<Message> messages = new ArrayList<>();
            for (int n = 1; n <= 20; n++) {
                messages.add(new Message(
                        Ids.newId(), session.id(), n, Role.USER, "m" + n, F.objectNode(), null, false, now));
            }
            boolean purge = i % 2 == 1;
            failures.addAll(race(
                    () -> purge
                            ? store.deleteUser(owner.id(), DeleteMode.PURGE)
                            : store.deleteChatSession(session.chatId()),
                    () -> {
                        store.bulk().upsertMessages(messages);
                        return null;
                    }));
            assertThat(store.getChatSession(session.chatId())).isEmpty();
            assertThat(store.bulk().findTombstones(List.of(RecordKey.session(session.chatId()))))
                    .containsExactly(Tombstone.ofSession(session.chatId(), session.id(), session.version() + 1));
            // Late messages of the deleted session are skipped too.
            store.bulk().upsertMessages(messages);
        }
        assertThat(failures).as("failed calls").isEmpty();
        assertThat(store.bulk().scanMessages(null, 10).items())
                .as("messages of deleted sessions")
                .isEmpty();
    }
}
