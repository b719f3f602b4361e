package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.ForwardingBulkAccess;
import dev.dal.api.spi.ForwardingDataAccess;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.ScanCursors;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verify since an instant: differences planted in records older than the instant on both sides are not reported,
 * those in records changed since (on either side) are, exactly, in both modes; messages are compared for the
 * sessions changed or given messages since, and only those sessions' messages are digested or scanned.
 */
class VerifySinceTest {
    private static final Instant SINCE = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant OLD = SINCE.minus(Duration.ofDays(1));
    private static final Instant NEW = SINCE.plus(Duration.ofHours(1));
    private static final int MESSAGES_PER_SESSION = 4;
    /** Small ranges and leaves, so that the digest comparison splits the changed sessions' ranges. */
    private static final DigestTuning SMALL = new DigestTuning(5, 2, 2);

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (VerifyMode mode : VerifyMode.values()) {
            cases.add(Arguments.of(Backends.FILE, Backends.FILE, mode));
            cases.add(Arguments.of(Backends.POSTGRES, Backends.FILE, mode));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}, {2}")
    @MethodSource("cases")
    void onlyRecordsChangedSinceTheInstantAreCheckedAndTheirDifferencesNamedExactly(
            Backends.Backend from, Backends.Backend to, VerifyMode mode) {
        try (DataAccess srcStore = Backends.open(from.freshStore());
                DataAccess dstStore = Backends.open(from == to ? to.secondStore() : to.freshStore())) {
            Planted planted = new Planted(srcStore.bulk(), dstStore.bulk());
            Recording src = new Recording(srcStore);
            Recording dst = new Recording(dstStore);

            VerifyReport report = new StoreVerifier(src, dst, 100, 1_000, mode, SMALL)
                    .since(SINCE)
                    .verify();

            assertThat(report.differences())
                    .extracting(VerifySinceTest::named)
                    .containsExactlyInAnyOrderElementsOf(planted.expected);
            assertThat(report.counts().get(RecordType.USERS))
                    .as("users updated since on either side: new, at the instant, fresh, extra, newer in the target")
                    .isEqualTo(new KindCounts(4, 4, 1, 1, 1, 2));
            assertThat(report.counts().get(RecordType.SESSIONS))
                    .as("the three sessions changed or given messages since")
                    .isEqualTo(new KindCounts(3, 3, 2, 0, 0, 1));
            assertThat(report.counts().get(RecordType.MESSAGES))
                    .as("the messages of those three sessions, one more in the target")
                    .isEqualTo(new KindCounts(12, 13, 10, 0, 1, 2));
            assertThat(report.counts().get(RecordType.MEMORY)).isEqualTo(new KindCounts(2, 2, 1, 0, 0, 1));

            for (Recording store : List.of(src, dst)) {
                assertThat(store.digested)
                        .as("no digested range holds a session unchanged since")
                        .noneMatch(r -> planted.unchangedSessions.stream().anyMatch(r::contains));
                assertThat(store.scanCursors)
                        .as("every scan of messages starts at, or resumes in, a session changed since")
                        .allSatisfy(c -> assertThat(c).isNotNull())
                        .allSatisfy(c -> {
                            UUID at = ScanCursors.afterMessage(c).sessionId();
                            assertThat(planted.changedSessions).containsAnyOf(at, IdRange.next(at));
                        });
            }
            if (mode == VerifyMode.DIGEST) {
                assertThat(report.digests().rangesDigested()).isPositive();
                assertThat(src.digested).isNotEmpty();
            } else {
                assertThat(report.digests()).isNull();
                assertThat(src.digested).isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1}, {2}")
    @MethodSource("cases")
    void withoutTheInstantEveryPlantedDifferenceIsFound(Backends.Backend from, Backends.Backend to, VerifyMode mode) {
        try (DataAccess src = Backends.open(from.freshStore());
                DataAccess dst = Backends.open(from == to ? to.secondStore() : to.freshStore())) {
            Planted planted = new Planted(src.bulk(), dst.bulk());

            VerifyReport report = new StoreVerifier(src, dst, 100, 1_000, mode, SMALL).verify();

            assertThat(report.differences())
                    .extracting(VerifySinceTest::named)
                    .as("the old differences are there to find: the instant is what hides them")
                    .containsAll(planted.expected)
                    .containsAll(planted.old);
        }
    }

    private static String named(Difference d) {
        return d.type() + " " + d.kind() + " " + d.id();
    }

    /**
     * Both stores written with explicit timestamps, then differences planted in the target: the expected ones in
     * records changed since, the others in records older than the instant on both sides.
     */
    private static final class Planted {
        private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

        final List<String> expected = new ArrayList<>();
        final List<String> old = new ArrayList<>();
        final List<UUID> changedSessions = new ArrayList<>();
        final List<UUID> unchangedSessions = new ArrayList<>();

        Planted(BulkAccess source, BulkAccess target) {
            User owner = user("owner", OLD);
            User oldChanged = user("old-changed", OLD);
            User changed = user("changed", NEW);
            User atInstant = user("at-instant", SINCE);
            User gone = user("gone", OLD);
            User fresh = user("fresh", NEW);
            User newerInTarget = user("newer-in-target", OLD);
            User extra = user("extra", NEW);
            both(source, target, b -> b.upsertUsers(List.of(owner, oldChanged, changed, atInstant, newerInTarget)));
            source.upsertUsers(List.of(gone, fresh));
            target.upsertUsers(List.of(extra));
            target.overwriteUsers(
                    List.of(renamed(oldChanged, OLD), renamed(changed, NEW), renamed(newerInTarget, NEW)));
            old.add("MISSING USERS " + gone.id());
            old.add("DIFFERENT USERS " + oldChanged.id());
            expected.add("DIFFERENT USERS " + changed.id());
            expected.add("DIFFERENT USERS " + newerInTarget.id());
            expected.add("MISSING USERS " + fresh.id());
            expected.add("EXTRA USERS " + extra.id());

            // Sessions in id order, unchanged ones between changed ones: a range spanning two changed sessions
            // would hold an unchanged one.
            List<ChatSession> sessions = List.of(
                    session(owner, 0, OLD, OLD),
                    session(owner, 1, OLD, NEW),
                    session(owner, 2, OLD, OLD),
                    session(owner, 3, NEW, OLD),
                    session(owner, 4, OLD, OLD),
                    session(owner, 5, NEW, NEW));
            both(source, target, b -> b.upsertSessions(sessions));
            List<List<Message>> messages = new ArrayList<>();
            for (ChatSession s : sessions) {
                List<Message> of = new ArrayList<>();
                for (int n = 1; n <= MESSAGES_PER_SESSION; n++) {
                    of.add(message(s, n, "message " + n));
                }
                messages.add(of);
                both(source, target, b -> b.upsertMessages(of));
                (s.updatedAt().isBefore(SINCE) && s.lastMessageAt().isBefore(SINCE)
                                ? unchangedSessions
                                : changedSessions)
                        .add(s.id());
            }
            ChatSession retitledOld = sessions.get(0);
            ChatSession retitledNew = sessions.get(5);
            target.overwriteSessions(List.of(retitled(retitledOld), retitled(retitledNew)));
            old.add("DIFFERENT SESSIONS " + retitledOld.id());
            expected.add("DIFFERENT SESSIONS " + retitledNew.id());

            old.add(changedMessage(target, messages.get(0).get(1)));
            old.add(changedMessage(target, messages.get(2).get(0)));
            old.add(changedMessage(target, messages.get(4).get(3)));
            old.add(extraMessage(target, sessions.get(2)));
            expected.add(changedMessage(target, messages.get(1).get(2)));
            expected.add(changedMessage(target, messages.get(5).get(1)));
            expected.add(extraMessage(target, sessions.get(3)));

            MemoryEntry oldEntry = entry(owner, "old", OLD);
            MemoryEntry newEntry = entry(owner, "new", NEW);
            MemoryEntry sameNew = entry(owner, "same-new", NEW);
            MemoryEntry oldGone = entry(owner, "old-gone", OLD);
            both(source, target, b -> b.upsertMemory(List.of(oldEntry, newEntry, sameNew)));
            source.upsertMemory(List.of(oldGone));
            target.overwriteMemory(List.of(revalued(oldEntry), revalued(newEntry)));
            old.add("DIFFERENT MEMORY " + memoryId(oldEntry));
            old.add("MISSING MEMORY " + memoryId(oldGone));
            expected.add("DIFFERENT MEMORY " + memoryId(newEntry));
        }

        private static void both(BulkAccess a, BulkAccess b, java.util.function.Consumer<BulkAccess> write) {
            write.accept(a);
            write.accept(b);
        }

        private static User user(String name, Instant updatedAt) {
            return new User(
                    Ids.newId(),
                    "ext-" + name,
                    name + "@example.org",
                    name,
                    JSON.objectNode(),
                    JSON.objectNode(),
                    UserStatus.ACTIVE,
                    OLD.minus(Duration.ofDays(30)),
                    updatedAt,
                    null);
        }

        private static User renamed(User u, Instant updatedAt) {
            return new User(
                    u.id(),
                    u.externalId(),
                    u.email(),
                    u.name() + " renamed",
                    u.profile(),
                    u.preferences(),
                    u.status(),
                    u.createdAt(),
                    updatedAt,
                    u.lastActiveAt(),
                    u.version() + 1);
        }

        private static ChatSession session(User owner, int n, Instant updatedAt, Instant lastMessageAt) {
            return new ChatSession(
                    Ids.newId(),
                    "chat-" + n,
                    owner.id(),
                    "Title " + n,
                    "general",
                    JSON.objectNode(),
                    SessionStatus.ACTIVE,
                    OLD.minus(Duration.ofDays(30)),
                    updatedAt,
                    lastMessageAt,
                    MESSAGES_PER_SESSION);
        }

        /** The title changed, the timestamps not: only a verify of that session sees it. */
        private static ChatSession retitled(ChatSession s) {
            return new ChatSession(
                    s.id(),
                    s.chatId(),
                    s.userId(),
                    "Retitled",
                    s.profile(),
                    s.metadata(),
                    s.status(),
                    s.createdAt(),
                    s.updatedAt(),
                    s.lastMessageAt(),
                    s.messageCount(),
                    s.version() + 1);
        }

        private static Message message(ChatSession s, long n, String content) {
            return new Message(
                    Ids.newId(), s.id(), n, Role.USER, content, JSON.objectNode(), null, false, s.createdAt());
        }

        private static String changedMessage(BulkAccess target, Message m) {
            target.upsertMessages(List.of(new Message(
                    m.id(),
                    m.sessionId(),
                    m.sequenceNumber(),
                    m.role(),
                    "changed",
                    m.metadata(),
                    m.tokenCount(),
                    m.abuseFlagged(),
                    m.createdAt())));
            return "DIFFERENT MESSAGES " + messageId(m);
        }

        private static String extraMessage(BulkAccess target, ChatSession s) {
            Message extra = message(s, MESSAGES_PER_SESSION + 1, "only in the target");
            target.upsertMessages(List.of(extra));
            return "EXTRA MESSAGES " + messageId(extra);
        }

        private static String messageId(Message m) {
            return m.id() + " (session " + m.sessionId() + " #" + m.sequenceNumber() + ")";
        }

        private static MemoryEntry entry(User owner, String key, Instant updatedAt) {
            return new MemoryEntry(
                    owner.id(), "context", key, JSON.textNode(key), OLD.minus(Duration.ofDays(30)), updatedAt, null);
        }

        private static MemoryEntry revalued(MemoryEntry e) {
            return new MemoryEntry(
                    e.userId(),
                    e.memoryType(),
                    e.key(),
                    JSON.textNode("changed"),
                    e.createdAt(),
                    e.updatedAt(),
                    e.expiresAt(),
                    e.version() + 1);
        }

        private static String memoryId(MemoryEntry e) {
            return e.userId() + "/" + e.memoryType() + "/" + e.key();
        }
    }

    /** A store that records the message ranges it digests and the cursors its message scans start from. */
    private static final class Recording extends ForwardingDataAccess {
        private final DataAccess inner;
        final List<IdRange> digested = Collections.synchronizedList(new ArrayList<>());
        final List<String> scanCursors = Collections.synchronizedList(new ArrayList<>());

        Recording(DataAccess inner) {
            this.inner = inner;
        }

        @Override
        protected DataAccess delegate() {
            return inner;
        }

        @Override
        public BulkAccess bulk() {
            BulkAccess bulk = inner.bulk();
            return new ForwardingBulkAccess() {
                @Override
                protected BulkAccess delegate() {
                    return bulk;
                }

                @Override
                public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
                    scanCursors.add(cursor);
                    return bulk.scanMessages(cursor, batchSize);
                }

                @Override
                public List<RangeDigest> digestMessages(List<IdRange> ranges) {
                    digested.addAll(ranges);
                    return bulk.digestMessages(ranges);
                }
            };
        }
    }
}
