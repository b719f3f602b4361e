package dev.dal.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.ScanBatch;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared helpers of the contract interfaces: seeding, whole-store snapshots, common assertions. */
final class Fixtures {
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** A string with a NUL character inside. */
    static final String NUL = "a\u0000b";
    /** A string with a high surrogate that has no low surrogate after it. */
    static final String LONE_HIGH = "a\ud83db";
    /** A string with a low surrogate that has no high surrogate before it. */
    static final String LONE_LOW = "a\ude00b";

    /** Package names of drivers whose types or messages must never cross the API. */
    static final List<String> DRIVER_NAMES = List.of(
            "org.postgresql",
            "com.mongodb",
            "org.mongodb",
            "org.bson",
            "org.neo4j",
            "java.sql.",
            "SQLException",
            "PSQLException",
            "org.jdbi",
            "com.zaxxer",
            "liquibase",
            "com.fasterxml.jackson.core.JsonParseException",
            "java.io.IOException",
            "NullPointerException");

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int SCAN_BATCH = 500;

    private Fixtures() {}

    /** Everything a store holds, as its bulk scans see it. */
    record Snapshot(
            List<User> users,
            List<ChatSession> sessions,
            List<Message> messages,
            List<MemoryEntry> memory,
            List<MessageVote> votes,
            List<TokenUsage> tokenUsage) {}

    /** A user with a session, three messages and two memory entries, so "nothing changed" means something. */
    record Seed(User user, ChatSession session, List<Message> messages) {}

