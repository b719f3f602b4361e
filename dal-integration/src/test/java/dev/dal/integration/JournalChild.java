package dev.dal.integration;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The application of {@link JournalKillTest}, run in a child JVM until it is killed: dual-writes from a file store to
 * a secondary whose writes all fail, with {@code MIGRATION_SECONDARY_FAILURE=record}, so every write lands in the
 * repair journal. Before each write it prints {@code begin <scope>} (the user or chat the write touches), after it
 * {@code ack <kind> <key...>}: a write is acknowledged once its ack line is out.
 *
 * <p>Arguments: the primary's directory, the secondary's directory, the journal's directory, the run number.
 */
public final class JournalChild {
    private JournalChild() {
    }

    public static void main(String[] args) {
        String run = args[3];
        Map<String, String> settings = Map.of(
                DalConfig.DATA_STORAGE_TYPE, "file", DalConfig.DATA_DIR, args[0],
                DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true",
                DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE, BrokenFileStoreProvider.NAME,
                DalConfig.MIGRATION_SECONDARY_PREFIX + DalConfig.DATA_DIR, args[1],
                DalConfig.MIGRATION_SECONDARY_FAILURE, "record",
                DalConfig.MIGRATION_REPAIR_JOURNAL_DIR, args[2]);
        Random random = new Random(Long.parseLong(run));
        List<User> users = new ArrayList<>();
        List<String> chats = new ArrayList<>();
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings))) {
            for (int n = 0; ; n++) {
                int dice = users.isEmpty() ? 0 : chats.isEmpty() ? 10 : random.nextInt(100);
                if (dice < 10) {
                    String external = "r" + run + "-u" + n;
                    say("begin user:" + external);
                    User user = store.createUser(NewUser.withExternalId(external));
                    users.add(user);
                    say("ack user " + user.id());
                } else if (dice < 25) {
                    String chatId = "r" + run + "-c" + n;
                    say("begin chat:" + chatId);
                    ChatSession session = store.createChatSession(NewChatSession.of(chatId,
                            users.get(random.nextInt(users.size())).id()));
                    chats.add(session.chatId());
                    say("ack session " + session.chatId());
                } else if (dice < 40) {
                    User user = users.get(random.nextInt(users.size()));
                    say("begin user:" + user.externalId());
                    store.updateUser(user.id(), UserUpdate.builder().name("name " + n).build());
                    say("ack user " + user.id());
                } else if (dice < 70) {
                    String chatId = chats.get(random.nextInt(chats.size()));
                    say("begin chat:" + chatId);
                    Message m = store.addMessage(chatId, NewMessage.user("message " + n + " of run " + run));
                    say("ack message " + m.id());
                } else {
                    User user = users.get(random.nextInt(users.size()));
                    say("begin user:" + user.externalId());
                    MemoryEntry e = store.setUserMemory(user.id(), "context", "k" + random.nextInt(3),
                            JsonNodeFactory.instance.numberNode(n));
                    say("ack memory " + e.userId() + " " + e.memoryType() + " " + e.key());
                }
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
