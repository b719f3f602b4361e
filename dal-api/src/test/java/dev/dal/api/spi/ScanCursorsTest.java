package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.Role;
import dev.dal.api.ValidationException;
import dev.dal.api.Vote;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScanCursorsTest {
    private static final UUID ID = UUID.fromString("0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b");
    private static final Instant T = Instant.parse("2024-01-02T03:04:05Z");

    @Test
    void aMessageCursorDecodesToTheMessagesPosition() {
        Message m = new Message(Ids.newId(), ID, 42, Role.USER, "x", null, null, false, T);

        String cursor = ScanCursors.ofMessage(m);

        assertThat(cursor).isEqualTo(ID + "/42");
        assertThat(ScanCursors.afterMessage(cursor)).isEqualTo(new ScanCursors.MessagePosition(ID, 42));
    }

    @Test
    void aVoteCursorDecodesToTheVotesPositionAndOrdersVotesAfterIt() {
        UUID voter = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        MessageVote v = new MessageVote(Ids.newId(), ID, 7, voter, Vote.UP, T);

        String cursor = ScanCursors.ofVote(v);

        assertThat(cursor).isEqualTo(ID + "/7/" + voter);
        ScanCursors.VotePosition at = ScanCursors.afterVote(cursor);
        assertThat(at).isEqualTo(new ScanCursors.VotePosition(ID, 7, voter));
        assertThat(at.precedes(v)).as("a scan resumes after the vote itself").isFalse();
        assertThat(at.precedes(new MessageVote(Ids.newId(), ID, 7, UUID.randomUUID(), Vote.UP, T)))
                .as("a later voter id")
                .isTrue();
        assertThat(at.precedes(new MessageVote(Ids.newId(), ID, 8, voter, Vote.DOWN, T)))
                .isTrue();
        assertThat(ScanCursors.afterVote(ScanCursors.beforeVotesOf(ID)).precedes(v))
                .as("before the session's votes")
                .isTrue();
        assertThat(ScanCursors.afterVote(null)).isNull();
        assertThat(ScanCursors.afterVote(ScanCursors.beforeVote(dev.dal.api.bulk.VoteKey.of(v)))
                        .precedes(v))
                .as("just before the vote itself")
                .isTrue();
        MessageVote lowestVoter = new MessageVote(Ids.newId(), ID, 7, new UUID(0, 0), Vote.UP, T);
        ScanCursors.VotePosition beforeLowest =
                ScanCursors.afterVote(ScanCursors.beforeVote(dev.dal.api.bulk.VoteKey.of(lowestVoter)));
        assertThat(beforeLowest.precedes(lowestVoter)).isTrue();
        assertThat(beforeLowest.precedes(new MessageVote(Ids.newId(), ID, 6, voter, Vote.UP, T)))
                .as("a vote on the message before")
                .isFalse();
        for (String foreign : new String[] {ID + "/7", ID + "/7/x", ID + "/0/" + voter, "a/b/c", ID + "/07/" + voter}) {
            assertThatThrownBy(() -> ScanCursors.afterVote(foreign))
                    .as(foreign)
                    .isInstanceOf(ValidationException.class);
        }
    }

    @Test
    void aMemoryCursorKeepsAnyStorableTypeAndKey() {
        String type = "t\"y/p\\e ✓";
        String key = "😀\u0001\n,]";
        MemoryEntry e = new MemoryEntry(ID, type, key, JsonNodeFactory.instance.objectNode(), T, T, null);

        assertThat(ScanCursors.afterMemory(ScanCursors.ofMemory(e)))
                .isEqualTo(new ScanCursors.MemoryPosition(ID, type, key));
    }

    @Test
    void noCursorMeansTheFirstBatch() {
        assertThat(ScanCursors.afterUser(null)).isNull();
        assertThat(ScanCursors.afterSession(null)).isNull();
        assertThat(ScanCursors.afterMessage(null)).isNull();
        assertThat(ScanCursors.afterMemory(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "null",
                "0190A1B2-C3D4-7E5F-9A0B-1C2D3E4F5A6B",
                "0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b/1",
                "190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b",
                "1-1-1-1-1",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"t\",\"k\"]"
            })
    void aUserCursorIsACanonicalIdOnly(String cursor) {
        assertThatThrownBy(() -> ScanCursors.afterUser(cursor))
                .isInstanceOf(ValidationException.class)
                .extracting(e -> ((ValidationException) e).field())
                .isEqualTo("cursor");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "null",
                "0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b",
                "0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b/",
                "0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b/0",
                "0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b/+1",
                "0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b/01",
                "0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b/1/2",
                "null/1"
            })
    void aMessageCursorIsACanonicalIdAndADecimalSequenceNumber(String cursor) {
        assertThatThrownBy(() -> ScanCursors.afterMessage(cursor)).isInstanceOf(ValidationException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "null",
                "[]",
                "[null,null,null]",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"t\"]",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"t\",\"k\",\"x\"]",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\", \"t\", \"k\"]",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"t\",\"k\"] ",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"t\",\"k\"][]",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"\\u0074\",\"k\"]",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"t\",\"k\\u0000\"]",
                "[\"0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b\",\"t\",\"\\ud800\"]",
                "[\"0190A1B2-C3D4-7E5F-9A0B-1C2D3E4F5A6B\",\"t\",\"k\"]"
            })
    void aMemoryCursorIsExactlyTheEncodedArray(String cursor) {
        assertThatThrownBy(() -> ScanCursors.afterMemory(cursor)).isInstanceOf(ValidationException.class);
    }

    @Test
    void codePointOrderPutsCharactersBeyondTheBasicPlaneLast() {
        assertThat(CodePointOrder.compare("😀", "\uffff")).isPositive();
        assertThat("😀".compareTo("\uffff")).isNegative();
        assertThat(CodePointOrder.compare("a", "ab")).isNegative();
        assertThat(CodePointOrder.compare("ab", "ab")).isZero();
    }

    @Test
    void cursorsBeforeAnIdResumeJustBelowItAndAreCursorsTheScansAccept() {
        UUID id = UUID.fromString("0190a1b2-c3d4-7e5f-0000-000000000000"); // the low half borrows
        UUID below = UUID.fromString("0190a1b2-c3d4-7e5e-ffff-ffffffffffff");
        assertThat(ScanCursors.beforeId(id)).isEqualTo(below.toString());
        assertThat(ScanCursors.afterSession(ScanCursors.beforeId(id))).isEqualTo(below);
        assertThat(ScanCursors.afterMessage(ScanCursors.beforeMessagesOf(id)))
                .isEqualTo(new ScanCursors.MessagePosition(below, Integer.MAX_VALUE));
        assertThat(ScanCursors.afterMemory(ScanCursors.beforeMemoryOf(id)))
                .isEqualTo(new ScanCursors.MemoryPosition(below, "\u0001", "\u0001"));
        UUID lowest = new UUID(0, 0);
        assertThat(ScanCursors.beforeId(lowest)).isNull();
        assertThat(ScanCursors.beforeMessagesOf(lowest)).isNull();
        assertThat(ScanCursors.beforeMemoryOf(lowest)).isNull();
        assertThat(ScanCursors.beforeId(new UUID(0, 1))).isEqualTo(lowest.toString());
    }
}
