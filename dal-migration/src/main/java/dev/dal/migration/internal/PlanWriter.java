package dev.dal.migration.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.spi.Ids;
import dev.dal.migration.ImportReport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Writes an {@link ImportPlan} through the store's bulk upserts, parents first, so that running it
 * again adds nothing: users by external id (an existing one is merged, never changed), sessions by
 * chat id (an existing one keeps its fields and gets only the messages it lacks), messages
 * deduplicated by SHA-256 of (chat id, role, content, timestamp) against the plan and the store and
 * numbered after the session's last, memory entries by (user, type, key) (an existing one is kept).
 */
public final class PlanWriter {
    private final int batchSize;
    private final Instant now = Instant.now();
    private long usersImported;
    private long usersMerged;
    private long sessionsImported;
    private long sessionsMerged;
    private long messagesImported;
    private long messagesDeduplicated;
    private long memoryImported;
    private long memoryKept;

    /** @param batchSize records per write */
    public PlanWriter(int batchSize) {
        this.batchSize = batchSize;
    }

    /**
     * Writes the plan. Only reads happen before the first write: messages of conversations the
     * input lacks are skipped (listed in the report) unless the store has the conversation.
     *
     * @param plan the checked input (not changed, so it can be written again)
     * @param store where to write
     * @return the counts, the plan's skips, unused parts and warnings
     */
    public ImportReport write(ImportPlan plan, DataAccess store) {
        // The plan stays as read, so it can be written again.
        List<ImportReport.Skip> skipped = new ArrayList<>(plan.skipped);
        Set<String> attachToStore = resolveOrphans(plan, store, skipped);
        Map<String, UUID> userIds = writeUsers(plan, store);
        for (ImportPlan.Session s : plan.sessions.values()) {
            writeSession(s, store.getChatSession(s.chatId()), userIds, store);
        }
        for (String chatId : attachToStore) {
            ChatSession existing = store.getChatSession(chatId).orElseThrow();
            appendMessages(existing, true, plan.orphans.get(chatId), store);
        }
        writeMemory(plan, userIds, store);
        usersMerged += plan.usersMergedInInput;
        return new ImportReport(
                usersImported,
                usersMerged,
                sessionsImported,
                sessionsMerged,
                messagesImported,
                messagesDeduplicated,
                memoryImported,
                memoryKept,
                skipped,
                plan.unused,
                plan.warnings);
    }

    private Set<String> resolveOrphans(ImportPlan plan, DataAccess store, List<ImportReport.Skip> skipped) {
        Set<String> found = new LinkedHashSet<>();
        for (Map.Entry<String, List<ImportPlan.Message>> e : plan.orphans.entrySet()) {
            if (store.getChatSession(e.getKey()).isPresent()) {
                found.add(e.getKey());
                continue;
            }
            for (ImportPlan.Message m : e.getValue()) {
                skipped.add(new ImportReport.Skip(
                        m.source(),
                        m.document(),
                        "conversation " + e.getKey() + " is neither in the input nor in the store"));
            }
        }
        return found;
    }

    private Map<String, UUID> writeUsers(ImportPlan plan, DataAccess store) {
        Set<String> wanted = new LinkedHashSet<>(plan.users.keySet());
        plan.sessions.values().stream()
                .map(ImportPlan.Session::owner)
                .filter(Objects::nonNull)
                .forEach(wanted::add);
        plan.memory.forEach(m -> wanted.add(m.owner()));
        Map<String, UUID> ids = new LinkedHashMap<>();
        List<User> created = new ArrayList<>();
        for (String externalId : wanted) {
            Optional<User> existing = store.getUserByExternalId(externalId);
            if (existing.isPresent()) {
                ids.put(externalId, existing.get().id());
                usersMerged += plan.users.containsKey(externalId) ? 1 : 0;
                continue;
            }
            User user = newUser(plan.users.get(externalId), externalId);
            ids.put(externalId, user.id());
            created.add(user);
        }
        upsert(store, KindAccess.USERS, created);
        usersImported += created.size();
        return ids;
    }

