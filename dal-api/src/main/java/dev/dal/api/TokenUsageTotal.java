package dev.dal.api;

import java.util.Map;
import java.util.Objects;

/**
 * The usage of one user, session or model over a time range. Costs are summed per currency, never across
 * currencies; usage recorded without a cost counts its tokens and its record but adds to no cost.
 *
 * @param key the user id, session id or model the total is for (see {@link TokenUsageGrouping})
 * @param promptTokens the sum of prompt tokens
 * @param completionTokens the sum of completion tokens
 * @param records how many usage records were summed
 * @param costMicros the sum of costs in millionths, by ISO 4217 currency code; empty when no record had a
 *     cost
 */
public record TokenUsageTotal(
        String key, long promptTokens, long completionTokens, long records, Map<String, Long> costMicros) {

    /**
     * Copies the costs, so a total is a value.
     *
     * @param key the user id, session id or model
     * @param promptTokens the sum of prompt tokens
     * @param completionTokens the sum of completion tokens
     * @param records how many records were summed
     * @param costMicros the cost sums by currency
     */
    public TokenUsageTotal {
        Objects.requireNonNull(key, "key");
        costMicros = Map.copyOf(costMicros);
    }

    /** @return prompt and completion tokens together */
    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
