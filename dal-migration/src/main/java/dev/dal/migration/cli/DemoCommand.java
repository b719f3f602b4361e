package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.migration.StoreUri;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Writes a short conversation through DataAccess and prints it back. */
@Command(
        name = "demo",
        description = "Write a sample conversation into the store (default: the file store"
                + " in ./data) and print it back. The demo's store is set up as it opens: a PostgreSQL, MongoDB or"
                + " Neo4j store gets its schema applied (DB_AUTO_MIGRATE=true unless set otherwise).")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String store;

    @Override
    public Integer call() {
        StoreUri uri = CommonOptions.store(store);
        try (DataAccess dal = CommonOptions.open(uri)) {
            User user = dal.getUserByExternalId("demo-user")
                    .orElseGet(() -> dal.createUser(NewUser.builder()
                            .externalId("demo-user")
                            .name("Demo User")
                            .build()));
            ChatSession session = dal.getChatSession("demo-chat")
                    .orElseGet(() ->
                            dal.createChatSession(new NewChatSession("demo-chat", user.id(), "Demo chat", null, null)));
            String time = LocalTime.now(ZoneOffset.UTC).withNano(0).toString();
            dal.addMessages(
                    session.chatId(),
                    List.of(NewMessage.user("What time is it?"), NewMessage.assistant("It is " + time + " UTC.")));
            List<Message> latest = dal.getChatHistory(session.chatId(), HistoryQuery.latest(6));
            StringBuilder text = new StringBuilder("Store " + uri + ": session " + session.chatId() + " has "
                    + dal.getMessageCount(session.chatId()) + " messages; the latest:");
            ObjectNode result = JsonNodeFactory.instance
                    .objectNode()
                    .put("store", uri.redacted())
                    .put("chatId", session.chatId())
                    .put("messageCount", dal.getMessageCount(session.chatId()));
            ArrayNode messages = result.putArray("latest");
            for (Message m : latest) {
                text.append(String.format(
                        "%n  #%d %-9s %s", m.sequenceNumber(), m.role().wireName(), m.content()));
                messages.addObject()
                        .put("sequenceNumber", m.sequenceNumber())
                        .put("role", m.role().wireName())
                        .put("content", m.content());
            }
            common.print(result, text.toString());
        }
        return DalCli.OK;
    }
}
