package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NotFoundException;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.MessageDigests;
import dev.dal.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store's own range digests ({@code messages.digest} per session) equal the reference,
 * {@link MessageDigests#stream}, after every kind of message write, deletion and rollback, and for sessions whose
 * digest file is missing (a directory an older Dal wrote), torn or stale.
 */
class FileMessageDigestsTest {
    private static final String ZERO = "0".repeat(64);
    /** No Dal id is this low: a range that holds no session. */
    private static final IdRange EMPTY = new IdRange(new UUID(0L, 0L), new UUID(0L, 1L));

    @TempDir
    Path temp;

    private Path root() {
        return temp.resolve("store");
    }

    private DataAccess open() {
        return TempFileStores.open(root(), MutableClock.startingNow());
    }

    private static ObjectNode metadata(int n) {
        ObjectNode node = JsonValues.emptyObject();
        node.put("n", n).put("big", Long.MAX_VALUE - n).put("ratio", n / 3.0).put("text", "grüße-€-😀-" + n);
        node.putArray("list").add(true).addNull().addObject().put("deep", "x");
        return node;
    }

    /** Creates a session holding {@code count} messages, added one by one and in pairs. */
    private static ChatSession sessionWith(DataAccess store, String chatId, int count) {
        store.createChatSession(NewChatSession.of(chatId));
        int n = 0;
        while (n < count) {
            if (count - n >= 2 && n % 3 == 1) {
                store.addMessages(
                        chatId,
                        List.of(
                                NewMessage.user("u" + n).withMetadata(metadata(n)),
                                new NewMessage(Role.ASSISTANT, "a" + (n + 1), metadata(n + 1), 17 + n, n % 2 == 0)));
                n += 2;
            } else {
                store.addMessage(chatId, NewMessage.user("single " + n).withMetadata(metadata(n)));
                n++;
            }
        }
        return store.getChatSession(chatId).orElseThrow();
    }

    private static List<IdRange> ranges(UUID one) {
        List<IdRange> ranges = new ArrayList<>();
        ranges.add(IdRange.ALL);
        ranges.addAll(IdRange.ALL.split(16));
        ranges.add(new IdRange(one, one));
        ranges.add(EMPTY);
        return ranges;
    }

    /**
     * Checks the store's digests against the reference for ALL, ALL in 16 parts, one session and an empty range,
     * and their real values: counts, the digest of ALL summed here from a scan, the empty range's zeros.
     *
     * @return the digests of ALL and of the one session
     */
    private static List<RangeDigest> check(DataAccess store, UUID one, long total, long ofOne) {
        BulkAccess bulk = store.bulk();
        assertThat(bulk.digestsMessagesInStore()).isTrue();
        List<IdRange> ranges = ranges(one);
        List<RangeDigest> inStore = bulk.digestMessages(ranges);
        assertThat(inStore)
                .as("the store's digests equal the streamed ones")
                .isEqualTo(MessageDigests.stream(bulk, ranges));
        RangeDigest all = inStore.get(0);
        assertThat(all.count()).isEqualTo(total);
        assertThat(all.digest()).isEqualTo(summedFromScan(store));
        assertThat(inStore.subList(1, 17).stream().mapToLong(RangeDigest::count).sum())
                .as("the 16 parts hold every message once")
                .isEqualTo(total);
        RangeDigest single = inStore.get(17);
        assertThat(single.count()).isEqualTo(ofOne);
        if (ofOne > 0) {
            assertThat(single.firstSessionId()).isEqualTo(one);
            assertThat(single.lastSessionId()).isEqualTo(one);
        }
        RangeDigest empty = inStore.get(18);
        assertThat(empty).isEqualTo(new RangeDigest(EMPTY, 0, ZERO, null, null));
        return List.of(all, single);
    }

    /** @return the digest of every message, summed here from a scan of them all */
    private static String summedFromScan(DataAccess store) {
        long[] sums = new long[4];
        String cursor = null;
        do {
            ScanBatch<Message> batch = store.bulk().scanMessages(cursor, 100);
            for (Message m : batch.items()) {
                long[] hash = MessageDigests.hash(m);
                for (int i = 0; i < 4; i++) {
                    sums[i] += hash[i];
                }
            }
            cursor = batch.nextCursor();
        } while (cursor != null);
        return MessageDigests.hex(sums);
    }

    private Path digestFile(UUID sessionId) {
        return root().resolve("sessions").resolve(sessionId.toString()).resolve("messages.digest");
    }

    private static Message withContent(Message m, String content) {
        return new Message(
                m.id(),
                m.sessionId(),
                m.sequenceNumber(),
                m.role(),
                content,
                m.metadata(),
                m.tokenCount(),
                m.abuseFlagged(),
                m.createdAt());
    }

    private static Message first(DataAccess store, String chatId) {
        return store.getChatHistory(chatId, HistoryQuery.after(0, 1)).get(0);
    }

    @Test
    void addedMessagesAreSummedInTheStore() throws IOException {
        try (DataAccess store = open()) {
            assertThat(store.bulk().digestMessages(List.of(IdRange.ALL)))
                    .containsExactly(new RangeDigest(IdRange.ALL, 0, ZERO, null, null));
            ChatSession a = sessionWith(store, "a", 7);
            sessionWith(store, "b", 12);
            sessionWith(store, "c", 1);
            store.createChatSession(NewChatSession.of("no messages"));
            check(store, a.id(), 20, 7);
            assertThat(Files.size(digestFile(a.id()))).isEqualTo(56);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(digestFile(a.id()))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aReplacedMessageChangesTheDigestAndAnIdenticalUpsertChangesNothing() throws IOException {
        try (DataAccess store = open()) {
            ChatSession a = sessionWith(store, "a", 5);
            sessionWith(store, "b", 3);
            List<RangeDigest> before = check(store, a.id(), 8, 5);

            Message original = first(store, "a");
            store.bulk().upsertMessages(List.of(withContent(original, "other content")));
            List<RangeDigest> replaced = check(store, a.id(), 8, 5);
            assertThat(replaced.get(0).digest()).isNotEqualTo(before.get(0).digest());
            assertThat(replaced.get(1).digest()).isNotEqualTo(before.get(1).digest());

            byte[] digestBytes = Files.readAllBytes(digestFile(a.id()));
            long logLength = Files.size(digestFile(a.id()).resolveSibling("messages.ndjson"));
            store.bulk().upsertMessages(store.getChatHistory("a", HistoryQuery.after(0, 100)));
            assertThat(check(store, a.id(), 8, 5)).isEqualTo(replaced);
            assertThat(Files.readAllBytes(digestFile(a.id()))).isEqualTo(digestBytes);
            assertThat(Files.size(digestFile(a.id()).resolveSibling("messages.ndjson")))
                    .isEqualTo(logLength);

            store.bulk().upsertMessages(List.of(original));
            assertThat(check(store, a.id(), 8, 5)).as("the original back").isEqualTo(before);
        }
    }

    @Test
    void bulkUpsertedSessionsAreSummedAndAMessagePastTheCountIsReplacedByTheNextAdd() {
        try (DataAccess store = open()) {
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            UUID id = Ids.newId();
            store.bulk()
                    .upsertSessions(List.of(new ChatSession(
                            id, "copied", null, null, null, null, SessionStatus.ACTIVE, t, t, t, 2, 1)));
            List<Message> copied = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                copied.add(new Message(Ids.newId(), id, n, Role.USER, "copied " + n, metadata(n), null, false, t));
            }
            // The third lies past the session's count of 2: the next addMessage takes its slot.
            store.bulk().upsertMessages(copied);
            check(store, id, 3, 3);
            store.addMessage("copied", NewMessage.user("added"));
            check(store, id, 3, 3);
            assertThat(store.getChatHistory("copied", HistoryQuery.after(2, 10)))
                    .singleElement()
                    .extracting(Message::content)
                    .isEqualTo("added");
        }
    }

    @Test
    void aDeletedSessionLeavesTheDigests() {
        try (DataAccess store = open()) {
            ChatSession a = sessionWith(store, "a", 4);
            ChatSession b = sessionWith(store, "b", 6);
            check(store, b.id(), 10, 6);
            store.deleteChatSession("b");
            check(store, b.id(), 4, 0);
            check(store, a.id(), 4, 4);
        }
    }

    @Test
    void aFailedBatchRollsTheDigestBackWithTheLog() throws IOException {
        try (DataAccess store = open()) {
            ChatSession a = sessionWith(store, "a", 5);
            List<RangeDigest> before = check(store, a.id(), 5, 5);
            byte[] digestBytes = Files.readAllBytes(digestFile(a.id()));
            Message replaced = withContent(first(store, "a"), "never stored");
            Message orphan = new Message(
                    Ids.newId(), Ids.newId(), 1, Role.USER, "no session", null, null, false, replaced.createdAt());
            // The first group (session a) is written, then the unknown session fails the batch: all of it is undone.
            assertThatThrownBy(() -> store.bulk().upsertMessages(List.of(replaced, orphan)))
                    .isInstanceOf(NotFoundException.class);
            assertThat(Files.readAllBytes(digestFile(a.id()))).isEqualTo(digestBytes);
            assertThat(check(store, a.id(), 5, 5)).isEqualTo(before);
        }
    }

    @Test
    void aSessionWithoutADigestFileIsSummedFromItsMessagesAndGetsOneAtItsNextWrite() throws IOException {
        try (DataAccess store = open()) {
            ChatSession a = sessionWith(store, "a", 6);
            sessionWith(store, "b", 2);
            List<RangeDigest> before = check(store, a.id(), 8, 6);
            Files.delete(digestFile(a.id()));
            assertThat(check(store, a.id(), 8, 6)).isEqualTo(before);
            assertThat(digestFile(a.id())).as("a digest writes nothing").doesNotExist();

            store.addMessage("a", NewMessage.assistant("next"));
            assertThat(digestFile(a.id())).exists();
            check(store, a.id(), 9, 7);
        }
    }

    @Test
    void aCorruptOrStaleDigestFileIsNotUsed() throws IOException {
        try (DataAccess store = open()) {
            ChatSession a = sessionWith(store, "a", 6);
            List<RangeDigest> before = check(store, a.id(), 6, 6);
            Path file = digestFile(a.id());
            byte[] good = Files.readAllBytes(file);

            byte[] flipped = good.clone();
            flipped[20] ^= 0x01; // in the count
            Files.write(file, flipped);
            assertThat(check(store, a.id(), 6, 6)).isEqualTo(before);
            assertThat(Files.readAllBytes(file)).as("a digest writes nothing").isEqualTo(flipped);

            Files.write(file, new byte[] {1, 2, 3});
            assertThat(check(store, a.id(), 6, 6)).isEqualTo(before);

            store.addMessage("a", NewMessage.user("repairs it"));
            check(store, a.id(), 7, 7);
            assertThat(Files.size(file)).isEqualTo(56);

            // An older Dal appending leaves the digest file behind the log: whole, but stale.
            byte[] behind = Files.readAllBytes(file);
            store.addMessage("a", NewMessage.user("an older writer"));
            Files.write(file, behind);
            check(store, a.id(), 8, 8);
            store.addMessage("a", NewMessage.user("after it"));
            check(store, a.id(), 9, 9);
        }
    }
}
