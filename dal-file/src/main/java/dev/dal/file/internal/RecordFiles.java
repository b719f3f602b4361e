package dev.dal.file.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import dev.dal.file.internal.StoredIndexes.ChatIdEntry;
import dev.dal.file.internal.StoredIndexes.ExternalIdEntry;
import dev.dal.file.internal.StoredIndexes.UserMemory;
import dev.dal.file.internal.StoredIndexes.UserSessions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Reads and (journaled) writes of the record files and their indexes. Callers hold the store lock. */
final class RecordFiles {
    private final StoreLayout layout;
    private final RecordCodec codec;
    private final JournaledFiles files;

    RecordFiles(StoreLayout layout, RecordCodec codec, JournaledFiles files) {
        this.layout = layout;
        this.codec = codec;
        this.files = files;
    }

    StoreLayout layout() {
        return layout;
    }

    JournaledFiles files() {
        return files;
    }

    MessageLog messages(UUID sessionId) {
        return new MessageLog(layout, sessionId, codec);
    }

    private <T> Optional<T> read(Path path, Class<T> type, String what) throws IOException {
        byte[] bytes = DurableFiles.readOrNull(path);
        return bytes == null ? Optional.empty() : Optional.of(codec.read(bytes, type, what));
    }

    // ---- users ----

    Optional<User> user(UUID id) throws IOException {
        return read(layout.user(id), User.class, "user");
    }

    void putUser(User user) throws IOException {
        files.replace(layout.user(user.id()), codec.write(user));
    }

    void deleteUser(UUID id) throws IOException {
        files.delete(layout.user(id));
    }

    /** @return the user holding an external id, if any */
    Optional<UUID> userIdByExternalId(String externalId) throws IOException {
        return read(layout.externalIdIndex(externalId), ExternalIdEntry.class, "external id index")
                .filter(e -> e.externalId().equals(externalId))
                .map(ExternalIdEntry::userId);
    }

    void putExternalId(String externalId, UUID userId) throws IOException {
        files.replace(layout.externalIdIndex(externalId), codec.write(new ExternalIdEntry(externalId, userId)));
    }

    void deleteExternalId(String externalId) throws IOException {
        files.delete(layout.externalIdIndex(externalId));
    }

    void requireUser(UUID userId) throws IOException {
        if (userId != null && user(userId).isEmpty()) {
            throw NotFoundException.of("user", userId);
        }
    }

    static DuplicateKeyException duplicateExternalId() {
        return new DuplicateKeyException("Another user already has this externalId");
    }

    /** Points the external id index at a user's new external id, refusing one another user holds. */
    void moveExternalId(UUID userId, String from, String to) throws IOException {
        if (Objects.equals(from, to)) {
            return;
        }
        if (to != null) {
            Optional<UUID> holder = userIdByExternalId(to);
            if (holder.isPresent() && !holder.get().equals(userId)) {
                throw duplicateExternalId();
            }
        }
        if (from != null) {
            deleteExternalId(from);
        }
        if (to != null) {
            putExternalId(to, userId);
        }
    }

    // ---- sessions ----

    Optional<ChatSession> session(UUID id) throws IOException {
        return read(layout.session(id), ChatSession.class, "chat session");
    }

    Optional<ChatSession> sessionByChatId(String chatId) throws IOException {
        Optional<UUID> id = sessionIdByChatId(chatId);
        return id.isEmpty() ? Optional.empty() : session(id.get());
    }

    Optional<UUID> sessionIdByChatId(String chatId) throws IOException {
        return read(layout.chatIdIndex(chatId), ChatIdEntry.class, "chat id index")
                .filter(e -> e.chatId().equals(chatId))
                .map(ChatIdEntry::sessionId);
    }

    void putSession(ChatSession session) throws IOException {
        files.createDirectory(layout.sessionDir(session.id()));
        files.replace(layout.session(session.id()), codec.write(session));
    }

    /** Journals at once everything adding messages to a session changes: its log, index and record. */
    void prepareMessageAppend(UUID sessionId) throws IOException {
        files.prepare(List.of(layout.messageLog(sessionId), layout.messageIndex(sessionId)),
                List.of(layout.session(sessionId)));
    }

    void putChatId(String chatId, UUID sessionId) throws IOException {
        files.replace(layout.chatIdIndex(chatId), codec.write(new ChatIdEntry(chatId, sessionId)));
    }

    /** Deletes a session's directory (record and messages) and its chat id index entry. */
    void deleteSession(ChatSession session) throws IOException {
        files.delete(layout.chatIdIndex(session.chatId()));
        files.deleteTree(layout.sessionDir(session.id()));
    }

    List<UUID> sessionIdsOf(UUID userId) throws IOException {
        return read(layout.userSessions(userId), UserSessions.class, "user session list")
                .map(UserSessions::sessionIds).orElse(List.of());
    }

    /** Moves a session from one owner's list to another's; either may be {@code null}. */
    void changeOwner(UUID sessionId, UUID from, UUID to) throws IOException {
        if (from != null && !from.equals(to)) {
            List<UUID> ids = new ArrayList<>(sessionIdsOf(from));
            if (ids.remove(sessionId)) {
                putSessionIds(from, ids);
            }
        }
        if (to != null) {
            List<UUID> ids = new ArrayList<>(sessionIdsOf(to));
            if (!ids.contains(sessionId)) {
                ids.add(sessionId);
                putSessionIds(to, ids);
            }
        }
    }

    private void putSessionIds(UUID userId, List<UUID> ids) throws IOException {
        if (ids.isEmpty()) {
            files.delete(layout.userSessions(userId));
        } else {
            files.replace(layout.userSessions(userId), codec.write(new UserSessions(ids)));
        }
    }

    void deleteSessionList(UUID userId) throws IOException {
        files.delete(layout.userSessions(userId));
    }

    // ---- memory ----

    List<MemoryEntry> memoryOf(UUID userId) throws IOException {
        return read(layout.memory(userId), UserMemory.class, "user memory").map(UserMemory::entries).orElse(List.of());
    }

    void putMemory(UUID userId, List<MemoryEntry> entries) throws IOException {
        if (entries.isEmpty()) {
            files.delete(layout.memory(userId));
            return;
        }
        List<MemoryEntry> sorted = new ArrayList<>(entries);
        sorted.sort(MemoryOrder.BY_TYPE_AND_KEY);
        files.replace(layout.memory(userId), codec.write(new UserMemory(sorted)));
    }

    /** @return the UUIDs named by the entries of a directory, in canonical string order */
    static List<UUID> idsIn(Path dir) throws IOException {
        List<UUID> ids = new ArrayList<>();
        for (Path entry : DurableFiles.list(dir)) {
            UUID id = StoreLayout.idOf(entry);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }
}
