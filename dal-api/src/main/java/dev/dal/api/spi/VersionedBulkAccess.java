package dev.dal.api.spi;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.User;
import dev.dal.api.bulk.BulkAccess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The base of a backend's {@link BulkAccess}: an upsert and an overwrite of the same kind are one write that
 * differs only in its {@link VersionRule}, so a backend writes each kind once. {@link #upsertUsers} applies a
 * record only over an older stored version (live or deleted); {@link #overwriteUsers} applies it whatever the
 * store holds. The same holds for sessions and memory entries; messages carry no version and have no overwrite.
 */
public abstract class VersionedBulkAccess implements BulkAccess {

    /** Which stored versions a bulk write may replace. */
    public enum VersionRule {
        /** Only an older version, live or deleted: a late replication never undoes a newer change. */
        NEWER_WINS("upsert"),
        /** Whatever the store holds, live or deleted: the source of a repair wins. */
        ALWAYS("overwrite");

        private final String verb;

        VersionRule(String verb) {
            this.verb = verb;
        }

        /** @return whether the stored version is ignored */
        public boolean overwrites() {
            return this == ALWAYS;
        }

        /**
         * @param kind the kind of record, capitalized, e.g. {@code "Users"}
         * @return the bulk operation's name for errors and logs, e.g. {@code "upsertUsers"} or
         *     {@code "overwriteUsers"}
         */
        public String operation(String kind) {
            return verb + Objects.requireNonNull(kind, "kind");
        }
    }

    /** For subclasses. */
    protected VersionedBulkAccess() {}

    /**
     * Writes users by id under {@code rule}; named {@code rule.operation("Users")} in errors.
     *
     * @param users exact records, versions included
     * @param rule which stored versions they may replace
     * @throws dev.dal.api.DuplicateKeyException when an external id belongs to another user
     */
    protected abstract void putUsers(List<User> users, VersionRule rule);

    /**
     * Writes sessions by chat id under {@code rule}; named {@code rule.operation("Sessions")} in errors.
     *
     * @param sessions exact records, versions and counters included
     * @param rule which stored versions they may replace
     * @throws dev.dal.api.NotFoundException when a session names a user that does not exist
     */
    protected abstract void putSessions(List<ChatSession> sessions, VersionRule rule);

    /**
     * Writes memory entries by (user, type, key) under {@code rule}; named {@code rule.operation("Memory")} in
     * errors.
     *
     * @param entries exact records, versions included
     * @param rule which stored versions they may replace
     * @throws dev.dal.api.NotFoundException when an entry names a user that does not exist
     */
    protected abstract void putMemory(List<MemoryEntry> entries, VersionRule rule);

    @Override
    public final void upsertUsers(List<User> users) {
        putUsers(users, VersionRule.NEWER_WINS);
    }

    @Override
    public final void overwriteUsers(List<User> users) {
        putUsers(users, VersionRule.ALWAYS);
    }

    @Override
    public final void upsertSessions(List<ChatSession> sessions) {
        putSessions(sessions, VersionRule.NEWER_WINS);
    }

    @Override
    public final void overwriteSessions(List<ChatSession> sessions) {
        putSessions(sessions, VersionRule.ALWAYS);
    }

    @Override
    public final void upsertMemory(List<MemoryEntry> entries) {
        putMemory(entries, VersionRule.NEWER_WINS);
    }

    @Override
    public final void overwriteMemory(List<MemoryEntry> entries) {
        putMemory(entries, VersionRule.ALWAYS);
    }

    /**
     * Keeps one record per key, the one with the highest version (the later of equal versions), in the order
     * the keys are first seen: what applying the batch record by record would leave, so a statement that
     * upserts by key never meets a key twice.
     *
     * @param records the batch
     * @param keyOf a record's key
     * @param versionOf a record's version
     * @param <T> the records' type
     * @param <K> the keys' type
     * @return the records themselves when no key repeats, else an unmodifiable list of one per key
     */
    public static <T, K> List<T> latestPerKey(List<T> records, Function<T, K> keyOf, ToLongFunction<T> versionOf) {
        Map<K, T> latest = new LinkedHashMap<>();
        for (T record : records) {
            latest.merge(
                    keyOf.apply(record),
                    record,
                    (held, next) -> versionOf.applyAsLong(next) >= versionOf.applyAsLong(held) ? next : held);
        }
        return latest.size() == records.size() ? records : List.copyOf(latest.values());
    }
}
