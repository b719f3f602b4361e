package dev.dal.migration;

import java.util.Locale;

/**
 * The types of record a store holds, in the order they are copied (parents first): what the migration
 * tools copy, verify, export and count by. Archives, reports and checkpoints name them by {@link #wireName()}.
 */
public enum RecordType {
    /** {@link dev.dal.api.User} records. */
    USERS,
    /** {@link dev.dal.api.ChatSession} records. */
    SESSIONS,
    /** {@link dev.dal.api.Message} records. */
    MESSAGES,
    /** {@link dev.dal.api.MemoryEntry} records. */
    MEMORY,
    /**
     * {@link dev.dal.api.MessageVote} records, after the messages and users they name (last, so a checkpoint of a
     * copy made before votes were copied still names the same kinds).
     */
    VOTES,
    /**
     * {@link dev.dal.api.TokenUsage} records, after the messages and users they name (after votes, so a checkpoint
     * of a copy made before usage was copied still names the same kinds).
     */
    TOKEN_USAGE;

    /** @return the lower-case name used in archives, reports and checkpoints, e.g. {@code "users"} */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name a wire name, any case
     * @return the kind
     * @throws IllegalArgumentException when the name is not a kind
     */
    public static RecordType fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
