package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.concurrently;
import static dev.dal.testkit.Fixtures.now;
import static dev.dal.testkit.Fixtures.object;
import static dev.dal.testkit.Fixtures.scanAll;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The bulk SPI: keyset scans in the documented order, and exact, idempotent upserts. */
public interface BulkContract extends ConformanceTest {

    /** Ids whose canonical-string order differs from {@link UUID#compareTo}'s signed order. */
    List<UUID> TRICKY_IDS = List.of(
            UUID.fromString("ffffffff-ffff-7fff-bfff-ffffffffffff"),
            UUID.fromString("00000000-0000-7000-8000-000000000001"),
            UUID.fromString("80000000-0000-7000-8000-000000000000"),
            UUID.fromString("7fffffff-ffff-7fff-bfff-ffffffffffff"),
            UUID.fromString("0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b"),
            UUID.fromString("a0000000-0000-7000-8000-00000000000a"));

    /** The instant the exact test records' timestamps are built from, already at millisecond precision. */
    Instant T0 = Instant.parse("2023-04-05T06:07:08.009Z");

    private static User exactUser(UUID id, String externalId) {
        return new User(
                id,
                externalId,
                externalId + "@example.org",
                "Name " + externalId,
                object("{\"imported\":true}"),
                object("{\"theme\":\"dark\"}"),
                UserStatus.DISABLED,
                T0,
                T0.plusSeconds(60),
                T0.plusSeconds(120));
    }

    private static ChatSession exactSession(UUID id, String chatId, UUID userId, long count, Instant lastMessageAt) {
        return new ChatSession(
                id,
                chatId,
                userId,
                "Title " + chatId,
                "coding",
                object("{\"src\":\"import\"}"),
                SessionStatus.ARCHIVED,
                T0,
                T0.plusSeconds(5),
                lastMessageAt,
                count);
    }

    private static Message exactMessage(UUID sessionId, long seq) {
        return new Message(
                Ids.newId(),
                sessionId,
                seq,
                seq % 2 == 1 ? Role.USER : Role.ASSISTANT,
                "msg " + seq,
                object("{\"seq\":" + seq + "}"),
                (int) seq * 10,
                seq % 5 == 0,
                T0.plusSeconds(seq));
    }

    private static MemoryEntry exactMemory(UUID userId, String type, String key, Instant expiresAt) {
        return new MemoryEntry(userId, type, key, object("{\"k\":\"" + key + "\"}"), T0, T0.plusSeconds(1), expiresAt);
    }

    /** Writes a little of everything through the normal API. */
    private static void populate(DataAccess store, MutableClock clock) {
        for (int u = 0; u < 4; u++) {
            User user = Fixtures.user(store);
            for (int s = 0; s < 3; s++) {
                ChatSession session = Fixtures.session(store, u == 3 ? null : user.id());
                Fixtures.messages(store, session.chatId(), 4 + s);
                clock.advance(Duration.ofMillis(3));
            }
            for (String key : List.of("b", "a", "c")) {
                store.setUserMemory(user.id(), u % 2 == 0 ? "context" : "profile", key, F.numberNode(u));
            }
            store.setUserMemory(
                    user.id(), "short", "lived", F.textNode("x"), now(clock).plusMillis(1));
        }
        clock.advance(Duration.ofSeconds(1));
    }

    /**
     * Opens another empty store of the same kind: a copy goes there, not back into the store it came from, whose
     * deletions leave tombstones that (rightly) keep the deleted versions out. Some providers empty the one
     * database they share, so the source is read into memory first.
     */
    private DataAccess emptyTarget(MutableClock clock) {
        return storeProvider().openEmpty(clock);
    }

    private static void upsertAll(DataAccess store, Fixtures.Snapshot contents) {
        store.bulk().upsertUsers(contents.users());
        store.bulk().upsertSessions(contents.sessions());
        store.bulk().upsertMessages(contents.messages());
        store.bulk().upsertMemory(contents.memory());
    }

