package dev.dal.benchmarks.spring;

import java.util.List;
import java.util.UUID;

/**
 * The five operations, as one side (Dal or a Spring Data service) performs them. Each returns the ids of what it
 * wrote or read, so that the harness can check both sides did the same thing; building that small list is the same
 * cost on both sides.
 *
 * @param <I> what the side takes as input for new messages, prepared outside the timed region
 */
public interface ChatWork<I> {
    /** @return the side's name in the tables */
    String name();

    /**
     * @param inputs the new messages
     * @return them in the form {@link #append} takes
     */
    I prepare(List<ChatInput> inputs);

    /**
     * Appends messages to a session with the counter update, in one transaction.
     *
     * @param chatId the session's key
     * @param input prepared by {@link #prepare}
     * @return the new messages' ids
     */
    List<UUID> append(String chatId, I input);

    /**
     * @param chatId the session's key
     * @param limit page size
     * @return the ids of the newest {@code limit} messages, oldest first
     */
    List<UUID> latest(String chatId, int limit);

    /**
     * @param chatId the session's key
     * @param after exclusive lower bound on the sequence number
     * @param limit page size
     * @return the ids of the keyset page after {@code after}, oldest first
     */
    List<UUID> pageAfter(String chatId, long after, int limit);

    /**
     * @param userId the owner
     * @param limit how many sessions
     * @return for each session, most recent first, its last message's id ({@code null} for none)
     */
    List<UUID> overview(UUID userId, int limit);
}
