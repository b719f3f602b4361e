package dev.dal.api;

import java.util.UUID;

/** What {@link DataAccess#getTokenUsageTotals} totals usage by; each names the {@link TokenUsageTotal#key()}. */
public enum TokenUsageGrouping {
    /** One total per billed user; the key is the {@link UUID} of {@link TokenUsage#userId()} as a string. */
    USER,
    /** One total per session; the key is the {@link UUID} of {@link TokenUsage#sessionId()} as a string. */
    SESSION,
    /** One total per model; the key is {@link TokenUsage#model()}. */
    MODEL
}
