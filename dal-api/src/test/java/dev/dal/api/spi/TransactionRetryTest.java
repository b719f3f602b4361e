package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConcurrencyConflictException;
import dev.dal.api.DalConfig;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.OutcomeUnknownException;
import dev.dal.api.TransientDataAccessException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransactionRetryTest {

    @Test
    void retryableFailuresRunTheWholeAttemptAgainUpToTheConfiguredRetries() {
        AtomicInteger attempts = new AtomicInteger();
        TransactionRetry retry = TransactionRetry.from(DalConfig.builder().build());

        String result = retry.run(() -> {
            if (attempts.incrementAndGet() < 4) {
                throw new ConcurrencyConflictException("deadlock", null);
            }
            return "done";
        });

        assertThat(retry.retries()).isEqualTo(3);
        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(4);
    }

    @Test
    void theLastRetryableFailureReachesTheCallerOnceRetriesAreSpent() {
        AtomicInteger attempts = new AtomicInteger();
        TransientDataAccessException failure = new TransientDataAccessException("lost", null);
        TransactionRetry retry = TransactionRetry.from(DalConfig.fromMap(Map.of(DalConfig.DAL_TX_RETRIES, "2")));

        assertThatThrownBy(() -> retry.run(() -> {
                    attempts.incrementAndGet();
                    throw failure;
                }))
                .isSameAs(failure);
        assertThat(attempts).hasValue(3);
    }

    @Test
    void otherFailuresAndUnknownOutcomesAreNeverRetried() {
        AtomicInteger attempts = new AtomicInteger();
        TransactionRetry retry = TransactionRetry.of(5);

        assertThatThrownBy(() -> retry.run(() -> {
                    attempts.incrementAndGet();
                    throw new DuplicateKeyException(DuplicateKeyException.Key.UNKNOWN);
                }))
                .isInstanceOf(DuplicateKeyException.class);
        assertThatThrownBy(() -> retry.run(() -> {
                    attempts.incrementAndGet();
                    throw new OutcomeUnknownException("commit answer lost", null);
                }))
                .isInstanceOf(OutcomeUnknownException.class);
        assertThatThrownBy(() -> retry.run(() -> {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("the caller's own bug");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(attempts).hasValue(3);
    }

    @Test
    void zeroRetriesRunsOnce() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> TransactionRetry.from(DalConfig.fromMap(Map.of(DalConfig.DAL_TX_RETRIES, "0")))
                        .run(() -> {
                            attempts.incrementAndGet();
                            throw new ConcurrencyConflictException("conflict", null);
                        }))
                .isInstanceOf(ConcurrencyConflictException.class);
        assertThat(attempts).hasValue(1);
    }
}
