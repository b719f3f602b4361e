package dev.dal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewUser;
import dev.dal.api.TokenUsage;
import dev.dal.api.Vote;
import dev.dal.api.bulk.ScanBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Copy between every ordered pair of backends present (same-type pairs on two stores of that
 * type), verify, repair. Small data on purpose: a matrix of correctness, not volume.
 */
class CopyVerifyTest {

    static Stream<Arguments> pairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (Backends.Backend from : Backends.all()) {
            for (Backends.Backend to : Backends.all()) {
                pairs.add(Arguments.of(from, to));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void copyThenVerifyEqualAndASecondCopyChangesNothing(Backends.Backend from, Backends.Backend to) {
        String source = from.freshStore();
        String target = from == to ? to.secondStore() : to.freshStore();
        try (DataAccess src = Backends.open(source);
                DataAccess dst = Backends.open(target)) {
            SampleData.fill(src, 7, 3, 9);
            CopyResult first = new StoreCopier(src, dst, 16, Partition.ALL, null, null, null).copy();
            assertThat(first.written())
                    .containsEntry(RecordType.USERS, 7L)
                    .containsEntry(RecordType.SESSIONS, 21L)
                    .containsEntry(RecordType.MESSAGES, 189L)
                    .containsEntry(RecordType.MEMORY, 28L)
                    .containsEntry(RecordType.VOTES, SampleData.votes(7, 3, 9))
                    .containsEntry(RecordType.TOKEN_USAGE, SampleData.tokenUsage(7, 3, 9));
            VerifyReport report = new StoreVerifier(src, dst, 10, 100).verify();
            assertThat(report.differences()).isEmpty();
            assertThat(report.equal()).isTrue();
            assertThat(report.counts().get(RecordType.MESSAGES)).isEqualTo(new KindCounts(189, 189, 189, 0, 0, 0));

            // Equal to the source, and to what was written: hostile keys and Unicode arrive as they were.
            assertThat(dst.bulk().scanUsers(null, 100).items())
                    .allSatisfy(u -> assertThat(u.profile().get("hostile")).isEqualTo(SampleData.hostile()));
            assertThat(dst.bulk().scanMemory(null, 100).items())
                    .filteredOn(e -> e.memoryType().equals("$where"))
                    .hasSize(7)
                    .allSatisfy(e -> {
                        assertThat(e.key()).isEqualTo("a.b $ne 😀");
                        assertThat(e.value()).isEqualTo(SampleData.hostile());
                    });

            new StoreCopier(src, dst, 50, Partition.ALL, null, null, null).copy();
            VerifyReport again = new StoreVerifier(src, dst, 1000, 100).verify();
            assertThat(again.equal()).as("after a second copy").isTrue();
            assertThat(again.counts()).isEqualTo(report.counts());
        }
    }

    @Test
    void partitionsTogetherCopyEverythingOnce() {
        String source = Backends.FILE.freshStore();
        String target = Backends.POSTGRES.freshStore();
        try (DataAccess src = Backends.open(source);
                DataAccess dst = Backends.open(target)) {
            SampleData.fill(src, 6, 4, 5);
            long written = 0;
            for (int i = 0; i < 3; i++) {
                CopyResult part = new StoreCopier(src, dst, 7, new Partition(i, 3), null, null, null).copy();
                assertThat(part.written().get(RecordType.USERS))
                        .as("users go to every partition")
                        .isEqualTo(6);
                written += part.total() - 6;
            }
            assertThat(written)
                    .as("sessions, messages, memory, votes and token usage, each once")
                    .isEqualTo(24 + 120 + 24 + SampleData.votes(6, 4, 5) + SampleData.tokenUsage(6, 4, 5));
            assertThat(new StoreVerifier(src, dst, 100, 100).verify().equal()).isTrue();
        }
    }

    @Test
    void verifyNamesAChangedADeletedAndAnAddedRecordAndRepairFixesThem() {
        String source = Backends.FILE.freshStore();
        String target = Backends.POSTGRES.freshStore();
        try (DataAccess src = Backends.open(source);
                DataAccess dst = Backends.open(target)) {
            SampleData.fill(src, 3, 2, 4);
            new StoreCopier(src, dst, 100, Partition.ALL, null, null, null).copy();

            ScanBatch<Message> messages = dst.bulk().scanMessages(null, 5);
            Message changed = messages.items().get(2);
            dst.bulk()
                    .upsertMessages(List.of(new Message(
                            changed.id(),
                            changed.sessionId(),
                            changed.sequenceNumber(),
                            changed.role(),
                            "tampered",
                            changed.metadata(),
                            changed.tokenCount(),
                            changed.abuseFlagged(),
                            changed.createdAt())));
            String deletedChat = "chat-2-1";
            assertThat(dst.deleteChatSession(deletedChat)).isTrue();
            UUID voter = src.getUserByExternalId("ext-0").orElseThrow().id();
            MessageVote flipped = dst.voteMessage("chat-0-1", 1, voter, Vote.DOWN);
            TokenUsage used = dst.bulk().scanTokenUsage(null, 1).items().get(0);
            dst.bulk()
                    .upsertTokenUsage(List.of(new TokenUsage(
                            used.id(),
                            used.messageId(),
                            used.sessionId(),
                            used.sequenceNumber(),
                            used.userId(),
                            used.model(),
                            used.promptTokens() + 1,
                            used.completionTokens(),
                            used.costMicros(),
                            used.currency(),
                            used.createdAt())));
            var added = dst.createUser(NewUser.builder()
                    .externalId("intruder")
                    .profile(JsonNodeFactory.instance.objectNode())
                    .build());

            VerifyReport report = new StoreVerifier(src, dst, 3, 100).verify();
            assertThat(report.equal()).isFalse();
            var deleted = src.getChatSession(deletedChat).orElseThrow();
            assertThat(report.differences())
                    .extracting(Difference::toString)
                    .contains(
                            "extra users " + added.id(),
                            "missing sessions " + deleted.id(),
                            "different messages " + changed.id() + " (session " + changed.sessionId() + " #"
                                    + changed.sequenceNumber() + ") fields content",
                            "different votes user " + voter + " on message " + flipped.messageId() + " (session "
                                    + flipped.sessionId() + " #1) fields vote,votedAt");
            assertThat(report.differences())
                    .extracting(Difference::toString)
                    .anySatisfy(d -> assertThat(d)
                            .startsWith("different token_usage " + used.id() + " (")
                            .contains("for user " + used.userId(), "#2)")
                            .endsWith(" fields promptTokens"));
            assertThat(report.counts().get(RecordType.TOKEN_USAGE).missing())
                    .as("the deleted session's usage")
                    .isEqualTo(1);
            assertThat(report.counts().get(RecordType.VOTES).missing())
                    .as("the deleted session's votes")
                    .isEqualTo(2);
            assertThat(report.counts().get(RecordType.MESSAGES).missing())
                    .as("the deleted session's messages")
                    .isEqualTo(4);
            assertThat(report.counts().get(RecordType.MESSAGES).differing()).isEqualTo(1);

            StoreRepairer.Result repaired = new StoreRepairer(src, dst, 2).repair(d -> {});
            assertThat(repaired.copied())
                    .containsEntry(RecordType.SESSIONS, 1L)
                    .containsEntry(RecordType.MESSAGES, 5L)
                    .containsEntry(RecordType.VOTES, 3L)
                    .containsEntry(RecordType.TOKEN_USAGE, 2L)
                    .containsEntry(RecordType.USERS, 0L);
            VerifyReport after = new StoreVerifier(src, dst, 100, 100).verify();
            assertThat(after.differences())
                    .extracting(Difference::toString)
                    .containsExactly("extra users " + added.id());
        }
    }
}
