package dev.dal.postgres.internal;

import static dev.dal.api.spi.VersionedBulkAccess.latestPerKey;

import dev.dal.api.bulk.RecordKey;
import dev.dal.api.bulk.Tombstone;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Tombstones ({@code user_tombstones}, {@code session_tombstones}, {@code memory_tombstones}): what a
 * deletion leaves, and the set-based checks a bulk upsert makes against them. Every statement takes the
 * whole batch as arrays ({@code unnest}, {@code = ANY}), one statement per check, never one per record.
 * Values are always bound.
 */
final class PostgresTombstones {
    private PostgresTombstones() {}

    /** A memory entry's key. */
    record MemoryKey(UUID userId, String memoryType, String key) {}

    /** Binds a statement's parameters. */
    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Reads one row. */
    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    // ---- plumbing ----

    private static <T> List<T> query(Handle h, String sql, Binder binder, Row<T> row) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql)) {
            binder.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    private static int update(Handle h, String sql, Binder binder) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
    }

    private static Array uuids(Connection c, Collection<UUID> values) throws SQLException {
        return c.createArrayOf("uuid", values.toArray());
    }

    private static Array texts(Connection c, Collection<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
    }

    private static Array longs(Connection c, Collection<Long> values) throws SQLException {
        return c.createArrayOf("int8", values.toArray());
    }

    // ---- the checks a bulk upsert makes ----

    /** @return the tombstoned versions of those users */
    static Map<UUID, Long> userVersions(Handle h, Collection<UUID> ids) {
        Map<UUID, Long> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        query(
                h,
                "SELECT id, version FROM user_tombstones WHERE id = ANY (?)",
                ps -> ps.setArray(1, uuids(ps.getConnection(), ids)),
                rs -> out.put(rs.getObject(1, UUID.class), rs.getLong(2)));
        return out;
    }

    /** @return the tombstoned versions of those chat ids */
    static Map<String, Long> sessionVersions(Handle h, Collection<String> chatIds) {
        Map<String, Long> out = new HashMap<>();
        if (chatIds.isEmpty()) {
            return out;
        }
        query(
                h,
                "SELECT chat_id, version FROM session_tombstones WHERE chat_id = ANY (?)",
                ps -> ps.setArray(1, texts(ps.getConnection(), chatIds)),
                rs -> out.put(rs.getString(1), rs.getLong(2)));
        return out;
    }

    /** @return the tombstoned versions of those memory keys */
    static Map<MemoryKey, Long> memoryVersions(Handle h, Collection<MemoryKey> keys) {
        Map<MemoryKey, Long> out = new HashMap<>();
        if (keys.isEmpty()) {
            return out;
        }
        List<UUID> users = new ArrayList<>(keys.size());
        List<String> types = new ArrayList<>(keys.size());
        List<String> names = new ArrayList<>(keys.size());
        for (MemoryKey k : keys) {
            users.add(k.userId());
            types.add(k.memoryType());
            names.add(k.key());
        }
        query(
                h,
                "SELECT t.user_id, t.memory_type, t.key, t.version FROM memory_tombstones t "
                        + "JOIN unnest(?, ?, ?) AS k(user_id, memory_type, key) "
                        + "ON t.user_id = k.user_id AND t.memory_type = k.memory_type AND t.key = k.key",
                ps -> {
                    ps.setArray(1, uuids(ps.getConnection(), users));
                    ps.setArray(2, texts(ps.getConnection(), types));
                    ps.setArray(3, texts(ps.getConnection(), names));
                },
                rs -> out.put(
                        new MemoryKey(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)), rs.getLong(4)));
        return out;
    }

    /** @return which of those users are absent and tombstoned (their children are skipped, not refused) */
    static Set<UUID> deletedUsers(Handle h, Collection<UUID> ids) {
        Set<UUID> out = new HashSet<>();
        if (ids.isEmpty()) {
            return out;
        }
        query(
                h,
                "SELECT t.id FROM user_tombstones t WHERE t.id = ANY (?) "
                        + "AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.id)",
                ps -> ps.setArray(1, uuids(ps.getConnection(), ids)),
                rs -> out.add(rs.getObject(1, UUID.class)));
        return out;
    }

    /** @return which of those session ids belong to an absent, tombstoned session (its messages are skipped) */
    static Set<UUID> deletedSessions(Handle h, Collection<UUID> sessionIds) {
        Set<UUID> out = new HashSet<>();
        if (sessionIds.isEmpty()) {
            return out;
        }
        query(
                h,
                "SELECT DISTINCT t.session_id FROM session_tombstones t WHERE t.session_id = ANY (?) "
                        + "AND NOT EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = t.session_id)",
                ps -> ps.setArray(1, uuids(ps.getConnection(), sessionIds)),
                rs -> out.add(rs.getObject(1, UUID.class)));
        return out;
    }

    /**
     * Removes the tombstones that records applied at those (newer) versions replace.
     *
     * @param whatever remove them whatever their version (an overwrite)
     */
    static void clearUsers(Handle h, List<UUID> ids, List<Long> versions, boolean whatever) {
        if (ids.isEmpty()) {
            return;
        }
        update(
                h,
                "DELETE FROM user_tombstones t USING unnest(?, ?) AS v(id, version) "
                        + "WHERE t.id = v.id AND (? OR t.version < v.version)",
                ps -> {
                    ps.setArray(1, uuids(ps.getConnection(), ids));
                    ps.setArray(2, longs(ps.getConnection(), versions));
                    ps.setBoolean(3, whatever);
                });
    }

    /**
     * Removes the tombstones that sessions applied at those (newer) versions replace.
     *
     * @param whatever remove them whatever their version (an overwrite)
     */
    static void clearSessions(Handle h, List<String> chatIds, List<Long> versions, boolean whatever) {
        if (chatIds.isEmpty()) {
            return;
        }
        update(
                h,
                "DELETE FROM session_tombstones t USING unnest(?, ?) AS v(chat_id, version) "
                        + "WHERE t.chat_id = v.chat_id AND (? OR t.version < v.version)",
                ps -> {
                    ps.setArray(1, texts(ps.getConnection(), chatIds));
                    ps.setArray(2, longs(ps.getConnection(), versions));
                    ps.setBoolean(3, whatever);
                });
    }

    /**
     * Removes the tombstones that memory entries applied at those (newer) versions replace.
     *
     * @param whatever remove them whatever their version (an overwrite)
     */
    static void clearMemory(Handle h, List<MemoryKey> keys, List<Long> versions, boolean whatever) {
        if (keys.isEmpty()) {
            return;
        }
        update(
                h,
                "DELETE FROM memory_tombstones t USING unnest(?, ?, ?, ?) AS v(user_id, memory_type, key, version) "
                        + "WHERE t.user_id = v.user_id AND t.memory_type = v.memory_type AND t.key = v.key "
                        + "AND (? OR t.version < v.version)",
                ps -> {
                    ps.setArray(
                            1,
                            uuids(
                                    ps.getConnection(),
                                    keys.stream().map(MemoryKey::userId).toList()));
                    ps.setArray(
                            2,
                            texts(
                                    ps.getConnection(),
                                    keys.stream().map(MemoryKey::memoryType).toList()));
                    ps.setArray(
                            3,
                            texts(
                                    ps.getConnection(),
                                    keys.stream().map(MemoryKey::key).toList()));
                    ps.setArray(4, longs(ps.getConnection(), versions));
                    ps.setBoolean(5, whatever);
                });
    }

    /**
     * @return the chat ids of those session ids, live or tombstoned: the session keys whose locks a message
     *     upsert takes
     */
    static Set<String> chatIdsOfSessions(Handle h, Collection<UUID> sessionIds) {
        Set<String> out = new HashSet<>();
        if (sessionIds.isEmpty()) {
            return out;
        }
        query(
                h,
                "SELECT chat_id FROM chat_sessions WHERE id = ANY (?) "
                        + "UNION SELECT chat_id FROM session_tombstones WHERE session_id = ANY (?)",
                ps -> {
                    ps.setArray(1, uuids(ps.getConnection(), sessionIds));
                    ps.setArray(2, uuids(ps.getConnection(), sessionIds));
                },
                rs -> out.add(rs.getString(1)));
        return out;
    }

    // ---- findTombstones ----

    /** @return the tombstones held for those keys, each once */
    static List<Tombstone> find(Handle h, Collection<RecordKey> keys) {
        Set<UUID> users = new LinkedHashSet<>();
        Set<String> chats = new LinkedHashSet<>();
        Set<MemoryKey> memory = new LinkedHashSet<>();
        Set<MemoryKey> types = new LinkedHashSet<>();
        for (RecordKey k : keys) {
            switch (k.kind()) {
                case USER -> users.add(k.userId());
                case SESSION -> chats.add(k.chatId());
                case MEMORY ->
                    (k.isWholeType() ? types : memory).add(new MemoryKey(k.userId(), k.memoryType(), k.key()));
            }
        }
        Set<Tombstone> found = new LinkedHashSet<>();
        userVersions(h, users).forEach((id, version) -> found.add(Tombstone.ofUser(id, version)));
        if (!chats.isEmpty()) {
            found.addAll(query(
                    h,
                    "SELECT chat_id, session_id, version FROM session_tombstones WHERE chat_id = ANY (?)",
                    ps -> ps.setArray(1, texts(ps.getConnection(), chats)),
                    rs -> Tombstone.ofSession(rs.getString(1), rs.getObject(2, UUID.class), rs.getLong(3))));
        }
        memoryVersions(h, memory)
                .forEach((k, version) -> found.add(Tombstone.ofMemory(k.userId(), k.memoryType(), k.key(), version)));
        if (!types.isEmpty()) {
            found.addAll(query(
                    h,
                    "SELECT t.user_id, t.memory_type, t.key, t.version FROM memory_tombstones t "
                            + "JOIN unnest(?, ?) AS k(user_id, memory_type) "
                            + "ON t.user_id = k.user_id AND t.memory_type = k.memory_type",
                    ps -> {
                        ps.setArray(
                                1,
                                uuids(
                                        ps.getConnection(),
                                        types.stream().map(MemoryKey::userId).toList()));
                        ps.setArray(
                                2,
                                texts(
                                        ps.getConnection(),
                                        types.stream()
                                                .map(MemoryKey::memoryType)
                                                .toList()));
                    },
                    rs -> Tombstone.ofMemory(
                            rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getLong(4))));
        }
        return List.copyOf(found);
    }

    // ---- upsertTombstones ----

    /**
     * Applies replicated deletions: a live record older than its tombstone is deleted as {@code DataAccess}
     * deletes it, and the tombstone is kept unless the store holds the key at the same or a newer version.
     */
    static void upsert(Handle h, List<Tombstone> tombstones) {
        List<Tombstone> users = new ArrayList<>();
        List<Tombstone> sessions = new ArrayList<>();
        List<Tombstone> memory = new ArrayList<>();
        PostgresKeyLocks.Request locks = PostgresKeyLocks.request();
        for (Tombstone t : latestPerKey(tombstones, Tombstone::key, Tombstone::version)) {
            switch (t.key().kind()) {
                case USER -> {
                    users.add(t);
                    locks.add(PostgresKeyLocks.Space.USERS, t.key().userId());
                }
                case SESSION -> {
                    sessions.add(t);
                    locks.add(PostgresKeyLocks.Space.SESSIONS, t.key().chatId());
                }
                case MEMORY -> {
                    memory.add(t);
                    locks.add(PostgresKeyLocks.Space.MEMORY, t.key().userId());
                }
            }
        }
        locks.exclusive(h);
        if (!users.isEmpty()) {
            upsertUsers(h, users);
        }
        if (!sessions.isEmpty()) {
            upsertSessions(h, sessions);
        }
        if (!memory.isEmpty()) {
            upsertMemory(h, memory);
        }
    }

    private static void upsertUsers(Handle h, List<Tombstone> tombstones) {
        List<UUID> ids = tombstones.stream().map(t -> t.key().userId()).toList();
        List<Long> versions = tombstones.stream().map(Tombstone::version).toList();
        // Locked first, so no session can join a user between its sessions' detaching and its deletion.
        List<UUID> doomed = query(
                h,
                "SELECT u.id FROM users u JOIN unnest(?, ?) AS t(id, version) ON u.id = t.id "
                        + "WHERE u.version < t.version ORDER BY u.id FOR UPDATE OF u",
                ps -> {
                    ps.setArray(1, uuids(ps.getConnection(), ids));
                    ps.setArray(2, longs(ps.getConnection(), versions));
                },
                rs -> rs.getObject(1, UUID.class));
        if (!doomed.isEmpty()) {
            update(
                    h,
                    "UPDATE chat_sessions SET user_id = NULL, version = version + 1 WHERE user_id = ANY (?)",
                    ps -> ps.setArray(1, uuids(ps.getConnection(), doomed)));
            update(h, "DELETE FROM users WHERE id = ANY (?)", ps -> ps.setArray(1, uuids(ps.getConnection(), doomed)));
        }
        update(
                h,
                "INSERT INTO user_tombstones (id, version) SELECT t.id, t.version FROM unnest(?, ?) AS t(id, version) "
                        + "WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.id) "
                        + "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version "
                        + "WHERE user_tombstones.version < EXCLUDED.version",
                ps -> {
                    ps.setArray(1, uuids(ps.getConnection(), ids));
                    ps.setArray(2, longs(ps.getConnection(), versions));
                });
    }

    private static void upsertSessions(Handle h, List<Tombstone> tombstones) {
        List<String> chatIds = tombstones.stream().map(t -> t.key().chatId()).toList();
        List<UUID> sessionIds = tombstones.stream().map(Tombstone::sessionId).toList();
        List<Long> versions = tombstones.stream().map(Tombstone::version).toList();
        // Messages go with their session by ON DELETE CASCADE.
        update(
                h,
                "DELETE FROM chat_sessions s USING unnest(?, ?) AS t(chat_id, version) "
                        + "WHERE s.chat_id = t.chat_id AND s.version < t.version",
                ps -> {
                    ps.setArray(1, texts(ps.getConnection(), chatIds));
                    ps.setArray(2, longs(ps.getConnection(), versions));
                });
        update(
                h,
                "INSERT INTO session_tombstones (chat_id, session_id, version) SELECT t.chat_id, t.session_id, "
                        + "t.version FROM unnest(?, ?, ?) AS t(chat_id, session_id, version) "
                        + "WHERE NOT EXISTS (SELECT 1 FROM chat_sessions s WHERE s.chat_id = t.chat_id) "
                        + "ON CONFLICT (chat_id) DO UPDATE SET session_id = EXCLUDED.session_id, version = EXCLUDED.version "
                        + "WHERE session_tombstones.version < EXCLUDED.version",
                ps -> {
                    ps.setArray(1, texts(ps.getConnection(), chatIds));
                    ps.setArray(2, uuids(ps.getConnection(), sessionIds));
                    ps.setArray(3, longs(ps.getConnection(), versions));
                });
    }

    private static void upsertMemory(Handle h, List<Tombstone> tombstones) {
        List<UUID> users = tombstones.stream().map(t -> t.key().userId()).toList();
        List<String> types = tombstones.stream().map(t -> t.key().memoryType()).toList();
        List<String> keys = tombstones.stream().map(t -> t.key().key()).toList();
        List<Long> versions = tombstones.stream().map(Tombstone::version).toList();
        Binder all = ps -> {
            ps.setArray(1, uuids(ps.getConnection(), users));
            ps.setArray(2, texts(ps.getConnection(), types));
            ps.setArray(3, texts(ps.getConnection(), keys));
            ps.setArray(4, longs(ps.getConnection(), versions));
        };
        update(
                h,
                "DELETE FROM user_memory m USING unnest(?, ?, ?, ?) AS t(user_id, memory_type, key, version) "
                        + "WHERE m.user_id = t.user_id AND m.memory_type = t.memory_type AND m.key = t.key "
                        + "AND m.version < t.version",
                all);
        update(
                h,
                "INSERT INTO memory_tombstones (user_id, memory_type, key, version) SELECT t.user_id, t.memory_type, "
                        + "t.key, t.version FROM unnest(?, ?, ?, ?) AS t(user_id, memory_type, key, version) "
                        + "WHERE NOT EXISTS (SELECT 1 FROM user_memory m WHERE m.user_id = t.user_id "
                        + "AND m.memory_type = t.memory_type AND m.key = t.key) "
                        + "ON CONFLICT (user_id, memory_type, key) DO UPDATE SET version = EXCLUDED.version "
                        + "WHERE memory_tombstones.version < EXCLUDED.version",
                all);
    }
}
