package dev.dal.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.ScanBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads a whole store, through the bulk scans and through the application API, and checks the
 * invariants every state of the store must keep, however its writers died:
 * <ul>
 *   <li>each session's messages are numbered exactly 1..messageCount, no gap, no extra slot;</li>
 *   <li>the API's history, message count and last message time agree with the scan;</li>
 *   <li>message ids are distinct; chat ids and external ids are distinct and their indexes agree;</li>
 *   <li>every session owner, and every memory entry's user, exists, and owners list their sessions;</li>
 *   <li>no live user, session or memory key has a tombstone (a key is live or deleted, never both).</li>
 * </ul>
 */
final class StoreAudit {
    final Map<String, ChatSession> sessions = new LinkedHashMap<>();
    final Map<String, List<Message>> histories = new LinkedHashMap<>();
    final Map<UUID, User> users = new LinkedHashMap<>();
    final List<MemoryEntry> memory = new ArrayList<>();

    private StoreAudit() {}

    /**
     * @param store the store to read
     * @param context what to name in a failure (seed, round)
     * @return what the store holds, once every invariant was checked
     */
    static StoreAudit of(DataAccess store, String context) {
        StoreAudit audit = new StoreAudit();
        audit.read(store, context);
        return audit;
    }

    private void read(DataAccess store, String context) {
        for (String cursor = null; ; ) {
            ScanBatch<User> batch = store.bulk().scanUsers(cursor, 1000);
            batch.items().forEach(u -> users.put(u.id(), u));
            if (!batch.hasMore()) {
                break;
            }
            cursor = batch.nextCursor();
        }
        Map<UUID, ChatSession> byId = new HashMap<>();
        for (String cursor = null; ; ) {
            ScanBatch<ChatSession> batch = store.bulk().scanSessions(cursor, 1000);
            for (ChatSession s : batch.items()) {
                assertThat(sessions.put(s.chatId(), s))
                        .as("%s: chat id %s held by two sessions", context, s.chatId())
                        .isNull();
                byId.put(s.id(), s);
            }
            if (!batch.hasMore()) {
                break;
            }
            cursor = batch.nextCursor();
        }
        Map<UUID, List<Message>> scanned = new HashMap<>();
        for (String cursor = null; ; ) {
            ScanBatch<Message> batch = store.bulk().scanMessages(cursor, 10_000);
            for (Message m : batch.items()) {
                assertThat(byId)
                        .as("%s: message %s names no session", context, m)
                        .containsKey(m.sessionId());
                scanned.computeIfAbsent(m.sessionId(), k -> new ArrayList<>()).add(m);
            }
            if (!batch.hasMore()) {
                break;
            }
            cursor = batch.nextCursor();
        }
        for (String cursor = null; ; ) {
            ScanBatch<MemoryEntry> batch = store.bulk().scanMemory(cursor, 1000);
            memory.addAll(batch.items());
            if (!batch.hasMore()) {
                break;
            }
            cursor = batch.nextCursor();
        }

        Set<UUID> messageIds = new HashSet<>();
        for (ChatSession session : sessions.values()) {
            String what = context + ": session " + session.chatId();
            long count = session.messageCount();
            List<Message> fromScan = scanned.getOrDefault(session.id(), List.of());
            List<Long> numbers = fromScan.stream().map(Message::sequenceNumber).toList();
            assertThat(numbers)
                    .as("%s: sequence numbers in the scan (messageCount %d)", what, count)
                    .isEqualTo(range(count));
            List<Message> history = history(store, session.chatId());
            assertThat(history)
                    .as("%s: history through the API equals the scan", what)
                    .isEqualTo(fromScan);
            assertThat(store.getMessageCount(session.chatId()))
                    .as("%s: getMessageCount", what)
                    .isEqualTo(count);
            assertThat(store.getChatSession(session.chatId()))
                    .as("%s: getChatSession", what)
                    .contains(session);
            if (count > 0) {
                assertThat(session.lastMessageAt())
                        .as("%s: lastMessageAt is the last message's time", what)
                        .isEqualTo(history.get(history.size() - 1).createdAt());
            } else {
                assertThat(session.lastMessageAt())
                        .as("%s: lastMessageAt without messages", what)
                        .isNull();
            }
            for (Message m : history) {
                assertThat(messageIds.add(m.id()))
                        .as("%s: message id %s stored twice", what, m.id())
                        .isTrue();
            }
            histories.put(session.chatId(), history);
            if (session.userId() != null) {
                assertThat(users).as("%s: owner exists", what).containsKey(session.userId());
                assertThat(store.listUserSessions(session.userId(), HistoryQuery.MAX_LIMIT, 0))
                        .as("%s: the owner lists it", what)
                        .contains(session);
            }
        }
        assertThat(scanned.keySet())
                .as("%s: messages only of known sessions", context)
                .isSubsetOf(byId.keySet());
        Set<String> externalIds = new HashSet<>();
        for (User user : users.values()) {
            if (user.externalId() != null) {
                assertThat(externalIds.add(user.externalId()))
                        .as("%s: external id %s held by two users", context, user.externalId())
                        .isTrue();
                assertThat(store.getUserByExternalId(user.externalId()))
                        .as("%s: external id index of %s", context, user.externalId())
                        .contains(user);
            }
            assertThat(store.getUser(user.id()))
                    .as("%s: getUser %s", context, user.id())
                    .contains(user);
        }
        for (MemoryEntry entry : memory) {
            assertThat(users)
                    .as("%s: memory %s belongs to an existing user", context, entry)
                    .containsKey(entry.userId());
        }
        List<RecordKey> live = new ArrayList<>();
        users.keySet().forEach(id -> live.add(RecordKey.user(id)));
        sessions.keySet().forEach(chatId -> live.add(RecordKey.session(chatId)));
        memory.forEach(e -> live.add(RecordKey.memory(e.userId(), e.memoryType(), e.key())));
        assertThat(store.bulk().findTombstones(live))
                .as("%s: tombstones of live records", context)
                .isEmpty();
    }

    /** @return the whole history of a session through the API, in keyset pages */
    static List<Message> history(DataAccess store, String chatId) {
        List<Message> all = new ArrayList<>();
        long cursor = 0;
        while (true) {
            List<Message> page = store.getChatHistory(chatId, HistoryQuery.after(cursor, HistoryQuery.MAX_LIMIT));
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            cursor = page.get(page.size() - 1).sequenceNumber();
        }
    }

    private static List<Long> range(long count) {
        List<Long> numbers = new ArrayList<>((int) count);
        for (long i = 1; i <= count; i++) {
            numbers.add(i);
        }
        return numbers;
    }
}
