package dev.dal.api.spi;

import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The totalling rule of {@code getTokenUsageTotals}, written once: which usage a query counts, what it is
 * grouped by, how costs add up (per currency, never across currencies) and how a page of totals is cut
 * (ascending key by code point, keys after {@code afterKey}, at most {@code limit}).
 *
 * <p>Stores that total in a query group by key and currency, since a cost sum has one currency, and hand the
 * rows of the page's keys, ordered by key, to {@link #fromRows}. Stores that keep usage in memory call
 * {@link #total} or stream them into an {@link Accumulator}.
 */
public final class TokenTotals {

    private TokenTotals() {}

    /**
     * One group of a store's query: the usage of one key in one currency.
     *
     * @param key the total's key
     * @param currency the currency of {@code costMicros}, or {@code null} for the usage recorded without cost
     * @param promptTokens the sum of prompt tokens
     * @param completionTokens the sum of completion tokens
     * @param records how many records
     * @param costMicros the cost sum in {@code currency}; ignored when {@code currency} is {@code null}
     */
    public record CurrencyRow(
            String key, String currency, long promptTokens, long completionTokens, long records, long costMicros) {}

    /**
     * @param usage a stored record
     * @param groupBy the grouping
     * @return the key of the total the record counts in
     */
    public static String keyOf(TokenUsage usage, TokenUsageGrouping groupBy) {
        return switch (groupBy) {
            case USER -> usage.userId().toString();
            case SESSION -> usage.sessionId().toString();
            case MODEL -> usage.model();
        };
    }

    /**
     * @param usage a stored record
     * @param query the totals asked for
     * @param sessionId the session of {@code query.chatId()}, or {@code null} when the query has no session
     * @return whether the query counts the record
     */
    public static boolean counts(TokenUsage usage, TokenUsageQuery query, UUID sessionId) {
        return !usage.createdAt().isBefore(query.from())
                && usage.createdAt().isBefore(query.to())
                && (query.userId() == null || query.userId().equals(usage.userId()))
                && (sessionId == null || sessionId.equals(usage.sessionId()))
                && (query.afterKey() == null
                        || CodePointOrder.compare(keyOf(usage, query.groupBy()), query.afterKey()) > 0);
    }

    /**
     * Totals records held in memory.
     *
     * @param usage every record the store holds (or every record of the session or user asked for)
     * @param query the totals asked for
     * @param sessionId the session of {@code query.chatId()}, or {@code null} when the query has no session
     * @return the page of totals
     */
    public static List<TokenUsageTotal> total(Iterable<TokenUsage> usage, TokenUsageQuery query, UUID sessionId) {
        Accumulator totals = new Accumulator(query, sessionId);
        usage.forEach(totals::add);
        return totals.totals();
    }

    /** Totals records one at a time, as a store streams them, keeping only the sums of each key and currency. */
    public static final class Accumulator {
        private final TokenUsageQuery query;
        private final UUID sessionId;
        private final Map<String, Map<String, CurrencyRow>> byKey = new TreeMap<>(CodePointOrder.COMPARATOR);

        /**
         * @param query the totals asked for
         * @param sessionId the session of {@code query.chatId()}, or {@code null} when the query has no session
         */
        public Accumulator(TokenUsageQuery query, UUID sessionId) {
            this.query = query;
            this.sessionId = sessionId;
        }

        /** @param usage a stored record; counted when the query counts it */
        public void add(TokenUsage usage) {
            if (!counts(usage, query, sessionId)) {
                return;
            }
            String key = keyOf(usage, query.groupBy());
            String currency = usage.costMicros() == null ? null : usage.currency();
            CurrencyRow row = new CurrencyRow(
                    key,
                    currency,
                    usage.promptTokens(),
                    usage.completionTokens(),
                    1,
                    usage.costMicros() == null ? 0 : usage.costMicros());
            byKey.computeIfAbsent(key, k -> new HashMap<>()).merge(currency, row, TokenTotals::add);
        }

        /** @return the page of totals of the records added so far */
        public List<TokenUsageTotal> totals() {
            List<CurrencyRow> rows = new ArrayList<>();
            byKey.values().stream().limit(query.limit()).forEach(currencies -> rows.addAll(currencies.values()));
            return fromRows(rows);
        }
    }

    private static CurrencyRow add(CurrencyRow a, CurrencyRow b) {
        return new CurrencyRow(
                a.key(),
                a.currency(),
                a.promptTokens() + b.promptTokens(),
                a.completionTokens() + b.completionTokens(),
                a.records() + b.records(),
                a.costMicros() + b.costMicros());
    }

    /**
     * Merges a store's per-currency groups into totals.
     *
     * @param rows the groups of the page's keys, all rows of one key next to each other, keys in page order
     * @return one total per key, in the rows' order
     */
    public static List<TokenUsageTotal> fromRows(List<CurrencyRow> rows) {
        List<TokenUsageTotal> totals = new ArrayList<>();
        int i = 0;
        while (i < rows.size()) {
            String key = rows.get(i).key();
            long prompt = 0;
            long completion = 0;
            long records = 0;
            Map<String, Long> costs = new HashMap<>();
            for (; i < rows.size() && rows.get(i).key().equals(key); i++) {
                CurrencyRow row = rows.get(i);
                prompt += row.promptTokens();
                completion += row.completionTokens();
                records += row.records();
                if (row.currency() != null) {
                    costs.merge(row.currency(), row.costMicros(), Long::sum);
                }
            }
            totals.add(new TokenUsageTotal(key, prompt, completion, records, costs));
        }
        return totals;
    }
}
