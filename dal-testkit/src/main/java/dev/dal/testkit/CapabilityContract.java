package dev.dal.testkit;

import static dev.dal.testkit.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.Capability;
import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What a store declares about itself: capabilities, and health. */
public interface CapabilityContract extends ConformanceTest {

    /**
     * A store declares a non-null set of capabilities, without null elements, that stays the same once data is written.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void capabilitiesAreDeclaredAndStable(DataAccess store) {
        Set<Capability> first = store.capabilities();

        assertThat(first).isNotNull().doesNotContainNull();
        Fixtures.seed(store);
        assertThat(store.capabilities()).isEqualTo(first);
    }

    /**
     * A store declaring transactions runs transaction work, returns its result and keeps its writes.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    @Requires(Capability.TRANSACTIONS)
    default void aStoreDeclaringTransactionsRunsTransactionWork(DataAccess store) {
        String result = store.inTransaction(tx -> {
            tx.createUser(NewUser.withExternalId("declared"));
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(store.getUserByExternalId("declared")).isPresent();
    }

    /**
     * A second handle on the same store sees the first handle's writes, and the first sees the second's.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @param clock the store's clock, which the test moves by hand
     * @param provider the backend's provider, for stores this test opens itself
     */
    @Test
    @Requires(Capability.MULTI_PROCESS)
    default void aSecondHandleSeesTheFirstHandlesWrites(DataAccess store, MutableClock clock, StoreProvider provider) {
        User user = store.createUser(NewUser.withExternalId("shared"));
        store.createChatSession(NewChatSession.of("shared-chat", user.id()));
        store.addMessage("shared-chat", NewMessage.user("from the first handle"));
        DataAccess second = provider.reopen(clock);
        Assumptions.assumeTrue(second != null, "the provider cannot open a second handle (StoreProvider.reopen)");
        try {
            assertThat(second.getUser(user.id())).contains(user);
            assertThat(second.getMessageCount("shared-chat")).isEqualTo(1);
            second.addMessage("shared-chat", NewMessage.assistant("from the second handle"));
            assertThat(store.getChatHistory("shared-chat", 10, 0))
                    .extracting(m -> m.sequenceNumber())
                    .containsExactly(1L, 2L);
        } finally {
            second.close();
        }
    }

    /**
     * A health check of an open store is UP, names its storage type, reports a plausible latency and no error.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void healthCheckIsUpWithStorageTypeAndLatency(DataAccess store) {
        Instant before = Instant.now().minusSeconds(1);

        HealthStatus health = store.healthCheck();

        assertThat(health.status()).isEqualTo(HealthStatus.Status.UP);
        assertThat(health.isUp()).isTrue();
        assertThat(health.storageType()).isNotBlank();
        assertThat(health.latency()).isNotNull();
        assertThat(health.latency().isNegative()).isFalse();
        assertThat(health.latency()).isLessThan(Duration.ofMinutes(1));
        assertThat(health.error()).isNull();
        assertThat(health.checkedAt()).isNotNull().isAfter(before);
    }

    /**
     * The asynchronous health check gives the same answer as the synchronous one.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     * @throws Exception when waiting for work on another thread fails or is interrupted
     */
    @Test
    default void asyncHealthCheckAgreesWithTheSyncOne(DataAccess store) throws Exception {
        HealthStatus sync = store.healthCheck();

        HealthStatus async = store.healthCheckAsync().toCompletableFuture().get(1, TimeUnit.MINUTES);

        assertThat(async.status()).isEqualTo(HealthStatus.Status.UP);
        assertThat(async.storageType()).isEqualTo(sync.storageType());
        assertThat(async.latency().isNegative()).isFalse();
        assertThat(async.error()).isNull();
    }

    /**
     * Health details are not empty and hold no password, secret or URL with credentials.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void healthDetailsHoldNoSecrets(DataAccess store) {
        HealthStatus health = store.healthCheck();

        assertThat(health.details())
                .as("health details (an empty map would check nothing)")
                .isNotEmpty();
        for (Map.Entry<String, Object> detail : health.details().entrySet()) {
            assertThat(detail.getKey().toLowerCase(Locale.ROOT)).doesNotContain("password", "secret");
            assertThat(String.valueOf(detail.getValue())).doesNotContainPattern("//[^/@\\s]*:[^/@\\s]+@");
        }
    }

    /**
     * A health check writes nothing to the store.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void healthCheckWritesNothing(DataAccess store) {
        Fixtures.seed(store);
        var before = snapshot(store);

        store.healthCheck();
        store.healthCheck();

        assertThat(snapshot(store)).isEqualTo(before);
    }

    /**
     * The health check's storage type is trimmed lower case and stays the same once data is written.
     *
     * @param store an empty store the backend's provider opened for this test; the kit closes it afterwards
     */
    @Test
    default void healthStorageTypeIsStable(DataAccess store) {
        String type = store.healthCheck().storageType();

        Fixtures.seed(store);

        assertThat(store.healthCheck().storageType()).isEqualTo(type);
        assertThat(type).isEqualTo(type.trim()).isLowerCase();
    }
}
