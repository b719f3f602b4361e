package dev.dal.api.bulk;

import java.util.Objects;
import java.util.UUID;

/**
 * What a store keeps of a deleted user, chat session or memory entry: its key and the version the deletion
 * gave it (the deleted record's version plus one), so that a late upsert of an older version is skipped
 * instead of bringing the record back.
 *
 * @param key the deleted record's key (never a whole memory type)
 * @param sessionId for a session, the id the deleted session had (its messages name it); else {@code null}
 * @param version the deleted record's version plus one
 */
public record Tombstone(RecordKey key, UUID sessionId, long version) {

    /**
     * Checks the parts.
     *
     * @param key the deleted record's key (never a whole memory type)
     * @param sessionId for a session, the id the deleted session had (its messages name it); else {@code null}
     * @param version the deleted record's version plus one
     */
    public Tombstone {
        Objects.requireNonNull(key, "key");
        if (key.isWholeType()) {
            throw new IllegalArgumentException("A tombstone names one memory key, not a whole type");
        }
        if ((key.kind() == RecordKey.Kind.SESSION) != (sessionId != null)) {
            throw new IllegalArgumentException("A session's tombstone, and only one, names the session id");
        }
        if (version < 2) {
            throw new IllegalArgumentException("A tombstone's version is 2 or more (was " + version + ")");
        }
    }

    /**
     * @param id the user
     * @param version the version plus one
     * @return the user's tombstone
     */
    public static Tombstone ofUser(UUID id, long version) {
        return new Tombstone(RecordKey.user(id), null, version);
    }

    /**
     * @param chatId the session's chat id
     * @param sessionId the session's id
     * @param version the session's version plus one
     * @return the session's tombstone
     */
    public static Tombstone ofSession(String chatId, UUID sessionId, long version) {
        return new Tombstone(RecordKey.session(chatId), sessionId, version);
    }

    /**
     * @param userId the user
     * @param memoryType the type
     * @param key the key
     * @param version the entry's version plus one
     * @return the entry's tombstone
     */
    public static Tombstone ofMemory(UUID userId, String memoryType, String key, long version) {
        return new Tombstone(RecordKey.memory(userId, memoryType, key), null, version);
    }
}
