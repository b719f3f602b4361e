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
    private final HikariDataSource readPool;
    private final Jdbi readJdbi;

    PgDatabase(DalConfig config, PgSettings settings) {
        this.pool = pool(config, settings, settings.jdbcUrl(), "dal-postgres", false);
        this.jdbi = Jdbi.create(pool);
        this.readPool = settings.readJdbcUrl() == null ? null
                : pool(config, settings, settings.readJdbcUrl(), "dal-postgres-read", true);
        this.readJdbi = readPool == null ? jdbi : Jdbi.create(readPool);
    }

    private static HikariDataSource pool(DalConfig config, PgSettings settings, String url, String name,
            boolean readOnly) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setReadOnly(readOnly);
        hikari.setJdbcUrl(url);
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
        hikari.addDataSourceProperty("ApplicationName", readOnly ? "dal-read" : "dal");
        // Open lazily: a store whose server is down still opens, reports DOWN, and recovers.
        hikari.setInitializationFailTimeout(-1);
        return new HikariDataSource(hikari);
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /** @return the Jdbi for reads outside transactions: the replicas' when configured, else the primary's */
    Jdbi readJdbi() {
        return readJdbi;
    }

    HikariDataSource dataSource() {
        return pool;
    }

    Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        putFigures(figures, "pool", pool);
        if (readPool != null) {
            putFigures(figures, "readPool", readPool);
        }
        return figures;
    }

    private static void putFigures(Map<String, Object> figures, String prefix, HikariDataSource source) {
        HikariPoolMXBean bean = source.getHikariPoolMXBean();
        if (bean != null) {
            figures.put(prefix + "Active", bean.getActiveConnections());
            figures.put(prefix + "Idle", bean.getIdleConnections());
            figures.put(prefix + "Waiting", bean.getThreadsAwaitingConnection());
            figures.put(prefix + "Total", bean.getTotalConnections());
        }
        figures.put(prefix + "Max", source.getMaximumPoolSize());
    }

    @Override
    public void close() {
        pool.close();
        if (readPool != null) {
            readPool.close();
        }
    }
}
