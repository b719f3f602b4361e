package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What writers were told succeeded: the last acknowledged state of every record, with deletions applied. A store
 * that kept every acknowledged write holds exactly these records. Sessions are checked field by field for what their
 * own writes set (id, owner, title, profile, metadata, status, creation time: the last acknowledged create or update,
 * with the owner cleared by a user's deletion that kept them) and for their message count against the acknowledged
 * messages; their {@code updatedAt} and {@code lastMessageAt} also move with every message concurrent writers add
 * to a shared session, so those two are left out.
 */
final class Ledger {
    private final Map<UUID, User> users = new ConcurrentHashMap<>();
    private final Map<String, ChatSession> sessions = new ConcurrentHashMap<>();
    private final Map<UUID, Message> messages = new ConcurrentHashMap<>();
    private final Map<List<String>, MemoryEntry> memory = new ConcurrentHashMap<>();

    void user(User user) {
        users.put(user.id(), user);
    }

    /** A deleted user takes its memory along; its sessions are the caller's to forget (purge) or keep. */
    void userDeleted(UUID id) {
        users.remove(id);
        memory.keySet().removeIf(k -> k.get(0).equals(id.toString()));
    }

    /** A session as a create or an update acknowledged it. */
    void session(ChatSession session) {
        sessions.put(session.chatId(), session);
    }

    /** A user was deleted with {@code KEEP_SESSIONS}: the session stays, without an owner. */
    void sessionKeptWithoutUser(String chatId) {
        sessions.computeIfPresent(chatId, (id, s) -> s.withUserId(null));
    }

    void sessionDeleted(String chatId) {
        ChatSession gone = sessions.remove(chatId);
        if (gone != null) {
            messages.values().removeIf(m -> m.sessionId().equals(gone.id()));
        }
    }

    void message(Message message) {
        messages.put(message.id(), message);
    }

    void memory(MemoryEntry entry) {
        memory.put(key(entry), entry);
    }

    void memoryDeleted(UUID userId, String type, String key) {
        memory.remove(List.of(userId.toString(), type, key));
    }

    private static List<String> key(MemoryEntry e) {
        return List.of(e.userId().toString(), e.memoryType(), e.key());
    }

    int size() {
        return users.size() + sessions.size() + messages.size() + memory.size();
    }

    /** Asserts the store holds every acknowledged write and nothing that was acknowledged as deleted. */
    void assertHeldBy(StoreSnapshot store) {
        assertThat(byKey(store.users(), User::id)).as("users").isEqualTo(users);
        assertThat(byKey(store.messages(), Message::id)).as("messages").isEqualTo(messages);
        assertThat(byKey(store.memory(), Ledger::key)).as("memory").isEqualTo(memory);
        Map<String, List<Object>> storedSessions =
                store.sessions().stream().collect(Collectors.toMap(ChatSession::chatId, Ledger::ownFields));
        Map<String, List<Object>> acknowledgedSessions =
                sessions.values().stream().collect(Collectors.toMap(ChatSession::chatId, Ledger::ownFields));
        assertThat(storedSessions)
                .as("sessions (id, chatId, userId, title, profile, metadata, status, createdAt)")
                .isEqualTo(acknowledgedSessions);
        Map<UUID, Long> counts =
                messages.values().stream().collect(Collectors.groupingBy(Message::sessionId, Collectors.counting()));
        for (ChatSession s : store.sessions()) {
            assertThat(s.messageCount()).as("messageCount of " + s.chatId()).isEqualTo(counts.getOrDefault(s.id(), 0L));
        }
    }

    /** What a session's own writes set, not what messages added to it move. */
    private static List<Object> ownFields(ChatSession s) {
        return java.util.Arrays.asList(
                s.id(), s.chatId(), s.userId(), s.title(), s.profile(), s.metadata(), s.status(), s.createdAt());
    }

    private static <K, V> Map<K, V> byKey(List<V> records, Function<V, K> key) {
        return records.stream().collect(Collectors.toMap(key, Function.identity()));
    }
}
