package dev.dal.dualwrite;

import dev.dal.api.ConfigurationException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kinds of record a dual-write pilot can move one at a time ({@code MIGRATION_DUAL_WRITE_KINDS}): only
 * the chosen kinds are replicated, compared, journaled and repaired, and reads of the other kinds never
 * touch the secondary. A record of a chosen kind whose parent the secondary lacks brings the parent
 * along (a memory entry its user, a session its user), since the secondary cannot store it otherwise.
 */
public enum DualWriteKind {
    /** Users and user deletions. */
    USERS,
    /** Chat sessions with their messages, counters, votes and token usage. */
    SESSIONS,
    /** Per-user memory entries, their deletions and purges. */
    MEMORY;

    /** @return every kind: the default, a full dual-write */
    public static Set<DualWriteKind> all() {
        return EnumSet.allOf(DualWriteKind.class);
    }

    /**
     * @param value a comma-separated list of {@code users}, {@code sessions}, {@code memory}, any case;
     *     blank or {@code all} for every kind
     * @return the kinds named
     * @throws ConfigurationException naming {@code MIGRATION_DUAL_WRITE_KINDS} for an unknown kind
     */
    public static Set<DualWriteKind> parse(String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("all")) {
            return all();
        }
        Set<DualWriteKind> kinds = EnumSet.noneOf(DualWriteKind.class);
        for (String part : value.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                kinds.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(DualWriteSettings.DUAL_WRITE_KINDS.name() + " must list kinds among "
                        + Arrays.stream(values())
                                .map(k -> k.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", "))
                        + " (or 'all'), got '" + name + "'");
            }
        }
        if (kinds.isEmpty()) {
            throw new ConfigurationException(
                    DualWriteSettings.DUAL_WRITE_KINDS.name() + " must name at least one kind");
        }
        return kinds;
    }

    /**
     * @param kind what a journal entry or replication step names
     * @return the pilot kind it belongs to
     */
    public static DualWriteKind of(RecordKind kind) {
        return switch (kind) {
            case USER, USER_DELETION -> USERS;
            case SESSION, SESSION_TAIL, MESSAGES, MESSAGES_BY_SESSION_ID, VOTE, TOKEN_USAGE -> SESSIONS;
            case MEMORY, MEMORY_TYPE, EXPIRED_MEMORY -> MEMORY;
        };
    }
}
