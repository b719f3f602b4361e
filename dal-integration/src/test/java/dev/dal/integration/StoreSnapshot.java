package dev.dal.integration;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.bulk.ScanBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Every record of a store, read through the bulk scans (the same order in every store), for comparing two
 * stores record for record.
 */
record StoreSnapshot(
        List<User> users,
        List<ChatSession> sessions,
        List<Message> messages,
        List<MemoryEntry> memory,
        List<MessageVote> votes,
        List<TokenUsage> tokenUsage) {

    static StoreSnapshot of(DataAccess store) {
        return new StoreSnapshot(
                all(store.bulk()::scanUsers),
                all(store.bulk()::scanSessions),
                all(store.bulk()::scanMessages),
                all(store.bulk()::scanMemory),
                all(store.bulk()::scanVotes),
                all(store.bulk()::scanTokenUsage));
    }

    private static <T> List<T> all(BiFunction<String, Integer, ScanBatch<T>> scan) {
        List<T> out = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<T> batch = scan.apply(cursor, 1000);
            out.addAll(batch.items());
            cursor = batch.nextCursor();
        } while (cursor != null);
        return out;
    }

    /** @return the first differences, kind by kind, or an empty list when the stores are equal */
    List<String> differencesFrom(StoreSnapshot other) {
        List<String> out = new ArrayList<>();
        compare("users", users, other.users, out);
        compare("sessions", sessions, other.sessions, out);
        compare("messages", messages, other.messages, out);
        compare("memory", memory, other.memory, out);
        compare("votes", votes, other.votes, out);
        compare("token usage", tokenUsage, other.tokenUsage, out);
        return out;
    }

    private static <T> void compare(String kind, List<T> a, List<T> b, List<String> out) {
        if (a.equals(b)) {
            return;
        }
        if (a.size() != b.size()) {
            out.add(kind + ": " + a.size() + " vs " + b.size() + " records");
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                out.add(kind + "[" + i + "]: " + a.get(i) + " vs " + b.get(i));
                return;
            }
        }
    }

    int size() {
        return users.size() + sessions.size() + messages.size() + memory.size() + votes.size() + tokenUsage.size();
    }
}
