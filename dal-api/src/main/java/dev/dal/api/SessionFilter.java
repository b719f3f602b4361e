package dev.dal.api;

/**
 * Which of a user's sessions a listing returns: by status (active ones only unless archived ones
 * are asked for) and, optionally, by profile (the session type, such as {@code "general"} or
 * {@code "sql"}). Every store applies it in the same query that reads the page, so the page holds
 * {@code limit} matching sessions and the offset counts matching sessions only.
 *
 * <pre>{@code
 * store.listUserSessions(userId, SessionFilter.activeOnly(), 20, 0);
 * store.listUserSessions(userId, SessionFilter.activeOnly().includingArchived().withProfile("sql"), 20, 0);
 * }</pre>
 *
 * @param includeArchived {@code false} returns {@link SessionStatus#ACTIVE} sessions only;
 *     {@code true} returns sessions of every status
 * @param profile the only profile returned (compared exactly), or {@code null} for every profile
 */
public record SessionFilter(boolean includeArchived, String profile) {

    private static final SessionFilter ACTIVE_ONLY = new SessionFilter(false, null);
    private static final SessionFilter EVERY_SESSION = new SessionFilter(true, null);

    /** @return the default filter: active sessions of every profile */
    public static SessionFilter activeOnly() {
        return ACTIVE_ONLY;
    }

    /** @return no filter at all: sessions of every status and profile */
    public static SessionFilter everySession() {
        return EVERY_SESSION;
    }

    /** @return this filter with archived sessions included */
    public SessionFilter includingArchived() {
        return new SessionFilter(true, profile);
    }

    /**
     * @param onlyProfile the profile to keep, or {@code null} for every profile
     * @return this filter keeping only sessions of that profile
     */
    public SessionFilter withProfile(String onlyProfile) {
        return new SessionFilter(includeArchived, onlyProfile);
    }

    /** @return whether the filter leaves out any status (the store adds a status condition) */
    public boolean filtersStatus() {
        return !includeArchived;
    }

    /**
     * The rule every store applies, written once for stores that filter in memory.
     *
     * @param session a stored session
     * @return whether the listing returns it
     */
    public boolean admits(ChatSession session) {
        return (includeArchived || session.status() == SessionStatus.ACTIVE)
                && (profile == null || profile.equals(session.profile()));
    }
}
