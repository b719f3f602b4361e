package dev.dal.api.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dal.api.ChatSession;
import dev.dal.api.JsonValues;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.TokenUsage;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.bulk.VoteKey;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * The cursors of {@link dev.dal.api.bulk.BulkAccess} scans, the same in every store, so that a cursor saved
 * as a checkpoint resumes a copy in any of them. A cursor is the scan key of the last record of a batch:
 * <ul>
 *   <li>users and sessions: the canonical (lower-case) string form of the record's id;</li>
 *   <li>messages: the session id's canonical string, {@code /}, then the sequence number in decimal;</li>
 *   <li>memory entries: a JSON array of three strings, the user id's canonical string, the memory type and
 *       the key.</li>
 * </ul>
 * Decoding is strict: a cursor that these methods did not encode (empty, {@code "null"}, malformed,
 * truncated, with extra parts, an id not in canonical form, a cursor of another record kind) is a
 * {@link ValidationException} on the field {@code cursor}. Users' and sessions' cursors have the same form,
 * so one may be given to the other's scan; it then stands for a position in that scan's id order.
 */
public final class ScanCursors {
    /** The field a foreign cursor is reported on. */
    public static final String FIELD = "cursor";

    private static final ObjectMapper JSON = JsonValues.newMapper();
    private static final char MESSAGE_SEPARATOR = '/';
    /** The lowest memory type or key a store holds (no NUL, never empty). */
    private static final String LOWEST = "\u0001";

    private ScanCursors() {}

    /**
     * Where a scan of messages resumes: after this message.
     *
     * @param sessionId the last message's session
     * @param sequenceNumber the last message's sequence number, 1 or more
     */
    public record MessagePosition(UUID sessionId, long sequenceNumber) {
        /**
         * Checks the parts.
         *
         * @param sessionId the last message's session
         * @param sequenceNumber the last message's sequence number, 1 or more
         */
        public MessagePosition {
            Objects.requireNonNull(sessionId, "sessionId");
        }
    }

