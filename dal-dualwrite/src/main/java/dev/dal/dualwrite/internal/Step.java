package dev.dal.dualwrite.internal;

import dev.dal.api.DeleteMode;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.bulk.VoteKey;
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

    /**
     * Copies the lists.
     *
     * @param kind what the keys name
     * @param keys the key parts, as in {@link RecordKind}
     * @param operation the {@code DataAccess} operation that wrote it
     * @param messages messages the primary stored, for {@link RecordKind#MESSAGES}; empty otherwise
     * @param written the memory entry the primary stored, for {@link RecordKind#MEMORY}; may be {@code null}
     */
    public Step {
        keys = List.copyOf(keys);
        messages = List.copyOf(messages);
    }

    /**
     * A user to upsert from the primary, or delete from the secondary when the primary no longer has it.
     *
     * @param id the user's id
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [id]}
     */
    public static Step user(UUID id, String operation) {
        return new Step(RecordKind.USER, List.of(id.toString()), operation, List.of(), null);
    }

    /**
     * A user deletion, replayed on the secondary as the same {@code deleteUser}.
     *
     * @param id the deleted user's id
     * @param mode how the primary deleted the user; the secondary deletes the same way
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [id, mode]}
     */
    public static Step userDeletion(UUID id, DeleteMode mode, String operation) {
        return new Step(RecordKind.USER_DELETION, List.of(id.toString(), mode.name()), operation, List.of(), null);
    }

    /**
     * A session to upsert from the primary with its counters, or delete with its messages when gone.
     *
     * @param chatId the session's chat id
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [chatId]}
     */
    public static Step session(String chatId, String operation) {
        return new Step(RecordKind.SESSION, List.of(chatId), operation, List.of(), null);
    }

    /**
     * Messages the primary stored in a session, carried so the secondary needs no re-read of them.
     *
     * @param chatId the session's chat id
     * @param stored the messages the primary returned, in sequence order; at least one
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [chatId, firstSequenceNumber, lastSequenceNumber]}
     */
    public static Step messages(String chatId, List<Message> stored, String operation) {
        long first = stored.get(0).sequenceNumber();
        long last = stored.get(stored.size() - 1).sequenceNumber();
        return new Step(
                RecordKind.MESSAGES,
                List.of(chatId, Long.toString(first), Long.toString(last)),
                operation,
                stored,
                null);
    }

    /**
     * The end of a session's history: every message the primary holds after the secondary's last one.
     *
     * @param chatId the session's chat id
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [chatId]}
     */
    public static Step sessionTail(String chatId, String operation) {
        return new Step(RecordKind.SESSION_TAIL, List.of(chatId), operation, List.of(), null);
    }

    /**
     * Messages written through the bulk interface, named by session id because no chat id came with them.
     *
     * @param sessionId the id of the messages' session
     * @param stored the messages the primary stored, in any order; at least one
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [sessionId, lowestSequenceNumber, highestSequenceNumber]}
     */
    public static Step messagesBySessionId(UUID sessionId, List<Message> stored, String operation) {
        long first = stored.stream().mapToLong(Message::sequenceNumber).min().orElseThrow();
        long last = stored.stream().mapToLong(Message::sequenceNumber).max().orElseThrow();
        return new Step(
                RecordKind.MESSAGES_BY_SESSION_ID,
                List.of(sessionId.toString(), Long.toString(first), Long.toString(last)),
                operation,
                stored,
                null);
    }

    /**
     * One memory entry, with the entry the primary stored when the write returned it.
     *
     * @param userId the entry's user
     * @param type the entry's memory type
     * @param key the entry's key within the type
     * @param written the entry the primary stored, or {@code null} when the secondary must re-read the primary
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [userId, memoryType, key]}
     */
    public static Step memory(UUID userId, String type, String key, MemoryEntry written, String operation) {
        return new Step(RecordKind.MEMORY, List.of(userId.toString(), type, key), operation, List.of(), written);
    }

    /**
     * All memory of one type of a user: the secondary's is replaced by the primary's.
     *
     * @param userId the user
     * @param type the memory type
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [userId, memoryType]}
     */
    public static Step memoryType(UUID userId, String type, String operation) {
        return new Step(RecordKind.MEMORY_TYPE, List.of(userId.toString(), type), operation, List.of(), null);
    }

    /**
     * A purge of expired memory, replayed as {@code purgeExpiredMemory} on the secondary.
     *
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code []}
     */
    public static Step expiredMemory(String operation) {
        return new Step(RecordKind.EXPIRED_MEMORY, List.of(), operation, List.of(), null);
    }

    /**
     * One user's vote on one message, brought to the primary's state (cast, replaced or cleared).
     *
     * @param key the vote
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [sessionId, sequenceNumber, userId]}
     */
    public static Step vote(VoteKey key, String operation) {
        return new Step(
                RecordKind.VOTE,
                List.of(
                        key.sessionId().toString(),
                        Long.toString(key.sequenceNumber()),
                        key.userId().toString()),
                operation,
                List.of(),
                null);
    }

    /**
     * One token usage record, brought to the primary's state (recorded, replaced or deleted).
     *
     * @param id the record's id
     * @param operation the {@code DataAccess} operation that wrote it, as the repair journal names it
     * @return the step, keyed by {@code [id]}
     */
    public static Step tokenUsage(UUID id, String operation) {
        return new Step(RecordKind.TOKEN_USAGE, List.of(id.toString()), operation, List.of(), null);
    }

    /** @return the record a {@link RecordKind#TOKEN_USAGE} step names */
    UUID usageId() {
        return UUID.fromString(keys.get(0));
    }

    /** @return the vote a {@link RecordKind#VOTE} step names */
    VoteKey voteKey() {
        return new VoteKey(UUID.fromString(keys.get(0)), Long.parseLong(keys.get(1)), UUID.fromString(keys.get(2)));
    }

    /**
     * @param entry the journal entry to replay
     * @return a step replaying a journal entry (no records attached: it re-reads the primary)
     */
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
            case VOTE -> "v:" + String.join("/", keys);
            case TOKEN_USAGE -> "t:" + keys.get(0);
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
            if (step.kind() == RecordKind.MESSAGES
                    || step.kind() == RecordKind.MESSAGES_BY_SESSION_ID
                    || seen.add(new Step(step.kind(), step.keys(), "", List.of(), null))) {
                out.add(step);
            }
        }
        return out;
    }
}
