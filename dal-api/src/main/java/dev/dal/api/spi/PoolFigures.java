package dev.dal.api.spi;

/**
 * A connection pool's figures at one moment, as a store's driver reports them.
 *
 * @param active connections checked out and in use
 * @param idle connections open and waiting in the pool
 * @param pending callers waiting for a connection
 * @param max the most connections the pool opens, or {@code -1} when the store does not know it (a
 *     driver the application owns)
 */
public record PoolFigures(int active, int idle, int pending, int max) {}
