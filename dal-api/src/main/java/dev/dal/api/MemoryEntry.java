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
 */
public record MemoryEntry(
        UUID userId, String memoryType, String key, JsonNode value, Instant createdAt, Instant updatedAt,
        Instant expiresAt) {

    /** Copies the value and truncates timestamps, so a record is a value. */
    public MemoryEntry {
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
