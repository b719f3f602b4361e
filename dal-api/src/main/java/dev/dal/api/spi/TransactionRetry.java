package dev.dal.api.spi;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccessException;
import dev.dal.api.Retryable;
import dev.dal.api.TransientDataAccessException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The one retry policy of {@link dev.dal.api.DataAccess#inTransaction}, the same on every store:
 * after a {@link Retryable} failure the whole attempt runs again, at most {@code DAL_TX_RETRIES}
 * more times, with exponential backoff and full jitter between attempts. Any other failure, and
 * the last retryable one, reaches the caller unchanged. Backends turn their drivers' own
 * transaction retries off so that this is the only one.
 */
public final class TransactionRetry {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(1000);

    private final int retries;

    private TransactionRetry(int retries) {
        this.retries = retries;
    }

    /**
     * @param config supplies {@code DAL_TX_RETRIES}
     * @return the policy
     */
    public static TransactionRetry from(DalConfig config) {
        return new TransactionRetry(config.txRetries());
    }

    /**
     * @param retries how many times a retryable failure is retried; 0 for none
     * @return the policy
     */
    public static TransactionRetry of(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative");
        }
        return new TransactionRetry(retries);
    }

    /** @return how many times a retryable failure is retried */
    public int retries() {
        return retries;
    }

    /**
     * Runs one attempt, and again after each retryable failure while retries remain.
     *
     * @param <T> the result type
     * @param attempt one whole transaction: begin, the caller's work, commit (rolled back on failure)
     * @return what the successful attempt returned
     */
    public <T> T run(Supplier<T> attempt) {
        for (int retry = 0; ; retry++) {
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                if (!(e instanceof Retryable) || retry >= retries) {
                    throw e;
                }
                pause(retry, e);
            }
        }
    }

    private static void pause(int retry, RuntimeException failure) {
        long cap = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(retry, 20));
        long millis = ThreadLocalRandom.current().nextLong(cap + 1);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (failure instanceof DataAccessException dal) {
                throw dal;
            }
            throw new TransientDataAccessException("Interrupted while waiting to retry a transaction", null);
        }
    }
}
