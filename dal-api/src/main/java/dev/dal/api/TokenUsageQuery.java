package dev.dal.api;

import java.time.Instant;
import java.util.UUID;

/**
 * Which token usage {@link DataAccess#getTokenUsageTotals} totals and how: grouped by user, session or model,
 * over usage recorded from {@code from} (inclusive) to {@code to} (exclusive), optionally for one user or one
 * session only. Totals come in ascending order of their key (compared by Unicode code point), at most
 * {@code limit} of them; the next page starts after the last key of this one.
 *
 * <pre>{@code
 * List<TokenUsageTotal> byModel = store.getTokenUsageTotals(
 *         TokenUsageQuery.by(TokenUsageGrouping.MODEL, monthStart, monthEnd).forUser(userId));
 * List<TokenUsageTotal> next = store.getTokenUsageTotals(query.after(byModel.get(byModel.size() - 1).key()));
 * }</pre>
 *
 * @param groupBy what the totals are for
 * @param from the earliest recording time counted (inclusive)
 * @param to the end of the range (exclusive); after {@code from}
 * @param userId count only usage billed to this user, or {@code null} for every user
 * @param chatId count only usage of this session, or {@code null} for every session
 * @param limit the most totals returned, 1 to {@link HistoryQuery#MAX_LIMIT}
 * @param afterKey return only totals whose key comes after this one, or {@code null} for the first page
 */
public record TokenUsageQuery(
        TokenUsageGrouping groupBy, Instant from, Instant to, UUID userId, String chatId, int limit, String afterKey) {

    /**
     * Truncates the range to milliseconds, the precision every store records times in.
     *
     * @param groupBy what the totals are for
     * @param from the earliest recording time counted
     * @param to the end of the range
     * @param userId the only user counted, or {@code null}
     * @param chatId the only session counted, or {@code null}
     * @param limit the most totals returned
     * @param afterKey the key totals start after, or {@code null}
     */
    public TokenUsageQuery {
        from = from == null ? null : Timestamps.truncate(from);
        to = to == null ? null : Timestamps.truncate(to);
    }

    /** How many totals a query returns unless it asks otherwise. */
    public static final int DEFAULT_LIMIT = 100;

    /**
     * @param groupBy what the totals are for
     * @param from the earliest recording time counted (inclusive)
     * @param to the end of the range (exclusive)
     * @return the first page of totals over every user and session
     */
    public static TokenUsageQuery by(TokenUsageGrouping groupBy, Instant from, Instant to) {
        return new TokenUsageQuery(groupBy, from, to, null, null, DEFAULT_LIMIT, null);
    }

    /**
     * @param onlyUser the user whose usage is counted
     * @return this query counting that user's usage only
     */
    public TokenUsageQuery forUser(UUID onlyUser) {
        return new TokenUsageQuery(groupBy, from, to, onlyUser, chatId, limit, afterKey);
    }

    /**
     * @param onlyChatId the session whose usage is counted
     * @return this query counting that session's usage only
     */
    public TokenUsageQuery inSession(String onlyChatId) {
        return new TokenUsageQuery(groupBy, from, to, userId, onlyChatId, limit, afterKey);
    }

    /**
     * @param most the most totals returned
     * @return this query with that page size
     */
    public TokenUsageQuery withLimit(int most) {
        return new TokenUsageQuery(groupBy, from, to, userId, chatId, most, afterKey);
    }

    /**
     * @param lastKey the {@link TokenUsageTotal#key()} of the previous page's last total
     * @return this query for the page that follows
     */
    public TokenUsageQuery after(String lastKey) {
        return new TokenUsageQuery(groupBy, from, to, userId, chatId, limit, lastKey);
    }
}
