package dev.dal.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A connection outside the pools for a watcher's probes: opened on first use, reused, and closed and forgotten
 * when a probe on it fails, so that the next probe opens a fresh one. One probe at a time: callers serialize.
 */
final class ProbeConnection implements AutoCloseable {
    /** Work on the probe's connection. */
    @FunctionalInterface
    interface Probe<T> {
        T run(Connection c) throws SQLException;
    }

    private final PostgresConnector connector;
    private Connection connection;

    /** @param connector opens the connection, with the probe's timeouts */
    ProbeConnection(PostgresConnector connector) {
        this.connector = connector;
    }

    /**
     * @param probe the work
     * @param <T> what it finds
     * @return what it found
     * @throws SQLException when connecting or the work failed; the connection is then dropped
     */
    <T> T run(Probe<T> probe) throws SQLException {
        try {
            if (connection == null || connection.isClosed()) {
                connection = connector.getConnection();
            }
            return probe.run(connection);
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // broken already; nothing to release
            }
            connection = null;
        }
    }
}
