package dev.dal.examples;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes a short conversation through {@link DataAccess} into the store the environment names
 * ({@code DATA_STORAGE_TYPE}, default the file store under {@code ./data}) and prints it back.
 * Run it again and the conversation grows: the store keeps what it was given.
 */
public final class ChatDemo {
    private static final String EXTERNAL_ID = "demo-user";
    private static final String CHAT_ID = "demo-chat";

    private ChatDemo() {}

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        run(DalConfig.fromEnvironment(), System.out);
    }

    /**
     * Runs the demo.
     *
     * @param config which store to use
     * @param out where to print
     */
    public static void run(DalConfig config, PrintStream out) {
        try (DataAccess store = DataAccessFactory.create(config)) {
            HealthStatus health = store.healthCheck();
            out.printf(
                    "Store: %s, %s in %d µs%n",
                    health.storageType(), health.status(), health.latency().toNanos() / 1000);

            User user = store.getUserByExternalId(EXTERNAL_ID)
                    .orElseGet(() -> store.createUser(NewUser.builder()
                            .externalId(EXTERNAL_ID)
                            .name("Demo User")
                            .preferences(JsonNodeFactory.instance.objectNode().put("language", "en"))
                            .build()));
            ChatSession session = store.getChatSession(CHAT_ID)
                    .orElseGet(() ->
                            store.createChatSession(new NewChatSession(CHAT_ID, user.id(), "Demo chat", null, null)));

            String time = LocalTime.now(ZoneOffset.UTC).withNano(0).toString();
            store.addMessages(
                    CHAT_ID,
                    List.of(NewMessage.user("What time is it?"), NewMessage.assistant("It is " + time + " UTC.")));
            store.setUserMemory(user.id(), "context", "last_question_at", JsonNodeFactory.instance.textNode(time));

            out.printf(
                    "Session %s (%s) has %d messages; the latest:%n",
                    session.chatId(), session.id(), store.getMessageCount(CHAT_ID));
            for (Message m : store.getChatHistory(CHAT_ID, HistoryQuery.latest(6))) {
                out.printf("  #%d %-9s %s%n", m.sequenceNumber(), m.role().wireName(), m.content());
            }
        }
    }
}
