package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.UserUpdate;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kit tests that expect what contradicts {@code VersionContract} (see the report of the versions work), run
 * here with the expectation corrected, so the file store is held to them until the kit is fixed:
 * <ul>
 *   <li>{@code UserContract.emptyUpdateKeepsEveryFieldAndMovesUpdatedAt}, {@code updateUserOfOneFieldKeepsTheOthers},
 *       {@code SessionContract.updateSessionOfOneFieldKeepsTheOthers}: an update returns version 2, not 1;</li>
 *   <li>{@code MessageContract.addMessageDoesNotChangeTheSessionsOwnFields},
 *       {@code TimestampContract.storedTimestampsReadBackExactly}: after one {@code addMessage} the session is at
 *       version 2 ({@code ChatSession.withMessages} builds version 1);</li>
 *   <li>{@code BulkContract.copyingEverythingOutAndBackInReproducesTheStore}, {@code copyingBatchByBatchReproducesTheStore}:
 *       deleting through {@code DataAccess} leaves tombstones, so the copy must go into a store that never held
 *       the records;</li>
 *   <li>{@code VersionContract.aRecordCreatedAgainUnderADeletedKeyContinuesAboveTheTombstone}: a session created,
 *       given a message (2) and deleted (tombstone 3) comes back at 4, like the user in the same test.</li>
 * </ul>
 */
class KitExpectationsAtVersionsTest {
    @TempDir
    Path temp;

    private final MutableClock clock = MutableClock.startingNow();
    private int stores;

    private DataAccess open() {
        return TempFileStores.open(temp.resolve("store-" + stores++), clock);
    }

    @Test
    void updatesReturnTheNextVersionWithEveryOtherFieldKept() {
        try (DataAccess store = open()) {
            User user = store.createUser(NewUser.builder().externalId("keep").email("ada@example.org").name("Ada")
                    .status(UserStatus.DISABLED).build());
            clock.advance(Duration.ofSeconds(5));
            User updated = store.updateUser(user.id(), UserUpdate.builder().build());
            assertThat(updated).isEqualTo(new User(user.id(), user.externalId(), user.email(), user.name(),
                    user.profile(), user.preferences(), user.status(), user.createdAt(), updated.updatedAt(),
                    user.lastActiveAt(), user.version() + 1));
            User named = store.updateUser(user.id(), UserUpdate.builder().name("Only Name").build());
            assertThat(named).isEqualTo(new User(user.id(), user.externalId(), user.email(), "Only Name",
                    user.profile(), user.preferences(), user.status(), user.createdAt(), named.updatedAt(),
                    user.lastActiveAt(), user.version() + 2));
            assertThat(store.getUser(user.id())).contains(named);

            ChatSession session = store.createChatSession(new NewChatSession("keep-others", user.id(), "Title",
                    "coding", null));
            ChatSession titled = store.updateChatSession("keep-others", ChatSessionUpdate.builder().title("T2").build());
            assertThat(titled).isEqualTo(new ChatSession(session.id(), "keep-others", user.id(), "T2", "coding",
                    session.metadata(), SessionStatus.ACTIVE, session.createdAt(), titled.updatedAt(), null, 0,
                    session.version() + 1));
        }
    }

    @Test
    void addingAMessageMovesTheCountersAndTheVersionOnly() {
        try (DataAccess store = open()) {
            ChatSession session = store.createChatSession(NewChatSession.of("own-fields",
                    store.createUser(NewUser.withExternalId("u")).id()));
            clock.advance(Duration.ofMinutes(1));
            Message message = store.addMessage("own-fields", NewMessage.user("x"));
            assertThat(store.getChatSession("own-fields"))
                    .contains(session.withMessages(1, message.createdAt()).withVersion(session.version() + 1));
        }
    }

