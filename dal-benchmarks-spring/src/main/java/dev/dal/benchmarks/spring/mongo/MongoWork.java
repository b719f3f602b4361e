package dev.dal.benchmarks.spring.mongo;

import dev.dal.benchmarks.spring.ChatInput;
import dev.dal.benchmarks.spring.ChatWork;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The five operations through the Spring Data MongoDB service. */
public final class MongoWork implements ChatWork<List<ChatInput>> {
    private final MongoChatService service;

    /** @param service the service bean */
    public MongoWork(MongoChatService service) {
        this.service = service;
    }

    @Override
    public String name() {
        return "Spring Data MongoDB";
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
        List<MongoChatService.Overview> list = service.overview(userId.toString(), limit);
        List<UUID> out = new ArrayList<>(list.size());
        for (MongoChatService.Overview o : list) {
            out.add(
                    o.lastMessage() == null
                            ? null
                            : UUID.fromString(o.lastMessage().getId()));
        }
        return out;
    }

    private static List<UUID> ids(List<MessageDoc> docs) {
        List<UUID> out = new ArrayList<>(docs.size());
        for (MessageDoc m : docs) {
            out.add(UUID.fromString(m.getId()));
        }
        return out;
    }
}
