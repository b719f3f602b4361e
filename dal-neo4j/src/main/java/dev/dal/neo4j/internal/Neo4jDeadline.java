package dev.dal.neo4j.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
 */
final class Neo4jDeadline implements AutoCloseable {
    static final long REPEAT_MILLIS = 100;

    private final Thread thread = Thread.currentThread();
    private ScheduledFuture<?> task;
    private boolean done;
    private boolean fired;

    private Neo4jDeadline() {
    }

    /**
     * @param timer the timer thread
     * @param after how long the call may take
     * @return the armed deadline of the calling thread
     */
    static Neo4jDeadline arm(ScheduledExecutorService timer, Duration after) {
        Neo4jDeadline deadline = new Neo4jDeadline();
        deadline.task = timer.scheduleWithFixedDelay(deadline::fire, Math.max(1, after.toMillis()), REPEAT_MILLIS,
                TimeUnit.MILLISECONDS);
        return deadline;
    }

    private synchronized void fire() {
        if (!done) {
            fired = true;
            thread.interrupt();
        }
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
        }
        task.cancel(false);
        if (clear) {
            Thread.interrupted();
        }
    }
}
