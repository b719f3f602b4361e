package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.assertFails;
import static dev.dal.testkit.Fixtures.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.DeleteMode;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NotFoundException;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Message votes: one vote per user per message, a second vote replacing the first, votes cleared one by one,
 * tallied for a range of a session, read back per user, and gone with their session or their user.
 */
public interface VoteContract extends ConformanceTest {

    /** A session of a new user holding {@code count} messages. */
    private static ChatSession sessionWithMessages(DataAccess store, int count) {
        ChatSession session = Fixtures.session(store, Fixtures.user(store).id());
        Fixtures.messages(store, session.chatId(), count);
        return session;
    }

    private static List<VoteTally> allTallies(DataAccess store, String chatId) {
        return store.getVoteTallies(chatId, 1, HistoryQuery.MAX_LIMIT);
    }

    /**
     * A vote is stored with the message's id and place, the voter, the verdict and the time; votes of several
     * users on several messages are tallied per message and read back per user.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void votesAreStoredTalliedAndReadBackPerUser(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 3);
        Message first = store.getChatHistory(session.chatId(), 1, 0).get(0);
        UUID alice = Fixtures.user(store).id();
        UUID bob = Fixtures.user(store).id();

        MessageVote aliceOnFirst = store.voteMessage(session.chatId(), 1, alice, Vote.UP);
        store.voteMessage(session.chatId(), 1, bob, Vote.DOWN);
        MessageVote aliceOnThird = store.voteMessage(session.chatId(), 3, alice, Vote.UP);

        assertThat(aliceOnFirst)
                .isEqualTo(new MessageVote(first.id(), session.id(), 1, alice, Vote.UP, Fixtures.now(clock)));
        assertThat(allTallies(store, session.chatId())).containsExactly(new VoteTally(1, 1, 1), new VoteTally(3, 1, 0));
        assertThat(store.getUserVotes(session.chatId(), alice, 1, 3)).containsExactly(aliceOnFirst, aliceOnThird);
        assertThat(store.getUserVotes(session.chatId(), bob, 2, 3)).isEmpty();
    }

    /**
     * A user's second vote on a message replaces the first, verdict and time, so a message counts each voter
     * once.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void aSecondVoteReplacesTheFirst(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID voter = Fixtures.user(store).id();
        store.voteMessage(session.chatId(), 1, voter, Vote.UP);
        clock.advance(Duration.ofSeconds(5));

        MessageVote second = store.voteMessage(session.chatId(), 1, voter, Vote.DOWN);
        MessageVote again = store.voteMessage(session.chatId(), 1, voter, Vote.DOWN);

        assertThat(second.votedAt()).isEqualTo(Fixtures.now(clock));
        assertThat(again).isEqualTo(second);
        assertThat(allTallies(store, session.chatId())).containsExactly(new VoteTally(1, 0, 1));
        assertThat(store.getUserVotes(session.chatId(), voter, 1, 1)).containsExactly(second);
    }

    /**
     * Clearing removes that user's vote on that message only, and says whether there was one.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void clearVoteRemovesOnlyThatVote(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 2);
        UUID alice = Fixtures.user(store).id();
        UUID bob = Fixtures.user(store).id();
        store.voteMessage(session.chatId(), 1, alice, Vote.UP);
        store.voteMessage(session.chatId(), 1, bob, Vote.UP);
        MessageVote kept = store.voteMessage(session.chatId(), 2, alice, Vote.DOWN);

        assertThat(store.clearVote(session.chatId(), 1, alice)).isTrue();
        assertThat(store.clearVote(session.chatId(), 1, alice))
                .as("cleared already")
                .isFalse();
        assertThat(store.clearVote(session.chatId(), 9, alice))
                .as("no such message")
                .isFalse();
        assertThat(store.clearVote("no-such-chat", 1, alice))
                .as("no such session")
                .isFalse();

        assertThat(allTallies(store, session.chatId())).containsExactly(new VoteTally(1, 1, 0), new VoteTally(2, 0, 1));
        assertThat(store.getUserVotes(session.chatId(), alice, 1, 2)).containsExactly(kept);
    }

    /**
     * Tallies and a user's votes cover the asked range of the asked session only; messages without votes have
     * no tally; an unknown session has none.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void talliesCoverTheRangeOfTheirSessionOnly(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 6);
        ChatSession other = sessionWithMessages(store, 6);
        UUID voter = Fixtures.user(store).id();
        for (long seq : new long[] {1, 3, 5, 6}) {
            store.voteMessage(session.chatId(), seq, voter, Vote.UP);
        }
        store.voteMessage(other.chatId(), 4, voter, Vote.DOWN);

        assertThat(store.getVoteTallies(session.chatId(), 2, 5))
                .containsExactly(new VoteTally(3, 1, 0), new VoteTally(5, 1, 0));
        assertThat(store.getUserVotes(session.chatId(), voter, 2, 5))
                .extracting(MessageVote::sequenceNumber)
                .containsExactly(3L, 5L);
        assertThat(store.getVoteTallies(other.chatId(), 1, 6)).containsExactly(new VoteTally(4, 0, 1));
        assertThat(store.getVoteTallies("no-such-chat", 1, 6)).isEmpty();
        assertThat(store.getUserVotes(session.chatId(), UUID.randomUUID(), 1, 6))
                .isEmpty();
    }

    /**
     * A deleted session takes its votes along (a new session under the same key starts without any); a deleted
     * user's votes stop counting, whether the user's sessions are kept or purged.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void votesGoWithTheirSessionAndTheirUser(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 1);
        User leaving = Fixtures.user(store);
        User purged = Fixtures.user(store);
        UUID staying = Fixtures.user(store).id();
        store.voteMessage(session.chatId(), 1, leaving.id(), Vote.DOWN);
        store.voteMessage(session.chatId(), 1, purged.id(), Vote.DOWN);
        store.voteMessage(session.chatId(), 1, staying, Vote.UP);

        store.deleteUser(leaving.id());
        store.deleteUser(purged.id(), DeleteMode.PURGE);

        assertThat(allTallies(store, session.chatId())).containsExactly(new VoteTally(1, 1, 0));
        assertThat(store.getUserVotes(session.chatId(), leaving.id(), 1, 1)).isEmpty();

        store.deleteChatSession(session.chatId());
        assertThat(allTallies(store, session.chatId())).isEmpty();
        ChatSession reborn = store.createChatSession(NewChatSession.of(session.chatId(), staying));
        Fixtures.messages(store, reborn.chatId(), 1);
        assertThat(allTallies(store, reborn.chatId()))
                .as("a new session under the old key")
                .isEmpty();
        assertThat(store.getUserVotes(reborn.chatId(), staying, 1, 1)).isEmpty();
    }

    /**
     * A vote on a message, session or user that does not exist is {@link NotFoundException}, and nothing is
     * stored.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void votesOnWhatDoesNotExistAreNotFound(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 2);
        UUID voter = Fixtures.user(store).id();

        assertFails(NotFoundException.class, () -> store.voteMessage("no-such-chat", 1, voter, Vote.UP));
        assertFails(NotFoundException.class, () -> store.voteMessage(session.chatId(), 3, voter, Vote.UP));
        assertFails(NotFoundException.class, () -> store.voteMessage(session.chatId(), 1, UUID.randomUUID(), Vote.UP));

        assertThat(allTallies(store, session.chatId())).isEmpty();
    }

    /**
     * Bad arguments are rejected naming the field, and the store is left as it was.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void badVoteArgumentsAreRejectedNamingTheField(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID voter = Fixtures.user(store).id();
        String chat = session.chatId();

        assertRejected(store, "chatId", () -> store.voteMessage(null, 1, voter, Vote.UP));
        assertRejected(store, "sequenceNumber", () -> store.voteMessage(chat, 0, voter, Vote.UP));
        assertRejected(store, "userId", () -> store.voteMessage(chat, 1, null, Vote.UP));
        assertRejected(store, "vote", () -> store.voteMessage(chat, 1, voter, null));
        assertRejected(store, "sequenceNumber", () -> store.clearVote(chat, -1, voter));
        assertRejected(store, "fromSequence", () -> store.getVoteTallies(chat, 0, 5));
        assertRejected(store, "toSequence", () -> store.getVoteTallies(chat, 5, 4));
        assertRejected(store, "toSequence", () -> store.getVoteTallies(chat, 1, 1 + HistoryQuery.MAX_LIMIT));
        assertRejected(store, "userId", () -> store.getUserVotes(chat, null, 1, 1));
        assertThat(store.getVoteTallies(chat, 1, HistoryQuery.MAX_LIMIT))
                .as("a range of exactly the maximum")
                .isEmpty();
    }

    /**
     * A vote cast in a transaction that fails is not stored, and a vote cleared in it comes back.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires({Capability.MESSAGE_VOTES, Capability.TRANSACTIONS})
    default void votesInAFailedTransactionAreRolledBack(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 2);
        UUID voter = Fixtures.user(store).id();
        MessageVote kept = store.voteMessage(session.chatId(), 1, voter, Vote.UP);

        Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> store.useTransaction(tx -> {
            tx.voteMessage(session.chatId(), 2, voter, Vote.DOWN);
            tx.clearVote(session.chatId(), 1, voter);
            throw new IllegalStateException("the work fails");
        }));

        assertThat(failed).isInstanceOf(IllegalStateException.class);
        assertThat(store.getUserVotes(session.chatId(), voter, 1, 2)).containsExactly(kept);
    }

    /**
     * Many users voting on one message at once are each counted once; one user voting from many threads at once
     * keeps exactly one vote.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void concurrentVotesCountEachUserOnce(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 2);
        int threads = 8;
        List<UUID> voters = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            voters.add(Fixtures.user(store).id());
        }
        UUID eager = voters.get(0);
        List<Callable<MessageVote>> tasks = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            UUID voter = voters.get(i);
            Vote vote = i % 2 == 0 ? Vote.UP : Vote.DOWN;
            tasks.add(() -> store.voteMessage(session.chatId(), 1, voter, Vote.UP));
            tasks.add(() -> store.voteMessage(session.chatId(), 2, eager, vote));
        }

        Fixtures.concurrently(tasks);

        assertThat(allTallies(store, session.chatId())).hasSize(2).first().isEqualTo(new VoteTally(1, threads, 0));
        VoteTally second = allTallies(store, session.chatId()).get(1);
        assertThat(second.up() + second.down())
                .as("one user's votes on message 2")
                .isEqualTo(1);
        assertThat(store.getUserVotes(session.chatId(), eager, 2, 2)).hasSize(1);
    }

    /** Casts votes of two users on some messages of three sessions, the first user's on message 1 twice. */
    private static List<MessageVote> castSomeVotes(DataAccess store, MutableClock clock) {
        UUID alice = Fixtures.user(store).id();
        UUID bob = Fixtures.user(store).id();
        for (int i = 0; i < 3; i++) {
            ChatSession session = sessionWithMessages(store, 3);
            store.voteMessage(session.chatId(), 1, alice, Vote.DOWN);
            clock.advance(Duration.ofMillis(7));
            store.voteMessage(session.chatId(), 1, alice, Vote.UP);
            store.voteMessage(session.chatId(), 1, bob, Vote.DOWN);
            store.voteMessage(session.chatId(), 3, bob, Vote.UP);
        }
        return Fixtures.scanAll(store.bulk()::scanVotes, 1000);
    }

