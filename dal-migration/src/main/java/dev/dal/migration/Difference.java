package dev.dal.migration;

import java.util.List;
import java.util.Objects;

/**
 * One record that is not the same in two stores.
 *
 * @param kind the record's kind
 * @param type how it differs
 * @param id how the record is named (a user's or session's id; a message's id with its session
 *     and sequence number; a memory entry's user/type/key)
 * @param fields the fields whose values differ ({@link Type#DIFFERENT} only; else empty)
 * @param sourceHash SHA-256 of the source record's canonical JSON, or {@code null} when it has none
 * @param targetHash SHA-256 of the target record's canonical JSON, or {@code null} when it has none
 */
public record Difference(
        RecordType kind, Type type, String id, List<String> fields, String sourceHash, String targetHash) {

    /** How a record differs. */
    public enum Type {
        /** In the source, not in the target. */
        MISSING,
        /** In the target, not in the source. */
        EXTRA,
        /** In both, with different content. */
        DIFFERENT
    }

    /**
     * Copies the field list.
     *
     * @param kind the record's kind
     * @param type how it differs
     * @param id how the record is named (a user's or session's id; a message's id with its session
     *     and sequence number; a memory entry's user/type/key)
     * @param fields the fields whose values differ ({@link Type#DIFFERENT} only; else empty)
     * @param sourceHash SHA-256 of the source record's canonical JSON, or {@code null} when it has none
     * @param targetHash SHA-256 of the target record's canonical JSON, or {@code null} when it has none
     */
    public Difference {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + " " + kind.wireName() + " " + id
                + (fields.isEmpty() ? "" : " fields " + String.join(",", fields));
    }
}
