package dev.dal.neo4j;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.neo4j.internal.Neo4jStores;
import java.util.Objects;
import org.neo4j.driver.Driver;

/**
 * The Neo4j store ({@code DATA_STORAGE_TYPE=neo4j}) over the official Java driver. Connects with
 * {@code NEO4J_URI}, {@code NEO4J_USER} and {@code NEO4J_PASSWORD}, pooled with the defaults of the
 * legacy graph store it replaces (50 connections, 60 s acquisition, 3600 s lifetime), which {@code DB_MAX_CONNECTIONS},
 * {@code DB_CONNECTION_TIMEOUT} and {@code DB_MAX_LIFETIME} override. Every call is bounded by
 * {@code DB_QUERY_TIMEOUT} (server and client side), opening a connection by {@code DB_CONNECT_TIMEOUT},
 * a health check by {@code DAL_HEALTH_TIMEOUT}; retryable failures are retried by {@code DAL_TX_RETRIES}
 * (the driver's own retries are off). Pending schema changes (the legacy-graph normalization,
 * constraints, indexes) are applied when the store opens unless {@code DB_AUTO_MIGRATE=false}.
 */
public final class Neo4jStoreProvider implements DataAccessProvider {
    private final Driver driver;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. Each store creates its own driver. */
    public Neo4jStoreProvider() {
        this.driver = null;
    }

    /**
     * A provider whose stores use an application's driver (explicit wiring: its pool, security and
     * credentials apply, {@code NEO4J_URI} is optional) and leave it open when they close.
     *
     * @param driver the driver to share; the caller closes it
     */
    public Neo4jStoreProvider(Driver driver) {
        this.driver = Objects.requireNonNull(driver, "driver");
    }

    @Override
    public String name() {
        return "neo4j";
    }

    @Override
    public DataAccess create(DalConfig config) {
        return Neo4jStores.open(config, driver);
    }

    @Override
    public SchemaMigrator schemaMigrator(DalConfig config) {
        return Neo4jStores.migrator(config, driver);
    }
}
