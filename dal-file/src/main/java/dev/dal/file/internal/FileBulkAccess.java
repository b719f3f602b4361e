package dev.dal.file.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.ChatSession;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Bulk scan and exact upsert for the file store. Each upsert batch is one journaled unit: the
 * whole batch lands or none of it. Message upserts append to the session's log in one write.
 */
final class FileBulkAccess implements BulkAccess {
    private final UnitOfWork unit;
    private final RecordFiles records;
    private final ObjectMapper json = JsonValues.newMapper();

    FileBulkAccess(UnitOfWork unit, RecordFiles records) {
        this.unit = unit;
        this.records = records;
    }

    // ---- scans ----

    @Override
    public ScanBatch<User> scanUsers(String cursor, int batchSize) {
        return unit.read("scanUsers", () -> scanById(records.layout().usersDir(), cursor, batchSize, records::user));
    }

    @Override
    public ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
        return unit.read("scanSessions",
                () -> scanById(records.layout().sessionsDir(), cursor, batchSize, records::session));
    }

    /** Loads a record by id. */
    private interface Loader<T> {
        Optional<T> load(UUID id) throws IOException;
    }

    private static <T> ScanBatch<T> scanById(Path dir, String cursor, int batchSize, Loader<T> loader)
            throws IOException {
        List<T> items = new ArrayList<>();
        String last = null;
        boolean more = false;
        for (UUID id : RecordFiles.idsIn(dir)) {
            String key = id.toString();
            if (cursor != null && key.compareTo(cursor) <= 0) {
                continue;
            }
            if (items.size() == batchSize) {
                more = true;
                break;
            }
            Optional<T> record = loader.load(id);
            if (record.isPresent()) {
                items.add(record.get());
                last = key;
            }
        }
        return new ScanBatch<>(items, more ? last : null);
    }

    @Override
    public ScanBatch<Message> scanMessages(String cursor, int batchSize) {
        return unit.read("scanMessages", () -> {
            String[] parts = cursor == null ? null : cursor.split("/", 2);
            String startSession = parts == null ? null : parts[0];
            long after = parts == null ? 0 : parseSequence(parts[1]);
            List<Message> items = new ArrayList<>();
            for (UUID sessionId : RecordFiles.idsIn(records.layout().sessionsDir())) {
                String key = sessionId.toString();
                int order = startSession == null ? 1 : key.compareTo(startSession);
                if (order < 0) {
                    continue;
                }
                long from = order == 0 ? after + 1 : 1;
                MessageLog log = records.messages(sessionId);
                long slots = log.slotCount();
                while (from <= slots && items.size() < batchSize) {
                    long to = Math.min(slots, from + (batchSize - items.size()) - 1);
                    items.addAll(log.readRange(from, to));
                    from = to + 1;
                }
                if (items.size() == batchSize) {
                    Message last = items.get(items.size() - 1);
                    return new ScanBatch<>(items, last.sessionId() + "/" + last.sequenceNumber());
                }
            }
            return new ScanBatch<>(items, null);
        });
    }

    private static long parseSequence(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ValidationException("cursor", "is not a cursor this store returned");
        }
    }

    @Override
    public ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
        return unit.read("scanMemory", () -> {
            MemoryKey after = cursor == null ? null : MemoryKey.parse(json, cursor);
            List<MemoryEntry> items = new ArrayList<>();
            for (UUID userId : RecordFiles.idsIn(records.layout().memoryDir())) {
                if (after != null && userId.toString().compareTo(after.userId()) < 0) {
                    continue;
                }
                for (MemoryEntry entry : records.memoryOf(userId)) {
                    if (after != null && MemoryKey.of(entry).compareTo(after) <= 0) {
                        continue;
                    }
                    if (items.size() == batchSize) {
                        return new ScanBatch<>(items, MemoryKey.of(items.get(items.size() - 1)).format(json));
                    }
                    items.add(entry);
                }
            }
            return new ScanBatch<>(items, null);
        });
    }

    /** The scan key of a memory entry: user id, type, key. */
    private record MemoryKey(String userId, String memoryType, String key) implements Comparable<MemoryKey> {
        static MemoryKey of(MemoryEntry e) {
            return new MemoryKey(e.userId().toString(), e.memoryType(), e.key());
        }

        static MemoryKey parse(ObjectMapper json, String cursor) {
            try {
                String[] parts = json.readValue(cursor, String[].class);
                if (parts.length == 3) {
                    return new MemoryKey(parts[0], parts[1], parts[2]);
                }
            } catch (JsonProcessingException e) {
                // reported below
            }
            throw new ValidationException("cursor", "is not a cursor this store returned");
        }

        String format(ObjectMapper json) throws JsonProcessingException {
            return json.writeValueAsString(new String[] {userId, memoryType, key});
        }

        @Override
        public int compareTo(MemoryKey o) {
            int c = userId.compareTo(o.userId);
            if (c == 0) {
                c = MemoryOrder.compareCodePoints(memoryType, o.memoryType);
            }
            return c != 0 ? c : MemoryOrder.compareCodePoints(key, o.key);
        }
    }

    // ---- upserts ----

    @Override
    public void upsertUsers(List<User> users) {
        unit.write("upsertUsers", () -> {
            for (User user : users) {
                Optional<User> existing = records.user(user.id());
                records.moveExternalId(user.id(), existing.map(User::externalId).orElse(null), user.externalId());
                records.putUser(user);
            }
            return null;
        });
    }

    @Override
    public void upsertSessions(List<ChatSession> sessions) {
        unit.write("upsertSessions", () -> {
            for (ChatSession session : sessions) {
                Optional<UUID> holder = records.sessionIdByChatId(session.chatId());
                if (holder.isPresent() && !holder.get().equals(session.id())) {
                    throw new DuplicateKeyException("Another chat session already has this chatId");
                }
                records.requireUser(session.userId());
                Optional<ChatSession> existing = records.session(session.id());
                if (existing.isPresent() && !existing.get().chatId().equals(session.chatId())) {
                    records.files().delete(records.layout().chatIdIndex(existing.get().chatId()));
                }
                records.putSession(session);
                records.putChatId(session.chatId(), session.id());
                records.changeOwner(session.id(), existing.map(ChatSession::userId).orElse(null), session.userId());
            }
            return null;
        });
    }

    @Override
    public void upsertMessages(List<Message> messages) {
        Map<UUID, List<Message>> bySession = new LinkedHashMap<>();
        messages.forEach(m -> bySession.computeIfAbsent(m.sessionId(), k -> new ArrayList<>()).add(m));
        unit.write("upsertMessages", () -> {
            for (Map.Entry<UUID, List<Message>> group : bySession.entrySet()) {
                if (records.session(group.getKey()).isEmpty()) {
                    throw NotFoundException.of("chat session", group.getKey());
                }
                List<Message> sorted = new ArrayList<>(group.getValue());
                sorted.sort(Comparator.comparingLong(Message::sequenceNumber));
                records.messages(group.getKey()).upsert(records.files(), sorted);
            }
            return null;
        });
    }

    @Override
    public void upsertMemory(List<MemoryEntry> entries) {
        Map<UUID, List<MemoryEntry>> byUser = new LinkedHashMap<>();
        entries.forEach(e -> byUser.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(e));
        unit.write("upsertMemory", () -> {
            for (Map.Entry<UUID, List<MemoryEntry>> group : byUser.entrySet()) {
                records.requireUser(group.getKey());
                List<MemoryEntry> current = new ArrayList<>(records.memoryOf(group.getKey()));
                for (MemoryEntry entry : group.getValue()) {
                    current.removeIf(e -> e.memoryType().equals(entry.memoryType()) && e.key().equals(entry.key()));
                    current.add(entry);
                }
                records.putMemory(group.getKey(), current);
            }
            return null;
        });
    }
}
