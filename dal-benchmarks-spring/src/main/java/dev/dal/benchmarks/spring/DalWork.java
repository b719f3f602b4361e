package dev.dal.benchmarks.spring;

import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.Role;
import dev.dal.api.SessionOverview;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The five operations through Dal's {@link DataAccess}, the same code for every store. */
final class DalWork implements ChatWork<List<NewMessage>> {
    private final DataAccess dal;

    DalWork(DataAccess dal) {
        this.dal = dal;
    }

    @Override
    public String name() {
        return "Dal";
    }

    @Override
    public List<NewMessage> prepare(List<ChatInput> inputs) {
        List<NewMessage> out = new ArrayList<>(inputs.size());
        for (ChatInput in : inputs) {
            out.add(new NewMessage(Role.fromWireName(in.role()), in.content(), in.metadata(), in.tokenCount(), false));
        }
        return out;
    }

    @Override
    public List<UUID> append(String chatId, List<NewMessage> input) {
        return ids(dal.addMessages(chatId, input));
    }

    @Override
    public List<UUID> latest(String chatId, int limit) {
        return ids(dal.getChatHistory(chatId, HistoryQuery.latest(limit)));
    }

    @Override
    public List<UUID> pageAfter(String chatId, long after, int limit) {
        return ids(dal.getChatHistory(chatId, HistoryQuery.after(after, limit)));
    }

    @Override
    public List<UUID> overview(UUID userId, int limit) {
        List<SessionOverview> list = dal.listUserSessionsWithLastMessage(userId, limit, 0);
        List<UUID> out = new ArrayList<>(list.size());
        for (SessionOverview o : list) {
            out.add(o.lastMessage() == null ? null : o.lastMessage().id());
        }
        return out;
    }

    private static List<UUID> ids(List<Message> messages) {
        List<UUID> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(m.id());
        }
        return out;
    }
}