    /**
     * A scan of votes visits every vote exactly once, in the order of session id, sequence number and voter id
     * (their string forms), in batches of any size, with each vote as it was cast last.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void aScanOfVotesVisitsEveryVoteOnceInOrder(DataAccess store, MutableClock clock) {
        List<MessageVote> all = castSomeVotes(store, clock);

        assertThat(all).hasSize(9);
        assertThat(all)
                .isSortedAccordingTo(java.util.Comparator.<MessageVote, String>comparing(
                                v -> v.sessionId().toString())
                        .thenComparingLong(MessageVote::sequenceNumber)
                        .thenComparing(v -> v.userId().toString()));
        assertThat(all)
                .filteredOn(v -> v.sequenceNumber() == 1 && v.vote() == Vote.UP)
                .hasSize(3);
        for (int batch : new int[] {1, 2, 4}) {
            assertThat(Fixtures.scanAll(store.bulk()::scanVotes, batch))
                    .as("batches of %d", batch)
                    .isEqualTo(all);
        }
        MessageVote one = all.get(4);
        ChatSession session = store.bulk().scanSessions(null, 100).items().stream()
                .filter(s -> s.id().equals(one.sessionId()))
                .findFirst()
                .orElseThrow();
        assertThat(store.getUserVotes(session.chatId(), one.userId(), one.sequenceNumber(), one.sequenceNumber()))
                .containsExactly(one);
    }

    /**
     * Upserted votes are stored exactly as given, verdict and time, replacing a stored vote of the same user on
     * the same message; upserting them again changes nothing; deleted votes are gone from scans and tallies.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void upsertedVotesAreStoredExactlyAndDeletedVotesGo(DataAccess store, MutableClock clock) {
        List<MessageVote> all = castSomeVotes(store, clock);

        store.bulk().deleteVotes(all.stream().map(dev.dal.api.bulk.VoteKey::of).toList());
        assertThat(Fixtures.scanAll(store.bulk()::scanVotes, 1000)).isEmpty();
        store.bulk().deleteVotes(all.stream().map(dev.dal.api.bulk.VoteKey::of).toList());

        store.bulk().upsertVotes(all);
        store.bulk().upsertVotes(all);
        assertThat(Fixtures.scanAll(store.bulk()::scanVotes, 1000)).isEqualTo(all);

        MessageVote first = all.get(0);
        MessageVote changed = new MessageVote(
                first.messageId(),
                first.sessionId(),
                first.sequenceNumber(),
                first.userId(),
                first.vote() == Vote.UP ? Vote.DOWN : Vote.UP,
                first.votedAt().minus(Duration.ofDays(1)));
        store.bulk().upsertVotes(List.of(changed));
        List<MessageVote> after = Fixtures.scanAll(store.bulk()::scanVotes, 1000);
        assertThat(after).hasSize(all.size()).contains(changed).doesNotContain(first);
    }

    /**
     * An upserted vote whose user, session or message the store does not hold (or whose message id is not the
     * one at that place) is skipped without an error.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock
     */
    @Test
    @Requires(Capability.MESSAGE_VOTES)
    default void upsertedVotesWithoutTheirParentsAreSkipped(DataAccess store, MutableClock clock) {
        ChatSession session = sessionWithMessages(store, 2);
        Message first = store.getChatHistory(session.chatId(), 1, 0).get(0);
        UUID voter = Fixtures.user(store).id();
        java.time.Instant at = Fixtures.now(clock);

        store.bulk()
                .upsertVotes(List.of(
                        new MessageVote(first.id(), session.id(), 1, UUID.randomUUID(), Vote.UP, at),
                        new MessageVote(first.id(), UUID.randomUUID(), 1, voter, Vote.UP, at),
                        new MessageVote(first.id(), session.id(), 2, voter, Vote.UP, at),
                        new MessageVote(UUID.randomUUID(), session.id(), 3, voter, Vote.UP, at)));

        assertThat(Fixtures.scanAll(store.bulk()::scanVotes, 1000)).isEmpty();
        assertThat(allTallies(store, session.chatId())).isEmpty();
    }

