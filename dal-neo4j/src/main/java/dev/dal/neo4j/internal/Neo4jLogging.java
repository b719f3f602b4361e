package dev.dal.neo4j.internal;

import dev.dal.api.spi.SanitizedCause;
import org.neo4j.driver.Logger;
import org.neo4j.driver.Logging;

/**
 * The driver's logging, through SLF4J, with no values: at DEBUG and TRACE the driver writes every
 * Bolt message it sends and receives, parameters included, so those levels are dropped unless
 * {@code DAL_LOG_VALUES=true}; exceptions the driver logs at INFO and above lose their messages (the
 * server's text quotes values), keeping class and stack.
 */
final class Neo4jLogging implements Logging {
    private final Logging delegate;
    private final boolean logValues;

    /** @param logValues whether the driver's debug output (which carries values) may pass */
    Neo4jLogging(boolean logValues) {
        this(logValues, Logging.slf4j());
    }

    /**
     * @param logValues whether the driver's debug output (which carries values) may pass
     * @param delegate where the lines go
     */
    Neo4jLogging(boolean logValues, Logging delegate) {
        this.delegate = delegate;
        this.logValues = logValues;
    }

    @Override
    public Logger getLog(String name) {
        Logger log = delegate.getLog(name);
        return logValues ? log : new ValueFree(log);
    }

    /** Drops debug and trace, strips exception messages. */
    private static final class ValueFree implements Logger {
        private final Logger log;

        ValueFree(Logger log) {
            this.log = log;
        }

        private static Object[] clean(Object[] params) {
            if (params == null) {
                return null;
            }
            Object[] copy = params.clone();
            for (int i = 0; i < copy.length; i++) {
                if (copy[i] instanceof Throwable t) {
                    copy[i] = SanitizedCause.of(t);
                }
            }
            return copy;
        }

        @Override
        public void error(String message, Throwable cause) {
            log.error(message, SanitizedCause.of(cause));
        }

        @Override
        public void info(String message, Object... params) {
            log.info(message, clean(params));
        }

        @Override
        public void warn(String message, Object... params) {
            log.warn(message, clean(params));
        }

        @Override
        public void warn(String message, Throwable cause) {
            log.warn(message, SanitizedCause.of(cause));
        }

        @Override
        public void debug(String message, Object... params) {
            // the driver's debug lines carry Bolt messages with their parameters
        }

        @Override
        public void debug(String message, Throwable throwable) {
            // as above
        }

        @Override
        public void trace(String message, Object... params) {
            // as above
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }
    }
}
