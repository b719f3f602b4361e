package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The digest form and the jsonb text it ends with, against texts PostgreSQL prints (the kit's DigestContract checks
 * the same against a live server for every backend).
 */
class MessageDigestsTest {
    private static final UUID ID = UUID.fromString("0190a1b2-c3d4-7e5f-9a0b-1c2d3e4f5a6b");
    private static final UUID SESSION = UUID.fromString("0190a1b2-c3d4-7e5f-9a0b-000000000001");

    private static Message message(String content, String metadata, Integer tokens, boolean flagged) {
        return new Message(
                ID,
                SESSION,
                3,
                Role.ASSISTANT,
                content,
                JsonValues.canonicalObject(JsonValues.parse(metadata), "metadata"),
                tokens,
                flagged,
                Instant.ofEpochMilli(1_700_000_000_123L));
    }

    @Test
    void theFormNamesEveryFieldWithTheContentsLengthInBytes() {
        assertThat(MessageDigests.form(message("é|x", "{\"b\":1,\"a\":[true,null]}", 12, true)))
                .isEqualTo(ID + "|" + SESSION + "|3|assistant|1700000000123|12|1|4|é|x{\"a\": [true, null], \"b\": 1}");
        assertThat(MessageDigests.form(message("", "{}", null, false)))
                .isEqualTo(ID + "|" + SESSION + "|3|assistant|1700000000123||0|0|{}");
    }

    @Test
    void jsonbTextOrdersKeysByByteLengthThenBytesAndPrintsNumbersAsNumeric() {
        assertThat(JsonbText.of(JsonValues.parse("{\"bb\":1,\"a\":2,\"ä\":3,\"c\":{\"y\":[],\"x\":{}}}")))
                .isEqualTo("{\"a\": 2, \"c\": {\"x\": {}, \"y\": []}, \"bb\": 1, \"ä\": 3}"); // ä: 2 bytes, 0xc3 > b
        assertThat(JsonbText.of(JsonValues.parse("[1.0E-7, 1.0E21, 12.0, 0.1, -0.0, 9223372036854775807]")))
                .isEqualTo("[0.00000010, 1000000000000000000000.0, 12.0, 0.1, 0.0, 9223372036854775807]");
        assertThat(JsonbText.of(JsonValues.parse("\"q\\\" b\\\\ \\u0001 \\u001f \\u007f \\t\\n\\r\\b\\f 🙂\"")))
                .isEqualTo("\"q\\\" b\\\\ \\u0001 \\u001f \u007f \\t\\n\\r\\b\\f 🙂\"");
    }

    @Test
    void aDigestIsTheSameWhateverOrderItsMessagesAreAddedIn() {
        Message a = message("a", "{}", null, false);
        Message b = message("b", "{\"k\":\"v\"}", 5, false);
        MessageDigests.Accumulator ab = new MessageDigests.Accumulator();
        ab.add(a);
        ab.add(b);
        MessageDigests.Accumulator ba = new MessageDigests.Accumulator();
        ba.add(b);
        ba.add(a);
        RangeDigest one = ab.digest(IdRange.ALL);
        assertThat(one).isEqualTo(ba.digest(IdRange.ALL));
        assertThat(one.count()).isEqualTo(2);
        assertThat(one.firstSessionId()).isEqualTo(SESSION);
        MessageDigests.Accumulator onlyA = new MessageDigests.Accumulator();
        onlyA.add(a);
        assertThat(onlyA.digest(IdRange.ALL).sameContent(one)).isFalse();
        assertThat(new MessageDigests.Accumulator().digest(IdRange.ALL).digest())
                .isEqualTo("0".repeat(64));
    }
}
