package dev.dal.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.Capability;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.NotFoundException;
import dev.dal.api.TransientDataAccessException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.metrics.DalMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every store publishes the meters dal-metrics' README lists, with the tags it lists: a call timer
 * tagged with the store type, the operation and the outcome, transaction counters, and pool gauges on
 * stores with a network. Calls slower than {@code DAL_SLOW_CALL_THRESHOLD} are logged, naming the
 * operation, never a value.
 */
public interface MetricsContract extends ConformanceTest {

    /**
     * Every meter the dal-metrics README table names is registered, with the tags the table gives it, once the
     * store has served a few calls.
     *
     * @param store an empty store of the backend under test
     */
    @Test
    default void everyMeterInTheReadmeTableIsRegisteredWithItsTags(DataAccess store) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DalMetrics.Binding binding = DalMetrics.bindTo(registry);
        try {
            User user = store.createUser(NewUser.withExternalId("metered"));
            readOneAndUpdateNobody(store, user);
            if (store.capabilities().contains(Capability.TRANSACTIONS)) {
                store.inTransaction(tx -> tx.getUser(user.id()));
            }
            String storeType = store.healthCheck().storageType();

            List<MeterTable.Row> rows = MeterTable.read();
            assertThat(rows)
                    .extracting(MeterTable.Row::name)
                    .contains(
                            DalMetrics.CALLS,
                            DalMetrics.COMMITS,
                            DalMetrics.ROLLBACKS,
                            DalMetrics.RETRIES,
                            DalMetrics.POOL_ACTIVE);
            for (MeterTable.Row row : rows) {
                if (row.networkOnly() && !store.capabilities().contains(Capability.NETWORK)) {
                    continue;
                }
                List<Meter> meters = List.copyOf(registry.find(row.name())
                        .tag(DalMetrics.STORE, storeType)
                        .meters());
                assertThat(meters)
                        .as("meters named %s for the %s store", row.name(), storeType)
                        .isNotEmpty();
                for (Meter meter : meters) {
                    assertThat(meter.getId().getType().name().toLowerCase(Locale.ROOT))
                            .as(row.name())
                            .isEqualTo(row.type());
                    assertThat(tagKeys(meter)).as("tags of %s", row.name()).isEqualTo(row.tags());
                }
                if (row.type().equals("timer")) {
                    assertThat(meters)
                            .as("%s timers that recorded this test's calls", row.name())
                            .anySatisfy(m -> assertThat(((Timer) m).count()).isPositive());
                }
            }
            Set<String> listed = rows.stream().map(MeterTable.Row::name).collect(Collectors.toSet());
            assertThat(registry.getMeters())
                    .extracting(m -> m.getId().getName())
                    .filteredOn(name -> name.startsWith("dal.") && !name.startsWith("dal.dualwrite."))
                    .as("meters missing from the README table")
                    .allMatch(listed::contains);
        } finally {
            binding.close();
        }
    }

    /**
     * A call that fails is timed with the exception's simple name as its outcome, not as a success.
     *
     * @param store an empty store of the backend under test
     */
    @Test
    default void aFailingCallIsTimedUnderTheExceptionsSimpleName(DataAccess store) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DalMetrics.Binding binding = DalMetrics.bindTo(registry);
        try {
            Throwable missing = readOneAndUpdateNobody(store, store.createUser(NewUser.withExternalId("timed")));
            String storeType = store.healthCheck().storageType();

            assertThat(missing).isInstanceOf(NotFoundException.class);
            assertThat(registry.get(DalMetrics.CALLS)
                            .tags(
                                    DalMetrics.STORE,
                                    storeType,
                                    DalMetrics.OPERATION,
                                    "updateUser",
                                    DalMetrics.OUTCOME,
                                    "NotFoundException")
                            .timer()
                            .count())
                    .isEqualTo(1);
            // At least the caller's read: a decorator over the store (dual-write) may read the same user itself.
            assertThat(registry.get(DalMetrics.CALLS)
                            .tags(
                                    DalMetrics.STORE,
                                    storeType,
                                    DalMetrics.OPERATION,
                                    "getUser",
                                    DalMetrics.OUTCOME,
                                    "success")
                            .timer()
                            .count())
                    .isGreaterThanOrEqualTo(1);
            // Binding a registry hands it every meter already registered, so absence reads as a zero count.
            Timer succeeded = registry.find(DalMetrics.CALLS)
                    .tags(
                            DalMetrics.STORE,
                            storeType,
                            DalMetrics.OPERATION,
                            "updateUser",
                            DalMetrics.OUTCOME,
                            "success")
                    .timer();
            assertThat(succeeded == null ? 0 : succeeded.count())
                    .as("updateUser calls timed as a success")
                    .isZero();
        } finally {
            binding.close();
        }
    }

    /**
     * Transactions that commit, roll back or run their work again after a retryable failure are counted.
     *
     * @param store an empty store of the backend under test
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void commitsRollbacksAndRetriesAreCounted(DataAccess store) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DalMetrics.Binding binding = DalMetrics.bindTo(registry);
        try {
            store.inTransaction(tx -> tx.createUser(NewUser.withExternalId("committed")));
            catchThrowable(() -> store.useTransaction(tx -> {
                tx.createUser(NewUser.withExternalId("rolled-back"));
                throw new TransactionContract.Boom();
            }));
            AtomicInteger attempts = new AtomicInteger();
            Throwable retried = catchThrowable(() -> store.inTransaction(tx -> {
                if (attempts.incrementAndGet() == 1) {
                    throw new TransientDataAccessException("thrown by the conformance kit to force a retry", null);
                }
                return tx.createUser(NewUser.withExternalId("retried"));
            }));
            String storeType = store.healthCheck().storageType();
            // A store that retries runs the work twice and commits; one that does not hands the failure back.
            int commits = retried == null ? 2 : 1;

            assertThat(attempts.get()).isBetween(1, 2);
            if (store.capabilities().contains(Capability.NETWORK)) {
                // Network stores run inTransaction under TransactionRetry, so the retry itself is counted here.
                assertThat(attempts.get())
                        .as("attempts of a network store's work after one retryable failure")
                        .isEqualTo(2);
            }
            assertThat(retried == null).isEqualTo(attempts.get() == 2);
            assertThat(count(registry, DalMetrics.COMMITS, storeType)).isEqualTo(commits);
            assertThat(count(registry, DalMetrics.ROLLBACKS, storeType)).isEqualTo(1 + attempts.get() - (commits - 1));
            assertThat(count(registry, DalMetrics.RETRIES, storeType)).isEqualTo(attempts.get() - 1);
        } finally {
            binding.close();
        }
    }

    /**
     * A call slower than {@code DAL_SLOW_CALL_THRESHOLD} is logged at WARN naming its operation and store, and the
     * line carries none of the call's values.
     *
     * @param provider opens stores of the backend under test with the settings the test chooses
     * @param clock the test's clock
     */
    @Test
    default void aSlowCallIsLoggedWithItsOperationAndNoValue(StoreProvider provider, MutableClock clock) {
        Assumptions.assumeTrue(
                LoggerFactory.getLogger("dev.dal.api.internal.CallObserver").isWarnEnabled(),
                "the slow-call log is checked where an SLF4J backend writes WARN lines to the console");
        String canary = "slow-canary-" + UUID.randomUUID();
        try (LogCapture logs = LogCapture.start();
                DataAccess slow =
                        provider.openEmpty(clock, Map.of(DalConfig.DAL_SLOW_CALL_THRESHOLD, "PT0.001S"), null)) {
            User user = slow.createUser(NewUser.withExternalId(canary));
            slow.createChatSession(NewChatSession.of(canary, user.id()));
            String operation;
            if (slow.capabilities().contains(Capability.TRANSACTIONS)) {
                // Certainly slower than the threshold: the work itself takes 20 ms.
                operation = "inTransaction";
                slow.inTransaction(tx -> {
                    sleep(20);
                    return tx.addMessage(canary, NewMessage.user(canary));
                });
            } else {
                // A hundred messages stored over a network take well over a millisecond.
                operation = "addMessages";
                slow.addMessages(canary, Collections.nCopies(100, NewMessage.user(canary)));
            }
            slow.getChatHistory(canary, 100, 0);
            String storeType = slow.healthCheck().storageType();

            List<String> lines = Arrays.stream(logs.text().split("\n"))
                    .filter(l -> l.contains("Slow call"))
                    .toList();
            assertThat(lines)
                    .as("slow-call lines")
                    .anySatisfy(l -> assertThat(l)
                            .contains(operation)
                            .contains("the " + storeType + " store")
                            .contains("WARN")
                            .containsPattern("took \\d+ ms"));
            assertThat(logs.text()).as("captured log output").doesNotContain(canary);
        }
    }

    /** One read that succeeds, one update that fails with {@link NotFoundException}; returns what it threw. */
    private static Throwable readOneAndUpdateNobody(DataAccess store, User user) {
        store.getUser(user.id());
        return catchThrowable(() -> store.updateUser(
                UUID.randomUUID(), UserUpdate.builder().name("x").build()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static double count(SimpleMeterRegistry registry, String name, String storeType) {
        return registry.get(name).tag(DalMetrics.STORE, storeType).counter().count();
    }

    private static Set<String> tagKeys(Meter meter) {
        return meter.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet());
    }
}
