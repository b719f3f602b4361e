package dev.dal.file.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.DeleteMode;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.MemoryEntry;
import dev.dal.api.MessageVote;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import dev.dal.file.internal.StoredIndexes.ChatIdEntry;
import dev.dal.file.internal.StoredIndexes.ChatIdTombstone;
import dev.dal.file.internal.StoredIndexes.DeletedSession;
import dev.dal.file.internal.StoredIndexes.ExternalIdEntry;
import dev.dal.file.internal.StoredIndexes.MemoryTombstone;
import dev.dal.file.internal.StoredIndexes.SessionVotes;
import dev.dal.file.internal.StoredIndexes.UserMemory;
import dev.dal.file.internal.StoredIndexes.UserMemoryTombstones;
import dev.dal.file.internal.StoredIndexes.UserSessions;
import dev.dal.file.internal.StoredIndexes.UserTombstone;
import dev.dal.file.internal.StoredIndexes.UserVotedSessions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The store directory's record files: reads and (journaled) writes of the records, their indexes and the
 * tombstones deletions leave. Callers hold the store lock, so a version read here and written back one higher
 * cannot race another writer.
 *
 * @param layout where each record lives under the store root
 * @param mapping the records' JSON form
 * @param files the journaled writes of the running unit of work
 * @param listings the record directories' listings, kept while the directories are unchanged
 */
record RecordDirectory(StoreLayout layout, FileRecords mapping, JournaledFiles files, DirectoryListings listings) {
    /** The order of a session's votes file: by sequence number, then by voter. */
    static final Comparator<MessageVote> VOTE_ORDER = Comparator.comparingLong(MessageVote::sequenceNumber)
            .thenComparing(v -> v.userId().toString());

    TokenUsageLog tokenUsage() {
        return new TokenUsageLog(layout, mapping, files);
    }

    MessageLog messages(UUID sessionId) {
        return new MessageLog(layout, sessionId, mapping);
    }

    private <T> Optional<T> read(Path path, Class<T> type, String what) throws IOException {
        byte[] bytes = DurableFiles.readOrNull(path);
        return bytes == null ? Optional.empty() : Optional.of(mapping.read(bytes, type, what));
    }

    // ---- users ----

    Optional<User> user(UUID id) throws IOException {
        return read(layout.user(id), User.class, "user");
    }

    void putUser(User user) throws IOException {
        files.replace(layout.user(user.id()), mapping.write(user));
    }

    /**
     * Deletes a user as {@code DataAccess.deleteUser} does (sessions detached at one version more, or purged with
     * their messages; memory deleted) and leaves the user's tombstone, raised to at least {@code tombstoneVersion}.
     * A purged session leaves its chat id's tombstone at its version plus one (its messages name only the
     * session); memory entries get no tombstones of their own: the user's covers them.
     */
    void deleteUser(User user, DeleteMode mode, long tombstoneVersion) throws IOException {
        for (UUID sessionId : sessionIdsOf(user.id())) {
            Optional<ChatSession> session = session(sessionId);
            if (session.isEmpty()) {
                continue;
            }
            if (mode == DeleteMode.PURGE) {
                // Its messages name only the session, so the session leaves a tombstone of its own.
                deleteSession(session.get());
                putSessionTombstone(
                        session.get().chatId(), sessionId, session.get().version() + 1);
            } else {
                putSession(session.get().withUserId(null));
            }
        }
        deleteSessionList(user.id());
        deleteVotesOf(user.id());
        tokenUsage().deleteUserUsage(user.id());
        putMemory(user.id(), List.of());
        if (user.externalId() != null) {
            deleteExternalId(user.externalId());
        }
        files.delete(layout.user(user.id()));
        putUserTombstone(user.id(), tombstoneVersion);
    }

    /** @return the version a deleted user's tombstone holds, if the user was deleted */
    Optional<Long> userTombstone(UUID id) throws IOException {
        return read(layout.userTombstone(id), UserTombstone.class, "user tombstone")
                .filter(t -> t.userId().equals(id))
                .map(UserTombstone::version);
    }

    /** Keeps a user's tombstone at a version, raising a stored one, never lowering it. */
    void putUserTombstone(UUID id, long version) throws IOException {
        Optional<Long> stored = userTombstone(id);
        if (stored.isEmpty() || stored.get() < version) {
            files.replace(layout.userTombstone(id), mapping.write(new UserTombstone(id, version)));
        }
    }

    /** Removes a user's tombstone (the user is live again). */
    void deleteUserTombstone(UUID id) throws IOException {
        files.delete(layout.userTombstone(id));
    }

