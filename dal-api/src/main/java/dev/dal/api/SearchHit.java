package dev.dal.api;

import java.util.Objects;

/**
 * One message a search found.
 *
 * @param message the message as stored
 * @param chatId the key of the session it belongs to
 * @param score how well it matches, as the store ranks it: higher is better, comparable only within
 *     one store's results for one query
 */
public record SearchHit(Message message, String chatId, double score) {

    /**
     * @param message the message as stored
     * @param chatId the key of its session
     * @param score the store's rank
     */
    public SearchHit {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(chatId, "chatId");
    }
}
