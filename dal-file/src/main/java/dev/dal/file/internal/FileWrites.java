package dev.dal.file.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.Timestamps;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.spi.Ids;
import dev.dal.file.internal.StoredIndexes.ChatIdTombstone;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Every write the file store's {@code DataAccess} makes: creating, updating and deleting users and
 * sessions, appending messages, setting, deleting and purging memory. Each method is the body of one
 * journaled unit of work: the caller holds the store lock and runs it inside the unit, so a version
 * read here and written back one higher cannot race another writer, and a failure undoes all of it.
 */
final class FileWrites {
    private final RecordDirectory records;
    private final Clock clock;

    /**
     * @param records the record files, written through the unit of work's journal
     * @param clock the clock for timestamps and expiry
     */
    FileWrites(RecordDirectory records, Clock clock) {
        this.records = records;
        this.clock = clock;
    }

    private Instant now() {
        return Timestamps.now(clock);
    }

    // ---- users ----

    User createUser(NewUser newUser) throws IOException {
        if (newUser.externalId() != null
                && records.userIdByExternalId(newUser.externalId()).isPresent()) {
            throw RecordDirectory.duplicateExternalId();
        }
        User user = newUser.toUser(Ids.newId(), now());
        if (records.user(user.id()).isPresent()) {
            throw new DuplicateKeyException(DuplicateKeyException.Key.USER_ID);
        }
        // A caller-chosen id used again continues above the deleted user's version.
        Optional<Long> tombstone = records.userTombstone(user.id());
        user = user.withVersion(tombstone.map(v -> v + 1).orElse(1L));
        records.putUser(user);
        if (user.externalId() != null) {
            records.putExternalId(user.externalId(), user.id());
        }
        if (tombstone.isPresent()) {
            records.deleteUserTombstone(user.id());
        }
        return user;
    }

    User updateUser(UUID id, UserUpdate update) throws IOException {
        User current = records.user(id).orElseThrow(() -> NotFoundException.of("user", id));
        User updated = update.applyTo(current, now());
        records.moveExternalId(id, current.externalId(), updated.externalId());
        records.putUser(updated);
        return updated;
    }

    boolean deleteUser(UUID id, DeleteMode mode) throws IOException {
        Optional<User> user = records.user(id);
        if (user.isEmpty()) {
            return false;
        }
        records.deleteUser(user.get(), mode, user.get().version() + 1);
        return true;
    }

    // ---- sessions ----

    ChatSession createChatSession(NewChatSession newSession) throws IOException {
        if (records.sessionIdByChatId(newSession.chatId()).isPresent()) {
            throw new DuplicateKeyException(DuplicateKeyException.Key.CHAT_ID);
        }
        records.requireUser(newSession.userId());
        // A chat id used again continues above the deleted session's version.
        Optional<ChatIdTombstone> tombstone = records.sessionTombstone(newSession.chatId());
        ChatSession session = newSession
                .toSession(Ids.newId(), now())
                .withVersion(tombstone.map(t -> t.version() + 1).orElse(1L));
        records.putSession(session);
        records.putChatId(session.chatId(), session.id());
        records.changeOwner(session.id(), null, session.userId());
        if (tombstone.isPresent()) {
            records.deleteSessionTombstone(session.chatId());
        }
        return session;
    }

    ChatSession updateChatSession(String chatId, ChatSessionUpdate update) throws IOException {
        ChatSession current =
                records.sessionByChatId(chatId).orElseThrow(() -> NotFoundException.of("chat session", chatId));
        ChatSession updated = update.applyTo(current, now());
        if (!Objects.equals(current.userId(), updated.userId())) {
            records.requireUser(updated.userId());
            records.changeOwner(current.id(), current.userId(), updated.userId());
        }
        records.putSession(updated);
        return updated;
    }

    boolean deleteChatSession(String chatId) throws IOException {
        Optional<ChatSession> session = records.sessionByChatId(chatId);
        if (session.isEmpty()) {
            return false;
        }
        records.deleteSessionLeavingTombstone(session.get(), session.get().version() + 1);
        return true;
    }

    // ---- messages ----

    List<Message> addMessages(String chatId, List<NewMessage> newMessages) throws IOException {
        ChatSession session =
                records.sessionByChatId(chatId).orElseThrow(() -> NotFoundException.of("chat session", chatId));
        Instant now = now();
        long next = session.messageCount() + 1;
        List<Message> messages = new ArrayList<>(newMessages.size());
        for (NewMessage m : newMessages) {
            messages.add(m.toMessage(Ids.newId(), session.id(), next++, now));
        }
        records.prepareMessageAppend(session.id());
        records.messages(session.id()).append(records.files(), messages);
        records.putSession(session.withMessages(next - 1, now));
        return List.copyOf(messages);
    }

    // ---- votes ----

    MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) throws IOException {
        ChatSession session =
                records.sessionByChatId(chatId).orElseThrow(() -> NotFoundException.of("chat session", chatId));
        Message message = (sequenceNumber <= session.messageCount()
                        ? records.messages(session.id()).read(sequenceNumber)
                        : Optional.<Message>empty())
                .orElseThrow(() -> NotFoundException.of("message", sequenceNumber + " of chat session " + chatId));
        records.requireUser(userId);
        MessageVote cast = new MessageVote(message.id(), session.id(), sequenceNumber, userId, vote, now());
        List<MessageVote> votes = new ArrayList<>(records.votesOf(session.id()));
        votes.removeIf(v -> v.sequenceNumber() == sequenceNumber && v.userId().equals(userId));
        votes.add(cast);
        records.putVotes(session.id(), votes);
        records.addVotedSession(userId, session.id());
        return cast;
    }

    boolean clearVote(String chatId, long sequenceNumber, UUID userId) throws IOException {
        Optional<ChatSession> session = records.sessionByChatId(chatId);
        if (session.isEmpty()) {
            return false;
        }
        List<MessageVote> votes = new ArrayList<>(records.votesOf(session.get().id()));
        if (!votes.removeIf(
                v -> v.sequenceNumber() == sequenceNumber && v.userId().equals(userId))) {
            return false;
        }
        // The user's list of voted sessions keeps this one: deleting the user then finds nothing to remove.
        records.putVotes(session.get().id(), votes);
        return true;
    }

    // ---- token usage ----

    TokenUsage recordTokenUsage(NewTokenUsage usage) throws IOException {
        ChatSession session = records.sessionByChatId(usage.chatId())
                .orElseThrow(() -> NotFoundException.of("chat session", usage.chatId()));
        long seq = usage.sequenceNumber();
        Message message = (seq <= session.messageCount()
                        ? records.messages(session.id()).read(seq)
                        : Optional.<Message>empty())
                .orElseThrow(() -> NotFoundException.of("message", seq + " of chat session " + usage.chatId()));
        records.requireUser(usage.userId());
        if (usage.id() != null) {
            Optional<TokenUsage> stored = records.tokenUsage().find(usage.id(), session.id());
            if (stored.isPresent()) {
                return usage.repeatedBy(session.id(), stored.get());
            }
        }
        TokenUsage recorded = new TokenUsage(
                usage.id() != null ? usage.id() : Ids.newId(),
                message.id(),
                session.id(),
                seq,
                usage.userId(),
                usage.model(),
                usage.promptTokens(),
                usage.completionTokens(),
                usage.costMicros(),
                usage.currency(),
                now());
        records.tokenUsage().record(recorded);
        return recorded;
    }

    // ---- memory ----

    MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt)
            throws IOException {
        records.requireUser(userId);
        Instant now = now();
        UserMemoryState memory = records.memoryState(userId);
        Optional<MemoryEntry> existing = memory.entry(memoryType, key);
        Instant createdAt = existing.filter(e -> !e.isExpiredAt(now))
                .map(MemoryEntry::createdAt)
                .orElse(now);
        // Over a stored entry (expired or not) or a deleted key's tombstone, the version goes on from there.
        MemoryEntry entry = new MemoryEntry(
                userId, memoryType, key, value, createdAt, now, expiresAt, memory.storedVersion(memoryType, key) + 1);
        memory.put(entry);
        records.flush(memory);
        return entry;
    }

    /**
     * Deletes matching entries, leaving a tombstone for each.
     *
     * @param userId the user
     * @param memoryType the type of the entries
     * @param key the key of the one entry, or {@code null} for every entry of the type
     * @return how many of them were visible (unexpired)
     * @throws IOException when the memory files cannot be read or written
     */
    int deleteMemory(UUID userId, String memoryType, String key) throws IOException {
        Instant now = now();
        UserMemoryState memory = records.memoryState(userId);
        int visible = 0;
        for (MemoryEntry e : memory.entries()) {
            boolean matches =
                    e.memoryType().equals(memoryType) && (key == null || e.key().equals(key));
            if (matches) {
                visible += e.isExpiredAt(now) ? 0 : 1;
                memory.delete(e.memoryType(), e.key(), e.version() + 1);
            }
        }
        records.flush(memory);
        return visible;
    }

    int purgeExpiredMemory() throws IOException {
        Instant now = now();
        int removed = 0;
        for (UUID userId : records.idsIn(records.layout().memoryDir())) {
            List<MemoryEntry> entries = records.memoryOf(userId);
            if (entries.stream().noneMatch(e -> e.isExpiredAt(now))) {
                continue;
            }
            UserMemoryState memory = new UserMemoryState(userId, entries, records.memoryTombstonesOf(userId));
            for (MemoryEntry e : entries) {
                if (e.isExpiredAt(now)) {
                    memory.delete(e.memoryType(), e.key(), e.version() + 1);
                    removed++;
                }
            }
            records.flush(memory);
        }
        return removed;
    }
}