    /** @return the version the store holds for a user id, live or deleted; 0 when it holds none */
    long storedUserVersion(UUID id, Optional<User> live) throws IOException {
        long version = live.map(User::version).orElse(0L);
        return Math.max(version, userTombstone(id).orElse(0L));
    }

    /** @return the user holding an external id, if any */
    Optional<UUID> userIdByExternalId(String externalId) throws IOException {
        return read(layout.externalIdIndex(externalId), ExternalIdEntry.class, "external id index")
                .filter(e -> e.externalId().equals(externalId))
                .map(ExternalIdEntry::userId);
    }

    void putExternalId(String externalId, UUID userId) throws IOException {
        files.replace(layout.externalIdIndex(externalId), mapping.write(new ExternalIdEntry(externalId, userId)));
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
        return new DuplicateKeyException(DuplicateKeyException.Key.EXTERNAL_ID);
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
        files.replace(layout.session(session.id()), mapping.write(session));
    }

    /** Journals at once everything adding messages to a session changes: its log, index, digest and record. */
    void prepareMessageAppend(UUID sessionId) throws IOException {
        files.prepare(
                List.of(layout.messageLog(sessionId), layout.messageIndex(sessionId), layout.wordIndexTail(sessionId)),
                List.of(layout.messageDigest(sessionId), layout.session(sessionId)));
    }

    void putChatId(String chatId, UUID sessionId) throws IOException {
        files.replace(layout.chatIdIndex(chatId), mapping.write(new ChatIdEntry(chatId, sessionId)));
    }

    /** Deletes a session's directory (record, messages, votes), its token usage and its chat id index entry. */
    void deleteSession(ChatSession session) throws IOException {
        files.delete(layout.chatIdIndex(session.chatId()));
        tokenUsage().deleteSessionUsage(session.id());
        files.deleteTree(layout.sessionDir(session.id()));
    }

    /**
     * Deletes a session as {@code DataAccess.deleteChatSession} does (its owner's list, its record, messages and
     * chat id index) and leaves the tombstone of its chat id, raised to at least {@code version}.
     */
    void deleteSessionLeavingTombstone(ChatSession session, long version) throws IOException {
        changeOwner(session.id(), session.userId(), null);
        deleteSession(session);
        putSessionTombstone(session.chatId(), session.id(), version);
        markSessionDeleted(session.id());
    }

    /** @return the tombstone of a chat id, if a session under it was deleted and none holds it since */
    Optional<ChatIdTombstone> sessionTombstone(String chatId) throws IOException {
        return read(layout.chatIdTombstone(chatId), ChatIdTombstone.class, "chat session tombstone")
                .filter(t -> t.chatId().equals(chatId));
    }

    /** Keeps a chat id's tombstone at a version, raising a stored one, never lowering it. */
    void putSessionTombstone(String chatId, UUID sessionId, long version) throws IOException {
        Optional<ChatIdTombstone> stored = sessionTombstone(chatId);
        if (stored.isEmpty() || stored.get().version() < version) {
            files.replace(
                    layout.chatIdTombstone(chatId), mapping.write(new ChatIdTombstone(chatId, sessionId, version)));
        }
        markSessionDeleted(sessionId);
    }

    /** Removes a chat id's tombstone (a session holds the chat id again). */
    void deleteSessionTombstone(String chatId) throws IOException {
        files.delete(layout.chatIdTombstone(chatId));
    }

    /** Marks a session id as deleted, so that late bulk upserts of its messages are skipped. */
    void markSessionDeleted(UUID sessionId) throws IOException {
        Path mark = layout.deletedSession(sessionId);
        if (DurableFiles.sizeOrMissing(mark) < 0) {
            files.replace(mark, mapping.write(new DeletedSession(sessionId)));
        }
    }

    /** @return whether a session with this id was deleted */
    boolean sessionWasDeleted(UUID sessionId) throws IOException {
        return read(layout.deletedSession(sessionId), DeletedSession.class, "deleted session mark")
                .filter(m -> m.sessionId().equals(sessionId))
                .isPresent();
    }

    /** @return the version the store holds for a chat id, live or deleted; 0 when it holds none */
    long storedSessionVersion(String chatId, Optional<ChatSession> live) throws IOException {
        long version = live.map(ChatSession::version).orElse(0L);
        return Math.max(
                version, sessionTombstone(chatId).map(ChatIdTombstone::version).orElse(0L));
    }