    /**
     * A store that does not declare votes refuses them with {@link UnsupportedCapabilityException} naming the
     * capability; one that declares it answers. A transaction's handle declares and answers as its store does.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void votesAnswerExactlyWhenTheCapabilityIsDeclared(DataAccess store) {
        ChatSession session = sessionWithMessages(store, 1);
        UUID voter = Fixtures.user(store).id();
        votesAnswerAsDeclared(store, session, voter);
        if (store.capabilities().contains(Capability.TRANSACTIONS)) {
            store.useTransaction(tx -> {
                assertThat(tx.capabilities().contains(Capability.MESSAGE_VOTES))
                        .as("the transaction's handle declares votes as its store does")
                        .isEqualTo(store.capabilities().contains(Capability.MESSAGE_VOTES));
                votesAnswerAsDeclared(tx, session, voter);
            });
        }
    }

    private static void votesAnswerAsDeclared(DataAccess store, ChatSession session, UUID voter) {
        if (store.capabilities().contains(Capability.MESSAGE_VOTES)) {
            store.voteMessage(session.chatId(), 1, voter, Vote.UP);
            assertThat(allTallies(store, session.chatId())).containsExactly(new VoteTally(1, 1, 0));
        } else {
            UnsupportedCapabilityException refused = assertFails(
                    UnsupportedCapabilityException.class, () -> store.voteMessage(session.chatId(), 1, voter, Vote.UP));
            assertThat(refused.capability()).isEqualTo(Capability.MESSAGE_VOTES);
            assertThat(assertFails(
                                    UnsupportedCapabilityException.class,
                                    () -> store.getVoteTallies(session.chatId(), 1, 1))
                            .capability())
                    .isEqualTo(Capability.MESSAGE_VOTES);
            assertThat(store.bulk().scanVotes(null, 10).items())
                    .as("a store without votes holds none")
                    .isEmpty();
            MessageVote any = new MessageVote(
                    UUID.randomUUID(),
                    session.id(),
                    1,
                    voter,
                    Vote.UP,
                    java.time.Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(assertFails(
                                    UnsupportedCapabilityException.class,
                                    () -> store.bulk().upsertVotes(List.of(any)))
                            .capability())
                    .isEqualTo(Capability.MESSAGE_VOTES);
        }
    }
}
