package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.json;
import static dev.dal.testkit.Fixtures.now;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Persistence: what one handle wrote, a handle opened afterwards ({@link StoreProvider#reopen}) reads
 * back exactly, keys and counters included. Skipped for providers that cannot reopen a store.
 */
public interface PersistenceContract extends ConformanceTest {

    /** Closes the store, opens it again through the provider and hands the new handle to {@code check}. */
    private static void afterReopen(DataAccess store, StoreProvider provider, Clock clock, Consumer<DataAccess> check) {
        store.close();
        DataAccess reopened = provider.reopen(clock);
        Assumptions.assumeTrue(reopened != null, "the provider cannot reopen a store (StoreProvider.reopen)");
        try {
            check.accept(reopened);
        } finally {
            reopened.close();
        }
    }

    /**
     * Every record, tricky JSON, keys and timestamps included, reads back exactly through a handle opened afterwards.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     * @param provider the backend's provider, for stores this test opens itself
     */
    @Test
    default void everyRecordReadsBackExactlyAfterReopening(
            DataAccess store, MutableClock clock, StoreProvider provider) {
        ObjectNode tricky = (ObjectNode) json("""
                {"neg0": -0.0, "min": -9223372036854775808, "max": 9223372036854775807, "big": 1e300,
                 "tenth": 0.1, "one": 1.0, "text": "\\u00e9\\ud83d\\ude00\\u05e9 \\"q\\" \\\\ \\u0001\\u2028",
                 "$op": {"a.b": [null, true, {}, []]}}
                """);
        User user = store.createUser(NewUser.builder()
                .externalId("../x' OR 1=1")
                .email("e@example.org")
                .profile(tricky)
                .preferences(tricky)
                .build());
        store.updateUser(
                user.id(),
                UserUpdate.builder()
                        .lastActiveAt(Instant.parse("1969-12-31T23:59:59.999Z"))
                        .build());
        ChatSession session =
                store.createChatSession(new NewChatSession("{\"$ne\": null}", user.id(), "t", "p", tricky));
        store.addMessages(
                session.chatId(), List.of(NewMessage.user("q").withMetadata(tricky), NewMessage.assistant("a")));
        store.createChatSession(NewChatSession.of("unowned"));
        store.setUserMemory(user.id(), "context", "k", tricky);
        store.setUserMemory(user.id(), "context", "scalar", F.numberNode(Long.MIN_VALUE));
        store.setUserMemory(
                user.id(), "context", "expiring", F.nullNode(), now(clock).plusSeconds(30));
        store.setUserMemory(
                user.id(), "context", "expired", F.textNode("x"), now(clock).plusMillis(1));
        clock.advance(Duration.ofSeconds(1));
        Fixtures.Snapshot before = snapshot(store);
        List<Message> history = store.getChatHistory(session.chatId(), 10, 0);

        afterReopen(store, provider, clock, reopened -> {
            assertThat(snapshot(reopened)).isEqualTo(before);
            assertThat(reopened.getUserByExternalId("../x' OR 1=1"))
                    .contains(before.users().get(0));
            assertThat(reopened.getChatHistory(session.chatId(), 10, 0)).isEqualTo(history);
            assertThat(reopened.getUserMemory(user.id(), "context"))
                    .extracting(e -> e.key())
                    .containsExactly("expiring", "k", "scalar");
        });
    }

    /**
     * Unique keys and message counters still hold through a handle opened afterwards.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     * @param provider the backend's provider, for stores this test opens itself
     */
    @Test
    default void countersAndUniqueKeysHoldAfterReopening(DataAccess store, MutableClock clock, StoreProvider provider) {
        store.createUser(NewUser.withExternalId("taken"));
        ChatSession session = store.createChatSession(NewChatSession.of("chat"));
        Fixtures.messages(store, "chat", 3);

        afterReopen(store, provider, clock, reopened -> {
            assertFails(DuplicateKeyException.class, () -> reopened.createUser(NewUser.withExternalId("taken")));
            assertFails(DuplicateKeyException.class, () -> reopened.createChatSession(NewChatSession.of("chat")));
            Message next = reopened.addMessage("chat", NewMessage.user("after reopen"));
            assertThat(next.sequenceNumber()).isEqualTo(4);
            assertThat(next.sessionId()).isEqualTo(session.id());
            assertThat(reopened.getMessageCount("chat")).isEqualTo(4);
        });
    }

    /**
     * Deletions and memory expiry still hold through a handle opened afterwards.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     * @param provider the backend's provider, for stores this test opens itself
     */
    @Test
    default void deletionsAndExpiryHoldAfterReopening(DataAccess store, MutableClock clock, StoreProvider provider) {
        User user = Fixtures.user(store);
        User gone = Fixtures.user(store);
        store.createChatSession(NewChatSession.of("deleted"));
        Fixtures.messages(store, "deleted", 2);
        store.deleteChatSession("deleted");
        store.setUserMemory(gone.id(), "context", "k", F.textNode("v"));
        store.deleteUser(gone.id());
        store.setUserMemory(
                user.id(), "context", "short", F.textNode("v"), now(clock).plusSeconds(5));

        clock.advance(Duration.ofSeconds(10));
        afterReopen(store, provider, clock, reopened -> {
            assertThat(reopened.getChatSession("deleted")).isEmpty();
            assertThat(reopened.getUser(gone.id())).isEmpty();
            Fixtures.Snapshot all = snapshot(reopened);
            assertThat(all.users()).extracting(User::id).containsExactly(user.id());
            assertThat(all.messages()).isEmpty();
            assertThat(reopened.getUserMemory(user.id(), "context", "short")).isEmpty();
            assertThat(reopened.purgeExpiredMemory()).isEqualTo(1);
            assertThat(snapshot(reopened).memory()).isEmpty();
        });
    }
}
