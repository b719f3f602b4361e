package dev.dal.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.spi.Ids;
import dev.dal.api.spi.MessageDigests;
import dev.dal.postgres.PostgresStoreProvider;
import dev.dal.test.postgres.PostgresTestServer;
import dev.dal.testkit.DigestContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hash PostgreSQL stores beside each message: every write path stores the hash the digest statement would
 * compute from the row, a row without one is hashed by the statement, and an update outside Dal that changes a
 * hashed column forgets the stale hash instead of letting verify trust it.
 */
class PostgresStoredDigestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant BASE = Instant.parse("2024-05-01T08:00:00.250Z");

    /** Per row: whether it has a stored hash, and whether that hash equals the one computed from the row. */
    private static final String STORED_AGAINST_COMPUTED = "SELECT count(*), "
            + "count(*) FILTER (WHERE m.digest_1 IS NULL OR m.digest_2 IS NULL OR m.digest_3 IS NULL "
            + "OR m.digest_4 IS NULL), "
            + "count(*) FILTER (WHERE (m.digest_1, m.digest_2, m.digest_3, m.digest_4) IS DISTINCT FROM "
            + "(substring(c.h FROM 1 FOR 32)::int, substring(c.h FROM 33 FOR 32)::int, "
            + "substring(c.h FROM 65 FOR 32)::int, substring(c.h FROM 97 FOR 32)::int)) "
            + "FROM messages m CROSS JOIN LATERAL (SELECT " + PostgresDigests.COMPUTED_HASH + " AS h) c";

    private static DataAccess store;
    private static Connection sql;

    @BeforeAll
    static void open() throws SQLException {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase("dal_stored_digest");
        store = DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider());
        store.healthCheck(); // migrates the schema
        Properties props = new Properties();
        props.setProperty("user", settings.getOrDefault("DB_USER", "postgres"));
        if (settings.get("DB_PASSWORD") != null) {
            props.setProperty("password", settings.get("DB_PASSWORD"));
        }
        sql = DriverManager.getConnection(settings.get("DATABASE_URL"), props);
    }

    @AfterAll
    static void close() throws SQLException {
        if (sql != null) {
            sql.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @BeforeEach
    void empty() throws SQLException {
        execute("TRUNCATE token_usage, message_votes, users, chat_sessions, messages, user_memory, user_tombstones, "
                + "session_tombstones, memory_tombstones");
    }

    @Test
    void everyWritePathStoresTheHashItsRowHashesTo() throws SQLException {
        User user =
                store.createUser(NewUser.builder().externalId("stored-digest").build());
        String chatId = "stored-digest-chat";
        store.createChatSession(new NewChatSession(chatId, user.id(), null, null, null));
        List<NewMessage> turns = new ArrayList<>();
        for (int i = 0; i < DigestContract.METADATA.size(); i++) {
            turns.add(new NewMessage(
                    i % 2 == 0 ? Role.USER : Role.ASSISTANT,
                    DigestContract.CONTENT.get(i % DigestContract.CONTENT.size()),
                    metadata(i),
                    i % 3 == 0 ? null : i,
                    i % 4 == 1));
        }
        store.addMessages(chatId, turns); // the chat path
        List<Message> inserted = corpus(newSession(), 20); // a batched INSERT
        store.bulk().upsertMessages(inserted);
        List<Message> copied = corpus(newSession(), 300); // COPY
        store.bulk().upsertMessages(copied);
        store.bulk().upsertMessages(copied); // stored already: INSERT … ON CONFLICT, the same rows
        Message replaced = withContent(inserted.get(3), "replaced by a bulk upsert");
        store.bulk().upsertMessages(List.of(replaced)); // ON CONFLICT, a new row

        long[] figures = storedAgainstComputed();
        assertThat(figures[0]).as("messages").isEqualTo(turns.size() + 20 + 300);
        assertThat(figures[1]).as("messages without a stored hash").isZero();
        assertThat(figures[2]).as("stored hashes that differ from the row's").isZero();
    }

    @Test
    void rowsWithoutAStoredHashAreHashedByTheStatement() throws SQLException {
        UUID session = newSession();
        List<Message> messages = corpus(session, 40);
        store.bulk().upsertMessages(messages);
        IdRange range = new IdRange(session, session);
        RangeDigest stored = digest(range);

        // As a writer that predates the digest columns leaves them.
        execute("UPDATE messages SET digest_1 = NULL, digest_2 = NULL, digest_3 = NULL, digest_4 = NULL "
                + "WHERE sequence_number % 2 = 0");
        execute("UPDATE messages SET digest_3 = NULL WHERE sequence_number = 1");

        assertThat(storedAgainstComputed()[1]).as("rows left without a hash").isEqualTo(21);
        assertThat(digest(range)).isEqualTo(stored).isEqualTo(expected(range, messages));
    }

    @Test
    void anUpdateOutsideDalThatChangesAHashedColumnForgetsTheHash() throws SQLException {
        UUID session = newSession();
        List<Message> messages = corpus(session, 10);
        store.bulk().upsertMessages(messages);
        IdRange range = new IdRange(session, session);

        execute("UPDATE messages SET content = content || '!' WHERE sequence_number = 2");
        execute("UPDATE messages SET metadata = '{\"by\": \"hand\"}' WHERE sequence_number = 5");
        execute("UPDATE messages SET token_count = token_count, role = role WHERE sequence_number = 7");

        long[] figures = storedAgainstComputed();
        assertThat(figures[1]).as("rows whose hash was forgotten").isEqualTo(2);
        assertThat(figures[2] - figures[1])
                .as("stored hashes that differ from the row's")
                .isZero();
        List<Message> now = new ArrayList<>(messages);
        now.set(1, withContent(messages.get(1), messages.get(1).content() + "!"));
        now.set(
                4,
                with(
                        messages.get(4),
                        messages.get(4).content(),
                        JSON.createObjectNode().put("by", "hand")));
        assertThat(digest(range)).isEqualTo(expected(range, now));
        assertThat(digest(range).sameContent(expected(range, messages))).isFalse();
    }

    private static UUID newSession() {
        UUID id = Ids.newId();
        store.bulk()
                .upsertSessions(List.of(new ChatSession(
                        id, "stored-" + id, null, "t", null, null, SessionStatus.ACTIVE, BASE, BASE, null, 0)));
        return id;
    }

    /** Messages numbered from 1 whose content and metadata cycle through the kit's hard cases. */
    private static List<Message> corpus(UUID session, int count) {
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            messages.add(new Message(
                    Ids.newId(),
                    session,
                    i + 1,
                    i % 2 == 0 ? Role.USER : Role.ASSISTANT,
                    DigestContract.CONTENT.get(i % DigestContract.CONTENT.size()),
                    metadata(i),
                    i % 3 == 0 ? null : i * 7,
                    i % 4 == 1,
                    BASE.plusMillis(i)));
        }
        return messages;
    }

    private static Message withContent(Message m, String content) {
        return with(m, content, m.metadata());
    }

    private static Message with(Message m, String content, ObjectNode metadata) {
        return new Message(
                m.id(),
                m.sessionId(),
                m.sequenceNumber(),
                m.role(),
                content,
                metadata,
                m.tokenCount(),
                m.abuseFlagged(),
                m.createdAt());
    }

    private static ObjectNode metadata(int i) {
        try {
            return (ObjectNode) JSON.readTree(DigestContract.METADATA.get(i % DigestContract.METADATA.size()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RangeDigest digest(IdRange range) {
        return store.bulk().digestMessages(List.of(range)).get(0);
    }

    private static RangeDigest expected(IdRange range, List<Message> messages) {
        MessageDigests.Accumulator sum = new MessageDigests.Accumulator();
        messages.forEach(sum::add);
        return sum.digest(range);
    }

    /** @return messages, those without a stored hash, those whose stored hash is not their computed one */
    private static long[] storedAgainstComputed() throws SQLException {
        try (PreparedStatement ps = sql.prepareStatement(STORED_AGAINST_COMPUTED);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    private static void execute(String statement) throws SQLException {
        try (var st = sql.createStatement()) {
            st.execute(statement);
        }
    }
}
