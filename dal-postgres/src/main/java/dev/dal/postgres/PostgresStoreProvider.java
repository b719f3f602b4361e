package dev.dal.postgres;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.api.spi.Setting;
import dev.dal.postgres.internal.PostgresSchemaMigrator;
import dev.dal.postgres.internal.PostgresSettings;
import dev.dal.postgres.internal.PostgresStores;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The PostgreSQL store ({@code DATA_STORAGE_TYPE=postgresql}, aliases {@code postgres}, {@code pg}).
 * Connects with {@code DATABASE_URL} or {@code DB_HOST}/{@code DB_PORT}/{@code DB_NAME},
 * {@code DB_USER}, {@code DB_PASSWORD}, pooled by HikariCP ({@code DB_MAX_CONNECTIONS} and the
 * timeouts). With {@code DB_AUTO_MIGRATE=true} the Liquibase changelog runs when the store opens;
 * without it the store refuses, at open, a database whose changelog is not fully applied.
 *
 * <p>Every call is bounded: {@code DB_CONNECT_TIMEOUT} to connect, {@code DB_CONNECTION_TIMEOUT} to
 * wait for the pool, {@code DB_QUERY_TIMEOUT} per statement (the server's {@code statement_timeout}
 * and a socket read timeout just above it), {@code DAL_HEALTH_TIMEOUT} for {@code healthCheck()}.
 * Failures follow dal-api's failure table ({@code StoreFailures}); the store declares
 * {@link dev.dal.api.Capability#NETWORK}. Its store URI is
 * {@code postgresql://user[:password]@host[:port]/db}.
 */
public final class PostgresStoreProvider implements DataAccessProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public PostgresStoreProvider() {
        // stateless
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("postgres", "pg");
    }

    /**
     * Declares {@code DATABASE_URL} (credentials masked), {@code DB_HOST}, {@code DB_PORT} (5432),
     * {@code DB_NAME}, {@code DB_USER}, {@code DB_PASSWORD} (secret), {@code DB_READ_HOSTS} and {@code DB_MAX_REPLICA_LAG}.
     */
    @Override
    public List<Setting<?>> settings() {
        return PostgresSettings.declared();
    }

    @Override
    public Optional<Map<String, String>> settingsForUri(String uri, Map<String, String> environment) {
        return PostgresSettings.forUri(uri, environment);
    }

    @Override
    public List<String> uriForms() {
        return List.of("postgresql://", "postgres://");
    }

    @Override
    public String location(DalConfig config) {
        return PostgresSettings.location(config);
    }

    @Override
    public DataAccess create(DalConfig config) {
        return PostgresStores.open(config);
    }

    /**
     * The Liquibase changelog: status with checksums, migrate (checksums verified, Liquibase's lock
     * held), rollback to a changeset id. Versions are changeset ids such as {@code 004-user-memory}.
     */
    @Override
    public SchemaMigrator schemaMigrator(DalConfig config) {
        return PostgresSchemaMigrator.open(config);
    }
}
