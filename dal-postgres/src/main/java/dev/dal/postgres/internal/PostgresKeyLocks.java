package dev.dal.postgres.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * Orders a bulk upsert against a deletion of the same key, which no row can do while the key has no live row
 * (a record being created while its tombstone is being written, each invisible to the other's snapshot under
 * READ COMMITTED). Keys hash into {@value #BUCKETS} buckets per kind, each a transaction-level advisory lock:
 * bulk upserts take theirs shared (they do not exclude each other: the unique indexes order them), deletions
 * exclusive. Both take every lock they need in their first statement, in one order, and keep them to the end
 * of the transaction; a statement after the locks sees every deletion or upsert that held them before.
 * Users and memory hash by user id (a whole-type deletion names no key), sessions by chat id.
 */
final class PostgresKeyLocks {
    /** Buckets per kind: a batch takes at most this many locks per kind, well inside the server's lock table. */
    static final int BUCKETS = 64;

    /** The kinds, each its own advisory lock space (the first of the two keys). */
    enum Space {
        /** Users by id; also taken by sessions and memory for their user. */
        USERS(0x64616c01),
        /** Sessions by chat id. */
        SESSIONS(0x64616c02),
        /** Memory by user id. */
        MEMORY(0x64616c03);

        private final int id;

        Space(int id) {
            this.id = id;
        }
    }

    /** The locks a statement takes, in one order. */
    static final class Request {
        private final TreeSet<Long> locks = new TreeSet<>();

        /**
         * @param space the kind
         * @param keys the keys (a UUID, a chat id); {@code null} ones are left out
         * @return this request
         */
        Request add(Space space, Collection<?> keys) {
            for (Object key : keys) {
                if (key != null) {
                    locks.add(((long) space.ordinal() << 32) | Math.floorMod(key.hashCode(), BUCKETS));
                }
            }
            return this;
        }

        /**
         * @param space the kind
         * @return this request, with every bucket of the kind
         */
        Request all(Space space) {
            for (int bucket = 0; bucket < BUCKETS; bucket++) {
                locks.add(((long) space.ordinal() << 32) | bucket);
            }
            return this;
        }

        /**
         * @param space the kind
         * @param key one key
         * @return this request
         */
        Request add(Space space, Object key) {
            return add(space, java.util.Collections.singletonList(key));
        }

        /** Takes the locks shared: for bulk upserts. */
        void shared(Handle h) {
            take(h, "pg_advisory_xact_lock_shared");
        }

        /** Takes the locks exclusively: for deletions. */
        void exclusive(Handle h) {
            take(h, "pg_advisory_xact_lock");
        }

        private void take(Handle h, String function) {
            if (locks.isEmpty()) {
                return;
            }
            Integer[] spaces = new Integer[locks.size()];
            Integer[] buckets = new Integer[locks.size()];
            int i = 0;
            for (long lock : locks) {
                spaces[i] = Space.values()[(int) (lock >>> 32)].id;
                buckets[i] = (int) lock;
                i++;
            }
            // Taken in the array's order (sorted), so two statements never wait on each other's buckets in a circle.
            try (PreparedStatement ps = h.getConnection()
                    .prepareStatement("SELECT count(" + function + "(k.space, "
                            + "k.bucket)) FROM unnest(?::int4[], ?::int4[]) AS k(space, bucket)")) {
                ps.setArray(1, ps.getConnection().createArrayOf("int4", spaces));
                ps.setArray(2, ps.getConnection().createArrayOf("int4", buckets));
                ps.executeQuery().close();
            } catch (SQLException e) {
                throw PostgresErrors.carry(e);
            }
        }
    }

    private PostgresKeyLocks() {}

    /** @return a new, empty request */
    static Request request() {
        return new Request();
    }
}
