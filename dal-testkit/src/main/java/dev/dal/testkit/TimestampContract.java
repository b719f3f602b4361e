package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.F;
import static dev.dal.testkit.Fixtures.now;
import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** Time: every timestamp is the store clock's instant truncated to milliseconds, and reads back exactly. */
public interface TimestampContract extends ConformanceTest {

    /** Instants at the edges of what every store can hold, with millisecond precision. */
    List<Instant> EDGE_INSTANTS = List.of(
            Instant.parse("1970-01-01T00:00:00Z"),
            Instant.parse("1969-12-31T23:59:59.999Z"),
            Instant.parse("1900-01-01T00:00:00.001Z"),
            Instant.parse("2000-02-29T12:34:56.789Z"),
            Instant.parse("2038-01-19T03:14:07.999Z"),
            Instant.parse("2262-04-11T23:47:16.854Z"),
            Instant.parse("9999-12-31T23:59:59.999Z"));

    /**
     * Every creation and update time a write sets is the store clock's instant truncated to milliseconds.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void everyCreationTimeIsTheClockTruncatedToMillis(DataAccess store, MutableClock clock) {
        assertThat(clock.instant().getNano() % 1_000_000)
                .as("the kit's clock has sub-millisecond digits")
                .isNotZero();
        Instant expected = now(clock);

        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        Message message = store.addMessage(session.chatId(), NewMessage.user("t"));
        MemoryEntry entry = store.setUserMemory(user.id(), "t", "k", F.numberNode(1));

        assertThat(List.of(
                        user.createdAt(),
                        user.updatedAt(),
                        session.createdAt(),
                        session.updatedAt(),
                        message.createdAt(),
                        entry.createdAt(),
                        entry.updatedAt()))
                .containsOnly(expected);
        assertThat(store.getChatSession(session.chatId()).orElseThrow().lastMessageAt())
                .isEqualTo(expected);
    }

    /**
     * Stored timestamps read back exactly as the writes returned them.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void storedTimestampsReadBackExactly(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        Message message = store.addMessage(session.chatId(), NewMessage.user("t"));
        MemoryEntry entry = store.setUserMemory(
                user.id(), "t", "k", F.numberNode(1), clock.instant().plusSeconds(60));

        assertThat(store.getUser(user.id())).contains(user);
        assertThat(store.getChatSession(session.chatId())).contains(session.withMessages(1, message.createdAt()));
        assertThat(store.getChatHistory(session.chatId(), 1, 0)).containsExactly(message);
        assertThat(store.getUserMemory(user.id(), "t", "k")).contains(entry);
    }

    /**
     * Timestamps come from the store's clock, not the system clock.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void timestampsComeFromTheStoresClockNotTheSystemClock(DataAccess store, MutableClock clock) {
        clock.set(Instant.parse("2001-02-03T04:05:06.789123456Z"));
        Instant expected = Instant.parse("2001-02-03T04:05:06.789Z");

        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        Message message = store.addMessage(session.chatId(), NewMessage.user("t"));
        MemoryEntry entry = store.setUserMemory(user.id(), "t", "k", F.numberNode(1));

        assertThat(List.of(user.createdAt(), session.createdAt(), message.createdAt(), entry.createdAt()))
                .containsOnly(expected);
        assertThat(store.getUser(user.id()).orElseThrow().createdAt()).isEqualTo(expected);
        assertThat(store.getChatHistory(session.chatId(), 1, 0).get(0).createdAt())
                .isEqualTo(expected);
    }

    /**
     * Update, message and memory times follow the store's clock as it moves.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void updateTimesFollowTheClock(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        store.setUserMemory(user.id(), "t", "k", F.numberNode(1));
        clock.advance(Duration.ofDays(3).plusMillis(7).plusNanos(999_999));
        Instant later = now(clock);

        User updated =
                store.updateUser(user.id(), UserUpdate.builder().name("n").build());
        Message message = store.addMessage(session.chatId(), NewMessage.user("later"));
        MemoryEntry entry = store.setUserMemory(user.id(), "t", "k", F.numberNode(2));

        assertThat(updated.updatedAt()).isEqualTo(later);
        assertThat(message.createdAt()).isEqualTo(later);
        assertThat(entry.updatedAt()).isEqualTo(later);
        assertThat(store.getChatSession(session.chatId()).orElseThrow().lastMessageAt())
                .isEqualTo(later);
    }

    /**
     * Instants the caller gives are stored truncated to milliseconds.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void givenInstantsAreStoredTruncatedToMillis(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        Instant precise = Instant.parse("2030-06-15T10:20:30.123999999Z");

        User updated = store.updateUser(
                user.id(), UserUpdate.builder().lastActiveAt(precise).build());
        MemoryEntry entry = store.setUserMemory(user.id(), "t", "k", F.numberNode(1), precise);

        Instant truncated = Instant.parse("2030-06-15T10:20:30.123Z");
        assertThat(updated.lastActiveAt()).isEqualTo(truncated);
        assertThat(store.getUser(user.id()).orElseThrow().lastActiveAt()).isEqualTo(truncated);
        assertThat(entry.expiresAt()).isEqualTo(truncated);
        assertThat(store.getUserMemory(user.id(), "t", "k").orElseThrow().expiresAt())
                .isEqualTo(truncated);
    }

    /**
     * Edge instants, far past and far future included, round-trip as a user's last activity time.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void edgeInstantsRoundTripAsLastActiveAt(DataAccess store) {
        User user = Fixtures.user(store);

        for (Instant instant : EDGE_INSTANTS) {
            store.updateUser(
                    user.id(), UserUpdate.builder().lastActiveAt(instant).build());
            assertThat(store.getUser(user.id()).orElseThrow().lastActiveAt())
                    .as("lastActiveAt")
                    .isEqualTo(instant);
        }
    }

    /**
     * Edge instants round-trip as memory expiry times.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void edgeInstantsRoundTripAsMemoryExpiry(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        clock.set(Instant.parse("1800-01-01T00:00:00Z"));

        for (Instant instant : EDGE_INSTANTS) {
            store.setUserMemory(user.id(), "edges", instant.toString(), F.textNode("x"), instant);
        }

        assertThat(store.getUserMemory(user.id(), "edges"))
                .extracting(MemoryEntry::expiresAt)
                .containsExactlyInAnyOrderElementsOf(EDGE_INSTANTS);
    }

    /**
     * Edge instants round-trip as the creation times of users and messages.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void edgeInstantsRoundTripAsCreationTimes(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        ChatSession session = Fixtures.session(store, user.id());
        List<Message> messages = new ArrayList<>();

        for (Instant instant : EDGE_INSTANTS) {
            clock.set(instant);
            messages.add(store.addMessage(session.chatId(), NewMessage.user(instant.toString())));
            assertThat(store.createUser(
                                    NewUser.builder().name(instant.toString()).build())
                            .createdAt())
                    .isEqualTo(instant);
        }

        assertThat(messages).extracting(Message::createdAt).isEqualTo(EDGE_INSTANTS);
        assertThat(store.getChatHistory(session.chatId(), 100, 0)).isEqualTo(messages);
        assertThat(snapshot(store).users()).extracting(User::createdAt).containsAll(EDGE_INSTANTS);
    }

    /**
     * Timestamps do not depend on the JVM's default time zone, neither when written nor when read.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void timestampsDoNotDependOnTheJvmDefaultTimeZone(DataAccess store, MutableClock clock) {
        TimeZone original = TimeZone.getDefault();
        Instant expected = now(clock);
        User user;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kathmandu"));
            user = Fixtures.user(store);
            store.updateUser(
                    user.id(),
                    UserUpdate.builder()
                            .lastActiveAt(Instant.parse("2020-03-29T01:30:00Z"))
                            .build());
            TimeZone.setDefault(TimeZone.getTimeZone("America/St_Johns"));
            User read = store.getUser(user.id()).orElseThrow();
            assertThat(read.createdAt()).isEqualTo(expected);
            assertThat(read.lastActiveAt()).isEqualTo(Instant.parse("2020-03-29T01:30:00Z"));
        } finally {
            TimeZone.setDefault(original);
        }
        assertThat(store.getUser(user.id()).orElseThrow().createdAt()).isEqualTo(expected);
    }

    /**
     * Memory expiry is compared at millisecond precision: an entry is expired from its truncated expiry on.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void expiryIsComparedAtMillisecondPrecision(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        Instant expiryMillis = now(clock).plusSeconds(10);
        store.setUserMemory(user.id(), "t", "k", F.numberNode(1), expiryMillis.plusNanos(999_999));

        clock.set(expiryMillis.plusNanos(500_000));

        assertThat(store.getUserMemory(user.id(), "t", "k"))
                .as("expired at its truncated expiry")
                .isEmpty();
        assertThat(store.purgeExpiredMemory()).isEqualTo(1);
    }
}
