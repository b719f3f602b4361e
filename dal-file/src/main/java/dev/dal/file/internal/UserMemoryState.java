package dev.dal.file.internal;

import dev.dal.api.MemoryEntry;
import dev.dal.file.internal.StoredIndexes.MemoryTombstone;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One user's memory entries and memory tombstones as read under the store lock, changed in memory and written
 * back at most once each ({@link RecordDirectory#flush}), so a batch touching many keys of a user costs one write
 * per file. A key is live (an entry, expired or not) or deleted (a tombstone), never both.
 */
final class UserMemoryState {
    private final UUID userId;
    private final List<MemoryEntry> entries;
    private final List<MemoryTombstone> tombstones;
    private boolean entriesChanged;
    private boolean tombstonesChanged;

    UserMemoryState(UUID userId, List<MemoryEntry> entries, List<MemoryTombstone> tombstones) {
        this.userId = userId;
        this.entries = new ArrayList<>(entries);
        this.tombstones = new ArrayList<>(tombstones);
    }

    UUID userId() {
        return userId;
    }

    List<MemoryEntry> entries() {
        return List.copyOf(entries);
    }

    List<MemoryTombstone> tombstones() {
        return List.copyOf(tombstones);
    }

    boolean entriesChanged() {
        return entriesChanged;
    }

    boolean tombstonesChanged() {
        return tombstonesChanged;
    }

    /** @return the stored entry of a key, expired or not */
    Optional<MemoryEntry> entry(String memoryType, String key) {
        return entries.stream()
                .filter(e -> e.memoryType().equals(memoryType) && e.key().equals(key))
                .findFirst();
    }

    /** @return the tombstone of a key */
    Optional<MemoryTombstone> tombstone(String memoryType, String key) {
        return tombstones.stream()
                .filter(t -> t.memoryType().equals(memoryType) && t.key().equals(key))
                .findFirst();
    }

    /** @return the version held for a key, live or deleted; 0 when none */
    long storedVersion(String memoryType, String key) {
        long live = entry(memoryType, key).map(MemoryEntry::version).orElse(0L);
        return Math.max(
                live, tombstone(memoryType, key).map(MemoryTombstone::version).orElse(0L));
    }

    /** Stores an entry, replacing the key's entry and clearing its tombstone. */
    void put(MemoryEntry entry) {
        entry(entry.memoryType(), entry.key()).ifPresent(entries::remove);
        entries.add(entry);
        entriesChanged = true;
        Optional<MemoryTombstone> tombstone = tombstone(entry.memoryType(), entry.key());
        if (tombstone.isPresent()) {
            tombstones.remove(tombstone.get());
            tombstonesChanged = true;
        }
    }

    /**
     * Deletes a key: its entry (if any) goes, its tombstone is kept at {@code version} or the higher version
     * it already had.
     */
    void delete(String memoryType, String key, long version) {
        Optional<MemoryEntry> live = entry(memoryType, key);
        if (live.isPresent()) {
            entries.remove(live.get());
            entriesChanged = true;
        }
        Optional<MemoryTombstone> stored = tombstone(memoryType, key);
        if (stored.isEmpty() || stored.get().version() < version) {
            stored.ifPresent(tombstones::remove);
            tombstones.add(new MemoryTombstone(memoryType, key, version));
            tombstonesChanged = true;
        }
    }
}
