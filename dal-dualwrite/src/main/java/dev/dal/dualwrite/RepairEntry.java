package dev.dal.dualwrite;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One divergence between the primary and the secondary: a record the primary committed and the secondary
 * did not get. Written to the repair journal as one JSON line; replayed by {@link DualWriteDataAccess#repair()}.
 *
 * @param kind what the keys name, and so how the entry is replayed
 * @param keys the record's key parts (see {@link RecordKind}); ids in their canonical string form
 * @param operation the {@code DataAccess} operation whose replication failed, e.g. {@code "addMessages"}
 * @param recordedAt when the divergence was recorded
 * @param reason why the secondary did not get it (the exception's type and Dal message, never a driver's text)
 */
public record RepairEntry(RecordKind kind, List<String> keys, String operation, Instant recordedAt, String reason) {

    /**
     * Copies the keys; requires kind, keys, operation and time.
     *
     * @param kind what the keys name, and so how the entry is replayed
     * @param keys the record's key parts (see {@link RecordKind}); ids in their canonical string form
     * @param operation the {@code DataAccess} operation whose replication failed, e.g. {@code "addMessages"}
     * @param recordedAt when the divergence was recorded
     * @param reason why the secondary did not get it (the exception's type and Dal message, never a driver's text)
     */
    public RepairEntry {
        Objects.requireNonNull(kind, "kind");
        keys = List.copyOf(Objects.requireNonNull(keys, "keys"));
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }
}
