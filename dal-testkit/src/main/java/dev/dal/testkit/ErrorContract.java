package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.assertNoDriverNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Retryable;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Errors: only {@link DataAccessException}s cross the API, named by meaning, with no driver in sight. */
public interface ErrorContract extends ConformanceTest {

    /**
     * Reads of unknown records are empty and deletes of unknown records return false.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void unknownRecordsGiveEmptyReadsAndFalseDeletes(DataAccess store) {
        Fixtures.seed(store);
        UUID nobody = UUID.randomUUID();

        assertThat(store.getUser(nobody)).isEmpty();
        assertThat(store.getUserByExternalId("nobody")).isEmpty();
        assertThat(store.deleteUser(nobody)).isFalse();
        assertThat(store.getChatSession("nothing")).isEmpty();
        assertThat(store.deleteChatSession("nothing")).isFalse();
        assertThat(store.listUserSessions(nobody, 10, 0)).isEmpty();
        assertThat(store.getChatHistory("nothing", HistoryQuery.latest(5))).isEmpty();
        assertThat(store.getMessageCount("nothing")).isZero();
        assertThat(store.getUserMemory(nobody, "context")).isEmpty();
        assertThat(store.deleteUserMemory(nobody, "context", "k")).isFalse();
    }

    /**
     * Writes that refer to an unknown user or session throw NotFoundException.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void writesThatReferToUnknownRecordsThrowNotFound(DataAccess store) {
        Fixtures.seed(store);
        UUID nobody = UUID.randomUUID();

        assertFails(
                NotFoundException.class,
                () -> store.updateUser(nobody, UserUpdate.builder().name("x").build()));
        assertFails(NotFoundException.class, () -> store.createChatSession(NewChatSession.of("c", nobody)));
        assertFails(
                NotFoundException.class,
                () -> store.updateChatSession(
                        "nothing", ChatSessionUpdate.builder().title("t").build()));
        assertFails(NotFoundException.class, () -> store.addMessage("nothing", NewMessage.user("x")));
        assertFails(NotFoundException.class, () -> store.addMessages("nothing", List.of(NewMessage.user("x"))));
        assertFails(NotFoundException.class, () -> store.setUserMemory(nobody, "context", "k", F.textNode("v")));
    }

    /**
     * Duplicate-key errors are not marked retryable.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void duplicateKeyErrorsAreNotMarkedRetryable(DataAccess store) {
        store.createUser(NewUser.withExternalId("dup"));
        store.createChatSession(NewChatSession.of("dup"));

        DuplicateKeyException user =
                assertFails(DuplicateKeyException.class, () -> store.createUser(NewUser.withExternalId("dup")));
        DuplicateKeyException session =
                assertFails(DuplicateKeyException.class, () -> store.createChatSession(NewChatSession.of("dup")));

        assertThat(user).isNotInstanceOf(Retryable.class);
        assertThat(session).isNotInstanceOf(Retryable.class);
    }

    /**
     * Every failure crosses the API as a DataAccessException that names no driver type.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void errorMessagesNameNoDriverTypes(DataAccess store) {
        store.createUser(NewUser.withExternalId("taken"));
        User user = store.createUser(NewUser.withExternalId("other"));
        store.createChatSession(NewChatSession.of("taken"));
        List<ThrowingCallable> failing = List.of(
                () -> store.createUser(NewUser.withExternalId("taken")),
                () -> store.createChatSession(NewChatSession.of("taken")),
                () -> store.updateUser(UUID.randomUUID(), UserUpdate.builder().build()),
                () -> store.addMessage("missing", NewMessage.user("x")),
                () -> store.createChatSession(NewChatSession.of("c", UUID.randomUUID())),
                () -> store.setUserMemory(UUID.randomUUID(), "t", "k", F.nullNode()),
                () -> store.updateUser(
                        user.id(), UserUpdate.builder().externalId("taken").build()));
        List<Throwable> thrown = new ArrayList<>();

        for (ThrowingCallable call : failing) {
            thrown.add(catchThrowable(call));
        }

        assertThat(thrown).hasSize(failing.size()).allSatisfy(t -> {
            assertThat(t).isInstanceOf(DataAccessException.class);
            assertNoDriverNames(t);
        });
    }

    /**
     * The store stays usable after every kind of error.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void theStoreStaysUsableAfterEveryKindOfError(DataAccess store) {
        store.createUser(NewUser.withExternalId("taken"));
        store.createChatSession(NewChatSession.of("chat"));

        catchThrowable(() -> store.createUser(NewUser.withExternalId("taken")));
        catchThrowable(() -> store.addMessage("missing", NewMessage.user("x")));
        catchThrowable(() -> store.addMessage("chat", NewMessage.user("\u0000")));
        catchThrowable(() -> store.createChatSession(NewChatSession.of("chat")));
        catchThrowable(() -> store.createChatSession(NewChatSession.of("x", UUID.randomUUID())));

        User user = store.createUser(NewUser.withExternalId("after-errors"));
        assertThat(store.addMessage("chat", NewMessage.user("still works")).sequenceNumber())
                .isEqualTo(1);
        assertThat(store.getUser(user.id())).contains(user);
        assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.UP);
    }

    /**
     * A closed store rejects every read with UnavailableException.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aClosedStoreRejectsReadsWithUnavailable(DataAccess store) {
        User user = Fixtures.user(store);
        store.close();

        assertFails(UnavailableException.class, () -> store.getUser(user.id()));
        assertFails(UnavailableException.class, () -> store.getUserByExternalId("x"));
        assertFails(UnavailableException.class, () -> store.getChatSession("x"));
        assertFails(UnavailableException.class, () -> store.getChatHistory("x", 10, 0));
        assertFails(UnavailableException.class, () -> store.getMessageCount("x"));
        assertFails(UnavailableException.class, () -> store.listUserSessions(user.id(), 10, 0));
        assertFails(UnavailableException.class, () -> store.getUserMemory(user.id(), "t"));
    }

    /**
     * A closed store rejects every write with UnavailableException.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aClosedStoreRejectsWritesWithUnavailable(DataAccess store) {
        User user = Fixtures.user(store);
        store.createChatSession(NewChatSession.of("chat"));
        store.close();

        assertFails(UnavailableException.class, () -> store.createUser(NewUser.withExternalId("late")));
        assertFails(
                UnavailableException.class,
                () -> store.updateUser(user.id(), UserUpdate.builder().build()));
        assertFails(UnavailableException.class, () -> store.deleteUser(user.id()));
        assertFails(UnavailableException.class, () -> store.createChatSession(NewChatSession.of("late")));
        assertFails(UnavailableException.class, () -> store.addMessage("chat", NewMessage.user("late")));
        assertFails(UnavailableException.class, () -> store.setUserMemory(user.id(), "t", "k", F.nullNode()));
        assertFails(UnavailableException.class, store::purgeExpiredMemory);
    }

    /**
     * A closed store rejects bulk access, scans, upserts and transactions with UnavailableException.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aClosedStoreRejectsBulkAccessAndTransactionsWithUnavailable(DataAccess store) {
        Fixtures.user(store);
        var bulk = store.bulk();
        store.close();

        assertFails(UnavailableException.class, store::bulk);
        assertFails(UnavailableException.class, () -> bulk.scanUsers(null, 10));
        assertFails(UnavailableException.class, () -> bulk.upsertUsers(List.of()));
        assertFails(UnavailableException.class, () -> store.inTransaction(tx -> tx.getUser(UUID.randomUUID())));
    }

    /**
     * Closing a store twice does not throw, and the store stays closed.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void closeIsIdempotent(DataAccess store) {
        Fixtures.user(store);

        store.close();

        assertThatCode(store::close).doesNotThrowAnyException();
        assertFails(UnavailableException.class, () -> store.getUserByExternalId("x"));
    }

    /**
     * After close, the health check reports DOWN with an error, synchronously and asynchronously, without throwing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void healthCheckReportsDownAfterCloseWithoutThrowing(DataAccess store) {
        store.close();

        HealthStatus health = store.healthCheck();

        assertThat(health.status()).isEqualTo(HealthStatus.Status.DOWN);
        assertThat(health.isUp()).isFalse();
        assertThat(health.error()).isNotBlank();
        assertThat(health.storageType()).isNotBlank();
        assertThat(store.healthCheckAsync().toCompletableFuture().join().status())
                .isEqualTo(HealthStatus.Status.DOWN);
    }
}
