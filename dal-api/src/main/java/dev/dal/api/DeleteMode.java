package dev.dal.api;

/** What {@link DataAccess#deleteUser(java.util.UUID, DeleteMode)} does with the user's chat sessions. */
public enum DeleteMode {
    /** Delete the user and their memory; their sessions stay, with no user (SQL {@code ON DELETE SET NULL}). */
    KEEP_SESSIONS,
    /** Delete the user, their memory, their sessions and all messages in those sessions. */
    PURGE
}
