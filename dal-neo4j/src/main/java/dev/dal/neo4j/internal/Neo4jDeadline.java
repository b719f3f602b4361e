package dev.dal.neo4j.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.Transaction;

/**
 * The client-side bound of one call. The Java driver (5.28) has no read timeout of its own: it
 * honours only the {@code connection.recv_timeout_seconds} hint a server may send, and a stalled
 * network never lets the server's own transaction timeout arrive. What the synchronous driver does
 * offer is that a thread interrupted while it waits on the network terminates its connection (every
 * blocking wait of {@code Session}, {@code Transaction} and {@code Result} runs a
 * "terminate connection on thread interrupt" handler). So a call arms a deadline on its own thread;
 * when it passes, the thread is interrupted, and again every {@value #REPEAT_MILLIS} ms until the call
 * ends (an interrupt that lands while the pool is still handing out a connection has no connection to
 * close yet). {@link #close()} disarms it and clears an interrupt it caused, so the caller's thread
 * comes back as it went in.
 *
 * <p>One wait is deaf to that: reading a result ({@code Result.list()}, {@code single()},
 * {@code consume()}) answers an interrupt by returning the connection to the pool, which waits for
 * the server too. So once a transaction is {@linkplain #watch watched}, the deadline also has a
 * thread of its own send a constant probe statement on that transaction ({@code RETURN 1}, queued
 * behind the stuck one) and interrupts that thread as well: the driver answers an interrupt during
 * {@code Transaction.run} by force-closing the transaction's connection, which fails every wait on
 * it, the caller's included. Public API only; the probe never commits anything (the caller rolls
 * back a transaction whose deadline passed).
 */
final class Neo4jDeadline implements AutoCloseable {
    static final long REPEAT_MILLIS = 100;
    private static final String PROBE = "RETURN 1";

    private final Thread thread = Thread.currentThread();
    private ScheduledExecutorService timer;
    private long dueNanos;
    private ScheduledFuture<?> task;
    private boolean done;
    private boolean fired;
    private Transaction watched;
    private ExecutorService terminators;
    private boolean terminating;
    private Thread terminator;

    private Neo4jDeadline() {}

    /**
     * @param timer the timer thread
     * @param after how long the call may take
     * @return the armed deadline of the calling thread
     */
    static Neo4jDeadline arm(ScheduledExecutorService timer, Duration after) {
        Neo4jDeadline deadline = new Neo4jDeadline();
        deadline.timer = timer;
        deadline.dueNanos = System.nanoTime() + after.toNanos();
        deadline.task = deadline.schedule(after.toNanos());
        return deadline;
    }

    /**
     * Reserves time for the next step (a commit): when the deadline has not passed, it moves later if less
     * than {@code least} is left, so the step has that long; checked and moved at once, so a deadline cannot
     * pass in between.
     *
     * @param least the time the next step is given at least
     * @return whether the deadline had not passed; when it had, nothing changes
     */
    synchronized boolean reserve(Duration least) {
        if (fired) {
            return false;
        }
        long now = System.nanoTime();
        if (!done && dueNanos - now < least.toNanos()) {
            task.cancel(false);
            dueNanos = now + least.toNanos();
            task = schedule(least.toNanos());
        }
        return true;
    }

    private ScheduledFuture<?> schedule(long afterNanos) {
        return timer.scheduleWithFixedDelay(
                this::fire,
                Math.max(1, afterNanos),
                TimeUnit.MILLISECONDS.toNanos(REPEAT_MILLIS),
                TimeUnit.NANOSECONDS);
    }

    private synchronized void fire() {
        if (done || System.nanoTime() < dueNanos) {
            return; // disarmed, or moved later by reserve while this run waited for the lock
        }
        fired = true;
        thread.interrupt();
        if (terminator != null) {
            terminator.interrupt();
        } else if (watched != null && !terminating) {
            terminating = true;
            Transaction tx = watched;
            try {
                terminators.execute(() -> terminate(tx));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing: the driver's close ends the connection anyway
            }
        }
    }

    private void terminate(Transaction tx) {
        synchronized (this) {
            if (done) {
                return;
            }
            terminator = Thread.currentThread();
        }
        try {
            tx.run(PROBE);
        } catch (RuntimeException e) {
            // already closed, or the connection is gone: either way the caller's wait ends
        } finally {
            synchronized (this) {
                terminator = null;
            }
            Thread.interrupted();
        }
    }

    /**
     * Has the deadline end this transaction's connection too when it passes (see the class comment).
     *
     * @param tx the transaction the calling thread works in
     * @param executor where the terminating thread runs
     */
    synchronized void watch(Transaction tx, ExecutorService executor) {
        this.watched = tx;
        this.terminators = executor;
    }

    /** @return whether the deadline passed before the call ended */
    synchronized boolean fired() {
        return fired;
    }

    /** Disarms the deadline; clears the interrupt it caused. Call on the thread that armed it; again does nothing. */
    @Override
    public void close() {
        boolean clear;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            clear = fired;
            watched = null;
        }
        task.cancel(false);
        if (clear) {
            Thread.interrupted();
        }
    }
}
