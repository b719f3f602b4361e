package dev.dal.mongo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.testkit.FaultProxy;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The child JVM of {@link MongoLogCanaryTest}: turns the driver's and Dal's loggers to DEBUG
 * before any logger exists (slf4j-simple reads a logger's level when the logger is created, so
 * only a fresh JVM can do this), then writes a canary as message content, metadata, profile and
 * memory value, reads it back, hits unique-key violations and network faults with it, and prints
 * every exception it gets with its stack to standard error, as an application logging them would.
 *
 * <p>Arguments: the canary, {@code DAL_LOG_VALUES} (true/false), the server's host and port.
 */
public final class MongoLogCanaryChild {
    private MongoLogCanaryChild() {}

    /**
     * @param args canary, logValues, host, port
     * @throws Exception when the run cannot proceed
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.org.mongodb.driver", "debug");
        System.setProperty("org.slf4j.simpleLogger.log.dev.dal", "debug");
        String canary = args[0];
        InetSocketAddress server = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        try (FaultProxy proxy = FaultProxy.to(server)) {
            Map<String, String> settings = new HashMap<>();
            settings.put("DATA_STORAGE_TYPE", "mongodb");
            settings.put("MONGODB_URL", "mongodb://127.0.0.1:" + proxy.port() + "/?directConnection=true");
            settings.put("MONGODB_DATABASE", "dal_log_canary");
            settings.put("DAL_LOG_VALUES", args[1]);
            settings.put("DB_QUERY_TIMEOUT", "1");
            settings.put("DB_CONNECT_TIMEOUT", "1");
            settings.put("DAL_HEALTH_TIMEOUT", "1");
            try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings), new MongoStoreProvider())) {
                run(store, proxy, canary);
            }
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    private static ObjectNode object(String field, String value) {
        return JsonNodeFactory.instance.objectNode().put(field, value);
    }

    private static void run(DataAccess store, FaultProxy proxy, String canary) throws InterruptedException {
        String externalId = "canary-" + UUID.randomUUID();
        User user = store.createUser(NewUser.builder()
                .externalId(externalId)
                .profile(object("bio", canary))
                .preferences(object("p", canary))
                .build());
        String chatId = "canary-chat-" + UUID.randomUUID();
        ChatSession session = store.createChatSession(NewChatSession.of(chatId, user.id()));
        store.updateChatSession(
                chatId,
                dev.dal.api.ChatSessionUpdate.builder()
                        .metadata(object("m", canary))
                        .build());
        store.addMessages(
                chatId,
                List.of(
                        NewMessage.user(canary).withMetadata(object("meta", canary)),
                        NewMessage.assistant("re: " + canary)));
        store.setUserMemory(user.id(), "facts", "k", JsonNodeFactory.instance.textNode(canary), null);
        store.getChatHistory(chatId, 10, 0);
        store.listUserSessionsWithLastMessage(user.id(), 10, 0);
        store.getUserMemory(user.id(), "facts");
        store.getUser(user.id());
        store.bulk().scanMessages(null, 100);

        // Constraint violations carrying the canary.
        attempt(() -> store.createUser(NewUser.builder()
                .externalId(externalId)
                .profile(object("bio", canary))
                .build()));
        attempt(() -> store.createChatSession(NewChatSession.of(chatId, user.id())));

        // Network faults while the canary is on the wire.
        proxy.stall();
        attempt(() -> store.addMessage(chatId, NewMessage.user(canary + " during a stall")));
        attempt(() -> store.setUserMemory(user.id(), "facts", "k2", JsonNodeFactory.instance.textNode(canary), null));
        attempt(store::healthCheck);
        proxy.refuse();
        attempt(() -> store.addMessage(chatId, NewMessage.user(canary + " while refused")));
        proxy.heal();
        for (int i = 0; i < 50; i++) {
            if (attempt(() -> store.addMessage(chatId, NewMessage.user(canary + " after healing")))) {
                break;
            }
            Thread.sleep(100);
        }
        store.updateUser(
                user.id(),
                dev.dal.api.UserUpdate.builder()
                        .profile(object("bio", canary + "2"))
                        .build());
        store.deleteChatSession(session.chatId());
        store.deleteUser(user.id(), dev.dal.api.DeleteMode.PURGE);
    }

    private static boolean attempt(Supplier<?> call) {
        try {
            Object result = call.get();
            System.err.println("call returned "
                    + (result == null ? "null" : result.getClass().getSimpleName()));
            return true;
        } catch (RuntimeException e) {
            e.printStackTrace();
            return false;
        }
    }
}
