package dev.dal.file.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The record ids a store directory names, in canonical string order, listed again only when the directory has
 * changed. A scan reads its records in batches, and each batch needs the directory's order: listing and sorting
 * 100,000 session directories for every batch of 1,000 messages made a scan of 10M messages quadratic.
 *
 * <p>A listing is reused while the directory's modification time, change time and link count are those it was
 * taken under, whichever process changed it since (every writer adds or removes entries, which changes them). A
 * file system stamps those times from a clock that may advance in ticks, so a change in the same tick as the listing
 * could leave the times as they were: a listing is therefore kept only when the directory had not changed for
 * {@link #SETTLED_MILLIS} before it was taken, so any later change stamps a later time. Where the file system has no
 * such attributes, every call lists the directory.
 */
final class DirectoryListings {
    /** How long a directory must have been unchanged for its listing to be kept; far above any clock tick. */
    static final long SETTLED_MILLIS = 1_000;

    private static final boolean UNIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

    /** The attributes that change with the directory's entries. */
    private record Stamp(Object modified, Object changed, Object links) {}

    private record Listing(Stamp stamp, List<UUID> ids) {}

    private final Map<Path, Listing> listings = new ConcurrentHashMap<>();

    /**
     * @param dir a record directory of the store
     * @return the ids its entries name, in canonical string order, unmodifiable; empty when it does not exist
     * @throws IOException when the directory cannot be read
     */
    List<UUID> idsIn(Path dir) throws IOException {
        Stamp before = stamp(dir);
        if (before == null) {
            listings.remove(dir);
            return UNIX ? List.of() : list(dir);
        }
        Listing kept = listings.get(dir);
        if (kept != null && kept.stamp().equals(before)) {
            return kept.ids();
        }
        long listedAt = System.currentTimeMillis();
        List<UUID> ids = list(dir);
        if (settled(dir, listedAt) && before.equals(stamp(dir))) {
            listings.put(dir, new Listing(before, ids));
        } else {
            listings.remove(dir);
        }
        return ids;
    }

    /**
     * @param ids ids in canonical string order
     * @param after a canonical id string, or {@code null}
     * @return the index of the first id whose string sorts after {@code after} (0 for {@code null})
     */
    static int firstAfter(List<UUID> ids, String after) {
        if (after == null) {
            return 0;
        }
        int low = 0;
        int high = ids.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ids.get(mid).toString().compareTo(after) <= 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static List<UUID> list(Path dir) throws IOException {
        List<UUID> ids = new ArrayList<>();
        for (Path entry : DurableFiles.list(dir)) {
            UUID id = StoreLayout.idOf(entry);
            if (id != null) {
                ids.add(id);
            }
        }
        return List.copyOf(ids);
    }

    private static boolean settled(Path dir, long listedAt) throws IOException {
        return Files.getLastModifiedTime(dir).toMillis() < listedAt - SETTLED_MILLIS;
    }

    /** @return the directory's stamp, or {@code null} when it does not exist or the file system has none */
    private static Stamp stamp(Path dir) throws IOException {
        if (!UNIX) {
            return null;
        }
        try {
            Map<String, Object> attributes = Files.readAttributes(dir, "unix:lastModifiedTime,ctime,nlink");
            return new Stamp(
                    Objects.requireNonNull(attributes.get("lastModifiedTime")),
                    Objects.requireNonNull(attributes.get("ctime")),
                    Objects.requireNonNull(attributes.get("nlink")));
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
