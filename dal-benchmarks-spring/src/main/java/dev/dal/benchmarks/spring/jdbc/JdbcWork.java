package dev.dal.benchmarks.spring.jdbc;

import dev.dal.benchmarks.spring.ChatInput;
import dev.dal.benchmarks.spring.ChatWork;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The five operations through the Spring Data JDBC service. */
public final class JdbcWork implements ChatWork<List<ChatInput>> {
    private final JdbcChatService service;

    /** @param service the {@code @Transactional} service bean (its proxy) */
    public JdbcWork(JdbcChatService service) {
        this.service = service;
    }

    @Override
    public String name() {
        return "Spring Data JDBC";
    }

    @Override
    public List<ChatInput> prepare(List<ChatInput> inputs) {
        return inputs;
    }

    @Override
    public List<UUID> append(String chatId, List<ChatInput> input) {
        return ids(service.append(chatId, input));
    }

    @Override
    public List<UUID> latest(String chatId, int limit) {
        return ids(service.latest(chatId, limit));
    }

    @Override
    public List<UUID> pageAfter(String chatId, long after, int limit) {
        return ids(service.pageAfter(chatId, after, limit));
    }

    @Override
    public List<UUID> overview(UUID userId, int limit) {
        List<JdbcChatService.Overview> list = service.overview(userId, limit);
        List<UUID> out = new ArrayList<>(list.size());
        for (JdbcChatService.Overview o : list) {
            out.add(o.lastMessage() == null ? null : o.lastMessage().getId());
        }
        return out;
    }

    private static List<UUID> ids(List<MessageRow> rows) {
        List<UUID> out = new ArrayList<>(rows.size());
        for (MessageRow m : rows) {
            out.add(m.getId());
        }
        return out;
    }
}