    /**
     * Every scan of an empty store returns an empty batch with no next cursor.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scansOfAnEmptyStoreAreEmptyAndFinal(DataAccess store) {
        BulkAccess bulk = store.bulk();

        for (ScanBatch<?> batch : List.of(
                bulk.scanUsers(null, 10),
                bulk.scanSessions(null, 10),
                bulk.scanMessages(null, 10),
                bulk.scanMemory(null, 10))) {
            assertThat(batch.items()).isEmpty();
            assertThat(batch.nextCursor()).isNull();
            assertThat(batch.hasMore()).isFalse();
        }
    }

    /**
     * A user scan returns users in the order of their ids' canonical strings.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanUsersIsOrderedByCanonicalIdString(DataAccess store) {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < TRICKY_IDS.size(); i++) {
            users.add(exactUser(TRICKY_IDS.get(i), "tricky-" + i));
        }
        store.bulk().upsertUsers(users);
        Fixtures.user(store);
        Fixtures.user(store);

        List<User> scanned = scanAll(store.bulk()::scanUsers, 100);

        assertThat(scanned).hasSize(users.size() + 2);
        assertThat(scanned).extracting(u -> u.id().toString()).isSorted();
    }

    /**
     * A session scan returns sessions in the order of their ids' canonical strings.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanSessionsIsOrderedByCanonicalIdString(DataAccess store) {
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < TRICKY_IDS.size(); i++) {
            sessions.add(exactSession(TRICKY_IDS.get(i), "tricky-" + i, null, 0, null));
        }
        store.bulk().upsertSessions(sessions);
        Fixtures.session(store);

        List<ChatSession> scanned = scanAll(store.bulk()::scanSessions, 100);

        assertThat(scanned).hasSize(sessions.size() + 1);
        assertThat(scanned).extracting(s -> s.id().toString()).isSorted();
    }

    /**
     * A message scan returns messages ordered by session id string, then by sequence number.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanMessagesIsOrderedBySessionIdThenSequenceNumber(DataAccess store) {
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(exactSession(TRICKY_IDS.get(i), "tricky-" + i, null, 12, T0.plusSeconds(12)));
        }
        store.bulk().upsertSessions(sessions);
        List<Message> messages = new ArrayList<>();
        for (long seq = 12; seq >= 1; seq--) {
            for (ChatSession session : sessions) {
                messages.add(exactMessage(session.id(), seq));
            }
        }
        store.bulk().upsertMessages(messages);

        List<Message> scanned = scanAll(store.bulk()::scanMessages, 7);

        messages.sort(Comparator.comparing((Message m) -> m.sessionId().toString())
                .thenComparingLong(Message::sequenceNumber));
        assertThat(scanned).isEqualTo(messages);
    }

    /**
     * A memory scan returns entries ordered by user id string, then memory type, then key.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanMemoryIsOrderedByUserTypeAndKey(DataAccess store) {
        List<User> users = List.of(
                exactUser(TRICKY_IDS.get(0), "m0"),
                exactUser(TRICKY_IDS.get(1), "m1"),
                exactUser(TRICKY_IDS.get(2), "m2"));
        store.bulk().upsertUsers(users);
        List<MemoryEntry> entries = new ArrayList<>();
        for (User user : users) {
            for (String type : List.of("profile", "context", "Context", "a")) {
                for (String key : List.of("z", "10", "9", "B", "a")) {
                    entries.add(exactMemory(user.id(), type, key, null));
                }
            }
        }
        store.bulk().upsertMemory(entries);

        List<MemoryEntry> scanned = scanAll(store.bulk()::scanMemory, 6);

        entries.sort(Comparator.comparing((MemoryEntry m) -> m.userId().toString())
                .thenComparing(MemoryEntry::memoryType)
                .thenComparing(MemoryEntry::key));
        assertThat(scanned).isEqualTo(entries);
    }

    /**
     * Scanning users and sessions in batches of any size visits every record exactly once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void smallBatchesVisitEveryUserAndSessionExactlyOnce(DataAccess store, MutableClock clock) {
        populate(store, clock);
        Fixtures.Snapshot all = snapshot(store);

        for (int batchSize : new int[] {1, 2, 3, 5}) {
            assertThat(scanAll(store.bulk()::scanUsers, batchSize))
                    .as("users in batches of %s", batchSize)
                    .isEqualTo(all.users());
            assertThat(scanAll(store.bulk()::scanSessions, batchSize))
                    .as("sessions in batches of %s", batchSize)
                    .isEqualTo(all.sessions());
        }
        assertThat(all.users()).hasSize(4);
        assertThat(all.sessions()).hasSize(12);
    }

    /**
     * Scanning messages and memory entries in batches of any size visits every record exactly once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void smallBatchesVisitEveryMessageAndMemoryEntryExactlyOnce(DataAccess store, MutableClock clock) {
        populate(store, clock);
        Fixtures.Snapshot all = snapshot(store);

        for (int batchSize : new int[] {1, 2, 4, 7}) {
            assertThat(scanAll(store.bulk()::scanMessages, batchSize))
                    .as("messages in batches of %s", batchSize)
                    .isEqualTo(all.messages())
                    .doesNotHaveDuplicates();
            assertThat(scanAll(store.bulk()::scanMemory, batchSize))
                    .as("memory in batches of %s", batchSize)
                    .isEqualTo(all.memory())
                    .doesNotHaveDuplicates();
        }
        assertThat(all.messages()).hasSize(4 * (4 + 5 + 6));
        assertThat(all.memory()).hasSize(4 * 4);
    }

    /**
     * A scan returns records equal to those the ordinary read operations return.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void scannedRecordsEqualTheRecordsTheApiReads(DataAccess store, MutableClock clock) {
        populate(store, clock);
        Fixtures.Snapshot all = snapshot(store);

        assertThat(all.users())
                .allSatisfy(u -> assertThat(store.getUser(u.id())).contains(u));
        assertThat(all.sessions())
                .allSatisfy(s -> assertThat(store.getChatSession(s.chatId())).contains(s));
        for (ChatSession session : all.sessions()) {
            assertThat(all.messages())
                    .filteredOn(m -> m.sessionId().equals(session.id()))
                    .isEqualTo(store.getChatHistory(session.chatId(), 1000, 0));
        }
    }

    /**
     * A saved cursor resumes a scan after its last record, including records added since.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aSavedCursorResumesAfterNewRecordsWereAdded(DataAccess store) {
        List<User> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(Fixtures.user(store));
        }
        ScanBatch<User> batch = store.bulk().scanUsers(null, 2);
        String checkpoint = batch.nextCursor();
        List<User> later = List.of(Fixtures.user(store), Fixtures.user(store));

        List<User> rest = scanAll((c, n) -> store.bulk().scanUsers(c == null ? checkpoint : c, n), 2);

        assertThat(batch.items()).isEqualTo(first.subList(0, 2));
        assertThat(checkpoint).isNotNull();
        List<User> expected = new ArrayList<>(first.subList(2, 3));
        expected.addAll(later);
        assertThat(rest).isEqualTo(expected);
    }

    /**
     * One real cursor of each scan, after the first of two records of its kind, in the order users, sessions,
     * messages, memory.
     */
    private static List<String> realCursors(DataAccess store) {
        User user = Fixtures.user(store);
        Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        Fixtures.session(store, user.id());
        Fixtures.messages(store, session.chatId(), 2);
        store.setUserMemory(user.id(), "notes", "k", object("{}"));
        store.setUserMemory(user.id(), "notes", "l", object("{}"));
        BulkAccess bulk = store.bulk();
        List<String> cursors = List.of(
                bulk.scanUsers(null, 1).nextCursor(),
                bulk.scanSessions(null, 1).nextCursor(),
                bulk.scanMessages(null, 1).nextCursor(),
                bulk.scanMemory(null, 1).nextCursor());
        assertThat(cursors).as("cursors of full batches").doesNotContainNull();
        return cursors;
    }

