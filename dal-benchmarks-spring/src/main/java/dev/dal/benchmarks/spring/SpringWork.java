package dev.dal.benchmarks.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The five operations through one store's Spring Data service, whatever its entity type: the service's methods
 * are passed in, so each store's service stays a plain {@code @Transactional} class as its reference docs write it.
 *
 * @param <M> the service's message entity
 */
public final class SpringWork<M> implements ChatWork<List<ChatInput>> {
    /**
     * A keyset page query.
     *
     * @param <M> the message entity
     */
    @FunctionalInterface
    public interface PageAfter<M> {
        /**
         * @param chatId the session's key
         * @param after exclusive lower bound on the sequence number
         * @param limit page size
         * @return the page, oldest first
         */
        List<M> find(String chatId, long after, int limit);
    }

    private final String name;
    private final Function<M, UUID> id;
    private final BiFunction<String, List<ChatInput>, List<M>> append;
    private final BiFunction<String, Integer, List<M>> latest;
    private final PageAfter<M> pageAfter;
    private final BiFunction<UUID, Integer, List<M>> lastMessages;

    /**
     * @param name the side's name in the tables
     * @param id a message's id
     * @param append the service's append (counter and messages in one transaction)
     * @param latest the newest messages of a session, oldest first
     * @param pageAfter the keyset page
     * @param lastMessages for each of a user's sessions, most recent first, its last message ({@code null} for none)
     */
    public SpringWork(
            String name,
            Function<M, UUID> id,
            BiFunction<String, List<ChatInput>, List<M>> append,
            BiFunction<String, Integer, List<M>> latest,
            PageAfter<M> pageAfter,
            BiFunction<UUID, Integer, List<M>> lastMessages) {
        this.name = name;
        this.id = id;
        this.append = append;
        this.latest = latest;
        this.pageAfter = pageAfter;
        this.lastMessages = lastMessages;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<ChatInput> prepare(List<ChatInput> inputs) {
        return inputs;
    }

    @Override
    public List<UUID> append(String chatId, List<ChatInput> input) {
        return ids(append.apply(chatId, input));
    }

    @Override
    public List<UUID> latest(String chatId, int limit) {
        return ids(latest.apply(chatId, limit));
    }

    @Override
    public List<UUID> pageAfter(String chatId, long after, int limit) {
        return ids(pageAfter.find(chatId, after, limit));
    }

    @Override
    public List<UUID> overview(UUID userId, int limit) {
        return ids(lastMessages.apply(userId, limit));
    }

    private List<UUID> ids(List<M> messages) {
        List<UUID> out = new ArrayList<>(messages.size());
        for (M m : messages) {
            out.add(m == null ? null : id.apply(m));
        }
        return out;
    }
}
