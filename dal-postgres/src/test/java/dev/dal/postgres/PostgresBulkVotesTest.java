package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.Vote;
import dev.dal.api.bulk.ScanBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the kit's vote contract leaves to the store: a batch naming a vote twice, instants the server reads only in
 * its own form, votes inside a running transaction, and a batch racing the deletion of its parents.
 */
class PostgresBulkVotesTest {
    private static final Instant AT = Instant.parse("2025-05-01T10:00:00.123Z");

    private static PostgresTarget target;
    private static String database;
    private static DataAccess store;

    @BeforeAll
    static void open() throws Exception {
        target = PostgresTarget.get();
        database = target.createDatabase("dal_bulk_votes");
        store = PostgresTarget.open(target.server().settingsForDatabase(database));
    }

    @AfterAll
    static void close() throws Exception {
        if (store != null) {
            store.close();
        }
        if (database != null) {
            target.dropDatabase(database);
        }
    }

    /** @return a new session with two messages, owned by a new user */
    private static ChatSession newSession() {
        UUID owner = store.createUser(NewUser.withExternalId("votes-" + UUID.randomUUID()))
                .id();
        ChatSession session = store.createChatSession(NewChatSession.of("votes-" + UUID.randomUUID(), owner));
        store.addMessages(session.chatId(), List.of(NewMessage.user("one"), NewMessage.user("two")));
        return session;
    }

    private static Message first(ChatSession session) {
        return store.getChatHistory(session.chatId(), 1, 0).get(0);
    }

    private static UUID newUser() {
        return store.createUser(NewUser.withExternalId("voter-" + UUID.randomUUID()))
                .id();
    }

    private static List<MessageVote> votesOf(ChatSession session) {
        List<MessageVote> found = new ArrayList<>();
        String cursor = null;
        do {
            ScanBatch<MessageVote> batch = store.bulk().scanVotes(cursor, 1000);
            batch.items().stream()
                    .filter(v -> v.sessionId().equals(session.id()))
                    .forEach(found::add);
            cursor = batch.nextCursor();
        } while (cursor != null);
        return found;
    }

    @Test
    void aBatchNamingAVoteTwiceKeepsTheLaterOneThatItsStoreHolds() {
        ChatSession session = newSession();
        Message first = first(session);
        UUID voter = newUser();
        MessageVote up = new MessageVote(first.id(), session.id(), 1, voter, Vote.UP, AT);
        MessageVote down = new MessageVote(first.id(), session.id(), 1, voter, Vote.DOWN, AT.plusSeconds(1));
        MessageVote elsewhere = new MessageVote(UUID.randomUUID(), session.id(), 1, voter, Vote.UP, AT);

        store.bulk().upsertVotes(List.of(up, down, elsewhere));

        assertThat(votesOf(session)).containsExactly(down);
    }

    @Test
    void instantsOfAnyYearTheServerHoldsRoundTripToTheMillisecond() {
        ChatSession session = newSession();
        Message first = first(session);
        List<MessageVote> votes = new ArrayList<>();
        for (String at : List.of(
                "+10000-01-01T00:00:00.001Z",
                "-0001-12-31T23:59:59.999Z",
                "0000-06-15T12:00:00Z",
                "1969-12-31T23:59:59.999Z",
                "9999-12-31T23:59:59.999Z")) {
            votes.add(new MessageVote(first.id(), session.id(), 1, newUser(), Vote.DOWN, Instant.parse(at)));
        }

        store.bulk().upsertVotes(votes);

        assertThat(votesOf(session)).containsExactlyInAnyOrderElementsOf(votes);
    }

    @Test
    void votesJoinARunningTransactionAndASkippedOneDoesNotAbortIt() {
        ChatSession session = newSession();
        Message first = first(session);
        UUID voter = newUser();
        MessageVote vote = new MessageVote(first.id(), session.id(), 1, voter, Vote.UP, AT);

        assertThatThrownBy(() -> store.useTransaction(tx -> {
                    tx.bulk().upsertVotes(List.of(vote));
                    throw new IllegalStateException("roll back");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(votesOf(session)).isEmpty();

        store.useTransaction(tx -> {
            tx.bulk()
                    .upsertVotes(List.of(new MessageVote(first.id(), session.id(), 1, UUID.randomUUID(), Vote.UP, AT)));
            tx.bulk().upsertVotes(List.of(vote));
        });
        assertThat(votesOf(session)).containsExactly(vote);

        store.useTransaction(tx -> tx.bulk().deleteVotes(List.of(dev.dal.api.bulk.VoteKey.of(vote))));
        assertThat(votesOf(session)).isEmpty();
    }

    /**
     * A deletion of the session holds its messages when the batch reaches them: the batch waits for it, and once
     * it commits skips the vote, where the foreign key check would have failed the statement.
     */
    @Test
    void aBatchWaitingOnADeletionOfItsMessageSkipsTheVote() throws Exception {
        ChatSession session = newSession();
        Message first = first(session);
        MessageVote vote = new MessageVote(first.id(), session.id(), 1, newUser(), Vote.UP, AT);
        try (Connection deleting = target.dataSource(database).getConnection();
                Connection watching = target.dataSource(database).getConnection()) {
            deleting.setAutoCommit(false);
            try (PreparedStatement ps = deleting.prepareStatement("DELETE FROM chat_sessions WHERE id = ?")) {
                ps.setObject(1, session.id());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            CompletableFuture<Void> upsert =
                    CompletableFuture.runAsync(() -> store.bulk().upsertVotes(List.of(vote)));
            awaitLockWait(watching);
            assertThat(upsert).isNotDone();
            deleting.commit();

            upsert.get(30, TimeUnit.SECONDS);
        }
        assertThat(votesOf(session)).isEmpty();
    }

    /** Waits until a statement on message_votes waits for a lock. */
    private static void awaitLockWait(Connection watching) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (PreparedStatement ps = watching.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                            + "WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO message_votes%'");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the upsert never waited for the deletion's lock");
    }
}
