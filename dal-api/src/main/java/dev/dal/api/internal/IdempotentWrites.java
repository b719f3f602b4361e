package dev.dal.api.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The rule that makes a write with caller-chosen ids safe to repeat, the same for every store: when
 * the records are already stored under those ids with the same content, the write returns them
 * instead of storing them again; the same ids with other content are a {@link DuplicateKeyException}.
 * It is what a caller relies on after an {@link dev.dal.api.OutcomeUnknownException}.
 *
 * <p>Looked up through the ordinary reads, before the write (the usual retry) and again after a
 * duplicate-key failure (two retries racing). Messages are searched from the newest back, a page
 * at a time, so a retry shortly after the first attempt costs one page read.
 */
final class IdempotentWrites {
    private static final int PAGE = 200;

    private IdempotentWrites() {}

    /**
     * @return the stored copies in request order, or empty when none of the ids is stored
     * @throws DuplicateKeyException when some ids are stored with other content, in another order, or only partly
     */
    static Optional<List<Message>> storedMessages(DataAccess store, String chatId, List<NewMessage> messages) {
        Map<UUID, Message> found = new HashMap<>();
        Map<UUID, NewMessage> wanted = new HashMap<>();
        messages.forEach(m -> wanted.put(m.id(), m));
        // The newest page first, without asking for the count: one read for the usual retry, whose
        // messages are the newest, and so one call less to spend the caller's time on under a fault.
        HistoryQuery query = HistoryQuery.latest(PAGE);
        while (found.size() < wanted.size()) {
            List<Message> page = store.getChatHistory(chatId, query);
            if (page.isEmpty()) {
                break;
            }
            for (Message stored : page) {
                if (wanted.containsKey(stored.id())) {
                    found.put(stored.id(), stored);
                }
            }
            long oldest = page.get(0).sequenceNumber();
            if (oldest <= 1) {
                break;
            }
            query = HistoryQuery.before(oldest, PAGE);
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        List<Message> inOrder = new ArrayList<>(messages.size());
        for (NewMessage m : messages) {
            Message stored = found.get(m.id());
            if (stored == null
                    || !m.sameContentAs(stored)
                    || (!inOrder.isEmpty()
                            && stored.sequenceNumber()
                                    != inOrder.get(inOrder.size() - 1).sequenceNumber() + 1)) {
                // The id is stored with other content, or without the call's other messages beside it.
                throw new DuplicateKeyException(DuplicateKeyException.Key.MESSAGE_ID);
            }
            inOrder.add(stored);
        }
        return Optional.of(List.copyOf(inOrder));
    }

    /**
     * @return the stored user when it has the request's id and content, or empty when no user has the id
     * @throws DuplicateKeyException when a user with the id is stored with other content
     */
    static Optional<User> storedUser(DataAccess store, NewUser user) {
        Optional<User> stored = store.getUser(user.id());
        if (stored.isPresent() && !user.sameContentAs(stored.get())) {
            throw new DuplicateKeyException(DuplicateKeyException.Key.USER_ID);
        }
        return stored;
    }

    /**
     * @return the stored session when it has the request's chat id, id and content, or empty when the chat id is free
     * @throws DuplicateKeyException when the chat id is taken by another session or with other content
     */
    static Optional<ChatSession> storedSession(DataAccess store, NewChatSession session) {
        Optional<ChatSession> stored = store.getChatSession(session.chatId());
        if (stored.isPresent() && !session.sameContentAs(stored.get())) {
            throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
        }
        return stored;
    }
}
