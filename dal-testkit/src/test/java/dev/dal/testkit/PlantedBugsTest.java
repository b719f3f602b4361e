package dev.dal.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The kit proves it can fail: for every {@link PlantedBug}, the named contract tests run against the
 * reference store with that bug planted, and at least one of them must fail. A change to the kit that
 * stops catching a bug turns this red and names the bug. Racy bugs get a few launches, since a race
 * is caught often, not always.
 */
class PlantedBugsTest {

    /** Racy bugs: launches allowed before the bug counts as surviving. */
    private static final int RACE_ATTEMPTS = 5;

    /** Per bug, the contract tests expected to catch it (at least one must fail). */
    static final Map<PlantedBug, List<String>> CATCHERS = new EnumMap<>(PlantedBug.class);

    static {
        CATCHERS.put(PlantedBug.RACY_SEQUENCE_NUMBER, List.of("concurrentAddMessageGetsDistinctGapFreeNumbers"));
        CATCHERS.put(PlantedBug.GAP_AFTER_ROLLBACK, List.of("sequenceNumbersContinueWithoutGapsAfterARollback"));
        CATCHERS.put(
                PlantedBug.LOST_UPDATE_IN_TRANSACTIONS, List.of("concurrentReadModifyWriteTransactionsLoseNoUpdate"));
        CATCHERS.put(PlantedBug.NON_ATOMIC_ADD_MESSAGES, List.of("concurrentAddMessagesKeepsEachBatchConsecutive"));
        CATCHERS.put(PlantedBug.EXPIRED_MEMORY_VISIBLE, List.of("entryIsInvisibleAfterItsExpiry"));
        CATCHERS.put(PlantedBug.EXPIRED_MEMORY_LISTED, List.of("entryIsInvisibleAfterItsExpiry"));
        CATCHERS.put(PlantedBug.SCAN_CURSOR_SKIPS, List.of("smallBatchesVisitEveryUserAndSessionExactlyOnce"));
        CATCHERS.put(PlantedBug.SCAN_CURSOR_REPEATS, List.of("smallBatchesVisitEveryUserAndSessionExactlyOnce"));
        CATCHERS.put(PlantedBug.HISTORY_AFTER_INCLUSIVE, List.of("afterCursorIsExclusive"));
        CATCHERS.put(PlantedBug.WRONG_SORT_TIE_BREAK, List.of("listUserSessionsBreaksTiesByIdNewestFirst"));
        CATCHERS.put(
                PlantedBug.SESSION_FILTER_AFTER_PAGE,
                List.of("filteredPagesHoldLimitMatchesAndOffsetCountsMatchesOnly", "overviewTakesTheSameFilter"));
        CATCHERS.put(PlantedBug.SESSION_PROFILE_IGNORES_CASE, List.of("profileFilterKeepsExactlyThatProfile"));
        CATCHERS.put(PlantedBug.SEARCH_MATCHES_PARTS_OF_WORDS, List.of("searchMatchesWholeWordsOnly"));
        CATCHERS.put(PlantedBug.SEARCH_CURSOR_REPEATS_LAST_HIT, List.of("cursorPagesConcatenateToTheWholeResult"));
        CATCHERS.put(
                PlantedBug.SECOND_VOTE_ADDS,
                List.of("aSecondVoteReplacesTheFirst", "concurrentVotesCountEachUserOnce"));
        CATCHERS.put(PlantedBug.DELETED_USERS_VOTES_COUNTED, List.of("votesGoWithTheirSessionAndTheirUser"));
        CATCHERS.put(PlantedBug.TOTALS_INCLUDE_RANGE_END, List.of("aRangeCountsItsStartButNotItsEnd"));
        CATCHERS.put(PlantedBug.COSTS_ADDED_ACROSS_CURRENCIES, List.of("costsAreSummedPerCurrency"));
        CATCHERS.put(PlantedBug.DELETED_USERS_USAGE_COUNTED, List.of("usageGoesWithItsSessionAndItsUser"));
        CATCHERS.put(PlantedBug.UPDATE_KEEPS_UPDATED_AT, List.of("updateUserMovesUpdatedAtToClockAndKeepsCreatedAt"));
        CATCHERS.put(PlantedBug.UPDATE_USES_SYSTEM_CLOCK, List.of("updateUserMovesUpdatedAtToClockAndKeepsCreatedAt"));
        CATCHERS.put(PlantedBug.DELETE_ORPHANS_MESSAGES, List.of("deleteChatSessionDeletesItsMessagesOnly"));
        CATCHERS.put(
                PlantedBug.TRANSACTION_VISIBLE_BEFORE_COMMIT, List.of("uncommittedWritesAreInvisibleToOtherThreads"));
        CATCHERS.put(PlantedBug.BULK_UPSERT_MOVES_COUNTERS, List.of("upsertMessagesStoresExactRecords"));
        CATCHERS.put(PlantedBug.HEALTH_LEAKS_SECRET, List.of("healthDetailsHoldNoSecrets"));
        CATCHERS.put(
                PlantedBug.LOCK_WAIT_UNBOUNDED,
                List.of("aWriteWaitingForALockHeldByATransactionEndsWithinTheQueryTimeout"));
        CATCHERS.put(
                PlantedBug.RACY_EXTERNAL_ID_CHECK, List.of("concurrentCreatesOfOneExternalIdHaveExactlyOneWinner"));
        CATCHERS.put(PlantedBug.RACY_CHAT_ID_CHECK, List.of("concurrentCreatesOfOneChatIdHaveExactlyOneWinner"));
        CATCHERS.put(
                PlantedBug.UPDATE_SKIPS_EXTERNAL_ID_CHECK,
                List.of("updateExternalIdToAnotherUsersThrowsDuplicateKeyAndChangesNothing"));
        CATCHERS.put(
                PlantedBug.MEMORY_OVERWRITE_RESETS_CREATED_AT,
                List.of("overwriteReplacesTheValueKeepsCreatedAtAndMovesUpdatedAt"));
        CATCHERS.put(PlantedBug.DELETE_USER_KEEPS_MEMORY, List.of("deleteUserDeletesTheirMemoryAndNoOneElses"));
        CATCHERS.put(
                PlantedBug.KEEP_MODE_PURGES_SESSIONS,
                List.of("deleteUserKeepSessionsDetachesSessionsAndKeepsMessages"));
        CATCHERS.put(
                PlantedBug.OVERVIEW_CARRIES_FIRST_MESSAGE,
                List.of("listWithLastMessageCarriesEachSessionsNewestMessage"));
        CATCHERS.put(PlantedBug.ROLLBACK_KEEPS_MEMORY, List.of("anExceptionInsideRollsBackEveryKindOfWrite"));
        CATCHERS.put(PlantedBug.HISTORY_IGNORES_OFFSET, List.of("getChatHistoryReturnsAnAscendingPageFromTheOffset"));
        CATCHERS.put(
                PlantedBug.PURGE_REMOVES_LIVE_MEMORY,
                List.of("purgeExpiredMemoryRemovesOnlyExpiredEntriesAndCountsThem"));
        CATCHERS.put(PlantedBug.DELETE_TYPE_DELETES_ALL_TYPES, List.of("deleteTypeReturnsTheCountAndLeavesOtherTypes"));
        CATCHERS.put(
                PlantedBug.UPSERT_SESSION_DROPS_COUNTERS, List.of("upsertSessionsStoresExactRecordsWithTheirCounters"));
        CATCHERS.put(
                PlantedBug.TRANSACTION_FAILS_EARLY,
                List.of(
                        "sequenceNumbersContinueWithoutGapsAfterARollback",
                        "aRollbackRestoresMessageCountersOfTheSession"));
        CATCHERS.put(PlantedBug.MEMORY_KEYS_CASE_INSENSITIVE, List.of("listByTypeOrdersKeysByBinaryStringOrder"));
    }

