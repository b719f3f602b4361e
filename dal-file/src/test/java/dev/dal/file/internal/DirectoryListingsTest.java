package dev.dal.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record directory's listing is reused while the directory is unchanged and settled, and listed again after any
 * change to its entries, even one that left the modification time as it was.
 */
class DirectoryListingsTest {
    private static final FileTime AN_HOUR_AGO = FileTime.from(Instant.now().minusSeconds(3_600));

    @TempDir
    Path dir;

    @Test
    void aSettledUnchangedDirectoryIsListedOnce() throws Exception {
        List<UUID> ids = create(5);
        Files.setLastModifiedTime(dir, AN_HOUR_AGO);
        DirectoryListings listings = new DirectoryListings();

        List<UUID> first = listings.idsIn(dir);
        List<UUID> second = listings.idsIn(dir);

        assertThat(first).containsExactlyElementsOf(sorted(ids));
        assertThat(second).as("the kept listing").isSameAs(first);
    }

    @Test
    void anEntryAddedAfterTheListingIsSeenEvenWithTheOldModificationTime() throws Exception {
        List<UUID> ids = create(3);
        Files.setLastModifiedTime(dir, AN_HOUR_AGO);
        DirectoryListings listings = new DirectoryListings();
        List<UUID> before = listings.idsIn(dir);

        UUID added = UUID.randomUUID();
        Files.createDirectory(dir.resolve(added.toString()));
        Files.setLastModifiedTime(dir, AN_HOUR_AGO); // as a change in the same clock tick would leave it
        ids.add(added);

        assertThat(listings.idsIn(dir)).isNotSameAs(before).containsExactlyElementsOf(sorted(ids));
    }

    @Test
    void aRemovedEntryIsGoneFromTheNextListing() throws Exception {
        List<UUID> ids = create(3);
        Files.setLastModifiedTime(dir, AN_HOUR_AGO);
        DirectoryListings listings = new DirectoryListings();
        listings.idsIn(dir);

        Files.delete(dir.resolve(ids.remove(1).toString()));

        assertThat(listings.idsIn(dir)).containsExactlyElementsOf(sorted(ids));
    }

    @Test
    void aDirectoryChangedJustNowIsListedAgainOnEveryCall() throws Exception {
        List<UUID> ids = create(2);
        DirectoryListings listings = new DirectoryListings();

        List<UUID> first = listings.idsIn(dir);
        List<UUID> second = listings.idsIn(dir);

        assertThat(second).isNotSameAs(first).isEqualTo(first).containsExactlyElementsOf(sorted(ids));
    }

    @Test
    void aMissingDirectoryNamesNothing() throws Exception {
        assertThat(new DirectoryListings().idsIn(dir.resolve("absent"))).isEmpty();
    }

    @Test
    void firstAfterFindsTheFirstIdSortingAfterTheCursor() {
        List<UUID> ids = sorted(List.of(
                UUID.fromString("00000000-0000-0000-0000-000000000001"),
                UUID.fromString("00000000-0000-0000-0000-000000000003"),
                UUID.fromString("00000000-0000-0000-0000-000000000005")));

        assertThat(DirectoryListings.firstAfter(ids, null)).isZero();
        assertThat(DirectoryListings.firstAfter(ids, "00000000-0000-0000-0000-000000000000"))
                .isZero();
        assertThat(DirectoryListings.firstAfter(ids, "00000000-0000-0000-0000-000000000001"))
                .isEqualTo(1);
        assertThat(DirectoryListings.firstAfter(ids, "00000000-0000-0000-0000-000000000002"))
                .isEqualTo(1);
        assertThat(DirectoryListings.firstAfter(ids, "00000000-0000-0000-0000-000000000005"))
                .isEqualTo(3);
        assertThat(DirectoryListings.firstAfter(List.of(), "00000000-0000-0000-0000-000000000005"))
                .isZero();
    }

    private List<UUID> create(int count) throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            UUID id = UUID.randomUUID();
            Files.createDirectory(dir.resolve(id.toString()));
            ids.add(id);
        }
        Files.createDirectory(dir.resolve("not-an-id"));
        return ids;
    }

    private static List<UUID> sorted(List<UUID> ids) {
        List<UUID> out = new ArrayList<>(ids);
        out.sort(Comparator.comparing(UUID::toString));
        return out;
    }
}
