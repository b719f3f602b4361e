package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Filtered session listings: active sessions only by default, archived ones when asked, one profile
 * when asked; the filter applies before the page is cut, in listings and overviews alike.
 */
public interface SessionFilterContract extends ConformanceTest {

    private static ChatSession session(DataAccess store, UUID userId, String profile, MutableClock clock) {
        ChatSession session =
                store.createChatSession(new NewChatSession(Fixtures.unique("filtered"), userId, null, profile, null));
        clock.advance(Duration.ofSeconds(1));
        return session;
    }

    private static ChatSession archive(DataAccess store, ChatSession session) {
        return store.updateChatSession(
                session.chatId(),
                ChatSessionUpdate.builder().status(SessionStatus.ARCHIVED).build());
    }

    private static List<UUID> ids(List<ChatSession> sessions) {
        return sessions.stream().map(ChatSession::id).toList();
    }

    private static List<ChatSession> expected(DataAccess store, List<ChatSession> sessions, SessionFilter filter) {
        return sessions.stream()
                .map(s -> store.getChatSession(s.chatId()).orElseThrow())
                .filter(filter::admits)
                .sorted(Fixtures.listingOrder())
                .toList();
    }

    /**
     * The default filter lists active sessions only; archived ones are left out, and the listing
     * without a filter still returns them.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void activeOnlyLeavesArchivedSessionsOut(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        ChatSession first = session(store, user.id(), null, clock);
        ChatSession second = session(store, user.id(), null, clock);
        ChatSession third = session(store, user.id(), null, clock);
        archive(store, second);

        assertThat(ids(store.listUserSessions(user.id(), SessionFilter.activeOnly(), 10, 0)))
                .containsExactly(third.id(), first.id());
        assertThat(ids(store.listUserSessions(user.id(), 10, 0))).containsExactly(third.id(), second.id(), first.id());
    }

    /**
     * Including archived sessions lists every status in the usual order, and equals the unfiltered listing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void includingArchivedListsEveryStatusInListingOrder(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sessions.add(session(store, user.id(), null, clock));
        }
        archive(store, sessions.get(1));
        archive(store, sessions.get(4));
        SessionFilter filter = SessionFilter.activeOnly().includingArchived();

        List<ChatSession> listed = store.listUserSessions(user.id(), filter, 10, 0);

        assertThat(listed).isEqualTo(expected(store, sessions, filter)).hasSize(6);
        assertThat(listed).isEqualTo(store.listUserSessions(user.id(), SessionFilter.everySession(), 10, 0));
        assertThat(listed).extracting(ChatSession::status).contains(SessionStatus.ARCHIVED, SessionStatus.ACTIVE);
    }

    /**
     * A profile filter keeps sessions of exactly that profile: case counts, and the default profile is a
     * profile like any other.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void profileFilterKeepsExactlyThatProfile(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        ChatSession general = session(store, user.id(), null, clock);
        ChatSession sql = session(store, user.id(), "sql", clock);
        ChatSession upper = session(store, user.id(), "SQL", clock);
        ChatSession vector = session(store, user.id(), "vector", clock);
        ChatSession secondSql = session(store, user.id(), "sql", clock);

        assertThat(ids(store.listUserSessions(
                        user.id(), SessionFilter.activeOnly().withProfile("sql"), 10, 0)))
                .containsExactly(secondSql.id(), sql.id());
        assertThat(ids(store.listUserSessions(
                        user.id(), SessionFilter.activeOnly().withProfile("SQL"), 10, 0)))
                .containsExactly(upper.id());
        assertThat(ids(store.listUserSessions(
                        user.id(), SessionFilter.activeOnly().withProfile(ChatSession.DEFAULT_PROFILE), 10, 0)))
                .containsExactly(general.id());
        assertThat(ids(store.listUserSessions(
                        user.id(), SessionFilter.activeOnly().withProfile("vector"), 10, 0)))
                .containsExactly(vector.id());
        assertThat(store.listUserSessions(user.id(), SessionFilter.activeOnly().withProfile("graph"), 10, 0))
                .isEmpty();
    }

    /**
     * Status and profile filters combine: an archived session of the profile shows only when archived
     * sessions are included.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void statusAndProfileFiltersCombine(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        ChatSession activeSql = session(store, user.id(), "sql", clock);
        ChatSession archivedSql = archive(store, session(store, user.id(), "sql", clock));
        ChatSession archivedGeneral = archive(store, session(store, user.id(), null, clock));
        session(store, user.id(), null, clock);

        assertThat(ids(store.listUserSessions(
                        user.id(), SessionFilter.activeOnly().withProfile("sql"), 10, 0)))
                .containsExactly(activeSql.id());
        assertThat(ids(store.listUserSessions(
                        user.id(), SessionFilter.everySession().withProfile("sql"), 10, 0)))
                .containsExactly(archivedSql.id(), activeSql.id());
        assertThat(store.listUserSessions(user.id(), SessionFilter.everySession(), 10, 0))
                .extracting(ChatSession::id)
                .contains(archivedGeneral.id());
    }

    /**
     * The filter applies before the page is cut: every full page holds {@code limit} matching sessions, the
     * offset counts matching sessions only, and the pages concatenate to the whole filtered listing.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void filteredPagesHoldLimitMatchesAndOffsetCountsMatchesOnly(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ChatSession session = session(store, user.id(), i % 3 == 0 ? "sql" : null, clock);
            sessions.add(i % 2 == 0 ? archive(store, session) : session);
        }
        SessionFilter filter = SessionFilter.activeOnly();
        List<ChatSession> all = expected(store, sessions, filter);

        List<ChatSession> paged = new ArrayList<>();
        for (int offset = 0; offset < all.size(); offset += 2) {
            List<ChatSession> page = store.listUserSessions(user.id(), filter, 2, offset);
            assertThat(page).as("page at offset %d", offset).hasSize(Math.min(2, all.size() - offset));
            paged.addAll(page);
        }

        assertThat(all).hasSize(6);
        assertThat(paged).isEqualTo(all);
        assertThat(store.listUserSessions(user.id(), filter, 3, 4)).isEqualTo(all.subList(4, 6));
        assertThat(store.listUserSessions(user.id(), filter, 3, 6)).isEmpty();
        assertThat(store.listUserSessions(
                        user.id(), SessionFilter.everySession().withProfile("sql"), 1, 2))
                .isEqualTo(
                        expected(store, sessions, SessionFilter.everySession().withProfile("sql"))
                                .subList(2, 3));
    }

    /**
     * The overview takes the same filter: the same sessions as the filtered listing, in the same
     * order and pages, each with its newest message.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void overviewTakesTheSameFilter(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        List<ChatSession> sessions = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ChatSession session = session(store, user.id(), i < 3 ? "sql" : "vector", clock);
            store.addMessage(session.chatId(), NewMessage.user("first " + i));
            store.addMessage(session.chatId(), NewMessage.assistant("last " + i));
            clock.advance(Duration.ofSeconds(1));
            sessions.add(i == 1 || i == 4 ? archive(store, session) : session);
        }

        for (SessionFilter filter : List.of(
                SessionFilter.activeOnly(),
                SessionFilter.everySession(),
                SessionFilter.activeOnly().withProfile("sql"),
                SessionFilter.everySession().withProfile("vector"))) {
            for (int offset = 0; offset < 4; offset += 2) {
                List<SessionOverview> overview = store.listUserSessionsWithLastMessage(user.id(), filter, 2, offset);
                assertThat(overview)
                        .as("%s at offset %d", filter, offset)
                        .extracting(SessionOverview::session)
                        .isEqualTo(store.listUserSessions(user.id(), filter, 2, offset));
                for (SessionOverview o : overview) {
                    Message last = o.lastMessage();
                    assertThat(last).isNotNull();
                    assertThat(last.sequenceNumber()).isEqualTo(2);
                    assertThat(last.content()).startsWith("last ");
                }
            }
        }
        assertThat(store.listUserSessionsWithLastMessage(user.id(), SessionFilter.activeOnly(), 10, 0))
                .hasSize(4);
    }

    /**
     * A session archived and made active again leaves the default listing and comes back, at its place
     * in the order.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void archivingMovesASessionOutOfTheDefaultListingAndBack(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        ChatSession first = session(store, user.id(), null, clock);
        ChatSession second = session(store, user.id(), null, clock);
        archive(store, first);
        assertThat(ids(store.listUserSessions(user.id(), SessionFilter.activeOnly(), 10, 0)))
                .containsExactly(second.id());

        store.updateChatSession(
                first.chatId(),
                ChatSessionUpdate.builder().status(SessionStatus.ACTIVE).build());

        assertThat(ids(store.listUserSessions(user.id(), SessionFilter.activeOnly(), 10, 0)))
                .containsExactly(second.id(), first.id());
    }

    /**
     * A filter lists only the given user's sessions: another user's matching sessions and sessions without
     * an owner stay out.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void filterListsOnlyTheUsersOwnSessions(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        User other = Fixtures.user(store);
        ChatSession own = session(store, user.id(), "sql", clock);
        session(store, other.id(), "sql", clock);
        session(store, null, "sql", clock);

        assertThat(ids(store.listUserSessions(
                        user.id(), SessionFilter.activeOnly().withProfile("sql"), 10, 0)))
                .containsExactly(own.id());
        assertThat(store.listUserSessions(UUID.randomUUID(), SessionFilter.everySession(), 10, 0))
                .isEmpty();
    }

    /**
     * A missing filter, or a profile that is blank or longer than a profile can be, is rejected naming the
     * field, and the store is left as it was.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     */
    @Test
    default void badFiltersAreRejectedNamingTheField(DataAccess store, MutableClock clock) {
        User user = Fixtures.user(store);
        session(store, user.id(), "sql", clock);

        assertRejected(store, "filter", () -> store.listUserSessions(user.id(), null, 10, 0));
        assertRejected(store, "filter", () -> store.listUserSessionsWithLastMessage(user.id(), null, 10, 0));
        assertRejected(
                store,
                "filter.profile",
                () -> store.listUserSessions(
                        user.id(), SessionFilter.activeOnly().withProfile(" "), 10, 0));
        assertRejected(
                store,
                "filter.profile",
                () -> store.listUserSessionsWithLastMessage(
                        user.id(), SessionFilter.activeOnly().withProfile("p".repeat(51)), 10, 0));
    }
}
