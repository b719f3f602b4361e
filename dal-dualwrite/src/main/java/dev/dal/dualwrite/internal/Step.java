package dev.dal.dualwrite.internal;

import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.dualwrite.RecordKind;
import dev.dal.dualwrite.RepairEntry;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One thing the secondary must be brought up to date on after the primary wrote it. Live steps may carry
 * the records the primary returned ({@code messages}, {@code written}) to spare a re-read; a step replayed
 * from the journal has only its kind and keys and re-reads the primary.
 *
 * @param kind what the keys name
 * @param keys the key parts, as in {@link RecordKind}
 * @param operation the {@code DataAccess} operation that wrote it
 * @param messages messages the primary stored, for {@link RecordKind#MESSAGES}; empty otherwise
 * @param written the memory entry the primary stored, for {@link RecordKind#MEMORY}; may be {@code null}
 */
public record Step(RecordKind kind, List<String> keys, String operation, List<Message> messages, MemoryEntry written) {

    /** Copies the lists. */
    public Step {
        keys = List.copyOf(keys);
        messages = List.copyOf(messages);
    }

    public static Step user(UUID id, String operation) {
        return new Step(RecordKind.USER, List.of(id.toString()), operation, List.of(), null);
    }

    public static Step userDeletion(UUID id, DeleteMode mode, String operation) {
        return new Step(RecordKind.USER_DELETION, List.of(id.toString(), mode.name()), operation, List.of(), null);
    }

    public static Step session(String chatId, String operation) {
        return new Step(RecordKind.SESSION, List.of(chatId), operation, List.of(), null);
    }

    public static Step messages(String chatId, List<Message> stored, String operation) {
        long first = stored.get(0).sequenceNumber();
        long last = stored.get(stored.size() - 1).sequenceNumber();
        return new Step(RecordKind.MESSAGES, List.of(chatId, Long.toString(first), Long.toString(last)), operation,
                stored, null);
    }

    public static Step sessionTail(String chatId, String operation) {
        return new Step(RecordKind.SESSION_TAIL, List.of(chatId), operation, List.of(), null);
    }

    public static Step messagesBySessionId(UUID sessionId, List<Message> stored, String operation) {
        long first = stored.stream().mapToLong(Message::sequenceNumber).min().orElseThrow();
        long last = stored.stream().mapToLong(Message::sequenceNumber).max().orElseThrow();
        return new Step(RecordKind.MESSAGES_BY_SESSION_ID,
                List.of(sessionId.toString(), Long.toString(first), Long.toString(last)), operation, stored, null);
    }

    public static Step memory(UUID userId, String type, String key, MemoryEntry written, String operation) {
        return new Step(RecordKind.MEMORY, List.of(userId.toString(), type, key), operation, List.of(), written);
    }

    public static Step memoryType(UUID userId, String type, String operation) {
        return new Step(RecordKind.MEMORY_TYPE, List.of(userId.toString(), type), operation, List.of(), null);
    }

    public static Step expiredMemory(String operation) {
        return new Step(RecordKind.EXPIRED_MEMORY, List.of(), operation, List.of(), null);
    }

    /** @return a step replaying a journal entry (no records attached: it re-reads the primary) */
    public static Step of(RepairEntry entry) {
        return new Step(entry.kind(), entry.keys(), entry.operation(), List.of(), null);
    }

    /**
     * @param at when it failed
     * @param reason why
     * @return the journal entry for this step
     */
    public RepairEntry toEntry(Instant at, String reason) {
        return new RepairEntry(kind, keys, operation, at, reason);
    }

    /** @return the stripe key: steps on the same record (or a user's memory type) serialize on it */
    String lockKey() {
        return switch (kind) {
            case USER, USER_DELETION -> "u:" + keys.get(0);
            case SESSION, SESSION_TAIL, MESSAGES -> "s:" + keys.get(0);
            case MESSAGES_BY_SESSION_ID -> "i:" + keys.get(0);
            case MEMORY, MEMORY_TYPE -> "m:" + keys.get(0) + '\u0000' + keys.get(1);
            case EXPIRED_MEMORY -> "purge";
        };
    }

    /**
     * Merges a transaction's steps: each record once, in the order first written (each step re-reads the
     * primary after the commit, so once is enough); messages are kept as they are.
     *
     * @param steps the steps in the order the work wrote
     * @return the steps to replicate
     */
    public static List<Step> merge(List<Step> steps) {
        List<Step> out = new java.util.ArrayList<>();
        java.util.Set<Step> seen = new java.util.HashSet<>();
        for (Step step : steps) {
            if (step.kind() == RecordKind.MESSAGES || step.kind() == RecordKind.MESSAGES_BY_SESSION_ID
                    || seen.add(new Step(step.kind(), step.keys(), "", List.of(), null))) {
                out.add(step);
            }
        }
        return out;
    }
}
