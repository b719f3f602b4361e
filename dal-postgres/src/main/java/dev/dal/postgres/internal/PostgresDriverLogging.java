package dev.dal.postgres.internal;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * pgjdbc logs through {@code java.util.logging}, and below INFO its traces carry bound values (at
 * FINEST every {@code Bind} with its parameters). Unless values may be logged
 * ({@code DAL_LOG_VALUES=true}), a store caps the {@code org.postgresql} logger at INFO when it opens,
 * whatever the root logger's level, so turning on "log everything" for an application does not
 * turn on its users' data.
 */
final class PostgresDriverLogging {
    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger DRIVER = Logger.getLogger("org.postgresql");

    private PostgresDriverLogging() {}

    /** @param logValues whether the operator allowed values in logs */
    static synchronized void apply(boolean logValues) {
        if (logValues) {
            return;
        }
        Level level = DRIVER.getLevel();
        if (level == null || level.intValue() < Level.INFO.intValue()) {
            DRIVER.setLevel(Level.INFO);
        }
    }
}
