package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Retryable;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Record versions: 1 on create, one more on every change, set by the store with the change; bulk
 * upserts apply only newer versions and never bring a deleted record back; an expected version
 * makes an update an optimistic lock.
 */
public interface VersionContract extends ConformanceTest {

    @Test
    default void recordsStartAtVersionOneAndEveryChangeAddsOne(DataAccess store) {
        User user = store.createUser(NewUser.withExternalId(Fixtures.unique("v")));
        ChatSession session = store.createChatSession(NewChatSession.of(Fixtures.unique("chat"), user.id()));
        MemoryEntry memory = store.setUserMemory(user.id(), "context", "k", F.textNode("one"));
        assertThat(List.of(user.version(), session.version(), memory.version())).containsOnly(1L);

        User renamed = store.updateUser(user.id(), UserUpdate.builder().name("renamed").build());
        ChatSession titled = store.updateChatSession(session.chatId(), ChatSessionUpdate.builder().title("t").build());
        MemoryEntry again = store.setUserMemory(user.id(), "context", "k", F.textNode("two"));

        assertThat(renamed.version()).isEqualTo(2);
        assertThat(titled.version()).isEqualTo(2);
        assertThat(again.version()).isEqualTo(2);
        assertThat(store.getUser(user.id()).orElseThrow()).isEqualTo(renamed);
        assertThat(store.getChatSession(session.chatId()).orElseThrow()).isEqualTo(titled);
        assertThat(store.getUserMemory(user.id(), "context", "k").orElseThrow()).isEqualTo(again);
    }

    @Test
    default void addingMessagesMovesTheSessionsVersionOncePerCall(DataAccess store) {
        ChatSession session = Fixtures.session(store);

        store.addMessage(session.chatId(), NewMessage.user("one"));
        store.addMessages(session.chatId(), List.of(NewMessage.user("two"), NewMessage.assistant("three")));

        ChatSession after = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(after.messageCount()).isEqualTo(3);
        assertThat(after.version()).isEqualTo(3);
    }

    @Test
    default void deletingAUserMovesTheVersionOfTheSessionsItLeavesBehind(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());

        store.deleteUser(user.id(), DeleteMode.KEEP_SESSIONS);

        ChatSession detached = store.getChatSession(session.chatId()).orElseThrow();
        assertThat(detached.userId()).isNull();
        assertThat(detached.version()).isEqualTo(session.version() + 1);
    }

    @Test
    default void anExpectedVersionMakesAnUpdateAnOptimisticLock(DataAccess store) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        User moved = store.updateUser(user.id(), UserUpdate.builder().name("first").expectingVersion(1).build());
        assertThat(moved.version()).isEqualTo(2);
        var before = snapshot(store);

        ConcurrencyConflictException stale = assertFails(ConcurrencyConflictException.class,
                () -> store.updateUser(user.id(), UserUpdate.builder().name("second").expectingVersion(1).build()));
        assertFails(ConcurrencyConflictException.class, () -> store.updateChatSession(session.chatId(),
                ChatSessionUpdate.builder().title("x").expectingVersion(7).build()));

        assertThat(stale).isInstanceOf(Retryable.class);
        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.updateChatSession(session.chatId(), ChatSessionUpdate.builder().title("x")
                .expectingVersion(session.version()).build()).version()).isEqualTo(session.version() + 1);
    }

    @Test
    default void concurrentUpdatesExpectingTheSameVersionLetExactlyOneThrough(DataAccess store) {
        User user = Fixtures.user(store);
        List<Callable<Boolean>> racers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "racer-" + i;
            racers.add(() -> {
                try {
                    store.updateUser(user.id(), UserUpdate.builder().name(name).expectingVersion(1).build());
                    return true;
                } catch (ConcurrencyConflictException e) {
                    return false;
                }
            });
        }

        List<Boolean> won = Fixtures.concurrently(racers);

        assertThat(won.stream().filter(w -> w).count()).isEqualTo(1);
        assertThat(store.getUser(user.id()).orElseThrow().version()).isEqualTo(2);
    }

    @Test
    default void bulkUpsertsApplyOnlyNewerVersions(DataAccess store) {
        User user = store.createUser(NewUser.builder().externalId(Fixtures.unique("bulk")).name("v1").build());
        User v3 = store.updateUser(user.id(), UserUpdate.builder().name("v2").build());
        v3 = store.updateUser(user.id(), UserUpdate.builder().name("v3").build());
        ChatSession session = Fixtures.session(store, user.id());
        ChatSession session2 = store.updateChatSession(session.chatId(), ChatSessionUpdate.builder().title("new").build());
        MemoryEntry m2 = store.setUserMemory(user.id(), "context", "k", F.textNode("new"));
        m2 = store.setUserMemory(user.id(), "context", "k", F.textNode("newer"));

        store.bulk().upsertUsers(List.of(user));
        store.bulk().upsertSessions(List.of(session));
        store.bulk().upsertMemory(List.of(m2.withVersion(1)));

        assertThat(store.getUser(user.id()).orElseThrow()).as("older user skipped").isEqualTo(v3);
        assertThat(store.getChatSession(session.chatId()).orElseThrow()).as("older session skipped").isEqualTo(session2);
        assertThat(store.getUserMemory(user.id(), "context", "k").orElseThrow()).as("older memory skipped")
                .isEqualTo(m2);

        User v4 = new User(v3.id(), v3.externalId(), v3.email(), "from the other store", v3.profile(),
                v3.preferences(), v3.status(), v3.createdAt(), v3.updatedAt(), v3.lastActiveAt(), 4);
        store.bulk().upsertUsers(List.of(v4));
        store.bulk().upsertUsers(List.of(v3));
        assertThat(store.getUser(user.id()).orElseThrow()).as("newer applied, then an older one skipped")
                .isEqualTo(v4);
    }

    @Test
    default void aLateOlderUpsertNeverBringsADeletedRecordBack(DataAccess store) {
        User owner = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, owner.id());
        List<Message> messages = Fixtures.messages(store, session.chatId(), 3);
        ChatSession withMessages = store.getChatSession(session.chatId()).orElseThrow();
        MemoryEntry memory = store.setUserMemory(owner.id(), "context", "k", F.textNode("v"));
        User gone = Fixtures.user(store);

        assertThat(store.deleteChatSession(session.chatId())).isTrue();
        assertThat(store.deleteUserMemory(owner.id(), "context", "k")).isTrue();
        assertThat(store.deleteUser(gone.id())).isTrue();
        store.bulk().upsertUsers(List.of(gone));
        store.bulk().upsertSessions(List.of(withMessages));
        store.bulk().upsertMessages(messages);
        store.bulk().upsertMemory(List.of(memory));

        assertThat(store.getUser(gone.id())).isEmpty();
        assertThat(store.getChatSession(session.chatId())).isEmpty();
        assertThat(Fixtures.snapshot(store).messages()).isEmpty();
        assertThat(store.getUserMemory(owner.id(), "context", "k")).isEmpty();

        MemoryEntry setAgain = store.setUserMemory(owner.id(), "context", "k", F.textNode("again"));
        assertThat(setAgain.version()).as("a key set again continues above the deleted version")
                .isGreaterThan(memory.version());
        store.bulk().upsertMemory(List.of(memory));
        assertThat(store.getUserMemory(owner.id(), "context", "k").orElseThrow()).isEqualTo(setAgain);
    }
}
