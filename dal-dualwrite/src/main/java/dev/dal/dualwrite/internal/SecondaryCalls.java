package dev.dal.dualwrite.internal;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs calls on the secondary on a small pool of daemon threads, so a caller waits at most the configured
 * time however long the secondary hangs. A call that times out is left to finish (never interrupted: a
 * store interrupted mid-write is the secondary's problem to survive, not ours to cause); since every step
 * re-reads the primary, finishing late cannot make the secondary older. When the pool and its queue are full
 * (the secondary hangs for many callers), calls fail at once instead of queueing without bound.
 */
public final class SecondaryCalls implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor pool;
    private final long timeoutNanos;

    /** @param timeout the longest a caller waits */
    public SecondaryCalls(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        int id = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        int size = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        this.pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096), r -> {
            Thread t = new Thread(r, "dal-dual-write-" + id + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Why a secondary call did not succeed. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * @param <T> the result type
     * @param call the work on the secondary
     * @return its result
     * @throws Failure when it threw (the cause), timed out, or could not be queued
     */
    public <T> T call(Callable<T> call) throws Failure {
        Future<T> future;
        try {
            future = pool.submit(call);
        } catch (RejectedExecutionException e) {
            throw new Failure("the secondary is not keeping up (every dual-write thread is busy)", null);
        }
        return await(future);
    }

    /**
     * Starts a call without waiting for it.
     *
     * @param <T> the result type
     * @param call the work on the secondary
     * @return its future, for {@link #await}; a call that could not be queued is a failed future
     */
    public <T> Future<T> start(Callable<T> call) {
        try {
            return pool.submit(call);
        } catch (RejectedExecutionException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * @param <T> the result type
     * @param future a call from {@link #start}
     * @return its result, waiting at most the timeout
     * @throws Failure when it threw, timed out or could not be queued
     */
    public <T> T await(Future<T> future) throws Failure {
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new Failure("the secondary did not answer within " + Duration.ofNanos(timeoutNanos), null);
        } catch (ExecutionException e) {
            throw new Failure("the secondary failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while waiting for the secondary", null);
        }
    }

    /** Lets queued calls finish for a moment, then stops the threads. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(Math.min(timeoutNanos, TimeUnit.SECONDS.toNanos(5)), TimeUnit.NANOSECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