    @Test
    void aChatIdUsedAgainContinuesAboveItsTombstone() {
        try (DataAccess store = open()) {
            User owner = store.createUser(NewUser.withExternalId("owner"));
            store.createChatSession(NewChatSession.of("again", owner.id()));
            store.addMessage("again", NewMessage.user("one"));
            store.deleteChatSession("again");
            assertThat(store.createChatSession(NewChatSession.of("again", owner.id())).version()).isEqualTo(4);
        }
    }

    @Test
    void copyingEverythingIntoAnotherStoreReproducesIt() {
        try (DataAccess source = open(); DataAccess whole = open(); DataAccess batched = open()) {
            populate(source);
            Snapshot all = Snapshot.of(source, 1000);
            assertThat(all.users()).hasSize(4);
            assertThat(all.sessions()).hasSize(12);

            whole.bulk().upsertUsers(all.users());
            whole.bulk().upsertSessions(all.sessions());
            whole.bulk().upsertMessages(all.messages());
            whole.bulk().upsertMemory(all.memory());
            assertThat(Snapshot.of(whole, 1000)).isEqualTo(all);
            for (User user : all.users()) {
                assertThat(whole.getUserByExternalId(user.externalId())).contains(user);
            }

            batches(source.bulk()::scanUsers, 3).forEach(batched.bulk()::upsertUsers);
            batches(source.bulk()::scanSessions, 5).forEach(batched.bulk()::upsertSessions);
            batches(source.bulk()::scanMessages, 7).forEach(batched.bulk()::upsertMessages);
            batches(source.bulk()::scanMemory, 2).forEach(batched.bulk()::upsertMemory);
            assertThat(Snapshot.of(batched, 1000)).isEqualTo(all);

            // Copying again changes nothing: every version is already there.
            batches(source.bulk()::scanUsers, 3).forEach(batched.bulk()::upsertUsers);
            batches(source.bulk()::scanMemory, 2).forEach(batched.bulk()::upsertMemory);
            assertThat(Snapshot.of(batched, 3)).isEqualTo(all);
        }
    }

    private void populate(DataAccess store) {
        for (int u = 0; u < 4; u++) {
            User user = store.createUser(NewUser.withExternalId("ext-" + u));
            store.updateUser(user.id(), UserUpdate.builder().name("v" + u).build());
            for (int s = 0; s < 3; s++) {
                String chatId = "chat-" + u + "-" + s;
                store.createChatSession(NewChatSession.of(chatId, u == 3 ? null : user.id()));
                for (int m = 0; m < 4 + s; m++) {
                    store.addMessage(chatId, NewMessage.user("m" + m));
                }
                clock.advance(Duration.ofMillis(3));
            }
            for (String key : List.of("b", "a", "c")) {
                store.setUserMemory(user.id(), u % 2 == 0 ? "context" : "profile", key, IntNode.valueOf(u));
            }
            store.setUserMemory(user.id(), "context", "b", IntNode.valueOf(-u));
            store.setUserMemory(user.id(), "short", "lived", TextNode.valueOf("x"), clock.instant().plusMillis(1));
        }
        clock.advance(Duration.ofSeconds(1));
    }

    private static <T> List<List<T>> batches(BiFunction<String, Integer, ScanBatch<T>> scan, int size) {
        List<List<T>> batches = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor, size);
            batches.add(batch.items());
            cursor = batch.nextCursor();
        } while (cursor != null);
        return batches;
    }

    /** Everything a store holds, through the scans. */
    private record Snapshot(List<User> users, List<ChatSession> sessions, List<Message> messages,
            List<MemoryEntry> memory) {
        static Snapshot of(DataAccess store, int batch) {
            BulkAccess bulk = store.bulk();
            return new Snapshot(flat(batches(bulk::scanUsers, batch)), flat(batches(bulk::scanSessions, batch)),
                    flat(batches(bulk::scanMessages, batch)), flat(batches(bulk::scanMemory, batch)));
        }

        private static <T> List<T> flat(List<List<T>> batches) {
            return batches.stream().flatMap(List::stream).toList();
        }
    }
}
