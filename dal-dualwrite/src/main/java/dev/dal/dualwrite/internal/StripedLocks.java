package dev.dal.dualwrite.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of locks chosen by a key's hash: replications of one record never overlap, so the one that
 * runs last (and re-reads the primary last) decides what the secondary holds.
 */
final class StripedLocks {
    private final ReentrantLock[] locks;

    StripedLocks(int stripes) {
        locks = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    ReentrantLock forKey(String key) {
        return locks[Math.floorMod(key.hashCode() * 0x9E3779B9, locks.length)];
    }
}
