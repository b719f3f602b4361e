package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.Ids;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Large upserts of new messages go by {@code COPY} (from 200 messages on): every value arrives exactly as given,
 * and a batch with stored messages, found before or during the {@code COPY}, is upserted by the batched INSERT's
 * rules. The store has one pooled connection, so every batch runs on the connection the one before left.
 */
class PostgresCopyUpsertTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int LARGE = 300;
    private static final Instant BASE = Instant.parse("2024-03-01T12:00:00.123Z");

    /** Text that a careless COPY encoding would change, split or take for a NULL. */
    private static final List<String> HOSTILE = List.of(
            "",
            "\\N",
            "\\\\N",
            "NULL",
            "\\.",
            "line one\nline two\r\nline three\r",
            "tab\there\tand\tthere\t",
            "\t",
            "\n",
            "\\",
            "back\\slash \\t \\n \\\\ at the end\\",
            "\"double\" and 'single' quotes, a comma, a ; semicolon",
            "Unicode: żółć, Привет, 日本語, עברית, 😀👍🏽, e\u0301, \u2028\u2029, \u00a0",
            "{\"looks\": \"like json\", \"esc\": \"\\\"\\n\"}",
            "\u0001\u0002\u001f\u007f control characters");

    private static PostgresTarget target;
    private static String database;
    private static DataAccess store;

    @BeforeAll
    static void open() throws Exception {
        target = PostgresTarget.get();
        database = target.createDatabase("dal_copy_upsert");
        Map<String, String> settings = new HashMap<>(target.server().settingsForDatabase(database));
        settings.put("DB_MAX_CONNECTIONS", "1");
        store = PostgresTarget.open(settings);
    }

    @AfterAll
    static void close() throws Exception {
        if (store != null) {
            store.close();
        }
        if (database != null) {
            target.dropDatabase(database);
        }
    }

    @Test
    void hostileTextInContentAndMetadataRoundTripsExactly() {
        UUID session = newSession();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < LARGE; i++) {
            String text = HOSTILE.get(i % HOSTILE.size());
            ObjectNode metadata = F.objectNode();
            if (i % 3 != 0) {
                metadata.put("text", text).put(text.isEmpty() ? "empty" : text, i);
                metadata.putObject("nested").put("double", i + 0.5).putNull("nothing");
                metadata.putArray("list").add(text).add(Long.MAX_VALUE).add(true);
            }
            messages.add(message(session, i + 1, text, metadata, i % 2 == 0 ? null : i, i % 5 == 0));
        }
        store.bulk().upsertMessages(messages);
        assertThat(stored(session)).containsExactlyElementsOf(messages);
    }

    @Test
    void aLargeBatchOfNewSessionsRoundTripsExactlyWithItsVersions() {
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < LARGE; i++) {
            String text = HOSTILE.get(i % HOSTILE.size());
            UUID id = Ids.newId();
            ObjectNode metadata = F.objectNode().put("text", text);
            metadata.putArray("list").add(text).add(i);
            sessions.add(new ChatSession(
                    id,
                    "copy-" + text + "-" + id,
                    null,
                    i % 4 == 0 ? null : text,
                    i % 3 == 0 ? "general" : "p\t\\N\n" + i,
                    metadata,
                    i % 2 == 0 ? SessionStatus.ACTIVE : SessionStatus.ARCHIVED,
                    BASE.plusMillis(i),
                    BASE.plusMillis(2L * i),
                    i % 5 == 0 ? null : BASE.plusSeconds(i),
                    i,
                    1 + i % 7));
        }
        store.bulk().upsertSessions(sessions);
        List<ChatSession> found = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<ChatSession> batch = store.bulk().scanSessions(cursor, 1000);
            found.addAll(batch.items());
            cursor = batch.nextCursor();
        } while (cursor != null);
        assertThat(found).containsAll(sessions);

        // Stored now: a second large batch goes by the INSERT's version rule, newer versions only.
        List<ChatSession> again = new ArrayList<>();
        for (ChatSession s : sessions) {
            again.add(new ChatSession(
                    s.id(),
                    s.chatId(),
                    null,
                    "again",
                    s.profile(),
                    s.metadata(),
                    s.status(),
                    s.createdAt(),
                    s.updatedAt(),
                    s.lastMessageAt(),
                    s.messageCount(),
                    s.version() % 2 == 0 ? s.version() + 1 : 1));
        }
        store.bulk().upsertSessions(again);
        found.clear();
        cursor = null;
        do {
            ScanBatch<ChatSession> batch = store.bulk().scanSessions(cursor, 1000);
            found.addAll(batch.items());
            cursor = batch.nextCursor();
        } while (cursor != null);
        for (int i = 0; i < LARGE; i++) {
            ChatSession expected = sessions.get(i).version() % 2 == 0 ? again.get(i) : sessions.get(i);
            assertThat(found).contains(expected);
        }
    }

    @Test
    void aLargeBatchReplacesStoredMessagesById() {
        UUID session = newSession();
        List<Message> first = messages(session, 1, LARGE, "first");
        store.bulk().upsertMessages(first);
        List<Message> second = new ArrayList<>();
        for (Message m : first) {
            second.add(new Message(
                    m.id(),
                    session,
                    m.sequenceNumber(),
                    Role.ASSISTANT,
                    "second " + m.sequenceNumber(),
                    F.objectNode().put("v", 2),
                    7,
                    true,
                    BASE.plusSeconds(1)));
        }
        store.bulk().upsertMessages(second);
        store.bulk().upsertMessages(second); // idempotent
        assertThat(stored(session)).containsExactlyElementsOf(second);
    }

    @Test
    void aStoredMessageTheSampleMissesIsReplacedAllTheSame() {
        UUID session = newSession();
        List<Message> batch = messages(session, 1, LARGE, "new");
        Message stored = batch.get(10); // not among the ids sampled before COPY goes straight into the table
        store.bulk().upsertMessages(List.of(stored));
        Message replacing = new Message(
                stored.id(), session, stored.sequenceNumber(), Role.SYSTEM, "replaced", F.objectNode(), 3, true, BASE);
        batch.set(10, replacing);
        store.bulk().upsertMessages(batch);
        assertThat(stored(session)).containsExactlyElementsOf(batch);
    }

    @Test
    void twoLargeBatchesInOneTransactionStoreEachMessageOnce() {
        UUID session = newSession();
        List<Message> a = messages(session, 1, LARGE, "a");
        List<Message> b = messages(session, LARGE + 1, LARGE, "b");
        store.inTransaction(tx -> {
            tx.bulk().upsertMessages(a);
            tx.bulk().upsertMessages(b);
            return null;
        });
        List<Message> both = new ArrayList<>(a);
        both.addAll(b);
        assertThat(stored(session)).containsExactlyElementsOf(both);
    }

    @Test
    void aLargeBatchRolledBackWithItsTransactionLeavesNothing() {
        UUID session = newSession();
        List<Message> rolledBack = messages(session, 1, LARGE, "rolled back");
        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.bulk().upsertMessages(rolledBack);
                    throw new IllegalStateException("the caller's work fails");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(stored(session)).isEmpty();
        List<Message> next = messages(session, 1, LARGE, "next");
        store.bulk().upsertMessages(next);
        assertThat(stored(session)).containsExactlyElementsOf(next);
    }

    @Test
    void aTakenSequenceNumberUnderAnotherIdIsADuplicateKeyAndNothingOfTheBatchIsStored() {
        UUID session = newSession();
        List<Message> first = messages(session, 1, LARGE, "first");
        store.bulk().upsertMessages(first);
        List<Message> clash = messages(session, LARGE, LARGE, "clash"); // its first number is taken
        assertThatThrownBy(() -> store.bulk().upsertMessages(clash)).isInstanceOf(DuplicateKeyException.class);
        assertThat(stored(session)).containsExactlyElementsOf(first);
    }

    @Test
    void aCopyThatWaitsForATableLockEndsWithinTheQueryTimeout() throws Exception {
        UUID session = newSession();
        List<Message> batch = messages(session, 1, LARGE, "waits");
        Map<String, String> settings = new HashMap<>(target.server().settingsForDatabase(database));
        settings.put("DB_QUERY_TIMEOUT", "1");
        try (DataAccess bounded = PostgresTarget.open(settings)) {
            bounded.healthCheck();
            try (Connection inDatabase = DriverManager.getConnection(
                            settings.get("DATABASE_URL"),
                            settings.getOrDefault("DB_USER", "postgres"),
                            settings.get("DB_PASSWORD"));
                    Statement st = inDatabase.createStatement()) {
                inDatabase.setAutoCommit(false);
                // the sampled look-up (ACCESS SHARE) passes; COPY's ROW EXCLUSIVE waits for this lock
                st.execute("LOCK TABLE messages IN SHARE MODE");
                long start = System.nanoTime();
                assertThatThrownBy(() -> bounded.bulk().upsertMessages(batch)).isInstanceOf(DataAccessException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                inDatabase.rollback();
            }
        }
        assertThat(stored(session)).isEmpty();
    }

    private static UUID newSession() {
        UUID id = Ids.newId();
        store.bulk()
                .upsertSessions(List.of(new ChatSession(
                        id, "copy-" + id, null, "t", null, null, SessionStatus.ACTIVE, BASE, BASE, null, 0)));
        return id;
    }

    private static List<Message> messages(UUID session, long firstNumber, int count, String text) {
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            messages.add(message(session, firstNumber + i, text + " " + i, F.objectNode(), null, false));
        }
        return messages;
    }

    private static Message message(
            UUID session, long number, String content, ObjectNode metadata, Integer tokens, boolean flagged) {
        return new Message(
                Ids.newId(),
                session,
                number,
                number % 2 == 1 ? Role.USER : Role.ASSISTANT,
                content,
                metadata,
                tokens,
                flagged,
                BASE.plusMillis(number));
    }

    /** @return the session's stored messages, by sequence number */
    private static List<Message> stored(UUID session) {
        List<Message> found = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<Message> batch = store.bulk().scanMessages(cursor, 1000);
            batch.items().stream().filter(m -> m.sessionId().equals(session)).forEach(found::add);
            cursor = batch.nextCursor();
        } while (cursor != null);
        return found;
    }
}
