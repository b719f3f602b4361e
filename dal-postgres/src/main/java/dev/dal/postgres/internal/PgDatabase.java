package dev.dal.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.dal.api.DalConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** The connection pool and the Jdbi on top of it. */
final class PgDatabase implements AutoCloseable {
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    PgDatabase(DalConfig config, PgSettings settings) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("dal-postgres");
        hikari.setJdbcUrl(settings.jdbcUrl());
        if (settings.user() != null) {
            hikari.setUsername(settings.user());
        }
        if (settings.password() != null) {
            hikari.setPassword(settings.password());
        }
        hikari.setMaximumPoolSize(config.maxConnections());
        hikari.setMinimumIdle(Math.min(2, config.maxConnections()));
        hikari.setIdleTimeout(Math.max(10_000, config.idleTimeout().toMillis()));
        hikari.setConnectionTimeout(Math.max(250, config.connectionTimeout().toMillis()));
        hikari.setMaxLifetime(Math.max(30_000, config.maxLifetime().toMillis()));
        // Batched inserts become multi-row INSERTs: the bulk path's speed depends on it.
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        hikari.addDataSourceProperty("ApplicationName", "dal");
        // Open lazily: a store whose server is down still opens, reports DOWN, and recovers.
        hikari.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(hikari);
        this.jdbi = Jdbi.create(pool);
    }

    Jdbi jdbi() {
        return jdbi;
    }

    HikariDataSource dataSource() {
        return pool;
    }

    Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        if (bean != null) {
            figures.put("poolActive", bean.getActiveConnections());
            figures.put("poolIdle", bean.getIdleConnections());
            figures.put("poolWaiting", bean.getThreadsAwaitingConnection());
            figures.put("poolTotal", bean.getTotalConnections());
        }
        figures.put("poolMax", pool.getMaximumPoolSize());
        return figures;
    }

    @Override
    public void close() {
        pool.close();
    }
}
