package dev.dal.file.internal;

import dev.dal.api.MemoryEntry;
import java.util.List;
import java.util.UUID;

/** Small JSON documents the file store keeps beside the records: name indexes and per-user lists. */
final class StoredIndexes {
    private StoredIndexes() {
    }

    /** Maps a hashed chat id back to its session; the chat id is kept to rule out hash collisions. */
    record ChatIdEntry(String chatId, UUID sessionId) {
    }

    /** Maps a hashed external id back to its user. */
    record ExternalIdEntry(String externalId, UUID userId) {
    }

    /** The sessions a user owns, so listing them does not scan every session. */
    record UserSessions(List<UUID> sessionIds) {
        UserSessions {
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
