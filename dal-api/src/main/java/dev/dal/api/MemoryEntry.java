package dev.dal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One remembered value of a user, unique on ({@code userId}, {@code memoryType}, {@code key}).
 *
 * @param userId the user it belongs to
 * @param memoryType a grouping such as {@code "profile"}, {@code "preferences"}, {@code "context"}
 * @param key the name within the type
 * @param value any JSON value, including JSON {@code null}
 * @param createdAt when the key was first set (milliseconds)
 * @param updatedAt when the value was last set (milliseconds)
 * @param expiresAt when it stops being visible, or {@code null} for never
 * @param version 1 when the key is first set, one more every time it is set again; a key set again after
 *     it was deleted continues above the deleted entry's version. Set by the store atomically with the
 *     change; bulk upserts apply an entry only over an older version.
 */
public record MemoryEntry(
        UUID userId,
        String memoryType,
        String key,
        JsonNode value,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt,
        long version) {

    /**
     * An entry at version 1, as first set.
     *
     * @param userId the user
     * @param memoryType the grouping
     * @param key the name within the type
     * @param value any JSON value
     * @param createdAt when the key was first set
     * @param updatedAt when the value was last set
     * @param expiresAt may be {@code null}
     */
    public MemoryEntry(
            UUID userId,
            String memoryType,
            String key,
            JsonNode value,
            Instant createdAt,
            Instant updatedAt,
            Instant expiresAt) {
        this(userId, memoryType, key, value, createdAt, updatedAt, expiresAt, 1);
    }

    /**
     * Copies the value and truncates timestamps, so a record is a value.
     *
     * @param userId the user it belongs to
     * @param memoryType a grouping such as {@code "profile"}, {@code "preferences"}, {@code "context"}
     * @param key the name within the type
     * @param value any JSON value, including JSON {@code null}
     * @param createdAt when the key was first set (milliseconds)
     * @param updatedAt when the value was last set (milliseconds)
     * @param expiresAt when it stops being visible, or {@code null} for never
     * @param version 1 when the key is first set, one more every time it is set again; a key set again after
     *     it was deleted continues above the deleted entry's version. Set by the store atomically with the
     *     change; bulk upserts apply an entry only over an older version.
     */
    public MemoryEntry {
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or more");
        }
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(memoryType, "memoryType");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        value = JsonValues.canonical(value);
        createdAt = Timestamps.truncate(createdAt);
        updatedAt = Timestamps.truncate(updatedAt);
        expiresAt = Timestamps.truncate(expiresAt);
    }

    /**
     * @param newVersion the version to carry
     * @return this entry at another version
     */
    public MemoryEntry withVersion(long newVersion) {
        return new MemoryEntry(userId, memoryType, key, value, createdAt, updatedAt, expiresAt, newVersion);
    }

    /** @return a copy of the value; changing it does not change this record */
    @Override
    public JsonNode value() {
        return value.deepCopy();
    }

    /**
     * @param now the current time
     * @return whether the entry is expired at {@code now} (expiry at or before it)
     */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
