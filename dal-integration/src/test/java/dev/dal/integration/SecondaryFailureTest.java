package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.ChatSession;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DeleteMode;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageGrouping;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.spi.ForwardingDataAccess;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.dualwrite.RecordKind;
import dev.dal.dualwrite.RepairEntry;
import dev.dal.dualwrite.SecondaryFailurePolicy;
import dev.dal.dualwrite.SecondaryWriteException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secondary fails (or hangs) on its Nth write: what the caller sees under each policy, and repair. */
class SecondaryFailureTest {
    @TempDir
    Path dir;

    private DataAccess primary;
    private FlakySecondary secondary;
    private DualWriteDataAccess dual;

    @BeforeEach
    void open() {
        primary = fileStore(dir.resolve("primary"));
        secondary = new FlakySecondary(fileStore(dir.resolve("secondary")));
    }

    @AfterEach
    void close() {
        if (dual != null) {
            dual.close();
        }
    }

    static DataAccess fileStore(Path path) {
        return DataAccessFactory.create(DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", path.toString())
                .build());
    }

    private DualWriteDataAccess decorator(SecondaryFailurePolicy policy, Duration timeout) {
        DualWriteSettings settings = DualWriteSettings.defaults()
                .withSecondaryTimeout(timeout)
                .withFailurePolicy(policy, policy == SecondaryFailurePolicy.RECORD ? dir.resolve("journal") : null);
        dual = new DualWriteDataAccess("file", primary, "file", secondary, settings, Clock.systemUTC());
        return dual;
    }

    @Test
    void votesTheSecondaryMissedAreJournaledAndRepairedAfterTheirMessages() {
        DualWriteDataAccess store = decorator(SecondaryFailurePolicy.RECORD, Duration.ofSeconds(30));
        User user = store.createUser(NewUser.withExternalId("voter"));
        store.createChatSession(NewChatSession.of("voted", user.id()));
        store.addMessage("voted", NewMessage.user("q"));
        store.voteMessage("voted", 1, user.id(), Vote.DOWN);
        secondary.failFromWrite(1);
        store.addMessage("voted", NewMessage.assistant("a"));
        store.voteMessage("voted", 1, user.id(), Vote.UP);
        secondary.heal();
        // The secondary takes this vote's write but lacks its message: the check after it journals the vote.
        store.voteMessage("voted", 2, user.id(), Vote.DOWN);

        assertThat(store.pendingRepairs())
                .extracting(RepairEntry::kind, RepairEntry::operation)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(RecordKind.MESSAGES, "addMessage"),
                        org.assertj.core.groups.Tuple.tuple(RecordKind.VOTE, "voteMessage"),
                        org.assertj.core.groups.Tuple.tuple(RecordKind.VOTE, "voteMessage"));
        assertThat(secondary.getVoteTallies("voted", 1, 2))
                .as("the secondary still holds the first verdict only")
                .containsExactly(new VoteTally(1, 0, 1));

        assertThat(store.repair().replayed()).isEqualTo(3);

