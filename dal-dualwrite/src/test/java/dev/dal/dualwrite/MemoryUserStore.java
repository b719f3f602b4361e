package dev.dal.dualwrite;

import dev.dal.api.Capability;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.UnsupportedDataAccess;
import dev.dal.api.User;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The smallest store the dual-write decorator can run over, for tests of the decorator's own wiring (this module has
 * no backend): users only, in memory. Everything else throws {@link UnsupportedOperationException}. Its bulk
 * upserts can be made to fail ({@link #failing}), and {@link #put} changes a record behind the decorator's back.
 *
 * <p>It names no Micrometer type, so {@link #exerciseDualWrite()} can run in a class loader that hides Micrometer.
 */
final class MemoryUserStore extends UnsupportedDataAccess {
    private final Map<UUID, User> users = new ConcurrentHashMap<>();
    volatile boolean failing;
    private volatile boolean closed;

    /**
     * Runs a dual-write decorator over two of these stores: a replicated write, a failed one recorded in the
     * journal, a compared read that matches, one that does not, then close.
     *
     * @param journalDir the repair journal's directory
     * @return the counters before close: writes, secondary failures, journal size, reads compared, mismatches
     */
    static long[] exerciseDualWrite(String journalDir) {
        MemoryUserStore primary = new MemoryUserStore();
        MemoryUserStore secondary = new MemoryUserStore();
        DualWriteSettings settings = DualWriteSettings.defaults()
                .withReadFrom(ReadFrom.COMPARE)
                .withFailurePolicy(SecondaryFailurePolicy.RECORD, java.nio.file.Path.of(journalDir));
        DualWriteDataAccess dual =
                new DualWriteDataAccess("memory", primary, "memory", secondary, settings, java.time.Clock.systemUTC());
        try {
            User kept = dual.createUser(NewUser.withExternalId("kept"));
            secondary.failing = true;
            dual.createUser(NewUser.withExternalId("lost"));
            dual.getUser(kept.id());
            secondary.put(new User(
                    kept.id(),
                    kept.externalId(),
                    kept.email(),
                    "changed behind its back",
                    kept.profile(),
                    kept.preferences(),
                    kept.status(),
                    kept.createdAt(),
                    kept.updatedAt(),
                    null));
            dual.getUser(kept.id());
            DualWriteCounters c = awaitRecheck(dual, 1);
            return new long[] {c.writes(), c.secondaryFailures(), c.journalSize(), c.readsCompared(), c.mismatches()};
        } finally {
            dual.close();
        }
    }

    /**
     * Compare mode reads a differing record again a moment later, off the caller's thread, before it counts a
     * mismatch or a race; this waits for that.
     *
     * @param dual the decorator
     * @param rechecked how many rechecks (mismatches plus races) to wait for
     * @return the counters once they are done, or after five seconds
     */
    static DualWriteCounters awaitRecheck(DualWriteDataAccess dual, long rechecked) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        DualWriteCounters c = dual.counters();
        while (c.mismatches() + c.readRaces() < rechecked && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            c = dual.counters();
        }
        return c;
    }

    /** @param user stored as is, bypassing any decorator */
    void put(User user) {
        users.put(user.id(), user);
    }

    private void open() {
        if (closed) {
            throw new UnavailableException("closed");
        }
    }

    @Override
    public User createUser(NewUser user) {
        open();
        User created = user.toUser(Ids.newId(), Instant.now());
        users.put(created.id(), created);
        return created;
    }

    @Override
    public Optional<User> getUser(UUID id) {
        open();
        return Optional.ofNullable(users.get(id));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        open();
        return users.values().stream()
                .filter(u -> externalId.equals(u.externalId()))
                .findFirst();
    }

    @Override
    public HealthStatus healthCheck() {
        return new HealthStatus(
                closed ? HealthStatus.Status.DOWN : HealthStatus.Status.UP,
                "memory",
                Duration.ZERO,
                Map.of(),
                closed ? "closed" : null,
                Instant.now());
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    @Override
    public BulkAccess bulk() {
        return new Bulk();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Upserts users (or fails, when told to); the rest is not needed. */
    private final class Bulk extends UnsupportedBulkAccess {

        @Override
        public void upsertUsers(List<User> batch) {
            open();
            if (failing) {
                throw new UnavailableException("the test made this store unavailable");
            }
            batch.forEach(MemoryUserStore.this::put);
        }
    }
}
