package dev.dal.file.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Where each record lives under the store root (see the module README). Dal-assigned UUIDs are
 * used as names as they are; caller-chosen keys (chat ids, external ids) never are: they are
 * named by the SHA-256 of their UTF-8 bytes, so {@code ../x}, absolute paths, very long or
 * case-variant keys are all harmless, distinct names.
 */
final class StoreLayout {
    static final String USERS = "users";
    static final String SESSIONS = "sessions";
    static final String MEMORY = "memory";
    static final String TOMBSTONES = "tombstones";

    private final Path root;

    StoreLayout(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The marker that records the directory's layout version ({@link FileMigrations}). */
    Path layoutVersion() {
        return root.resolve("layout-version.json");
    }

    Path usersDir() {
        return root.resolve(USERS);
    }

    Path user(UUID id) {
        return usersDir().resolve(id + ".json");
    }

    Path externalIdIndex(String externalId) {
        return root.resolve("users-by-external-id").resolve(hash(externalId) + ".json");
    }

    Path userSessions(UUID userId) {
        return root.resolve("user-sessions").resolve(userId + ".json");
    }

    Path memoryDir() {
        return root.resolve(MEMORY);
    }

    Path memory(UUID userId) {
        return memoryDir().resolve(userId + ".json");
    }

    Path sessionsDir() {
        return root.resolve(SESSIONS);
    }

    Path sessionDir(UUID sessionId) {
        return sessionsDir().resolve(sessionId.toString());
    }

    Path session(UUID sessionId) {
        return sessionDir(sessionId).resolve("session.json");
    }

    Path messageLog(UUID sessionId) {
        return sessionDir(sessionId).resolve("messages.ndjson");
    }

    Path messageIndex(UUID sessionId) {
        return sessionDir(sessionId).resolve("messages.idx");
    }

    /** A session's messages summed ({@link SessionDigest}). */
    Path messageDigest(UUID sessionId) {
        return sessionDir(sessionId).resolve("messages.digest");
    }

    /** The sorted part of a session's word index ({@link SessionWordIndex}). */
    Path wordIndexBase(UUID sessionId) {
        return sessionDir(sessionId).resolve("words.base");
    }

    /** The appended part of a session's word index ({@link SessionWordIndex}). */
    Path wordIndexTail(UUID sessionId) {
        return sessionDir(sessionId).resolve("words.tail");
    }

    /** The days a session has token usage on ({@link StoredIndexes.UsageDays}). */
    Path sessionUsageDays(UUID sessionId) {
        return sessionDir(sessionId).resolve("token-usage-days.json");
    }

    /** The days a user is billed token usage on ({@link StoredIndexes.UsageDays}). */
    Path userUsageDays(UUID userId) {
        return root.resolve("user-token-usage").resolve(userId + ".json");
    }

    /** The directory of token usage, one file per day ({@link TokenUsageLog}). */
    Path tokenUsageDir() {
        return root.resolve("token-usage");
    }

    /** The ids of recorded token usage whose first byte is the id's, 16 bytes each ({@link TokenUsageLog}). */
    Path tokenUsageIdBucket(UUID id) {
        return tokenUsageDir().resolve("ids").resolve(id.toString().substring(0, 2) + ".bin");
    }

    /** The token usage recorded on one UTC day, one JSON line per record ({@link TokenUsageLog}). */
    Path tokenUsageDay(LocalDate day) {
        return tokenUsageDir().resolve(day + ".ndjson");
    }

    /** A session's votes ({@link StoredIndexes.SessionVotes}). */
    Path votes(UUID sessionId) {
        return sessionDir(sessionId).resolve("votes.json");
    }

    /** The sessions a user has voted in ({@link StoredIndexes.UserVotedSessions}). */
    Path userVotedSessions(UUID userId) {
        return root.resolve("user-votes").resolve(userId + ".json");
    }

    Path chatIdIndex(String chatId) {
        return root.resolve("chat-ids").resolve(hash(chatId) + ".json");
    }

    Path tombstonesDir() {
        return root.resolve(TOMBSTONES);
    }

    /** A deleted user's tombstone. */
    Path userTombstone(UUID userId) {
        return tombstonesDir().resolve(USERS).resolve(userId + ".json");
    }

    /** A deleted chat session's tombstone, named by the hash of its chat id like the chat id index. */
    Path chatIdTombstone(String chatId) {
        return tombstonesDir().resolve("chat-ids").resolve(hash(chatId) + ".json");
    }

    /** The mark of a deleted session id. */
    Path deletedSession(UUID sessionId) {
        return tombstonesDir().resolve(SESSIONS).resolve(sessionId + ".json");
    }

    /** The tombstones of one user's deleted memory keys. */
    Path memoryTombstones(UUID userId) {
        return tombstonesDir().resolve(MEMORY).resolve(userId + ".json");
    }

    /** @return the UUID a file or directory is named after, or {@code null} for any other name */
    static UUID idOf(Path path) {
        String name = path.getFileName().toString();
        if (name.endsWith(".json")) {
            name = name.substring(0, name.length() - ".json".length());
        }
        try {
            UUID id = UUID.fromString(name);
            return id.toString().equals(name) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
