package dev.dal.file.internal;

import dev.dal.api.MemoryEntry;
import dev.dal.api.MessageVote;
import java.util.List;
import java.util.UUID;

/** Small JSON documents the file store keeps beside the records: name indexes, per-user lists, tombstones. */
final class StoredIndexes {
    private StoredIndexes() {}

    /** Maps a hashed chat id back to its session; the chat id is kept to rule out hash collisions. */
    record ChatIdEntry(String chatId, UUID sessionId) {}

    /** Maps a hashed external id back to its user. */
    record ExternalIdEntry(String externalId, UUID userId) {}

    /** The sessions a user owns, so listing them does not scan every session. */
    record UserSessions(List<UUID> sessionIds) {
        UserSessions {
            sessionIds = sessionIds == null ? List.of() : List.copyOf(sessionIds);
        }
    }

    /** A deleted user: the version its deletion gave it (the deleted version plus one). */
    record UserTombstone(UUID userId, long version) {}

    /**
     * A deleted chat session, under its hashed chat id: the chat id (kept to rule out hash collisions), the id
     * the deleted session had, and the version its deletion gave it.
     */
    record ChatIdTombstone(String chatId, UUID sessionId, long version) {}

    /**
     * Marks a session id as deleted, so that a late bulk upsert of its messages is skipped rather than refused.
     * Session ids are never used again, so the mark outlives the chat id's tombstone.
     */
    record DeletedSession(UUID sessionId) {}

    /** One deleted memory key of a user, and the version its deletion gave it. */
    record MemoryTombstone(String memoryType, String key, long version) {}

    /** All memory tombstones of one user, sorted by type and key. */
    record UserMemoryTombstones(List<MemoryTombstone> entries) {
        UserMemoryTombstones {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    /** The UTC days, as ISO dates in ascending order, whose token usage file holds a session's or a user's records. */
    record UsageDays(List<String> days) {
        UsageDays {
            days = days == null ? List.of() : List.copyOf(days);
        }
    }

    /** A session's votes, sorted by sequence number, then by the voter's id. */
    record SessionVotes(List<MessageVote> votes) {
        SessionVotes {
            votes = votes == null ? List.of() : List.copyOf(votes);
        }
    }

    /** The sessions a user has voted in, so deleting the user reads those sessions' votes, not every session's. */
    record UserVotedSessions(List<UUID> sessionIds) {
        UserVotedSessions {
            sessionIds = sessionIds == null ? List.of() : List.copyOf(sessionIds);
        }
    }

    /** All memory entries of one user, sorted by type and key. */
    record UserMemory(List<MemoryEntry> entries) {
        UserMemory {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }
}
