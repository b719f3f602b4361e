package dev.dal.integration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.dualwrite.internal.IntentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The application of {@link JournalKillTest}, run in a child JVM until it is killed: dual-writes from a file store to
 * a secondary whose writes all fail, with {@code MIGRATION_SECONDARY_FAILURE=record}, so every write lands in the
 * repair journal. Before each write it prints {@code begin <scope>\t<operation>\t<argument>...} (the user or chat the
 * write touches, and what the write is about to set), after it {@code ack <kind> <record as JSON>} (the record the
 * store returned): a write is acknowledged once its ack line is out.
 *
 * Adopting a dead child's intents, it logs how many to its standard error.
 *
 * <p>Arguments: the primary's directory, the secondary's directory, the journal's directory, the run number.
 */
public final class JournalChild {
    private static final ObjectMapper JSON = JsonValues.newMapper();

    private JournalChild() {}

    public static void main(String[] args) {
        // The test reads how many dead processes' intents this child adopted from this warning (the dual-write
        // package logs only errors in the tests); set before the first logger exists.
        System.setProperty("org.slf4j.simpleLogger.log." + IntentLog.class.getName(), "warn");
        String run = args[3];
        Map<String, String> settings = Map.of(
                DalConfig.DATA_STORAGE_TYPE,
                "file",
                "DATA_DIR",
                args[0],
                DalConfig.MIGRATION_ENABLE_DUAL_WRITE,
                "true",
                DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE,
                BrokenFileStoreProvider.NAME,
                DalConfig.MIGRATION_SECONDARY_PREFIX + "DATA_DIR",
                args[1],
                DualWriteSettings.SECONDARY_FAILURE.name(),
                "record",
                DualWriteSettings.REPAIR_JOURNAL_DIR.name(),
                args[2]);
        Random random = new Random(Long.parseLong(run));
        List<User> users = new ArrayList<>();
        List<String> chats = new ArrayList<>();
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            for (int n = 0; ; n++) {
                int dice = users.isEmpty() ? 0 : chats.isEmpty() ? 10 : random.nextInt(100);
                if (dice < 10) {
                    String external = "r" + run + "-u" + n;
                    say("begin user:" + external + "\tcreateUser\t" + external);
                    User user = store.createUser(NewUser.withExternalId(external));
                    users.add(user);
                    ack("user", user);
                } else if (dice < 25) {
                    String chatId = "r" + run + "-c" + n;
                    User owner = users.get(random.nextInt(users.size()));
                    say("begin chat:" + chatId + "\tcreateSession\t" + chatId + "\t" + owner.id());
                    ChatSession session = store.createChatSession(NewChatSession.of(chatId, owner.id()));
                    chats.add(session.chatId());
                    ack("session", session);
                } else if (dice < 40) {
                    User user = users.get(random.nextInt(users.size()));
                    String name = "name " + n;
                    say("begin user:" + user.externalId() + "\tupdateUser\t" + user.id() + "\t" + name);
                    ack(
                            "user",
                            store.updateUser(
                                    user.id(), UserUpdate.builder().name(name).build()));
                } else if (dice < 70) {
                    String chatId = chats.get(random.nextInt(chats.size()));
                    String content = "message " + n + " of run " + run;
                    say("begin chat:" + chatId + "\taddMessage\t" + chatId + "\t" + content);
                    Message m = store.addMessage(chatId, NewMessage.user(content));
                    ack("message", m);
                } else {
                    User user = users.get(random.nextInt(users.size()));
                    String key = "k" + random.nextInt(3);
                    say("begin user:" + user.externalId() + "\tsetMemory\t" + user.id() + "\tcontext\t" + key + "\t"
                            + n);
                    MemoryEntry e =
                            store.setUserMemory(user.id(), "context", key, JsonNodeFactory.instance.numberNode(n));
                    ack("memory", e);
                }
            }
        }
    }

    private static void ack(String kind, Object record) {
        try {
            say("ack " + kind + " " + JSON.writeValueAsString(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
