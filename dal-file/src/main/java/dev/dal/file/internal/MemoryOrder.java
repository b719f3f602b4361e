package dev.dal.file.internal;

import dev.dal.api.MemoryEntry;
import dev.dal.api.spi.CodePointOrder;
import java.util.Comparator;

/** The order memory entries are kept and listed in: type, then key, by code point (as the other stores). */
final class MemoryOrder {
    static final Comparator<MemoryEntry> BY_TYPE_AND_KEY = Comparator.comparing(
                    MemoryEntry::memoryType, CodePointOrder.COMPARATOR)
            .thenComparing(MemoryEntry::key, CodePointOrder.COMPARATOR);

    static final Comparator<StoredIndexes.MemoryTombstone> TOMBSTONES_BY_TYPE_AND_KEY = Comparator.comparing(
                    StoredIndexes.MemoryTombstone::memoryType, CodePointOrder.COMPARATOR)
            .thenComparing(StoredIndexes.MemoryTombstone::key, CodePointOrder.COMPARATOR);

    private MemoryOrder() {}
}
