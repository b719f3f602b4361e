package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.json;
import static dev.dal.testkit.Fixtures.now;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.NotFoundException;
import dev.dal.api.User;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** User memory: set, overwrite, list, delete, expiry and purge; values of any JSON kind. */
public interface MemoryContract extends ConformanceTest {

    private static List<String> keys(List<MemoryEntry> entries) {
        return entries.stream().map(MemoryEntry::key).toList();
    }

    /**
     * Setting a memory key returns the stored entry, created and updated at the store clock's time, with no expiry.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void setUserMemoryReturnsTheStoredEntry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);

        MemoryEntry entry = store.setUserMemory(user.id(), "preferences", "language", F.textNode("fr"));

        assertThat(entry)
                .isEqualTo(new MemoryEntry(
                        user.id(), "preferences", "language", F.textNode("fr"), now(clock), now(clock), null));
    }

    /**
     * Reading a memory key returns the entry as stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getUserMemoryReadsBackTheStoredEntry(DataAccess store) {
        User user = Fixtures.user(store);
        MemoryEntry entry =
                store.setUserMemory(user.id(), "context", "project", json("{\"name\":\"dal\",\"v\":[1,2]}"));

        assertThat(store.getUserMemory(user.id(), "context", "project")).contains(entry);
    }

    /**
     * Reading an unknown key, type or user's memory is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void getUnknownMemoryKeyIsEmpty(DataAccess store) {
        User user = Fixtures.user(store);
        store.setUserMemory(user.id(), "context", "a", F.numberNode(1));

        assertThat(store.getUserMemory(user.id(), "context", "b")).isEmpty();
        assertThat(store.getUserMemory(user.id(), "other", "a")).isEmpty();
        assertThat(store.getUserMemory(UUID.randomUUID(), "context", "a")).isEmpty();
    }

    /**
     * Overwriting a key replaces its value, keeps its creation time and moves its update time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void overwriteReplacesTheValueKeepsCreatedAtAndMovesUpdatedAt(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        MemoryEntry first = store.setUserMemory(user.id(), "profile", "name", F.textNode("Ada"));
        clock.advance(Duration.ofMinutes(5));

        MemoryEntry second = store.setUserMemory(user.id(), "profile", "name", F.textNode("Ada L."));

        assertThat(second.value()).isEqualTo(F.textNode("Ada L."));
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
        assertThat(second.updatedAt()).isEqualTo(now(clock)).isAfter(first.updatedAt());
        assertThat(store.getUserMemory(user.id(), "profile", "name")).contains(second);
        assertThat(store.getUserMemory(user.id(), "profile")).containsExactly(second);
    }

    /**
     * Overwriting a key without an expiry removes its earlier expiry.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void overwriteReplacesTheExpiry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        store.setUserMemory(
                user.id(), "context", "k", F.numberNode(1), now(clock).plusSeconds(60));

        MemoryEntry forever = store.setUserMemory(user.id(), "context", "k", F.numberNode(2));
        clock.advance(Duration.ofMinutes(5));

        assertThat(forever.expiresAt()).isNull();
        assertThat(store.getUserMemory(user.id(), "context", "k")).contains(forever);
    }

    /**
     * Overwriting a key can add an expiry, after which the entry is hidden.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void overwriteCanAddAnExpiry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        store.setUserMemory(user.id(), "context", "k", F.numberNode(1));
        Instant expiry = now(clock).plusSeconds(30);

        MemoryEntry expiring = store.setUserMemory(user.id(), "context", "k", F.numberNode(2), expiry);

        assertThat(expiring.expiresAt()).isEqualTo(expiry);
        assertThat(store.getUserMemory(user.id(), "context", "k")).contains(expiring);
        clock.advance(Duration.ofSeconds(31));
        assertThat(store.getUserMemory(user.id(), "context", "k")).isEmpty();
    }

    /**
     * Setting an expired key again starts a new entry, created at the time it is set.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void settingAnExpiredKeyAgainStartsANewEntry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        store.setUserMemory(
                user.id(), "context", "k", F.textNode("old"), now(clock).plusSeconds(10));
        clock.advance(Duration.ofSeconds(20));

        MemoryEntry fresh = store.setUserMemory(user.id(), "context", "k", F.textNode("new"));

        assertThat(fresh.createdAt()).isEqualTo(now(clock));
        assertThat(fresh.updatedAt()).isEqualTo(now(clock));
        assertThat(store.getUserMemory(user.id(), "context", "k")).contains(fresh);
    }

    /**
     * The same key under different memory types names separate entries.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void sameKeyInDifferentTypesIsSeparate(DataAccess store) {
        User user = Fixtures.user(store);
        MemoryEntry a = store.setUserMemory(user.id(), "profile", "name", F.textNode("a"));
        MemoryEntry b = store.setUserMemory(user.id(), "context", "name", F.textNode("b"));

        assertThat(store.getUserMemory(user.id(), "profile", "name")).contains(a);
        assertThat(store.getUserMemory(user.id(), "context", "name")).contains(b);
    }

    /**
     * The same type and key for different users names separate entries.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void sameKeyForDifferentUsersIsSeparate(DataAccess store) {
        User first = Fixtures.user(store);
        User second = Fixtures.user(store);
        MemoryEntry a = store.setUserMemory(first.id(), "profile", "name", F.textNode("a"));
        MemoryEntry b = store.setUserMemory(second.id(), "profile", "name", F.textNode("b"));

        assertThat(store.getUserMemory(first.id(), "profile", "name")).contains(a);
        assertThat(store.getUserMemory(second.id(), "profile")).containsExactly(b);
    }

    /**
     * Listing a memory type returns its entries ordered by key.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listByTypeIsOrderedByKey(DataAccess store) {
        User user = Fixtures.user(store);
        for (String key : List.of("delta", "alpha", "charlie", "bravo", "alpha2", "a")) {
            store.setUserMemory(user.id(), "context", key, F.textNode(key));
        }

        List<MemoryEntry> listed = store.getUserMemory(user.id(), "context");

        assertThat(keys(listed)).containsExactly("a", "alpha", "alpha2", "bravo", "charlie", "delta");
        assertThat(listed).allSatisfy(e -> assertThat(e.value()).isEqualTo(F.textNode(e.key())));
    }

    /**
     * Listing a memory type orders keys by binary string order, upper case before lower case.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listByTypeOrdersKeysByBinaryStringOrder(DataAccess store) {
        User user = Fixtures.user(store);
        List<String> keys = List.of("b", "B", "a", "A", "_", "1", "10", "9", "a b", "a-b", "Z", "~");
        for (String key : keys) {
            store.setUserMemory(user.id(), "context", key, F.booleanNode(true));
        }

        assertThat(keys(store.getUserMemory(user.id(), "context")))
                .isEqualTo(keys.stream().sorted().toList());
    }

    /**
     * Listing a memory type excludes other types, including look-alike prefixes, and other users.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listByTypeExcludesOtherTypesAndUsers(DataAccess store) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        MemoryEntry mine = store.setUserMemory(user.id(), "pref", "k", F.numberNode(1));
        store.setUserMemory(user.id(), "preferences", "k", F.numberNode(2));
        store.setUserMemory(user.id(), "pre", "k", F.numberNode(3));
        store.setUserMemory(other.id(), "pref", "k", F.numberNode(4));

        assertThat(store.getUserMemory(user.id(), "pref")).containsExactly(mine);
    }

    /**
     * Listing the memory of an unknown user or type is empty.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void listOfAnUnknownUserOrTypeIsEmpty(DataAccess store) {
        User user = Fixtures.user(store);
        store.setUserMemory(user.id(), "context", "k", F.numberNode(1));

        assertThat(store.getUserMemory(user.id(), "nothing-here")).isEmpty();
        assertThat(store.getUserMemory(UUID.randomUUID(), "context")).isEmpty();
    }

    /**
     * Deleting one key returns true, then false, and leaves the other keys alone.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteOneReturnsTrueThenFalseAndLeavesOtherKeys(DataAccess store) {
        User user = Fixtures.user(store);
        store.setUserMemory(user.id(), "context", "a", F.numberNode(1));
        MemoryEntry b = store.setUserMemory(user.id(), "context", "b", F.numberNode(2));
        MemoryEntry otherType = store.setUserMemory(user.id(), "profile", "a", F.numberNode(3));

        assertThat(store.deleteUserMemory(user.id(), "context", "a")).isTrue();
        assertThat(store.deleteUserMemory(user.id(), "context", "a")).isFalse();

        assertThat(store.getUserMemory(user.id(), "context", "a")).isEmpty();
        assertThat(store.getUserMemory(user.id(), "context")).containsExactly(b);
        assertThat(store.getUserMemory(user.id(), "profile")).containsExactly(otherType);
    }

    /**
     * Deleting unknown memory reports that nothing was deleted and changes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteOfUnknownEntriesReportsNothingDeleted(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        assertThat(store.deleteUserMemory(UUID.randomUUID(), "context", "topic"))
                .isFalse();
        assertThat(store.deleteUserMemory(UUID.randomUUID(), "context")).isZero();

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Deleting a memory type returns the number of entries deleted and leaves other types and users alone.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void deleteTypeReturnsTheCountAndLeavesOtherTypes(DataAccess store) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        for (String key : List.of("a", "b", "c")) {
            store.setUserMemory(user.id(), "context", key, F.textNode(key));
        }
        MemoryEntry kept = store.setUserMemory(user.id(), "profile", "a", F.textNode("x"));
        MemoryEntry othersKept = store.setUserMemory(other.id(), "context", "a", F.textNode("y"));

        assertThat(store.deleteUserMemory(user.id(), "context")).isEqualTo(3);
        assertThat(store.deleteUserMemory(user.id(), "context")).isZero();

        assertThat(store.getUserMemory(user.id(), "context")).isEmpty();
        assertThat(snapshot(store).memory()).containsExactlyInAnyOrder(kept, othersKept);
    }

    /**
     * Setting memory of an unknown user throws NotFoundException and writes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void setUserMemoryForAnUnknownUserThrowsNotFoundAndWritesNothing(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        assertFails(
                NotFoundException.class, () -> store.setUserMemory(UUID.randomUUID(), "context", "k", F.textNode("v")));

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * An entry is visible until just before its expiry.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void entryIsVisibleUntilJustBeforeItsExpiry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        Instant expiry = now(clock).plusSeconds(10);
        MemoryEntry entry = store.setUserMemory(user.id(), "context", "k", F.textNode("v"), expiry);

        clock.set(expiry.minusMillis(1));

        assertThat(store.getUserMemory(user.id(), "context", "k")).contains(entry);
        assertThat(store.getUserMemory(user.id(), "context")).containsExactly(entry);
    }

    /**
     * An entry is invisible from exactly its expiry on.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void entryIsInvisibleExactlyAtItsExpiry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        Instant expiry = now(clock).plusSeconds(10);
        store.setUserMemory(user.id(), "context", "k", F.textNode("v"), expiry);

        clock.set(expiry);

        assertThat(store.getUserMemory(user.id(), "context", "k")).isEmpty();
        assertThat(store.getUserMemory(user.id(), "context")).isEmpty();
    }

    /**
     * An entry is invisible after its expiry, while entries that have not expired stay visible.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void entryIsInvisibleAfterItsExpiry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        store.setUserMemory(
                user.id(), "context", "k", F.textNode("v"), now(clock).plusSeconds(10));
        MemoryEntry lasting = store.setUserMemory(
                user.id(), "context", "z", F.textNode("w"), now(clock).plus(Duration.ofDays(1)));

        clock.advance(Duration.ofHours(1));

        assertThat(store.getUserMemory(user.id(), "context", "k")).isEmpty();
        assertThat(store.getUserMemory(user.id(), "context")).containsExactly(lasting);
    }

    /**
     * An entry set with an expiry already passed is never visible.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void entryWithAnExpiryAlreadyPassedIsNeverVisible(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);

        store.setUserMemory(
                user.id(), "context", "stale", F.textNode("v"), now(clock).minusSeconds(1));

        assertThat(store.getUserMemory(user.id(), "context", "stale")).isEmpty();
        assertThat(store.getUserMemory(user.id(), "context")).isEmpty();
    }

    /**
     * An expiry is stored truncated to milliseconds.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void expiryIsStoredTruncatedToMilliseconds(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        Instant expiry = now(clock).plusSeconds(60).plusNanos(456_789);

        MemoryEntry entry = store.setUserMemory(user.id(), "context", "k", F.textNode("v"), expiry);

        assertThat(entry.expiresAt()).isEqualTo(now(clock).plusSeconds(60));
        assertThat(store.getUserMemory(user.id(), "context", "k").orElseThrow().expiresAt())
                .isEqualTo(now(clock).plusSeconds(60));
    }

    /**
     * Bulk scans still see expired entries until they are purged.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void scansSeeExpiredEntriesUntilPurged(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        MemoryEntry expiring = store.setUserMemory(
                user.id(), "context", "k", F.textNode("v"), now(clock).plusSeconds(1));
        clock.advance(Duration.ofSeconds(5));

        assertThat(store.getUserMemory(user.id(), "context", "k")).isEmpty();
        assertThat(snapshot(store).memory()).containsExactly(expiring);
    }

    /**
     * Purging removes only expired entries, of every user and type, and returns how many it removed.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void purgeExpiredMemoryRemovesOnlyExpiredEntriesAndCountsThem(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        store.setUserMemory(
                user.id(), "context", "a", F.textNode("a"), now(clock).plusSeconds(1));
        store.setUserMemory(
                user.id(), "profile", "b", F.textNode("b"), now(clock).plusSeconds(2));
        store.setUserMemory(
                other.id(), "context", "c", F.textNode("c"), now(clock).plusSeconds(3));
        MemoryEntry later = store.setUserMemory(
                user.id(), "context", "d", F.textNode("d"), now(clock).plusSeconds(60));
        MemoryEntry never = store.setUserMemory(other.id(), "context", "e", F.textNode("e"));
        clock.advance(Duration.ofSeconds(10));

        assertThat(store.purgeExpiredMemory()).isEqualTo(3);

        assertThat(snapshot(store).memory()).containsExactlyInAnyOrder(later, never);
        assertThat(store.purgeExpiredMemory()).isZero();
    }

    /**
     * Purging with nothing expired removes nothing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void purgeWithNothingExpiredRemovesNothing(DataAccess store, MutableClock clock) {
        Fixtures.Seed seed = Fixtures.seed(store);
        store.setUserMemory(
                seed.user().id(), "context", "soon", F.textNode("x"), now(clock).plusSeconds(5));
        var before = snapshot(store);

        assertThat(store.purgeExpiredMemory()).isZero();

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * Purging removes entries exactly at their expiry and keeps those expiring later.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void purgeRemovesEntriesExactlyAtTheirExpiry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        Instant expiry = now(clock).plusSeconds(5);
        store.setUserMemory(user.id(), "context", "edge", F.textNode("x"), expiry);
        MemoryEntry justAfter =
                store.setUserMemory(user.id(), "context", "after", F.textNode("y"), expiry.plusMillis(1));

        clock.set(expiry);

        assertThat(store.purgeExpiredMemory()).isEqualTo(1);
        assertThat(snapshot(store).memory()).containsExactly(justAfter);
    }

    /**
     * A value given as Java {@code null} is stored as JSON null.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void valueMayBeJsonNullGivenAsJavaNull(DataAccess store) {
        User user = Fixtures.user(store);

        MemoryEntry entry = store.setUserMemory(user.id(), "context", "nothing", null);

        assertThat(entry.value().isNull()).isTrue();
        assertThat(store.getUserMemory(user.id(), "context", "nothing"))
                .hasValueSatisfying(e -> assertThat(e.value()).isEqualTo(F.nullNode()));
    }

    /**
     * A value may be an explicit JSON null.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void valueMayBeAnExplicitJsonNull(DataAccess store) {
        User user = Fixtures.user(store);

        store.setUserMemory(user.id(), "context", "null", F.nullNode());

        assertThat(store.getUserMemory(user.id(), "context", "null")
                        .orElseThrow()
                        .value())
                .isEqualTo(F.nullNode());
    }

    /**
     * A value may be any JSON scalar.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void valueMayBeAnyScalar(DataAccess store) {
        User user = Fixtures.user(store);
        List<JsonNode> scalars = List.of(
                F.textNode("text"),
                F.textNode(""),
                F.numberNode(42),
                F.numberNode(Long.MAX_VALUE),
                F.numberNode(2.5),
                F.booleanNode(true),
                F.booleanNode(false));

        for (int i = 0; i < scalars.size(); i++) {
            store.setUserMemory(user.id(), "scalars", "k" + i, scalars.get(i));
        }

        assertThat(store.getUserMemory(user.id(), "scalars"))
                .extracting(MemoryEntry::value)
                .isEqualTo(scalars);
    }

    /**
     * A value may be an array, including an empty one.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void valueMayBeAnArray(DataAccess store) {
        User user = Fixtures.user(store);
        JsonNode array = json("[1,\"two\",3.5,null,true,[],{},[{\"x\":[1]}]]");

        store.setUserMemory(user.id(), "context", "list", array);
        store.setUserMemory(user.id(), "context", "empty", F.arrayNode());

        assertThat(store.getUserMemory(user.id(), "context", "list")
                        .orElseThrow()
                        .value())
                .isEqualTo(array);
        assertThat(store.getUserMemory(user.id(), "context", "empty")
                        .orElseThrow()
                        .value())
                .isEqualTo(F.arrayNode());
    }

    /**
     * An overwrite may change the kind of JSON value, and the key still holds one entry.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void overwriteMayChangeTheKindOfValue(DataAccess store) {
        User user = Fixtures.user(store);
        store.setUserMemory(user.id(), "context", "k", json("{\"a\":1}"));
        store.setUserMemory(user.id(), "context", "k", json("[1,2]"));

        MemoryEntry last = store.setUserMemory(user.id(), "context", "k", F.textNode("now text"));

        assertThat(store.getUserMemory(user.id(), "context", "k")).contains(last);
        assertThat(last.value()).isEqualTo(F.textNode("now text"));
        assertThat(snapshot(store).memory()).hasSize(1);
    }
}
