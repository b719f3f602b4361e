package dev.dal.api;

import java.util.UUID;

/**
 * A full-text search over message content, scoped to one user's sessions or to one session.
 *
 * <p>Every store that declares {@link Capability#FULL_TEXT_SEARCH} reads {@code text} the same way: it
 * is split into words (runs of Unicode letters and digits; everything else separates words), each
 * compared without regard to case, and a message matches when its content holds every word as a
 * whole word. The text is never read as the store's own query syntax: quotes, operators and
 * wildcards in it are separators like any other punctuation.
 *
 * <pre>{@code
 * SearchPage first = store.searchMessages(SearchQuery.forUser(userId, "invoice march", 20));
 * SearchPage next = store.searchMessages(SearchQuery.forUser(userId, "invoice march", 20).after(first.nextCursor()));
 * }</pre>
 *
 * @param text what to look for; at most {@link #MAX_TEXT_LENGTH} characters, holding at least one word
 * @param userId search the sessions this user owns; {@code null} when {@code chatId} is given
 * @param chatId search this session only; {@code null} when {@code userId} is given
 * @param limit the most hits per page, 1 to {@link HistoryQuery#MAX_LIMIT}
 * @param cursor where the page starts: {@code null} for the first page, else a previous page's
 *     {@link SearchPage#nextCursor()} for the same query
 */
public record SearchQuery(String text, UUID userId, String chatId, int limit, String cursor) {

    /** The longest search text accepted. */
    public static final int MAX_TEXT_LENGTH = 1000;

    /**
     * @param userId the owner whose sessions are searched
     * @param text what to look for
     * @param limit page size
     * @return the first page's query over all of the user's sessions
     */
    public static SearchQuery forUser(UUID userId, String text, int limit) {
        return new SearchQuery(text, userId, null, limit, null);
    }

    /**
     * @param chatId the session searched
     * @param text what to look for
     * @param limit page size
     * @return the first page's query over one session
     */
    public static SearchQuery inSession(String chatId, String text, int limit) {
        return new SearchQuery(text, null, chatId, limit, null);
    }

    /**
     * @param nextCursor a previous page's {@link SearchPage#nextCursor()}
     * @return the same query, for the page that follows
     */
    public SearchQuery after(String nextCursor) {
        return new SearchQuery(text, userId, chatId, limit, nextCursor);
    }
}
