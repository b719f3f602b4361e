package dev.dal.api;

import java.util.Objects;

/**
 * A write would break a uniqueness rule (a second user with the same externalId, a reused chatId, …). The
 * exception names the rule by its {@link #key()}; its message is that key's fixed text and never holds the
 * value that is taken.
 */
public class DuplicateKeyException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /** The unique keys a store enforces, each with the one text a {@link DuplicateKeyException} reports. */
    public enum Key {
        /** A user's id. */
        USER_ID("A user with this id already exists"),
        /** A user's external id, unique among users. */
        EXTERNAL_ID("Another user already has this externalId"),
        /** A chat session's id. */
        SESSION_ID("A chat session with this id already exists"),
        /** A chat session's chat id, unique among sessions. */
        CHAT_ID("A chat session with this chatId already exists"),
        /** A message's id. */
        MESSAGE_ID("A message with this id already exists"),
        /** A message's sequence number within its session. */
        MESSAGE_SEQUENCE_NUMBER("The session already holds another message at this sequence number"),
        /** A token usage record's id. */
        TOKEN_USAGE_ID("A token usage record with this id already exists"),
        /** A memory entry's user, type and key. */
        MEMORY_KEY("A memory entry with this user, type and key already exists"),
        /** A unique key the store reported without saying which one. */
        UNKNOWN("A unique key is already taken");

        private final String text;

        Key(String text) {
            this.text = text;
        }

        /** @return the message of a {@link DuplicateKeyException} for this key */
        public String text() {
            return text;
        }
    }

    /** The key that is taken; not {@code null}. */
    private final Key key;

    /**
     * @param key the key that is taken, not {@code null}
     */
    public DuplicateKeyException(Key key) {
        this(key, null);
    }

    /**
     * @param key the key that is taken, not {@code null}
     * @param cause the store's own error, without its text (it may quote the value), or {@code null}
     */
    public DuplicateKeyException(Key key, Throwable cause) {
        super(Objects.requireNonNull(key, "key").text(), cause);
        this.key = key;
    }

    /** @return the key that is taken */
    public Key key() {
        return key;
    }
}
