package dev.dal.migration;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.User;
import java.time.Instant;
import java.util.Objects;

/**
 * Which records a verify since an instant checks: users, sessions and memory entries whose last change
 * ({@code updatedAt}, else {@code createdAt}) is at or after the instant, and sessions whose last message is.
 *
 * @param since the instant, included
 */
record ChangedSince(Instant since) {
    /**
     * Checks the instant.
     *
     * @param since the instant, included
     */
    ChangedSince {
        Objects.requireNonNull(since, "since");
    }

    /** @return the users changed since the instant */
    RecordMerge.Selection<User> users() {
        return u -> atOrAfter(lastChange(u.updatedAt(), u.createdAt()));
    }

    /**
     * Adding a message moves its session's {@code lastMessageAt}, so a session selected here is one whose
     * messages may have changed.
     *
     * @return the sessions changed, or given messages, since the instant
     */
    RecordMerge.Selection<ChatSession> sessions() {
        return s -> atOrAfter(lastChange(s.updatedAt(), s.createdAt())) || atOrAfter(s.lastMessageAt());
    }

    /** @return the memory entries changed since the instant */
    RecordMerge.Selection<MemoryEntry> memory() {
        return e -> atOrAfter(lastChange(e.updatedAt(), e.createdAt()));
    }

    private static Instant lastChange(Instant updatedAt, Instant createdAt) {
        return updatedAt != null ? updatedAt : createdAt;
    }

    private boolean atOrAfter(Instant instant) {
        return instant != null && !instant.isBefore(since);
    }
}