        assertStoresEqual();
        assertThat(secondary.getVoteTallies("voted", 1, 2))
                .containsExactly(new VoteTally(1, 1, 0), new VoteTally(2, 0, 1));
        assertThat(store.clearVote("voted", 1, user.id())).isTrue();
        assertThat(secondary.getVoteTallies("voted", 1, 2)).containsExactly(new VoteTally(2, 0, 1));
        assertStoresEqual();
    }

    @Test
    void tokenUsageTheSecondaryMissedIsJournaledAndRepairedAfterItsMessage() {
        DualWriteDataAccess store = decorator(SecondaryFailurePolicy.RECORD, Duration.ofSeconds(30));
        User user = store.createUser(NewUser.withExternalId("billed"));
        store.createChatSession(NewChatSession.of("costly", user.id()));
        store.addMessage("costly", NewMessage.user("q"));
        store.recordTokenUsage(NewTokenUsage.of("costly", 1, user.id(), "m", 10, 2));
        secondary.failFromWrite(1);
        store.addMessage("costly", NewMessage.assistant("a"));
        TokenUsage missed = store.recordTokenUsage(
                NewTokenUsage.of("costly", 2, user.id(), "m", 30, 5).withCost(7, "USD"));
        secondary.heal();
        // The secondary takes this record's write but lacks its message: the check after it journals the record.
        store.recordTokenUsage(NewTokenUsage.of("costly", 2, user.id(), "m", 1, 1));

        assertThat(store.pendingRepairs())
                .extracting(RepairEntry::kind, RepairEntry::operation)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(RecordKind.MESSAGES, "addMessage"),
                        org.assertj.core.groups.Tuple.tuple(RecordKind.TOKEN_USAGE, "recordTokenUsage"),
                        org.assertj.core.groups.Tuple.tuple(RecordKind.TOKEN_USAGE, "recordTokenUsage"));
        assertThat(promptTokensOn(secondary))
                .as("the secondary holds the first record only")
                .isEqualTo(10);

        assertThat(store.repair().replayed()).isEqualTo(3);

        assertStoresEqual();
        assertThat(promptTokensOn(secondary)).isEqualTo(10 + 30 + 1);
        store.bulk().deleteTokenUsage(List.of(missed.id()));
        assertThat(promptTokensOn(secondary)).isEqualTo(10 + 1);
        assertStoresEqual();
    }

    private static long promptTokensOn(DataAccess store) {
        Instant now = Instant.now();
        return store
                .getTokenUsageTotals(TokenUsageQuery.by(
                        TokenUsageGrouping.MODEL, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))))
                .stream()
                .mapToLong(TokenUsageTotal::promptTokens)
                .sum();
    }

    private void assertStoresEqual() {
        assertThat(StoreSnapshot.of(secondary).differencesFrom(StoreSnapshot.of(primary)))
                .isEmpty();
    }

    @Test
    void underFailTheCallerLearnsThePrimaryCommittedAndTheSecondaryDidNot() {
        DualWriteDataAccess store = decorator(SecondaryFailurePolicy.FAIL, Duration.ofSeconds(30));
        store.createUser(NewUser.withExternalId("first"));
        store.createUser(NewUser.withExternalId("second"));
        secondary.failFromWrite(1);

        assertThatThrownBy(() -> store.createUser(NewUser.withExternalId("third")))
                .isInstanceOf(SecondaryWriteException.class)
                .hasMessageContaining("primary (file) store committed createUser")
                .hasMessageContaining("secondary (file) store did not")
                .satisfies(e -> assertThat(((SecondaryWriteException) e).divergences())
                        .extracting(RepairEntry::kind)
                        .containsExactly(RecordKind.USER));

        assertThat(primary.getUserByExternalId("third")).isPresent();
        assertThat(secondary.getUserByExternalId("third")).isEmpty();
        assertThat(secondary.getUserByExternalId("second")).isPresent();
        assertThat(store.counters().secondaryFailures()).isEqualTo(1);
        assertThat(store.counters().writes()).isEqualTo(3);
    }

    @Test
    void underRecordTheCallSucceedsTheJournalNamesTheRecordAndRepairMakesTheStoresEqual() throws Exception {
        DualWriteDataAccess store = decorator(SecondaryFailurePolicy.RECORD, Duration.ofSeconds(30));
        User user = store.createUser(NewUser.withExternalId("u"));
        store.createChatSession(NewChatSession.of("chat", user.id()));
        secondary.failWrite(1);

        User renamed =
                store.updateUser(user.id(), UserUpdate.builder().name("renamed").build());
        secondary.failFromWrite(1);
        store.addMessages("chat", List.of(NewMessage.user("q"), NewMessage.assistant("a")));
        store.setUserMemory(user.id(), "context", "k", JsonNodeFactory.instance.textNode("v"));

        assertThat(primary.getUser(user.id())).contains(renamed);
        assertThat(store.pendingRepairs())
                .extracting(RepairEntry::kind, RepairEntry::keys, RepairEntry::operation)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                RecordKind.USER, List.of(user.id().toString()), "updateUser"),
                        org.assertj.core.groups.Tuple.tuple(
                                RecordKind.MESSAGES, List.of("chat", "1", "2"), "addMessages"),
                        org.assertj.core.groups.Tuple.tuple(
                                RecordKind.MEMORY, List.of(user.id().toString(), "context", "k"), "setUserMemory"));
        assertThat(store.counters().journalSize()).isEqualTo(3);
        assertThat(store.counters().secondaryFailures()).isEqualTo(3);
        Path journal = store.journalFile().orElseThrow();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.getParent())))
                .isEqualTo("rwx------");
        assertThat(StoreSnapshot.of(secondary).differencesFrom(StoreSnapshot.of(primary)))
                .isNotEmpty();

        secondary.heal();
        assertThat(store.repair().replayed()).isEqualTo(3);

        assertStoresEqual();
        assertThat(store.pendingRepairs()).isEmpty();
        assertThat(Files.readString(journal)).isEmpty();
        assertThat(store.repair().replayed()).isZero();
        assertStoresEqual();
    }

    @Test
    void aDeletionThePrimaryNeverCommittedIsRepairedFromThePrimaryNotFromTheIntent() throws InterruptedException {
        // The primary's answer to deleteUser is lost before it committed anything (as when the process dies
        // between recording the intent and the commit): the intent stays open, and repair must not delete.
        DataAccess answerLost = new ForwardingDataAccess() {
            @Override
            protected DataAccess delegate() {
                return primary;
            }

            @Override
            public boolean deleteUser(UUID id, DeleteMode mode) {
                throw new OutcomeUnknownException("the primary's answer was lost", null);
            }
        };
        DualWriteSettings settings =
                DualWriteSettings.defaults().withFailurePolicy(SecondaryFailurePolicy.RECORD, dir.resolve("journal"));
        DualWriteDataAccess first =
                new DualWriteDataAccess("file", answerLost, "file", secondary, settings, Clock.systemUTC());
        User user = first.createUser(NewUser.withExternalId("kept"));
        first.createChatSession(NewChatSession.of("kept-chat", user.id()));
        first.setUserMemory(user.id(), "context", "k", JsonNodeFactory.instance.textNode("v"));
        assertThatThrownBy(() -> first.deleteUser(user.id(), DeleteMode.KEEP_SESSIONS))
                .isInstanceOf(OutcomeUnknownException.class);
        first.close();

        primary = fileStore(dir.resolve("primary"));
        secondary = new FlakySecondary(fileStore(dir.resolve("secondary")));
        // Opening adopts the open intent and replays it at once, off this thread: that first pass fails here, so
        // the entry is still pending when it is looked at, and the explicit repair below is the one that replays it.
        secondary.failFromWrite(1);
        dual = new DualWriteDataAccess("file", primary, "file", secondary, settings, Clock.systemUTC());
        assertThat(dual.pendingRepairs())
                .extracting(RepairEntry::kind)
                .as("the open intent, adopted")
                .containsExactly(RecordKind.USER_DELETION);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (secondary.writesSeen() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(secondary.writesSeen())
                .as("the replay on opening reached the secondary")
                .isPositive();
        secondary.heal();
        assertThat(dual.repair().replayed()).isEqualTo(1);

        assertThat(secondary.getUser(user.id())).isPresent();
        assertThat(secondary.getChatSession("kept-chat").orElseThrow().userId()).isEqualTo(user.id());
        assertStoresEqual();
    }

    @Test
    void entriesThatFailAgainStayInTheJournalAndLaterOnesAreKept() {
        DualWriteDataAccess store = decorator(SecondaryFailurePolicy.RECORD, Duration.ofSeconds(30));
        secondary.failFromWrite(1);
        store.createUser(NewUser.withExternalId("a"));
        store.createUser(NewUser.withExternalId("b"));

        var result = store.repair();

        assertThat(result.replayed()).isZero();
        assertThat(result.remaining()).hasSize(2);
        assertThat(store.pendingRepairs()).hasSize(2);
        secondary.heal();
        assertThat(store.repair().replayed()).isEqualTo(2);
        assertStoresEqual();
    }

    @Test
    void aHungSecondaryCostsTheCallerAtMostTheTimeoutAndRepairMendsIt() {
        DualWriteDataAccess store = decorator(SecondaryFailurePolicy.RECORD, Duration.ofMillis(200));
        ChatSession session = store.createChatSession(NewChatSession.of("hung"));
        CountDownLatch hung = secondary.hangWrites();

        // A liveness bound far above the 200 ms timeout: the call must come back while the secondary hangs.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> store.addMessage("hung", NewMessage.user("m")));

        assertThat(primary.getMessageCount("hung")).isEqualTo(1);
        assertThat(store.pendingRepairs()).extracting(RepairEntry::kind).containsExactly(RecordKind.MESSAGES);
        assertThat(store.pendingRepairs().get(0).reason()).contains("did not answer within");
        hung.countDown();
        secondary.heal();
        store.repair();
        assertStoresEqual();
        assertThat(secondary.getChatSession("hung").orElseThrow().id()).isEqualTo(session.id());
    }

    @Test
    void aRolledBackTransactionReplicatesNothingAndACommittedOneReplicatesAfterTheCommit() {
        DualWriteDataAccess store = decorator(SecondaryFailurePolicy.FAIL, Duration.ofSeconds(30));
        try {
            store.useTransaction(tx -> {
                tx.createUser(NewUser.withExternalId("rolled-back"));
                throw new IllegalStateException("boom");
            });
        } catch (IllegalStateException expected) {
            // the work's own exception
        }
        store.useTransaction(tx -> {
            User u = tx.createUser(NewUser.withExternalId("committed"));
            tx.createChatSession(NewChatSession.of("tx-chat", u.id()));
            tx.addMessage("tx-chat", NewMessage.user("m"));
            tx.updateUser(u.id(), UserUpdate.builder().name("n").build());
        });

        assertThat(secondary.getUserByExternalId("rolled-back")).isEmpty();
        assertThat(secondary.getUserByExternalId("committed"))
                .hasValueSatisfying(u -> assertThat(u.name()).isEqualTo("n"));
        assertStoresEqual();
    }
}
