package dev.dal.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.Role;
import dev.dal.api.spi.Ids;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The messages the store benchmarks write, the same for Dal and for the raw driver: ~130 characters of
 * mixed-script text, a token count, and a small typical metadata object (a string, an integer, a double, an
 * array). Built outside the timed region.
 */
public final class ChatWorkload {
    private static final String FILLER = "The quick brown fox jumps over the lazy dog; Grüße, 你好, 👋. ";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ChatWorkload() {}

    /**
     * The order the two sides run in a round: ABBA, so that drift of the machine hits both alike.
     *
     * @param round the round, from 0
     * @return 0 (Dal) and 1 (raw) in this round's order
     */
    static int[] order(int round) {
        return (round % 4 == 0 || round % 4 == 3) ? new int[] {0, 1} : new int[] {1, 0};
    }

    /**
     * @param batch the batch number, from 0
     * @param size messages per batch
     * @return the batch's messages to append
     */
    static List<NewMessage> newMessages(int batch, int size) {
        List<NewMessage> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            long n = (long) batch * size + i;
            out.add(new NewMessage(n % 2 == 0 ? Role.USER : Role.ASSISTANT, text(n), metadata(n), tokens(n), false));
        }
        return out;
    }

    /**
     * @param sessionId the session the records belong to
     * @param batch the batch number, from 0
     * @param size records per batch
     * @return exact records for a bulk upsert, numbered on from the earlier batches'
     */
    static List<Message> records(UUID sessionId, int batch, int size) {
        Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Message> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            long n = (long) batch * size + i;
            out.add(new Message(
                    Ids.newId(),
                    sessionId,
                    n + 1,
                    n % 2 == 0 ? Role.USER : Role.ASSISTANT,
                    text(n),
                    metadata(n),
                    tokens(n),
                    false,
                    base.plusMillis(i)));
        }
        return out;
    }

    private static int tokens(long n) {
        return 20 + (int) (n % 50);
    }

    /**
     * @param n the message's number
     * @return its text: about 130 characters, mixed scripts (Latin, German umlauts, Chinese, an emoji outside the BMP)
     */
    public static String text(long n) {
        return "message " + n + ": " + FILLER + FILLER;
    }

    /**
     * @param n the message's number
     * @return the typical small metadata object: a string, an integer, a double, an array of two strings
     */
    public static ObjectNode metadata(long n) {
        ObjectNode meta = NODES.objectNode();
        meta.put("source", "bench");
        meta.put("n", n);
        meta.put("temperature", 0.7);
        meta.putArray("tags").add("greeting").add("en");
        return meta;
    }
}
