package dev.dal.neo4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.JsonValues;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Role;
import dev.dal.api.User;
import dev.dal.neo4j.Neo4jStoreProvider;
import dev.dal.test.neo4j.Neo4jTestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logger;
import org.neo4j.driver.Logging;

/**
 * No user value reaches a log line: a canary written as message content, metadata, profile and
 * memory value, and as the external id of a constraint violation, appears nowhere in what the
 * driver hands its logging (every level recorded) nor on stdout, stderr or JUL. With
 * {@code DAL_LOG_VALUES=true} the same run does log it at debug level, so the check can fail.
 */
class Neo4jLogCanaryTest {
    private static final Neo4jTestServer SERVER = Neo4jTestServer.get();

    /** Records every line at every level, as a logging backend with everything enabled would print it. */
    private static final class Recorder implements Logging {
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public Logger getLog(String name) {
            return new Logger() {
                private void add(String level, String message, Object[] params, Throwable cause) {
                    StringBuilder line = new StringBuilder(level)
                            .append(' ')
                            .append(name)
                            .append(' ')
                            .append(message)
                            .append(' ')
                            .append(Arrays.deepToString(params));
                    for (Object p : params == null ? new Object[0] : params) {
                        if (p instanceof Throwable t) {
                            chain(line, t);
                        }
                    }
                    chain(line, cause);
                    lines.add(line.toString());
                }

                private void chain(StringBuilder line, Throwable t) {
                    for (; t != null; t = t.getCause()) {
                        line.append(" | ").append(t);
                    }
                }

                @Override
                public void error(String message, Throwable cause) {
                    add("ERROR", message, null, cause);
                }

                @Override
                public void info(String message, Object... params) {
                    add("INFO", message, params, null);
                }

                @Override
                public void warn(String message, Object... params) {
                    add("WARN", message, params, null);
                }

                @Override
                public void warn(String message, Throwable cause) {
                    add("WARN", message, null, cause);
                }

                @Override
                public void debug(String message, Object... params) {
                    add("DEBUG", message, params, null);
                }

                @Override
                public void debug(String message, Throwable throwable) {
                    add("DEBUG", message, null, throwable);
                }

                @Override
                public void trace(String message, Object... params) {
                    add("TRACE", message, params, null);
                }

                @Override
                public boolean isTraceEnabled() {
                    return true;
                }

                @Override
                public boolean isDebugEnabled() {
                    return true;
                }
            };
        }
    }

    /** Writes the canary everywhere a user value goes, and breaks a constraint with it. */
    private static void writeCanary(boolean logValues, Recorder recorder, String canary) {
        Config config = Config.builder()
                .withLogging(new Neo4jLogging(logValues, recorder))
                .withMaxConnectionPoolSize(4)
                .withMaxTransactionRetryTime(0, java.util.concurrent.TimeUnit.MILLISECONDS)
                .build();
        Map<String, String> settings = new HashMap<>(SERVER.settings());
        settings.put(DalConfig.DAL_LOG_VALUES, String.valueOf(logValues));
        try (Driver driver = GraphDatabase.driver(SERVER.uri(), AuthTokens.none(), config);
                DataAccess store = DataAccessFactory.create(
                        DalConfig.builder()
                                .settings(settings)
                                .clock(Clock.systemUTC())
                                .build(),
                        new Neo4jStoreProvider(driver))) {
            User user = store.createUser(NewUser.builder()
                    .externalId("canary-" + UUID.randomUUID())
                    .profile(JsonValues.parse("{\"bio\":\"" + canary + "\"}"))
                    .build());
            ChatSession session = store.createChatSession(NewChatSession.of("canary-" + UUID.randomUUID(), user.id()));
            store.addMessage(
                    session.chatId(),
                    NewMessage.of(Role.USER, "say " + canary)
                            .withMetadata(JsonValues.parse("{\"note\":\"" + canary + "\"}")));
            store.setUserMemory(user.id(), "facts", "k", JsonValues.parse("\"" + canary + "\""), null);
            assertThat(store.getChatHistory(session.chatId(), 10, 0)).hasSize(1);
            store.createUser(NewUser.withExternalId(canary));
            assertThat(catchThrowable(() -> store.createUser(NewUser.withExternalId(canary))))
                    .isInstanceOf(DuplicateKeyException.class);
        }
    }

    @Test
    void theCanaryReachesNoLogLineUnlessValuesMayBeLogged() {
        String canary = "canary-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        List<String> jul = java.util.Collections.synchronizedList(new ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                jul.add(record.getMessage() + " " + Arrays.toString(record.getParameters()) + " " + record.getThrown());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(handler);
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);
        try {
            writeCanary(false, recorder, canary);
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.removeHandler(handler);
        }
        assertThat(recorder.lines).noneMatch(line -> line.contains(canary));
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(canary);
        assertThat(jul).noneMatch(line -> line.contains(canary));

        // The control: allowed to log values, the driver's debug output does carry the canary.
        Recorder open = new Recorder();
        String second = "canary-" + UUID.randomUUID();
        writeCanary(true, open, second);
        assertThat(open.lines).anyMatch(line -> line.startsWith("DEBUG") && line.contains(second));
    }
}
