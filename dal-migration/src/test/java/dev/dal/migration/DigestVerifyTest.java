package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verify by range digests against verify record by record, on stores that compute digests inside: equal stores
 * are verified without reading a message, and planted differences are named exactly as the record-by-record
 * comparison names them, in the same order, reading only the ranges around them. Small ranges and leaves make
 * the bisection go several levels deep on small data.
 */
class DigestVerifyTest {
    private static final DigestTuning SMALL = new DigestTuning(400, 30, 4);
    private static final int USERS = 10;
    private static final int SESSIONS_PER_USER = 6;
    private static final int MESSAGES_PER_SESSION = 25;
    private static final long MESSAGES = (long) USERS * SESSIONS_PER_USER * MESSAGES_PER_SESSION;

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(Backends.POSTGRES, Backends.POSTGRES),
                Arguments.of(Backends.FILE, Backends.POSTGRES),
                Arguments.of(Backends.POSTGRES, Backends.FILE),
                Arguments.of(Backends.FILE, Backends.FILE));
    }

    private static VerifyReport verify(DataAccess src, DataAccess dst, VerifyMode mode) {
        return new StoreVerifier(src, dst, 100, 1_000, mode, SMALL).verify();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void equalStoresAreVerifiedWithoutReadingAMessage(Backends.Backend from, Backends.Backend to) {
        try (DataAccess src = Backends.open(from.freshStore());
                DataAccess dst = Backends.open(from == to ? to.secondStore() : to.freshStore())) {
            SampleData.fill(src, USERS, SESSIONS_PER_USER, MESSAGES_PER_SESSION);
            new StoreCopier(src, dst, 500, Partition.ALL, null, null, null).copy();

            VerifyReport digest = verify(src, dst, VerifyMode.DIGEST);
            VerifyReport full = verify(src, dst, VerifyMode.FULL);

            assertThat(digest.equal()).isTrue();
            assertThat(digest.counts()).isEqualTo(full.counts());
            assertThat(digest.counts().get(RecordType.MESSAGES))
                    .isEqualTo(new KindCounts(MESSAGES, MESSAGES, MESSAGES, 0, 0, 0));
            assertThat(digest.digests().messagesRead()).isZero();
            assertThat(digest.digests().rangesRead()).isZero();
            assertThat(digest.digests().rangesDigested()).isGreaterThanOrEqualTo(MESSAGES / SMALL.chunk());
            assertThat(full.digests()).as("full mode reads every message").isNull();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void plantedDifferencesAreNamedExactlyAsRecordByRecordNamesThem(Backends.Backend from, Backends.Backend to) {
        try (DataAccess src = Backends.open(from.freshStore());
                DataAccess dst = Backends.open(from == to ? to.secondStore() : to.freshStore())) {
            SampleData.fill(src, USERS, SESSIONS_PER_USER, MESSAGES_PER_SESSION);
            new StoreCopier(src, dst, 500, Partition.ALL, null, null, null).copy();
            List<Message> all = new ArrayList<>();
            dst.bulk().scanMessages(null, 10_000).items().forEach(all::add);
            List<Message> planted = List.of(
                    retold(all.get(7), "changed once"),
                    retold(all.get(700), "changed twice"),
                    retold(all.get(1_499), "changed at the end"));
            dst.bulk().upsertMessages(planted);
            Message last = all.get(MESSAGES_PER_SESSION * 20 - 1);
            Message extra = new Message(
                    dev.dal.api.spi.Ids.newId(),
                    last.sessionId(),
                    last.sequenceNumber() + 1,
                    last.role(),
                    "only in the target",
                    last.metadata(),
                    null,
                    false,
                    last.createdAt());
            dst.bulk().upsertMessages(List.of(extra));
            assertThat(dst.deleteChatSession("chat-4-2")).isTrue();

            VerifyReport digest = verify(src, dst, VerifyMode.DIGEST);
            VerifyReport full = verify(src, dst, VerifyMode.FULL);

            assertThat(digest.differences()).isEqualTo(full.differences());
            assertThat(digest.counts()).isEqualTo(full.counts());
            KindCounts messages = digest.counts().get(RecordType.MESSAGES);
            assertThat(messages.differing()).isEqualTo(3);
            assertThat(messages.extra()).isEqualTo(1);
            assertThat(messages.missing()).as("the deleted session's messages").isEqualTo(MESSAGES_PER_SESSION);
            assertThat(digest.differences())
                    .filteredOn(d -> d.kind() == RecordType.MESSAGES && d.type() == Difference.Type.DIFFERENT)
                    .extracting(Difference::id)
                    .containsExactlyElementsOf(planted.stream()
                            .map(m -> m.id() + " (session " + m.sessionId() + " #" + m.sequenceNumber() + ")")
                            .toList());
            // Five differing places of about one session each, read on both sides, and little around them.
            assertThat(digest.digests().messagesRead()).isLessThan(MESSAGES / 4);
            assertThat(digest.digests().rangesRead()).isGreaterThanOrEqualTo(5);
        }
    }

    private static Message retold(Message m, String content) {
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
}