    static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet();
    }

    static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    static JsonNode json(String text) {
        return JsonValues.parse(text);
    }

    static ObjectNode object(String text) {
        return (ObjectNode) JsonValues.parse(text);
    }

    static User user(DataAccess store) {
        return store.createUser(NewUser.withExternalId(unique("ext")));
    }

    static ChatSession session(DataAccess store, UUID userId) {
        return store.createChatSession(NewChatSession.of(unique("chat"), userId));
    }

    static ChatSession session(DataAccess store) {
        return session(store, null);
    }

    /** Adds {@code count} user messages one by one, with contents {@code "m<seq>"} counted from the current count. */
    static List<Message> messages(DataAccess store, String chatId, int count) {
        List<Message> added = new ArrayList<>();
        long start = store.getMessageCount(chatId);
        for (int i = 1; i <= count; i++) {
            added.add(store.addMessage(chatId, NewMessage.user("m" + (start + i))));
        }
        return added;
    }

    /** Adds {@code count} messages in batches of up to 1000. */
    static List<Message> manyMessages(DataAccess store, String chatId, int count) {
        List<Message> added = new ArrayList<>();
        while (added.size() < count) {
            List<NewMessage> batch = new ArrayList<>();
            for (int i = 0; i < Math.min(1000, count - added.size()); i++) {
                batch.add(NewMessage.assistant("bulk " + (added.size() + i + 1)));
            }
            added.addAll(store.addMessages(chatId, batch));
        }
        return added;
    }

    static Seed seed(DataAccess store) {
        User user = store.createUser(NewUser.builder()
                .externalId("seed-user")
                .email("seed@example.org")
                .name("Seed")
                .profile(object("{\"plan\":\"pro\"}"))
                .build());
        ChatSession session = store.createChatSession(
                new NewChatSession("seed-chat", user.id(), "Seed chat", "coding", object("{\"k\":1}")));
        List<Message> messages = messages(store, session.chatId(), 3);
        store.setUserMemory(user.id(), "preferences", "language", F.textNode("en"));
        store.setUserMemory(user.id(), "context", "topic", object("{\"name\":\"dal\"}"));
        return new Seed(user, store.getChatSession(session.chatId()).orElseThrow(), messages);
    }

    static Snapshot snapshot(DataAccess store) {
        return new Snapshot(
                scanAll(store.bulk()::scanUsers, SCAN_BATCH),
                scanAll(store.bulk()::scanSessions, SCAN_BATCH),
                scanAll(store.bulk()::scanMessages, SCAN_BATCH),
                scanAll(store.bulk()::scanMemory, SCAN_BATCH),
                scanAll(store.bulk()::scanVotes, SCAN_BATCH),
                scanAll(store.bulk()::scanTokenUsage, SCAN_BATCH));
    }

    /** Follows a scan's cursors to the end, failing on oversized batches or a cursor that does not move. */
    static <T> List<T> scanAll(BiFunction<String, Integer, ScanBatch<T>> scan, int batchSize) {
        List<T> all = new ArrayList<>();
        Set<String> seenCursors = new HashSet<>();
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor, batchSize);
            assertThat(batch.items()).as("scan batch size").hasSizeLessThanOrEqualTo(batchSize);
            all.addAll(batch.items());
            cursor = batch.nextCursor();
            assertThat(cursor == null || seenCursors.add(cursor))
                    .as("scan cursor %s repeats", cursor)
                    .isTrue();
            assertThat(seenCursors.size()).as("scan batches").isLessThan(1_000_000);
        } while (cursor != null);
        return all;
    }

    /** Asserts the call is rejected by validation for {@code field} with a stated rule, and the store is unchanged. */
    static ValidationException assertRejected(DataAccess store, String field, ThrowingCallable call) {
        Snapshot before = snapshot(store);
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected a ValidationException for %s", field).isInstanceOf(ValidationException.class);
        ValidationException e = (ValidationException) thrown;
        assertThat(namesField(e.field(), field))
                .as("field() was '%s', expected it to name '%s'", e.field(), field)
                .isTrue();
        assertThat(e.rule()).as("rule()").isNotBlank();
        assertThat(e.getMessage()).contains(e.rule());
        assertThat(snapshot(store)).as("store after a rejected call").isEqualTo(before);
        return e;
    }

    private static boolean namesField(String actual, String expected) {
        if (actual == null) {
            return false;
        }
        if (actual.equals(expected)) {
            return true;
        }
        return actual.startsWith(expected) && ".[ ".indexOf(actual.charAt(expected.length())) >= 0;
    }

    /** Asserts the call throws the given kind of {@link DataAccessException}, whose message names no driver. */
    static <E extends DataAccessException> E assertFails(Class<E> type, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(type);
        assertThat(thrown.getMessage()).as("exception message").isNotBlank();
        assertNoDriverNames(thrown);
        return type.cast(thrown);
    }

    static void assertNoDriverNames(Throwable thrown) {
        String text = thrown.getMessage() == null ? "" : thrown.getMessage();
        for (String name : DRIVER_NAMES) {
            assertThat(text).as("message of %s", thrown.getClass().getName()).doesNotContain(name);
        }
    }

    /** {@code depth} nested containers (arrays and objects alternating), the innermost holding a number. */
    static JsonNode nested(int depth) {
        JsonNode node = F.numberNode(depth);
        for (int level = depth; level >= 1; level--) {
            if (level % 2 == 0) {
                ArrayNode array = F.arrayNode();
                array.add(node);
                node = array;
            } else {
                ObjectNode object = F.objectNode();
                object.set("l" + level, node);
                node = object;
            }
        }
        return node;
    }

    /** An object whose total nesting (the object itself included) is {@code depth} containers. */
    static ObjectNode nestedObject(int depth) {
        ObjectNode root = F.objectNode();
        root.set("d", nested(depth - 1));
        return root;
    }

    static Comparator<ChatSession> listingOrder() {
        return Comparator.comparing(ChatSession::lastActivityAt)
                .reversed()
                .thenComparing(Comparator.comparing((ChatSession s) -> s.id().toString())
                        .reversed());
    }

    /** Runs each task on its own thread, all released at once; returns their results in task order. */
    static <T> List<T> concurrently(List<Callable<T>> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(120, TimeUnit.SECONDS));
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (Exception e) {
            throw new AssertionError("a concurrent task failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }
}