    private static final Set<PlantedBug> RACY = Set.of(
            PlantedBug.RACY_SEQUENCE_NUMBER,
            PlantedBug.LOST_UPDATE_IN_TRANSACTIONS,
            PlantedBug.NON_ATOMIC_ADD_MESSAGES,
            PlantedBug.RACY_EXTERNAL_ID_CHECK,
            PlantedBug.RACY_CHAT_ID_CHECK);

    private static final Set<PlantedBug> KILLED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Test
    void everyPlantedBugNamesTheTestsThatCatchIt() {
        assertThat(CATCHERS.keySet()).containsExactlyInAnyOrder(PlantedBug.values());
        assertThat(PlantedBug.values()).hasSizeGreaterThanOrEqualTo(25);
    }

    @TestFactory
    Stream<DynamicTest> everyPlantedBugFailsANamedContractTest() {
        return Arrays.stream(PlantedBug.values())
                .map(bug -> DynamicTest.dynamicTest(bug.name(), () -> {
                    Set<String> failed = new TreeSet<>();
                    int attempts = RACY.contains(bug) ? RACE_ATTEMPTS : 1;
                    for (int attempt = 0; attempt < attempts && failed.isEmpty(); attempt++) {
                        failed.addAll(failingTests(bug, CATCHERS.get(bug)));
                    }
                    assertThat(failed)
                            .as(
                                    "contract tests that failed with %s planted (expected one of %s)",
                                    bug, CATCHERS.get(bug))
                            .isNotEmpty();
                    KILLED.add(bug);
                }));
    }

    @AfterAll
    static void reportTheKillRate() {
        System.out.printf("dal-kit planted bugs: %d of %d killed%n", KILLED.size(), PlantedBug.values().length);
    }

    /** Runs the named kit tests against the store with the bug planted; returns those that failed. */
    static Set<String> failingTests(PlantedBug bug, List<String> tests) {
        PlantedStoreKit.bug = bug;
        ReferenceStore.foldKeys = bug == PlantedBug.MEMORY_KEYS_CASE_INSENSITIVE;
        try {
            MethodSelector[] selectors = tests.stream()
                    .map(PlantedBugsTest::kitMethod)
                    .map(m -> selectMethod(PlantedStoreKit.class, m))
                    .toArray(MethodSelector[]::new);
            return EngineTestKit.engine("junit-jupiter").selectors(selectors).execute().testEvents().finished().stream()
                    .filter(e -> e.getPayload(TestExecutionResult.class)
                            .map(r -> r.getStatus() == TestExecutionResult.Status.FAILED)
                            .orElse(false))
                    .map(PlantedBugsTest::methodName)
                    .collect(Collectors.toCollection(TreeSet::new));
        } finally {
            PlantedStoreKit.bug = null;
            ReferenceStore.foldKeys = false;
        }
    }

    private static Method kitMethod(String name) {
        return Arrays.stream(PlantedStoreKit.class.getMethods())
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no kit test named " + name));
    }

    private static String methodName(Event event) {
        return event.getTestDescriptor()
                .getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse(event.getTestDescriptor().getDisplayName());
    }
}
