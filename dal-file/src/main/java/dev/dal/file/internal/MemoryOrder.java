package dev.dal.file.internal;

import dev.dal.api.MemoryEntry;
import java.util.Comparator;

/** The order memory entries are kept and listed in: type, then key, by code point (as the other stores). */
final class MemoryOrder {
    static final Comparator<MemoryEntry> BY_TYPE_AND_KEY = Comparator
            .comparing(MemoryEntry::memoryType, MemoryOrder::compareCodePoints)
            .thenComparing(MemoryEntry::key, MemoryOrder::compareCodePoints);

    static final Comparator<StoredIndexes.MemoryTombstone> TOMBSTONES_BY_TYPE_AND_KEY = Comparator
            .comparing(StoredIndexes.MemoryTombstone::memoryType, MemoryOrder::compareCodePoints)
            .thenComparing(StoredIndexes.MemoryTombstone::key, MemoryOrder::compareCodePoints);

    private MemoryOrder() {
    }

    static int compareCodePoints(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