    private User newUser(ImportPlan.User u, String externalId) {
        if (u == null) { // named only as an owner: a user with just its key
            return new User(Ids.newId(), externalId, null, externalId, null, null, UserStatus.ACTIVE, now, now, null);
        }
        Instant created = firstNonNull(u.createdAt(), u.updatedAt(), now);
        return new User(
                Ids.newId(),
                externalId,
                u.email(),
                u.name() == null ? externalId : u.name(),
                u.profile(),
                u.preferences(),
                UserStatus.ACTIVE,
                created,
                firstNonNull(u.updatedAt(), created),
                u.lastActiveAt());
    }

    private void writeSession(
            ImportPlan.Session s, Optional<ChatSession> existing, Map<String, UUID> userIds, DataAccess store) {
        if (existing.isPresent()) {
            sessionsMerged++;
            appendMessages(existing.get(), true, s.messages(), store);
            return;
        }
        Instant created = firstNonNull(
                s.createdAt(),
                s.updatedAt(),
                s.messages().stream()
                        .map(ImportPlan.Message::at)
                        .filter(Objects::nonNull)
                        .min(Comparator.naturalOrder())
                        .orElse(now));
        ChatSession session = new ChatSession(
                Ids.newId(),
                s.chatId(),
                s.owner() == null ? null : userIds.get(s.owner()),
                s.title(),
                s.profile(),
                s.metadata(),
                SessionStatus.ACTIVE,
                created,
                firstNonNull(s.updatedAt(), created),
                null,
                0);
        sessionsImported++;
        appendMessages(session, false, s.messages(), store);
    }

    private void appendMessages(
            ChatSession session, boolean stored, List<ImportPlan.Message> planned, DataAccess store) {
        Set<String> seen = new HashSet<>();
        long lastSequence = 0;
        Instant lastAt = session.lastMessageAt();
        if (stored) {
            for (Message m : history(store, session.chatId())) {
                seen.add(messageHash(session.chatId(), m.role(), m.content(), m.createdAt()));
                lastSequence = Math.max(lastSequence, m.sequenceNumber());
            }
        }
        List<Message> created = new ArrayList<>();
        for (ImportPlan.Message p : planned) {
            Instant at = firstNonNull(p.at(), session.createdAt());
            if (!seen.add(messageHash(session.chatId(), p.role(), p.content(), at))) {
                messagesDeduplicated++;
                continue;
            }
            created.add(new Message(
                    Ids.newId(),
                    session.id(),
                    ++lastSequence,
                    p.role(),
                    p.content(),
                    p.metadata(),
                    p.tokenCount(),
                    p.abuseFlagged(),
                    at));
            lastAt = lastAt == null || at.isAfter(lastAt) ? at : lastAt;
        }
        if (!stored || !created.isEmpty()) {
            // The session first, with the counters its messages will give it: a parent before its children.
            store.bulk().upsertSessions(List.of(session.withMessages(lastSequence, lastAt)));
        }
        upsert(store, KindAccess.MESSAGES, created);
        messagesImported += created.size();
    }

    private void writeMemory(ImportPlan plan, Map<String, UUID> userIds, DataAccess store) {
        List<MemoryEntry> created = new ArrayList<>();
        Set<String> planned = new HashSet<>();
        for (ImportPlan.Memory m : plan.memory) {
            UUID userId = userIds.get(m.owner());
            if (!planned.add(m.owner() + "\0" + m.type() + "\0" + m.key())
                    || store.getUserMemory(userId, m.type(), m.key()).isPresent()) {
                memoryKept++;
                continue;
            }
            created.add(new MemoryEntry(userId, m.type(), m.key(), m.value(), m.createdAt(), m.updatedAt(), null));
        }
        upsert(store, KindAccess.MEMORY, created);
        memoryImported += created.size();
    }

    private List<Message> history(DataAccess store, String chatId) {
        List<Message> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Message> page = store.getChatHistory(chatId, HistoryQuery.after(after, HistoryQuery.MAX_LIMIT));
            all.addAll(page);
            if (page.size() < HistoryQuery.MAX_LIMIT) {
                return all;
            }
            after = page.get(page.size() - 1).sequenceNumber();
        }
    }

    private <T> void upsert(DataAccess store, KindAccess<T> kind, List<T> records) {
        for (int i = 0; i < records.size(); i += batchSize) {
            List<T> slice = records.subList(i, Math.min(records.size(), i + batchSize));
            kind.upsert(store.bulk(), new ArrayList<>(slice));
        }
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String messageHash(String chatId, Role role, String content, Instant at) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {chatId, role.wireName(), content, String.valueOf(at.toEpochMilli())}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                digest.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
