package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.User;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary value written as message content, message metadata, a user profile and a memory value
 * never reaches a log line — SLF4J output (slf4j-simple writes to {@code System.err}; this module's
 * tests run Dal's, Hikari's and Jdbi's loggers at DEBUG), {@code System.out}, and
 * {@code java.util.logging} (pgjdbc at FINE, Liquibase) — while writes fail: a failing batch insert, a
 * duplicate key, a connection dropped by {@code pg_terminate_backend} in the middle of a batch, and a
 * missing table.
 */
class PostgresLogCanaryTest {
    private static final String CANARY = "canary-" + UUID.randomUUID();

    private final PostgresTarget target = PostgresTarget.get();
    private final StringBuilder julOutput = new StringBuilder();
    private final ByteArrayOutputStream streamOutput = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private PrintStream originalOut;
    private Handler julCapture;
    private Level postgresLevel;

    @BeforeEach
    void capture() {
        originalErr = System.err;
        originalOut = System.out;
        System.setErr(new PrintStream(tee(streamOutput, originalErr), true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(tee(streamOutput, originalOut), true, StandardCharsets.UTF_8));
        julCapture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringWriter text = new StringWriter();
                text.append(record.getLoggerName()).append(' ').append(String.valueOf(record.getMessage()));
                if (record.getParameters() != null) {
                    for (Object p : record.getParameters()) {
                        text.append(' ').append(String.valueOf(p));
                    }
                }
                if (record.getThrown() != null) {
                    record.getThrown().printStackTrace(new PrintWriter(text));
                }
                synchronized (julOutput) {
                    julOutput.append(text).append('\n');
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        julCapture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(julCapture);
        Logger pgjdbc = Logger.getLogger("org.postgresql");
        postgresLevel = pgjdbc.getLevel();
        pgjdbc.setLevel(Level.FINE);
    }

    @AfterEach
    void release() {
        System.setErr(originalErr);
        System.setOut(originalOut);
        Logger.getLogger("").removeHandler(julCapture);
        Logger.getLogger("org.postgresql").setLevel(postgresLevel);
    }

    private static OutputStream tee(ByteArrayOutputStream capture, PrintStream original) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (capture) {
                    capture.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (capture) {
                    capture.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
    }

    private String captured() {
        System.err.flush();
        System.out.flush();
        String streams;
        synchronized (streamOutput) {
            streams = streamOutput.toString(StandardCharsets.UTF_8);
        }
        synchronized (julOutput) {
            return streams + "\n" + julOutput;
        }
    }

    private static ObjectNode canaryObject() {
        return JsonNodeFactory.instance.objectNode().put("secretValue", CANARY);
    }

    @Test
    void theCanaryReachesNoLogLineWhileWritesFail() throws Exception {
        String application = "dal_canary_" + UUID.randomUUID().toString().substring(0, 8);
        String database = target.createDatabase("dal_canary");
        try {
            Map<String, String> settings = new HashMap<>(target.hostSettings("127.0.0.1:" + target.port()));
            settings.put("DB_NAME", database);
            settings.put("DB_AUTO_MIGRATE", "true");
            settings.put("DAL_TX_RETRIES", "0");
            settings.put("DB_MAX_CONNECTIONS", "2");
            settings.put(
                    "DATABASE_URL",
                    "jdbc:postgresql://127.0.0.1:" + target.port() + "/" + database + "?ApplicationName="
                            + application);
            try (DataAccess store = PostgresTarget.open(settings)) {
                User user = store.createUser(NewUser.builder()
                        .externalId("canary-user-" + UUID.randomUUID())
                        .profile(canaryObject())
                        .build());
                ChatSession session =
                        store.createChatSession(NewChatSession.of("canary-" + UUID.randomUUID(), user.id()));
                Message stored = firstMessage(store, session);

                // 1. A failing batch insert: messages of a session that does not exist (bulk path, a JDBC batch).
                Throwable batch =
                        catchThrowable(() -> store.bulk().upsertMessages(List.of(orphan(), orphan(), orphan())));
                assertThat(batch).isInstanceOf(DataAccessException.class);

                // 2. Duplicate keys: the same message id again, and a user whose externalId is taken.
                Throwable duplicate = catchThrowable(() -> store.addMessages(
                        session.chatId(),
                        List.of(NewMessage.user(CANARY + " again")
                                .withMetadata(canaryObject())
                                .withId(stored.id()))));
                assertThat(duplicate).isInstanceOf(DataAccessException.class);
                Throwable duplicateUser = catchThrowable(() -> store.createUser(NewUser.builder()
                        .externalId(user.externalId())
                        .profile(canaryObject())
                        .build()));
                assertThat(duplicateUser).isInstanceOf(DataAccessException.class);
                Throwable orphanMemory = catchThrowable(() -> store.setUserMemory(
                        UUID.randomUUID(), "facts", "k", JsonNodeFactory.instance.textNode(CANARY)));
                assertThat(orphanMemory).isInstanceOf(DataAccessException.class);

                // 3. The connection dropped by the server in the middle of a transaction, then a batch on it.
                Throwable dropped = catchThrowable(() -> store.inTransaction(tx -> {
                    tx.addMessage(session.chatId(), NewMessage.user(CANARY).withMetadata(canaryObject()));
                    terminateBackends(application);
                    tx.bulk().upsertMessages(List.of(message(session.id(), 1_000)));
                    return null;
                }));
                assertThat(dropped).isInstanceOf(DataAccessException.class);
                assertThat(store.getChatHistory(session.chatId(), 10, 0)).isNotEmpty();

                // 4. Missing tables.
                try (Connection admin = target.dataSource(database).getConnection();
                        Statement st = admin.createStatement()) {
                    st.execute("DROP TABLE user_memory");
                    st.execute("DROP TABLE message_votes"); // its foreign key holds messages
                    st.execute("DROP TABLE token_usage"); // so does this one's
                    st.execute("DROP TABLE messages");
                }
                Throwable noMemory = catchThrowable(
                        () -> store.setUserMemory(user.id(), "facts", "k", JsonNodeFactory.instance.textNode(CANARY)));
                assertThat(noMemory).isInstanceOf(DataAccessException.class);
                Throwable noMessages = catchThrowable(() -> store.addMessages(
                        session.chatId(), List.of(NewMessage.user(CANARY).withMetadata(canaryObject()))));
                assertThat(noMessages).isInstanceOf(DataAccessException.class);

                for (Throwable t :
                        List.of(batch, duplicate, duplicateUser, orphanMemory, dropped, noMemory, noMessages)) {
                    for (Throwable c = t; c != null; c = c.getCause()) {
                        assertThat(String.valueOf(c.getMessage())).doesNotContain(CANARY);
                    }
                }
            }
        } finally {
            target.dropDatabase(database);
        }

        String logs = captured();
        // The capture saw the failures (so an empty capture cannot pass this test) ...
        assertThat(logs).as("Hikari's line for the dropped connection").contains("marked as broken");
        assertThat(logs)
                .as("Dal's line for the missing table")
                .contains("Untranslated PostgreSQL failure")
                .contains("42P01");
        // ... and none of them carried the canary.
        assertThat(logs).doesNotContain(CANARY);
    }

    private static Message firstMessage(DataAccess store, ChatSession session) {
        return store.addMessage(session.chatId(), NewMessage.user(CANARY).withMetadata(canaryObject()));
    }

    private static Message orphan() {
        return message(UUID.randomUUID(), 1);
    }

    private static Message message(UUID sessionId, long sequence) {
        return new Message(
                UUID.randomUUID(), sessionId, sequence, Role.USER, CANARY, canaryObject(), null, false, Instant.now());
    }

    private void terminateBackends(String application) {
        try (Connection admin = target.server().connect();
                PreparedStatement kill =
                        admin.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                                + " FROM pg_stat_activity WHERE application_name = ?")) {
            kill.setString(1, application);
            try (ResultSet rs = kill.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("backends terminated").isPositive();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
