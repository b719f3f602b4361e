package dev.dal.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.Role;
import dev.dal.benchmarks.ChatWorkload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The inputs every microbenchmark shares, built the way {@code PostgresBenchmark} builds its messages, so that a
 * figure here and a figure there describe the same record: about 130 characters of mixed-script text (Latin,
 * German umlauts, Chinese, an emoji outside the BMP), a token count, and the metadata
 * {@code {"source":"bench","n":1,"temperature":0.7,"tags":["greeting","en"]}} built with Jackson's tree API.
 */
public final class BenchData {
    /** A fixed session id: the mapping code only copies it. */
    public static final UUID SESSION_ID = UUID.fromString("01890a5d-ac96-7000-8000-000000000001");
    /** A fixed message id. */
    public static final UUID MESSAGE_ID = UUID.fromString("01890a5d-ac96-7000-8000-000000000002");
    /** A creation time in milliseconds, as Dal stores it. */
    public static final Instant CREATED_AT = Instant.parse("2026-12-01T12:34:56.789Z");
    /** How many messages a batch benchmark handles: the size of one {@code addMessages} call in issue 18. */
    public static final int BATCH = 1_000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BenchData() {}

    /**
     * @param n the message's number
     * @return its text: about 130 characters, mixed scripts
     */
    public static String text(long n) {
        return ChatWorkload.text(n);
    }

    /**
     * @param n the message's number
     * @return the typical small metadata object: a string, an integer, a double, an array of two strings
     */
    public static ObjectNode metadata(long n) {
        return ChatWorkload.metadata(n);
    }

    /**
     * A larger, profile-like tree (about 1.7 KB as JSON, four levels deep): names, settings, a list of interests
     * and a history of recent topics with scores, the kind of value a user profile or a memory entry holds.
     *
     * @return a new tree
     */
    public static ObjectNode profile() {
        ObjectNode p = NODES.objectNode();
        p.put("displayName", "Zoë Müller-Øberg");
        p.put("locale", "de-CH");
        p.put("timezone", "Europe/Zurich");
        p.put("age", 34);
        p.put("accountId", 9_007_199_254_740_993L);
        p.put("score", 0.8125);
        p.put("verified", true);
        p.putNull("deletedAt");
        ObjectNode settings = p.putObject("settings");
        settings.put("theme", "dark");
        settings.put("fontScale", 1.25);
        ObjectNode notify = settings.putObject("notifications");
        notify.put("email", true);
        notify.put("push", false);
        notify.put("digest", "weekly");
        ObjectNode quiet = notify.putObject("quietHours");
        quiet.put("from", "22:00");
        quiet.put("to", "07:00");
        ArrayNode interests = p.putArray("interests");
        for (String s : new String[] {
            "hiking", "jazz", "機械学習", "cooking", "chess", "photography", "Tee", "cycling", "astronomy", "poetry"
        }) {
            interests.add(s);
        }
        ArrayNode history = p.putArray("recentTopics");
        for (int i = 0; i < 12; i++) {
            ObjectNode topic = history.addObject();
            topic.put("topic", "topic " + i + " — Fragen über Reisen");
            topic.put("count", i * 3 + 1);
            topic.put("weight", 0.05 * (i + 1));
            topic.putArray("keywords").add("reise").add("plan").add(i);
        }
        return p;
    }

    /**
     * @param n the message's number
     * @return what a caller passes to {@code addMessages}
     */
    public static NewMessage newMessage(long n) {
        Role role = n % 2 == 0 ? Role.USER : Role.ASSISTANT;
        return new NewMessage(role, text(n), metadata(n), 20 + (int) (n % 50), false);
    }

    /**
     * @return {@link #BATCH} new messages, numbered from 0
     */
    public static List<NewMessage> newMessages() {
        List<NewMessage> out = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            out.add(newMessage(i));
        }
        return out;
    }

    /**
     * @param n the message's number
     * @return the stored record of {@link #newMessage(long) newMessage(n)}, sequence number {@code n + 1}
     */
    public static Message message(long n) {
        return newMessage(n).toMessage(MESSAGE_ID, SESSION_ID, n + 1, CREATED_AT);
    }

    /**
     * @return {@link #BATCH} stored records, numbered from 0, each with its own id
     */
    public static List<Message> messages() {
        List<Message> out = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            out.add(newMessage(i)
                    .toMessage(new UUID(MESSAGE_ID.getMostSignificantBits(), i), SESSION_ID, i + 1L, CREATED_AT));
        }
        return out;
    }
}
