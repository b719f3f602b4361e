package dev.dal.neo4j;

import dev.dal.api.spi.DescribedProvider;
import dev.dal.api.spi.StoreDescription;
import dev.dal.neo4j.internal.Neo4jSettings;
import dev.dal.neo4j.internal.Neo4jStores;
import java.util.Objects;
import org.neo4j.driver.Driver;

/**
 * The Neo4j store ({@code DATA_STORAGE_TYPE=neo4j}) over the official Java driver. Connects with
 * {@code NEO4J_URI}, {@code NEO4J_USER} and {@code NEO4J_PASSWORD}, pooled by the common pool settings
 * {@code DB_MAX_CONNECTIONS}, {@code DB_CONNECTION_TIMEOUT} and {@code DB_MAX_LIFETIME}. Every call is bounded by
 * {@code DB_QUERY_TIMEOUT} (server and client side), opening a connection by {@code DB_CONNECT_TIMEOUT},
 * a health check by {@code DAL_HEALTH_TIMEOUT}; retryable failures are retried by {@code DAL_TX_RETRIES}
 * (the driver's own retries are off). Pending schema changes (the legacy-graph normalization,
 * constraints, indexes) are applied when the store opens unless {@code DB_AUTO_MIGRATE=false}. Its store
 * URI is {@code neo4j://[user[:password]@]host[:port][/database]} (or {@code bolt://}, {@code neo4j+s://},
 * {@code bolt+s://}).
 *
 * <p>Besides the common settings it declares {@code NEO4J_URI}, {@code NEO4J_USER}, {@code NEO4J_PASSWORD}
 * (secret), {@code NEO4J_DATABASE}, {@code DB_HOST}, {@code DB_PORT} (7687), {@code DB_NAME},
 * {@code NEO4J_CONNECTION_TIMEOUT}, {@code NEO4J_ENCRYPTED}, {@code NEO4J_TRUST} and
 * {@code NEO4J_TRUST_CERTIFICATE}.
 */
public final class Neo4jStoreProvider extends DescribedProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. Each store creates its own driver. */
    public Neo4jStoreProvider() {
        super(description(null));
    }

    /**
     * A provider whose stores use an application's driver (explicit wiring: its pool, security and
     * credentials apply, {@code NEO4J_URI} is optional) and leave it open when they close.
     *
     * @param driver the driver to share; the caller closes it
     */
    public Neo4jStoreProvider(Driver driver) {
        super(description(Objects.requireNonNull(driver, "driver")));
    }

    /** @param driver the application's driver, or {@code null} for a driver per store */
    private static StoreDescription description(Driver driver) {
        return StoreDescription.named("neo4j")
                .settings(Neo4jSettings.declared())
                .uris(Neo4jSettings::forUri, "neo4j://", "neo4j+s://", "bolt://", "bolt+s://")
                .location(Neo4jSettings::location)
                .opens(config -> Neo4jStores.open(config, driver))
                .migrates(config -> Neo4jStores.migrator(config, driver))
                .build();
    }
}
