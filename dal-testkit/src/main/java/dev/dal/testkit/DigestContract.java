package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.User;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.spi.MessageDigests;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Message range digests ({@link BulkAccess#digestMessages}): a store's digest of a range equals the digest
 * {@link MessageDigests} defines over the messages as written, whether the store computes it inside or by
 * streaming, so that two stores holding the same messages give equal digests. The messages carry every kind of
 * JSON value and text a store might print differently.
 */
public interface DigestContract extends ConformanceTest {

    /** Metadata values whose stored text differs from Jackson's: key order, escapes, numbers, Unicode. */
    List<String> METADATA = List.of(
            "{}",
            "{\"b\":1,\"a\":2,\"aa\":3,\"ä\":4,\"日本\":5,\"z\":[],\"y\":{}}",
            "{\"s\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\"}",
            "{\"c\":\"\\u0001\\u001f\\u007f \\u2028 \\u00e9 \\ud83d\\ude00\"}",
            "{\"i\":0,\"n\":-1,\"big\":2147483648,\"min\":-9223372036854775808,\"max\":9223372036854775807}",
            "{\"d\":1.5,\"tenth\":0.1,\"small\":1.0E-7,\"large\":1.0E21,\"frac\":123456789.125,\"neg\":-0.0,"
                    + "\"huge\":1.0E300,\"whole\":12.0}",
            "{\"t\":true,\"f\":false,\"nil\":null,\"nested\":[1,[2,[3,{\"k\":\"v\"}]],{\"x\":{\"y\":[]}}]}",
            "{\"pipe\":\"a|b||c\",\"emoji🙂\":\"🙂\",\"\":\"empty key\"}");

    /** Content with the form's separator, line breaks and characters of several UTF-8 lengths. */
    List<String> CONTENT =
            List.of("plain", "with | pipes || and |", "", "multi\nline\r\ntext", "é日本🙂", "x".repeat(5000));

    private static List<Message> write(DataAccess store, int sessions) {
        User user = store.createUser(
                NewUser.builder().externalId(Fixtures.unique("digest")).build());
        List<Message> written = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            String chatId = Fixtures.unique("digest-chat");
            store.createChatSession(new NewChatSession(chatId, user.id(), null, null, null));
            List<NewMessage> batch = new ArrayList<>();
            for (int i = 0; i < METADATA.size(); i++) {
                JsonNode metadata = json(METADATA.get((i + s) % METADATA.size()));
                String content = CONTENT.get((i + s) % CONTENT.size());
                Integer tokens = i % 3 == 0 ? null : i * 7;
                batch.add(
                        new NewMessage(i % 2 == 0 ? Role.USER : Role.ASSISTANT, content, metadata, tokens, i % 4 == 1));
            }
            written.addAll(store.addMessages(chatId, batch));
        }
        return written;
    }

    private static RangeDigest expected(IdRange range, List<Message> messages) {
        MessageDigests.Accumulator sum = new MessageDigests.Accumulator();
        messages.stream().filter(m -> range.contains(m.sessionId())).forEach(sum::add);
        return sum.digest(range);
    }

    private static List<IdRange> ranges(List<Message> messages) {
        List<IdRange> ranges = new ArrayList<>();
        ranges.add(IdRange.ALL);
        ranges.addAll(IdRange.ALL.split(16));
        UUID one = messages.get(0).sessionId();
        ranges.add(new IdRange(one, one));
        ranges.add(new IdRange(new UUID(0, 0), new UUID(0, 0)));
        return ranges;
    }

    /**
     * Every range's digest, in one call, equals the digest of the messages as written, and counts and the first and
     * last session holding messages are those of the range.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void rangeDigestsEqualTheDigestsOfTheMessagesAsWritten(DataAccess store) {
        List<Message> written = write(store, 5);
        List<IdRange> ranges = ranges(written);

        List<RangeDigest> digests = store.bulk().digestMessages(ranges);

        assertThat(digests).hasSize(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            assertThat(digests.get(i)).as("digest of %s", ranges.get(i)).isEqualTo(expected(ranges.get(i), written));
        }
        assertThat(digests.get(0).count()).isEqualTo(written.size());
        assertThat(digests.get(ranges.size() - 2).count()).isEqualTo(METADATA.size());
        assertThat(digests.get(ranges.size() - 1).count()).isZero();
        assertThat(digests.get(1 + 16).range()).isEqualTo(ranges.get(1 + 16));
    }

    /**
     * A message replaced by a bulk upsert (same id and sequence number, one character of content changed) changes the
     * digest of every range holding it, and of no other; the store's digest still equals the messages' as stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void aChangedMessageChangesTheDigestOfItsRangesOnly(DataAccess store) {
        List<Message> written = write(store, 3);
        Message old = written.get(4);
        Message changed = new Message(
                old.id(),
                old.sessionId(),
                old.sequenceNumber(),
                old.role(),
                old.content() + ".",
                old.metadata(),
                old.tokenCount(),
                old.abuseFlagged(),
                old.createdAt());
        IdRange own = new IdRange(old.sessionId(), old.sessionId());
        UUID otherId = written.stream()
                .map(Message::sessionId)
                .filter(id -> !id.equals(old.sessionId()))
                .findFirst()
                .orElseThrow();
        IdRange other = new IdRange(otherId, otherId);
        List<RangeDigest> before = store.bulk().digestMessages(List.of(IdRange.ALL, own, other));

        store.bulk().upsertMessages(List.of(changed));

        List<Message> now = new ArrayList<>(written);
        now.set(4, changed);
        List<RangeDigest> after = store.bulk().digestMessages(List.of(IdRange.ALL, own, other));
        assertThat(after.get(0)).isEqualTo(expected(IdRange.ALL, now));
        assertThat(after.get(0).sameContent(before.get(0))).as("whole store").isFalse();
        assertThat(after.get(0).count()).isEqualTo(before.get(0).count());
        assertThat(after.get(1).sameContent(before.get(1)))
                .as("the changed message's session")
                .isFalse();
        assertThat(after.get(2)).as("another session").isEqualTo(before.get(2));
    }
}
