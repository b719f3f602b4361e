package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.ValidationException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code inTransaction}: all or nothing, the caller's exception intact, nested calls join. */
public interface TransactionContract extends ConformanceTest {

    /** Thrown by the kit's transaction work to force a rollback. */
    final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom() {
            super("boom, thrown by the conformance kit's transaction work");
        }
    }

    /**
     * {@code inTransaction} returns the work's result, and what it wrote is committed.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void inTransactionReturnsTheWorksResult(DataAccess store) {
        User user = store.inTransaction(tx -> tx.createUser(NewUser.withExternalId("tx-result")));

        assertThat(store.getUser(user.id())).contains(user);
    }

    /**
     * {@code inTransaction} commits every kind of write together.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void inTransactionCommitsEveryKindOfWrite(DataAccess store) {
        List<Object> written = store.inTransaction(tx -> {
            User user = tx.createUser(NewUser.withExternalId("tx-user"));
            ChatSession session = tx.createChatSession(NewChatSession.of("tx-chat", user.id()));
            Message message = tx.addMessage("tx-chat", NewMessage.user("hello"));
            tx.setUserMemory(user.id(), "context", "k", F.textNode("v"));
            return List.of(user, session, message);
        });

        User user = (User) written.get(0);
        assertThat(store.getUser(user.id())).contains(user);
        assertThat(store.getChatSession("tx-chat"))
                .hasValueSatisfying(s -> assertThat(s.messageCount()).isEqualTo(1));
        assertThat(store.getChatHistory("tx-chat", 10, 0)).containsExactly((Message) written.get(2));
        assertThat(store.getUserMemory(user.id(), "context", "k")).isPresent();
    }

    /**
     * {@code useTransaction} commits its writes.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void useTransactionCommits(DataAccess store) {
        store.useTransaction(tx -> {
            User user = tx.createUser(NewUser.withExternalId("use-tx"));
            tx.createChatSession(NewChatSession.of("use-tx-chat", user.id()));
        });

        assertThat(store.getUserByExternalId("use-tx")).isPresent();
        assertThat(store.getChatSession("use-tx-chat")).isPresent();
    }

    /**
     * An exception thrown inside a transaction rolls back every kind of write.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void anExceptionInsideRollsBackEveryKindOfWrite(DataAccess store) {
        Fixtures.Seed seed = Fixtures.seed(store);
        var before = snapshot(store);

        Throwable thrown = catchThrowable(() -> store.useTransaction(tx -> {
            User user = tx.createUser(NewUser.withExternalId("doomed"));
            tx.createChatSession(NewChatSession.of("doomed-chat", user.id()));
            tx.addMessage("doomed-chat", NewMessage.user("lost"));
            tx.addMessages(seed.session().chatId(), List.of(NewMessage.user("lost too"), NewMessage.assistant("x")));
            tx.setUserMemory(seed.user().id(), "context", "lost", F.textNode("v"));
            tx.setUserMemory(user.id(), "context", "lost", F.textNode("v"));
            throw new Boom();
        }));

        assertThat(thrown).isInstanceOf(Boom.class);
        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getUserByExternalId("doomed")).isEmpty();
        assertThat(store.getMessageCount(seed.session().chatId())).isEqualTo(3);
    }

    /**
     * The very exception instance the work threw reaches the caller.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void theSameExceptionInstanceReachesTheCaller(DataAccess store) {
        Boom boom = new Boom();

        Throwable thrown = catchThrowable(() -> store.inTransaction(tx -> {
            tx.createUser(NewUser.withExternalId("x"));
            throw boom;
        }));

        assertThat(thrown).isSameAs(boom);
    }

    /**
     * A rollback also undoes updates and deletes.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void aRollbackUndoesUpdatesAndDeletes(DataAccess store, MutableClock clock) {
        Fixtures.Seed seed = Fixtures.seed(store);
        ChatSession other = Fixtures.session(store);
        var before = snapshot(store);
        clock.advance(Duration.ofSeconds(1));

        Throwable thrown = catchThrowable(() -> store.useTransaction(tx -> {
            tx.updateUser(
                    seed.user().id(),
                    UserUpdate.builder().name("changed").externalId("changed").build());
            tx.setUserMemory(seed.user().id(), "preferences", "language", F.textNode("de"));
            tx.deleteUserMemory(seed.user().id(), "context");
            tx.deleteChatSession(other.chatId());
            tx.deleteUser(seed.user().id(), DeleteMode.PURGE);
            throw new Boom();
        }));

        assertThat(thrown).isInstanceOf(Boom.class);
        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getUserByExternalId("seed-user")).contains(seed.user());
    }

    /**
     * A store error inside a transaction rolls back the earlier writes and reaches the caller.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void aStoreErrorInsideRollsBackEarlierWritesAndReachesTheCaller(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        Throwable thrown = catchThrowable(() -> store.useTransaction(tx -> {
            tx.createUser(NewUser.withExternalId("before-the-error"));
            tx.addMessage("no-such-chat", NewMessage.user("fails"));
        }));

        assertThat(thrown).isInstanceOf(NotFoundException.class);
        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * A validation error inside a transaction rolls back the earlier writes.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void aValidationErrorInsideRollsBackEarlierWrites(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        Throwable thrown = catchThrowable(() -> store.useTransaction(tx -> {
            tx.createUser(NewUser.withExternalId("before-the-error"));
            tx.addMessage("seed-chat", NewMessage.user("nul \u0000 inside"));
        }));

        assertThat(thrown).isInstanceOf(ValidationException.class);
        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Reads inside a transaction see the transaction's own writes.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void readsInsideSeeTheTransactionsOwnWrites(DataAccess store) {
        store.useTransaction(tx -> {
            User user = tx.createUser(NewUser.withExternalId("own"));
            assertThat(tx.getUser(user.id())).contains(user);
            assertThat(tx.getUserByExternalId("own")).contains(user);
            tx.createChatSession(NewChatSession.of("own-chat", user.id()));
            Message message = tx.addMessage("own-chat", NewMessage.user("m"));
            assertThat(tx.getChatHistory("own-chat", 10, 0)).containsExactly(message);
            assertThat(tx.getMessageCount("own-chat")).isEqualTo(1);
            assertThat(tx.listUserSessions(user.id(), 10, 0)).hasSize(1);
            tx.setUserMemory(user.id(), "context", "k", F.numberNode(1));
            assertThat(tx.getUserMemory(user.id(), "context")).hasSize(1);
        });

        assertThat(store.getUserByExternalId("own")).isPresent();
    }

    /**
     * A nested {@code inTransaction} joins the outer transaction and rolls back with it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void nestedInTransactionJoinsTheOuterTransaction(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        Throwable thrown = catchThrowable(() -> store.useTransaction(outer -> {
            User inner = outer.inTransaction(tx -> tx.createUser(NewUser.withExternalId("inner")));
            assertThat(outer.getUser(inner.id())).contains(inner);
            outer.addMessage("seed-chat", NewMessage.user("outer"));
            throw new Boom();
        }));

        assertThat(thrown).isInstanceOf(Boom.class);
        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * A nested {@code inTransaction} commits with the outer transaction.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void nestedInTransactionCommitsWithTheOuterTransaction(DataAccess store) {
        store.useTransaction(outer -> {
            outer.createUser(NewUser.withExternalId("outer"));
            outer.useTransaction(tx -> tx.createUser(NewUser.withExternalId("inner")));
        });

        assertThat(store.getUserByExternalId("outer")).isPresent();
        assertThat(store.getUserByExternalId("inner")).isPresent();
    }

    /**
     * After a rollback, sequence numbers continue without a gap.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void sequenceNumbersContinueWithoutGapsAfterARollback(DataAccess store) {
        ChatSession session = Fixtures.session(store);
        Fixtures.messages(store, session.chatId(), 2);

        Boom boom = new Boom();
        Throwable thrown = catchThrowable(() -> store.useTransaction(tx -> {
            tx.addMessage(session.chatId(), NewMessage.user("rolled back 3"));
            tx.addMessages(session.chatId(), List.of(NewMessage.user("4"), NewMessage.user("5")));
            throw boom;
        }));
        assertThat(thrown)
                .as("the transaction ended by the kit's own exception, after its writes")
                .isSameAs(boom);
        Message next = store.addMessage(session.chatId(), NewMessage.user("third"));

        assertThat(next.sequenceNumber()).isEqualTo(3);
        assertThat(store.getChatHistory(session.chatId(), 10, 0))
                .extracting(Message::sequenceNumber)
                .containsExactly(1L, 2L, 3L);
        ChatSession read = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(read.messageCount()).isEqualTo(3);
        assertThat(read.lastMessageAt()).isEqualTo(next.createdAt());
    }

    /**
     * A rollback restores the session's message counters.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void aRollbackRestoresMessageCountersOfTheSession(DataAccess store, MutableClock clock) {
        ChatSession session = Fixtures.session(store);
        Fixtures.messages(store, session.chatId(), 2);
        ChatSession before = store.getChatSession(session.chatId()).orElseThrow();
        clock.advance(Duration.ofMinutes(1));

        Boom boom = new Boom();
        Throwable thrown = catchThrowable(() -> store.useTransaction(tx -> {
            tx.addMessage(session.chatId(), NewMessage.user("gone"));
            throw boom;
        }));

        assertThat(thrown)
                .as("the transaction ended by the kit's own exception, after its write")
                .isSameAs(boom);

        assertThat(store.getChatSession(session.chatId())).contains(before);
        assertThat(store.getMessageCount(session.chatId())).isEqualTo(2);
    }

    /**
     * Uncommitted writes are invisible to other threads; a read that waits for the commit sees the committed state.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @throws Exception when waiting for work on another thread fails or is interrupted
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void uncommittedWritesAreInvisibleToOtherThreads(DataAccess store) throws Exception {
        UUID[] created = new UUID[1];
        AtomicReference<CompletableFuture<Optional<User>>> outside = new AtomicReference<>();
        AtomicBoolean answeredBeforeCommit = new AtomicBoolean();
        Optional<?>[] seenBeforeCommit = new Optional<?>[1];
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            store.useTransaction(tx -> {
                User user = tx.createUser(NewUser.withExternalId("uncommitted"));
                created[0] = user.id();
                outside.set(CompletableFuture.supplyAsync(() -> store.getUser(user.id()), reader));
                try {
                    seenBeforeCommit[0] = outside.get().get(500, TimeUnit.MILLISECONDS);
                    answeredBeforeCommit.set(true);
                } catch (TimeoutException e) {
                    // The store makes the reader wait for the transaction; what it then sees is asserted below.
                } catch (Exception e) {
                    throw new AssertionError("the outside read failed", e);
                }
            });

            if (answeredBeforeCommit.get()) {
                assertThat(seenBeforeCommit[0])
                        .as("a read from another thread during the transaction")
                        .isEmpty();
            } else {
                // It waited for the transaction, so it must answer now, and with the committed state.
                assertThat(outside.get().get(10, TimeUnit.SECONDS))
                        .as("the outside read that waited for the commit")
                        .isPresent();
            }
            assertThat(store.getUser(created[0])).isPresent();
        } finally {
            reader.shutdownNow();
        }
    }

    /**
     * A store without the transactions capability throws UnsupportedCapabilityException from {@code inTransaction} and
     * runs nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void inTransactionWithoutTheCapabilityThrowsUnsupportedCapabilityAndRunsNothing(DataAccess store) {
        Assumptions.assumeFalse(
                store.capabilities().contains(Capability.TRANSACTIONS),
                "the store declares TRANSACTIONS; the rest of this contract covers it");
        AtomicBoolean ran = new AtomicBoolean();

        Throwable thrown = catchThrowable(() -> store.inTransaction(tx -> {
            ran.set(true);
            return tx.createUser(NewUser.withExternalId("should-not-exist"));
        }));

        assertThat(thrown).isInstanceOf(UnsupportedCapabilityException.class);
        assertThat(((UnsupportedCapabilityException) thrown).capability()).isEqualTo(Capability.TRANSACTIONS);
        assertThat(ran).isFalse();
        assertThat(store.getUserByExternalId("should-not-exist")).isEmpty();
    }
}