    /**
     * Where a scan of memory entries resumes: after this entry.
     *
     * @param userId the last entry's user
     * @param memoryType the last entry's type
     * @param key the last entry's key
     */
    public record MemoryPosition(UUID userId, String memoryType, String key) {
        /**
         * Checks the parts.
         *
         * @param userId the last entry's user
         * @param memoryType the last entry's type
         * @param key the last entry's key
         */
        public MemoryPosition {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(memoryType, "memoryType");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * @param user the last user of a batch
     * @return the cursor that resumes a scan of users after it
     */
    public static String ofUser(User user) {
        return user.id().toString();
    }

    /**
     * @param session the last session of a batch
     * @return the cursor that resumes a scan of sessions after it
     */
    public static String ofSession(ChatSession session) {
        return session.id().toString();
    }

    /**
     * @param message the last message of a batch
     * @return the cursor that resumes a scan of messages after it
     */
    public static String ofMessage(Message message) {
        return message.sessionId().toString() + MESSAGE_SEPARATOR + message.sequenceNumber();
    }

    /**
     * @param vote the last vote of a batch
     * @return the cursor that resumes a scan of votes after it
     */
    public static String ofVote(MessageVote vote) {
        return vote.sessionId().toString()
                + MESSAGE_SEPARATOR
                + vote.sequenceNumber()
                + MESSAGE_SEPARATOR
                + vote.userId();
    }

    /**
     * @param usage the last usage record of a batch
     * @return the cursor that resumes a scan of token usage after it
     */
    public static String ofTokenUsage(TokenUsage usage) {
        return usage.id().toString();
    }

    /**
     * @param cursor a cursor of a scan of token usage, or {@code null} for the first batch
     * @return the id the scan resumes after, {@code null} for {@code null}
     * @throws ValidationException when the cursor is not one {@link #ofTokenUsage} encoded
     */
    public static UUID afterTokenUsage(String cursor) {
        return cursor == null ? null : canonicalId(cursor);
    }

    /**
     * A cursor from which a scan of votes starts with the first vote on a session's messages, or of the next
     * session holding any.
     *
     * @param sessionId a session id, which need not exist
     * @return the cursor, {@code null} (the start of the scan) for the lowest id
     */
    public static String beforeVotesOf(UUID sessionId) {
        String messages = beforeMessagesOf(sessionId);
        return messages == null ? null : messages + MESSAGE_SEPARATOR + new UUID(-1L, -1L);
    }

    /**
     * A cursor from which a scan of votes starts at one vote: with the vote of that key, or the next one in scan
     * order. A scan of one vote from it reads the vote a store holds under the key, if any.
     *
     * @param key a vote's key, which need not exist
     * @return the cursor, {@code null} (the start of the scan) when nothing can come before the key
     */
    public static String beforeVote(VoteKey key) {
        UUID belowVoter = IdRange.previous(key.userId());
        if (belowVoter != null) {
            return key.sessionId().toString()
                    + MESSAGE_SEPARATOR
                    + key.sequenceNumber()
                    + MESSAGE_SEPARATOR
                    + belowVoter;
        }
        if (key.sequenceNumber() > 1) {
            return key.sessionId().toString()
                    + MESSAGE_SEPARATOR
                    + (key.sequenceNumber() - 1)
                    + MESSAGE_SEPARATOR
                    + new UUID(-1L, -1L);
        }
        return beforeVotesOf(key.sessionId());
    }

    /**
     * @param cursor a cursor of a scan of votes, or {@code null} for the first batch
     * @return the vote the scan resumes after, {@code null} for {@code null}
     * @throws ValidationException when the cursor is not one {@link #ofVote} or {@link #beforeVotesOf} encoded
     */
    public static VotePosition afterVote(String cursor) {
        if (cursor == null) {
            return null;
        }
        int separator = cursor.lastIndexOf(MESSAGE_SEPARATOR);
        if (separator < 0) {
            throw foreign();
        }
        MessagePosition message = afterMessage(cursor.substring(0, separator));
        return new VotePosition(
                message.sessionId(), message.sequenceNumber(), canonicalId(cursor.substring(separator + 1)));
    }

    /**
     * Where a scan of votes resumes: after the vote of this user on this message of this session, in the order of
     * session id (string form), sequence number, user id (string form).
     *
     * @param sessionId the session
     * @param sequenceNumber the message's place in it
     * @param userId the voter
     */
    public record VotePosition(UUID sessionId, long sequenceNumber, UUID userId) {
        /**
         * @param vote a vote
         * @return whether the vote comes after this position in scan order
         */
        public boolean precedes(MessageVote vote) {
            int bySession = sessionId.toString().compareTo(vote.sessionId().toString());
            if (bySession != 0) {
                return bySession < 0;
            }
            if (sequenceNumber != vote.sequenceNumber()) {
                return sequenceNumber < vote.sequenceNumber();
            }
            return userId.toString().compareTo(vote.userId().toString()) < 0;
        }
    }

    /**
     * A cursor from which a scan of users or of sessions starts at an id: with the record of that id, or the next
     * one in scan order.
     *
     * @param id an id, which need not exist
     * @return the cursor, {@code null} (the start of the scan) for the lowest id
     */
    public static String beforeId(UUID id) {
        UUID below = IdRange.previous(id);
        return below == null ? null : below.toString();
    }

    /**
     * A cursor from which a scan of messages starts with the first message of a session, or of the next session
     * holding any: the position after every message of the id just below it.
     *
     * @param sessionId a session id, which need not exist
     * @return the cursor, {@code null} (the start of the scan) for the lowest id
     */
    public static String beforeMessagesOf(UUID sessionId) {
        UUID below = IdRange.previous(sessionId);
        // No sequence number reaches Integer.MAX_VALUE (stores keep them as 32-bit integers).
        return below == null ? null : below.toString() + MESSAGE_SEPARATOR + Integer.MAX_VALUE;
    }

    /**
     * A cursor from which a scan of memory starts with the first entry of a user, or of the next user holding
     * any. It resumes after an entry of the id just below, so that id's entries of a higher type or key, should
     * such a user exist, are scanned too: a caller reading one user range skips ids below it.
     *
     * @param userId a user id, which need not exist
     * @return the cursor, {@code null} (the start of the scan) for the lowest id
     */
    public static String beforeMemoryOf(UUID userId) {
        UUID below = IdRange.previous(userId);
        return below == null ? null : memory(below.toString(), LOWEST, LOWEST);
    }

    /**
     * @param entry the last memory entry of a batch
     * @return the cursor that resumes a scan of memory after it
     */
    public static String ofMemory(MemoryEntry entry) {
        return memory(entry.userId().toString(), entry.memoryType(), entry.key());
    }

    /**
     * @param cursor a cursor of a scan of users, or {@code null} for the first batch
     * @return the id the scan resumes after, {@code null} for {@code null}
     * @throws ValidationException when the cursor is not one {@link #ofUser} encoded
     */
    public static UUID afterUser(String cursor) {
        return cursor == null ? null : canonicalId(cursor);
    }

    /**
     * @param cursor a cursor of a scan of sessions, or {@code null} for the first batch
     * @return the id the scan resumes after, {@code null} for {@code null}
     * @throws ValidationException when the cursor is not one {@link #ofSession} encoded
     */
    public static UUID afterSession(String cursor) {
        return cursor == null ? null : canonicalId(cursor);
    }

    /**
     * @param cursor a cursor of a scan of messages, or {@code null} for the first batch
     * @return the message the scan resumes after, {@code null} for {@code null}
     * @throws ValidationException when the cursor is not one {@link #ofMessage} encoded
     */
    public static MessagePosition afterMessage(String cursor) {
        if (cursor == null) {
            return null;
        }
        int separator = cursor.indexOf(MESSAGE_SEPARATOR);
        if (separator < 0) {
            throw foreign();
        }
        UUID sessionId = canonicalId(cursor.substring(0, separator));
        String sequence = cursor.substring(separator + 1);
        long sequenceNumber;
        try {
            sequenceNumber = Long.parseLong(sequence);
        } catch (NumberFormatException e) {
            throw foreign();
        }
        // Only the decimal form the encoder writes: no sign, no leading zeros, no number below 1.
        if (sequenceNumber < 1 || !Long.toString(sequenceNumber).equals(sequence)) {
            throw foreign();
        }
        return new MessagePosition(sessionId, sequenceNumber);
    }

    /**
     * @param cursor a cursor of a scan of memory, or {@code null} for the first batch
     * @return the entry the scan resumes after, {@code null} for {@code null}
     * @throws ValidationException when the cursor is not one {@link #ofMemory} encoded
     */
    public static MemoryPosition afterMemory(String cursor) {
        if (cursor == null) {
            return null;
        }
        JsonNode parts;
        try {
            parts = JSON.readTree(cursor);
        } catch (JsonProcessingException e) {
            throw foreign();
        }
        if (parts == null
                || !parts.isArray()
                || parts.size() != 3
                || !parts.get(0).isTextual()
                || !parts.get(1).isTextual()
                || !parts.get(2).isTextual()) {
            throw foreign();
        }
        String type = parts.get(1).textValue();
        String key = parts.get(2).textValue();
        if (!storable(type) || !storable(key)) {
            throw foreign();
        }
        UUID userId = canonicalId(parts.get(0).textValue());
        // Only the exact text the encoder writes: no spaces, no other escapes, nothing after the array.
        if (!memory(userId.toString(), type, key).equals(cursor)) {
            throw foreign();
        }
        return new MemoryPosition(userId, type, key);
    }

    /**
     * The batch a keyset scan returns: a full batch carries the cursor of its last record (a next batch may
     * be empty), a shorter one is the last.
     *
     * @param items the records read, at most {@code batchSize}, in scan order
     * @param batchSize the batch size asked for
     * @param cursorOf the cursor of a record, one of this class's {@code of…} methods
     * @param <T> the record type
     * @return the batch
     */
    public static <T> ScanBatch<T> batch(List<T> items, int batchSize, Function<? super T, String> cursorOf) {
        return new ScanBatch<>(items, items.size() < batchSize ? null : cursorOf.apply(items.get(items.size() - 1)));
    }

    private static String memory(String userId, String type, String key) {
        try {
            return JSON.writeValueAsString(new String[] {userId, type, key});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A memory cursor could not be written", e);
        }
    }

    private static UUID canonicalId(String text) {
        // A canonical UUID is 36 characters; checking first keeps fromString from parsing anything longer.
        if (text.length() == 36) {
            try {
                UUID id = UUID.fromString(text);
                if (id.toString().equals(text)) {
                    return id;
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw foreign();
    }

    /** @return whether every store can hold the text and a stored record may have it: not empty, no NUL, no lone surrogate */
    private static boolean storable(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0' || Character.isLowSurrogate(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    private static ValidationException foreign() {
        return new ValidationException(FIELD, "is not a cursor this store returned");
    }
}
