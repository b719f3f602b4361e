package dev.dal.file.internal;

import java.time.Instant;
import java.util.List;

/**
 * The versions of the file store's on-disk layout, in order. The data directory records the
 * version it holds in a small marker file ({@link StoreLayout#layoutVersion()}); a directory
 * without one holds version 1, the layout every Dal so far has written, so a directory an older
 * Dal wrote opens as it is. A store refuses to open a directory whose marker names a version this
 * code does not know.
 */
final class FileMigrations {
    /** The first layout: users, sessions with their message logs, memory, indexes and tombstones. */
    static final Migration LAYOUT_1 = new Migration(1, "file store layout 1: JSON records, NDJSON message logs");

    /** Every layout version the code knows, oldest first. */
    static final List<Migration> MIGRATIONS = List.of(LAYOUT_1);

    private FileMigrations() {}

    /** @return every layout version the code knows, as {@code dal schema rollback --to} names it, oldest first */
    static List<String> versions() {
        return MIGRATIONS.stream().map(Migration::name).toList();
    }

    /** @return the newest layout version the code knows */
    static int latest() {
        return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
    }

    /**
     * One layout version.
     *
     * @param version the version number, as the marker records it
     * @param description what the layout is, one line
     */
    record Migration(int version, String description) {
        /** @return the version as {@code dal schema} shows it */
        String name() {
            return Integer.toString(version);
        }
    }

    /**
     * The content of the marker file.
     *
     * @param version the layout version the directory holds
     * @param appliedAt when the marker was written, or {@code null} when not recorded
     */
    record LayoutMarker(int version, Instant appliedAt) {}
}