    /** Cursors no scan returns: empty, JSON null, text, and ids that are not in canonical form. */
    private static List<String> foreignCursors(String realCursor) {
        return List.of(
                "",
                " ",
                "null",
                "undefined",
                "[]",
                "{}",
                "0",
                "-1",
                "cursor",
                "\0",
                realCursor.substring(0, realCursor.length() - 1),
                realCursor + " ",
                " " + realCursor,
                realCursor + "x",
                realCursor.toUpperCase(java.util.Locale.ROOT),
                realCursor + realCursor,
                "ffffffff-ffff-7fff-bfff-fffffffffffff",
                "{ffffffff-ffff-7fff-bfff-ffffffffffff}",
                "FFFFFFFF-FFFF-7FFF-BFFF-FFFFFFFFFFFF",
                "1-1-1-1-1",
                "00000000000070008000000000000001");
    }

    /** Each cursor is a {@link dev.dal.api.ValidationException} on {@code cursor}, naming neither a driver nor the cursor. */
    private static void assertForeign(List<String> cursors, java.util.function.Consumer<String> scan) {
        for (String cursor : cursors) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> scan.accept(cursor));
            assertThat(thrown).as("scan from cursor '%s'", cursor).isInstanceOf(dev.dal.api.ValidationException.class);
            assertThat(((dev.dal.api.ValidationException) thrown).field())
                    .as("field of '%s'", cursor)
                    .isEqualTo("cursor");
            Fixtures.assertNoDriverNames(thrown);
            if (cursor.strip().length() > 8) {
                assertThat(thrown.getMessage()).as("message for '%s'", cursor).doesNotContain(cursor.strip());
            }
        }
    }

    /** A scan by id (users, sessions) refuses every foreign cursor, and resumes from its own. */
    private static void assertScanByIdRejectsForeignCursors(
            DataAccess store, int kind, BiFunction<String, Integer, ScanBatch<?>> scan) {
        List<String> real = realCursors(store);
        String own = real.get(kind);
        List<String> cursors = new ArrayList<>(foreignCursors(own));
        cursors.addAll(List.of(real.get(2), real.get(3), own + "/1"));

        assertForeign(cursors, c -> scan.apply(c, 10));
        assertThat(scan.apply(own, 10).items()).as("the rest of the scan").hasSize(1);
    }

    /**
     * A user scan rejects any cursor that no user scan returned.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanUsersRejectsACursorNoUserScanReturned(DataAccess store) {
        assertScanByIdRejectsForeignCursors(store, 0, store.bulk()::scanUsers);
    }

    /**
     * A session scan rejects any cursor that no session scan returned.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanSessionsRejectsACursorNoSessionScanReturned(DataAccess store) {
        assertScanByIdRejectsForeignCursors(store, 1, store.bulk()::scanSessions);
    }

    /**
     * A message scan rejects any cursor that no message scan returned, and resumes from one that did.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanMessagesRejectsACursorNoMessageScanReturned(DataAccess store) {
        List<String> real = realCursors(store);
        String message = real.get(2);
        String session = message.substring(0, message.indexOf('/'));
        List<String> cursors = new ArrayList<>(foreignCursors(message));
        cursors.addAll(List.of(
                real.get(0),
                real.get(1),
                real.get(3),
                session,
                session + "/",
                "/1",
                session + "/x",
                session + "/0",
                session + "/-1",
                session + "/+1",
                session + "/01",
                session + "/1.0",
                session + "/1/1",
                session + "/ 1",
                session + "/9223372036854775808",
                session.toUpperCase(java.util.Locale.ROOT) + "/1",
                "null/1",
                session + "/null",
                session + "\\1"));

        assertForeign(cursors, c -> store.bulk().scanMessages(c, 10));
        assertThat(store.bulk().scanMessages(message, 10).items())
                .as("the rest of the scan")
                .hasSize(1);
    }

    /**
     * A memory scan rejects any cursor that no memory scan returned, and resumes from one that did.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void scanMemoryRejectsACursorNoMemoryScanReturned(DataAccess store) {
        List<String> real = realCursors(store);
        String memory = real.get(3);
        String user = real.get(0);
        List<String> cursors = new ArrayList<>(foreignCursors(memory));
        cursors.addAll(List.of(
                real.get(0),
                real.get(1),
                real.get(2),
                "[null,null,null]",
                "[null]",
                "[\"" + user + "\"]",
                "[\"" + user + "\",\"notes\"]",
                "[\"" + user + "\",\"notes\",\"k\",\"k\"]",
                "[\"" + user + "\",\"notes\",null]",
                "[null,\"notes\",\"k\"]",
                "[\"" + user + "\",1,\"k\"]",
                "[\"" + user.toUpperCase(java.util.Locale.ROOT) + "\",\"notes\",\"k\"]",
                "[\"" + user + "\",\"\",\"k\"]",
                "[\"" + user + "\",\"notes\",\"k\\u0000\"]",
                "[\"" + user + "\",\"notes\",\"\\ud800\"]",
                "[\"" + user + "\", \"notes\", \"k\"]",
                "{\"userId\":\"" + user + "\",\"memoryType\":\"notes\",\"key\":\"k\"}",
                "[\"not-a-uuid\",\"notes\",\"k\"]",
                memory.substring(0, memory.length() - 2)));

        assertForeign(cursors, c -> store.bulk().scanMemory(c, 10));
        assertThat(store.bulk().scanMemory(memory, 10).items())
                .as("the rest of the scan")
                .hasSize(1);
    }

    /**
     * An upserted user is stored exactly as given and found by id and by external id.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertUsersStoresExactRecords(DataAccess store) {
        User user = exactUser(Ids.newId(), "exact");

        store.bulk().upsertUsers(List.of(user));

        assertThat(store.getUser(user.id())).contains(user);
        assertThat(store.getUserByExternalId("exact")).contains(user);
        assertThat(snapshot(store).users()).containsExactly(user);
    }

    /**
     * Upserted sessions are stored exactly as given, their message counters included.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertSessionsStoresExactRecordsWithTheirCounters(DataAccess store) {
        User user = exactUser(Ids.newId(), "owner");
        store.bulk().upsertUsers(List.of(user));
        ChatSession session = exactSession(Ids.newId(), "exact-chat", user.id(), 0, null);
        ChatSession counted = exactSession(Ids.newId(), "counted-chat", null, 3, T0.plusSeconds(3));

        store.bulk().upsertSessions(List.of(session, counted));

        assertThat(store.getChatSession("exact-chat")).contains(session);
        assertThat(store.getChatSession("counted-chat")).contains(counted);
        assertThat(store.listUserSessions(user.id(), 10, 0)).containsExactly(session);
    }

    /**
     * Upserted messages are stored exactly as given and make up the session's history.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertMessagesStoresExactRecords(DataAccess store) {
        ChatSession session = exactSession(Ids.newId(), "msgs", null, 5, T0.plusSeconds(5));
        store.bulk().upsertSessions(List.of(session));
        List<Message> messages = new ArrayList<>();
        for (long seq = 1; seq <= 5; seq++) {
            messages.add(exactMessage(session.id(), seq));
        }

        store.bulk().upsertMessages(messages);

        assertThat(store.getChatHistory("msgs", 10, 0)).isEqualTo(messages);
        assertThat(store.getMessageCount("msgs")).isEqualTo(5);
        assertThat(snapshot(store).messages()).isEqualTo(messages);
    }

    /**
     * Upserted memory entries are stored exactly as given, expired ones too, which reads then hide.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void upsertMemoryStoresExactRecordsIncludingExpiredOnes(DataAccess store, MutableClock clock) {
        User user = exactUser(Ids.newId(), "mem");
        store.bulk().upsertUsers(List.of(user));
        MemoryEntry live = exactMemory(user.id(), "context", "live", now(clock).plusSeconds(3600));
        MemoryEntry forever = exactMemory(user.id(), "context", "forever", null);
        MemoryEntry expired = exactMemory(user.id(), "context", "expired", T0.plusSeconds(2));

        store.bulk().upsertMemory(List.of(live, forever, expired));

        assertThat(store.getUserMemory(user.id(), "context", "live")).contains(live);
        assertThat(store.getUserMemory(user.id(), "context")).containsExactly(forever, live);
        assertThat(store.getUserMemory(user.id(), "context", "expired")).isEmpty();
        assertThat(snapshot(store).memory()).containsExactly(expired, forever, live);
    }

    /**
     * Upserting the same records twice leaves the store as upserting them once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void upsertingTwiceEqualsUpsertingOnce(DataAccess store, MutableClock clock) {
        populate(store, clock);
        Fixtures.Snapshot all = snapshot(store);

        upsertAll(store, all);
        upsertAll(store, all);

        assertThat(snapshot(store)).isEqualTo(all);
    }

    /**
     * Concurrent upserts of the same new records all succeed and store each record once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void concurrentUpsertsOfTheSameNewRecordsAllSucceed(DataAccess store) {
        // a backfill and live replications bring the same new records at once
        List<User> users = new ArrayList<>();
        List<ChatSession> sessions = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        for (int round = 0; round < 25; round++) {
            User user = exactUser(Ids.newId(), Fixtures.unique("raced"));
            ChatSession session =
                    exactSession(Ids.newId(), Fixtures.unique("raced-chat"), user.id(), 2, T0.plusSeconds(2));
            List<Message> pair = List.of(exactMessage(session.id(), 1), exactMessage(session.id(), 2));
            Callable<Void> upsert = () -> {
                store.bulk().upsertUsers(List.of(user));
                store.bulk().upsertSessions(List.of(session));
                store.bulk().upsertMessages(pair);
                return null;
            };
            concurrently(List.of(upsert, upsert, upsert, upsert));
            users.add(user);
            sessions.add(session);
            messages.addAll(pair);
        }

        Fixtures.Snapshot stored = snapshot(store);
        assertThat(stored.users()).containsExactlyInAnyOrderElementsOf(users);
        assertThat(stored.sessions()).containsExactlyInAnyOrderElementsOf(sessions);
        assertThat(stored.messages()).containsExactlyInAnyOrderElementsOf(messages);
    }

    /**
     * Upserting everything a store holds into an empty store reproduces it.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void copyingEverythingOutAndBackInReproducesTheStore(DataAccess store, MutableClock clock) {
        populate(store, clock);
        Fixtures.Snapshot all = snapshot(store);
        DataAccess target = emptyTarget(clock);
        try {
            Fixtures.Snapshot empty = snapshot(target);

            upsertAll(target, all);

            assertThat(empty.users()).isEmpty();
            assertThat(empty.sessions()).isEmpty();
            assertThat(empty.messages()).isEmpty();
            assertThat(empty.memory()).isEmpty();
            assertThat(snapshot(target)).isEqualTo(all);
            for (User user : all.users()) {
                assertThat(target.getUserByExternalId(user.externalId())).contains(user);
                assertThat(target.listUserSessions(user.id(), 100, 0)).isSortedAccordingTo(Fixtures.listingOrder());
            }
        } finally {
            target.close();
        }
    }

    /**
     * Copying scan batch by scan batch into an empty store reproduces the store.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void copyingBatchByBatchReproducesTheStore(DataAccess store, MutableClock clock) {
        populate(store, clock);
        Fixtures.Snapshot all = snapshot(store);
        List<List<User>> users = batches(store.bulk()::scanUsers, 3);
        List<List<ChatSession>> sessions = batches(store.bulk()::scanSessions, 5);
        List<List<Message>> messages = batches(store.bulk()::scanMessages, 7);
        List<List<MemoryEntry>> memory = batches(store.bulk()::scanMemory, 2);
        DataAccess target = emptyTarget(clock);
        try {
            users.forEach(target.bulk()::upsertUsers);
            sessions.forEach(target.bulk()::upsertSessions);
            messages.forEach(target.bulk()::upsertMessages);
            memory.forEach(target.bulk()::upsertMemory);

            assertThat(snapshot(target)).isEqualTo(all);
        } finally {
            target.close();
        }
    }

    private static <T> List<List<T>> batches(BiFunction<String, Integer, ScanBatch<T>> scan, int size) {
        List<List<T>> batches = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor, size);
            batches.add(batch.items());
            cursor = batch.nextCursor();
            assertThat(batches).hasSizeLessThan(10_000);
        } while (cursor != null);
        return batches;
    }

    /**
     * An upsert at a newer version replaces every field of a stored record.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertReplacesChangedRecordsAtANewerVersion(DataAccess store) {
        User user = exactUser(Ids.newId(), "v1");
        ChatSession session = exactSession(Ids.newId(), "replace", user.id(), 1, T0.plusSeconds(1));
        Message message = exactMessage(session.id(), 1);
        MemoryEntry entry = exactMemory(user.id(), "context", "k", null);
        store.bulk().upsertUsers(List.of(user));
        store.bulk().upsertSessions(List.of(session));
        store.bulk().upsertMessages(List.of(message));
        store.bulk().upsertMemory(List.of(entry));

        User user2 = new User(
                user.id(),
                "v2",
                null,
                "Renamed",
                object("{\"v\":2}"),
                null,
                UserStatus.ACTIVE,
                user.createdAt(),
                T0.plusSeconds(999),
                null,
                2);
        ChatSession session2 = new ChatSession(
                session.id(),
                "replace",
                null,
                null,
                "general",
                null,
                SessionStatus.ACTIVE,
                session.createdAt(),
                T0.plusSeconds(999),
                T0.plusSeconds(1),
                1,
                2);
        Message message2 = new Message(
                message.id(), session.id(), 1, Role.SYSTEM, "edited", null, null, true, message.createdAt());
        MemoryEntry entry2 = new MemoryEntry(
                user.id(),
                "context",
                "k",
                F.arrayNode().add(2),
                entry.createdAt(),
                T0.plusSeconds(999),
                T0.plus(Duration.ofDays(36_500)),
                2);
        store.bulk().upsertUsers(List.of(user2));
        store.bulk().upsertSessions(List.of(session2));
        store.bulk().upsertMessages(List.of(message2));
        store.bulk().upsertMemory(List.of(entry2));

        assertThat(store.getUser(user.id())).contains(user2);
        assertThat(store.getUserByExternalId("v1")).isEmpty();
        assertThat(store.getUserByExternalId("v2")).contains(user2);
        assertThat(store.getChatSession("replace")).contains(session2);
        assertThat(store.getChatHistory("replace", 10, 0)).containsExactly(message2);
        assertThat(snapshot(store).memory()).containsExactly(entry2);
    }

    /**
     * Adding a message after an upsert continues the session's sequence and counters.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void addMessageAfterAnUpsertContinuesTheSequence(DataAccess store, MutableClock clock) {
        ChatSession session = exactSession(Ids.newId(), "continue", null, 3, T0.plusSeconds(3));
        store.bulk().upsertSessions(List.of(session));
        store.bulk()
                .upsertMessages(List.of(
                        exactMessage(session.id(), 1), exactMessage(session.id(), 2), exactMessage(session.id(), 3)));

        Message next = store.addMessage("continue", NewMessage.user("after import"));

        assertThat(next.sequenceNumber()).isEqualTo(4);
        assertThat(next.sessionId()).isEqualTo(session.id());
        ChatSession read = store.getChatSession("continue").orElseThrow();
        assertThat(read.messageCount()).isEqualTo(4);
        assertThat(read.lastMessageAt()).isEqualTo(now(clock));
    }

    /**
     * Upserted sessions are listed by their last activity, newest first.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertedSessionsAreListedByTheirLastActivity(DataAccess store) {
        User user = exactUser(Ids.newId(), "lister");
        store.bulk().upsertUsers(List.of(user));
        ChatSession old = exactSession(Ids.newId(), "old", user.id(), 0, null);
        ChatSession recent = exactSession(Ids.newId(), "recent", user.id(), 1, T0.plus(Duration.ofDays(2)));
        ChatSession middle = exactSession(Ids.newId(), "middle", user.id(), 1, T0.plus(Duration.ofDays(1)));
        store.bulk().upsertSessions(List.of(old, recent, middle));
        store.bulk().upsertMessages(List.of(exactMessage(recent.id(), 1), exactMessage(middle.id(), 1)));

        assertThat(store.listUserSessions(user.id(), 10, 0)).containsExactly(recent, middle, old);
        assertThat(store.listUserSessionsWithLastMessage(user.id(), 10, 0)
                        .get(2)
                        .lastMessage())
                .isNull();
    }

    /**
     * Upserting a message of an unknown session throws NotFoundException and changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertingAMessageForAnUnknownSessionThrowsNotFound(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        assertFails(
                NotFoundException.class,
                () -> store.bulk().upsertMessages(List.of(exactMessage(UUID.randomUUID(), 1))));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Upserting a session or memory entry of an unknown user throws NotFoundException and changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertingASessionOrMemoryForAnUnknownUserThrowsNotFound(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        assertFails(
                NotFoundException.class,
                () -> store.bulk()
                        .upsertSessions(List.of(exactSession(Ids.newId(), "orphan", UUID.randomUUID(), 0, null))));
        assertFails(
                NotFoundException.class,
                () -> store.bulk().upsertMemory(List.of(exactMemory(UUID.randomUUID(), "context", "k", null))));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Upserting a user with another user's external id throws DuplicateKeyException and changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void upsertingAUserWithAnotherUsersExternalIdThrowsDuplicateKey(DataAccess store) {
        User owner = store.createUser(NewUser.withExternalId("claimed"));
        var before = snapshot(store);

        assertFails(
                DuplicateKeyException.class,
                () -> store.bulk().upsertUsers(List.of(exactUser(Ids.newId(), "claimed"))));

        assertThat(snapshot(store)).isEqualTo(before);
        assertThat(store.getUserByExternalId("claimed")).contains(owner);
    }
}
