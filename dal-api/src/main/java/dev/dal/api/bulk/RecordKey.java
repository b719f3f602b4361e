package dev.dal.api.bulk;

import java.util.Objects;
import java.util.UUID;

/**
 * The key of a versioned record, as deletions name it: a user by id, a chat session by chat id, a memory
 * entry by user, type and key. A memory key without a {@code key} names every key of one type (only in
 * {@link BulkAccess#findTombstones}).
 *
 * @param kind what the key names
 * @param userId the user's id (users and memory), {@code null} for sessions
 * @param chatId the session's chat id (sessions only)
 * @param memoryType the memory type (memory only)
 * @param key the memory key (memory only; {@code null} for a whole type)
 */
public record RecordKey(Kind kind, UUID userId, String chatId, String memoryType, String key) {

    /** The kinds of record that carry a version. */
    public enum Kind {
        /** A user, by id. */
        USER,
        /** A chat session, by chat id. */
        SESSION,
        /** A memory entry, by user, type and key. */
        MEMORY
    }

    /**
     * Checks that exactly the parts of the kind are set.
     *
     * @param kind what the key names
     * @param userId the user's id (users and memory), {@code null} for sessions
     * @param chatId the session's chat id (sessions only)
     * @param memoryType the memory type (memory only)
     * @param key the memory key (memory only; {@code null} for a whole type)
     */
    public RecordKey {
        Objects.requireNonNull(kind, "kind");
        boolean valid = switch (kind) {
            case USER -> userId != null && chatId == null && memoryType == null && key == null;
            case SESSION -> userId == null && chatId != null && memoryType == null && key == null;
            case MEMORY -> userId != null && chatId == null && memoryType != null;
        };
        if (!valid) {
            throw new IllegalArgumentException("A " + kind + " key holds only its own parts");
        }
    }

    /**
     * @param id the user's id
     * @return the user's key
     */
    public static RecordKey user(UUID id) {
        return new RecordKey(Kind.USER, id, null, null, null);
    }

    /**
     * @param chatId the session's chat id
     * @return the session's key
     */
    public static RecordKey session(String chatId) {
        return new RecordKey(Kind.SESSION, null, chatId, null, null);
    }

    /**
     * @param userId the user's id
     * @param memoryType the type
     * @param key the key
     * @return the memory entry's key
     */
    public static RecordKey memory(UUID userId, String memoryType, String key) {
        Objects.requireNonNull(key, "key");
        return new RecordKey(Kind.MEMORY, userId, null, memoryType, key);
    }

    /**
     * @param userId the user's id
     * @param memoryType the type
     * @return a key naming every memory key of the type, for {@link BulkAccess#findTombstones}
     */
    public static RecordKey memoryType(UUID userId, String memoryType) {
        return new RecordKey(Kind.MEMORY, userId, null, memoryType, null);
    }

    /** @return whether this key names a whole memory type rather than one record */
    public boolean isWholeType() {
        return kind == Kind.MEMORY && key == null;
    }
}