    List<UUID> sessionIdsOf(UUID userId) throws IOException {
        return read(layout.userSessions(userId), UserSessions.class, "user session list")
                .map(UserSessions::sessionIds)
                .orElse(List.of());
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
            files.replace(layout.userSessions(userId), mapping.write(new UserSessions(ids)));
        }
    }

    void deleteSessionList(UUID userId) throws IOException {
        files.delete(layout.userSessions(userId));
    }

    // ---- votes ----

    /** @return a session's votes, sorted by sequence number and voter */
    List<MessageVote> votesOf(UUID sessionId) throws IOException {
        return read(layout.votes(sessionId), SessionVotes.class, "session votes")
                .map(SessionVotes::votes)
                .orElse(List.of());
    }

    /** Replaces a session's votes; the session is live. */
    void putVotes(UUID sessionId, List<MessageVote> votes) throws IOException {
        if (votes.isEmpty()) {
            files.delete(layout.votes(sessionId));
            return;
        }
        List<MessageVote> sorted = new ArrayList<>(votes);
        sorted.sort(VOTE_ORDER);
        files.replace(layout.votes(sessionId), mapping.write(new SessionVotes(sorted)));
    }

    /** Notes that a user voted in a session, so that deleting the user finds the vote. */
    void addVotedSession(UUID userId, UUID sessionId) throws IOException {
        List<UUID> ids = new ArrayList<>(votedSessionsOf(userId));
        if (!ids.contains(sessionId)) {
            ids.add(sessionId);
            files.replace(layout.userVotedSessions(userId), mapping.write(new UserVotedSessions(ids)));
        }
    }

    private List<UUID> votedSessionsOf(UUID userId) throws IOException {
        return read(layout.userVotedSessions(userId), UserVotedSessions.class, "user voted sessions")
                .map(UserVotedSessions::sessionIds)
                .orElse(List.of());
    }

    /** Removes a user's votes from every live session the user voted in, and the user's list of them. */
    private void deleteVotesOf(UUID userId) throws IOException {
        for (UUID sessionId : votedSessionsOf(userId)) {
            // A session deleted since (purged a moment ago, say) took its votes along.
            if (session(sessionId).isEmpty()) {
                continue;
            }
            List<MessageVote> votes = votesOf(sessionId);
            List<MessageVote> kept =
                    votes.stream().filter(v -> !v.userId().equals(userId)).toList();
            if (kept.size() != votes.size()) {
                putVotes(sessionId, kept);
            }
        }
        files.delete(layout.userVotedSessions(userId));
    }

    // ---- memory ----

    List<MemoryEntry> memoryOf(UUID userId) throws IOException {
        return read(layout.memory(userId), UserMemory.class, "user memory")
                .map(UserMemory::entries)
                .orElse(List.of());
    }

    void putMemory(UUID userId, List<MemoryEntry> entries) throws IOException {
        if (entries.isEmpty()) {
            files.delete(layout.memory(userId));
            return;
        }
        List<MemoryEntry> sorted = new ArrayList<>(entries);
        sorted.sort(MemoryOrder.BY_TYPE_AND_KEY);
        files.replace(layout.memory(userId), mapping.write(new UserMemory(sorted)));
    }

    /** @return a user's memory tombstones, sorted by type and key */
    List<MemoryTombstone> memoryTombstonesOf(UUID userId) throws IOException {
        return read(layout.memoryTombstones(userId), UserMemoryTombstones.class, "user memory tombstones")
                .map(UserMemoryTombstones::entries)
                .orElse(List.of());
    }

    void putMemoryTombstones(UUID userId, List<MemoryTombstone> tombstones) throws IOException {
        if (tombstones.isEmpty()) {
            files.delete(layout.memoryTombstones(userId));
            return;
        }
        List<MemoryTombstone> sorted = new ArrayList<>(tombstones);
        sorted.sort(MemoryOrder.TOMBSTONES_BY_TYPE_AND_KEY);
        files.replace(layout.memoryTombstones(userId), mapping.write(new UserMemoryTombstones(sorted)));
    }

    /** @return a user's memory and memory tombstones, read once, to change and write back once */
    UserMemoryState memoryState(UUID userId) throws IOException {
        return new UserMemoryState(userId, memoryOf(userId), memoryTombstonesOf(userId));
    }

    /** Writes back whatever changed in a user's memory and memory tombstones: at most one write each. */
    void flush(UserMemoryState state) throws IOException {
        if (state.entriesChanged()) {
            putMemory(state.userId(), state.entries());
        }
        if (state.tombstonesChanged()) {
            putMemoryTombstones(state.userId(), state.tombstones());
        }
    }

    /** @return the UUIDs named by the entries of a record directory, in canonical string order, unmodifiable */
    List<UUID> idsIn(Path dir) throws IOException {
        return listings.idsIn(dir);
    }
}
