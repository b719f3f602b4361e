package dev.dal.postgres;

import dev.dal.api.spi.DescribedProvider;
import dev.dal.api.spi.StoreDescription;
import dev.dal.postgres.internal.PostgresSchemaMigrator;
import dev.dal.postgres.internal.PostgresSettings;
import dev.dal.postgres.internal.PostgresStores;

/**
 * The PostgreSQL store ({@code DATA_STORAGE_TYPE=postgresql}, aliases {@code postgres}, {@code pg}).
 * Connects with {@code DATABASE_URL} or {@code DB_HOST}/{@code DB_PORT}/{@code DB_NAME},
 * {@code DB_USER}, {@code DB_PASSWORD}, pooled by HikariCP ({@code DB_MAX_CONNECTIONS} and the
 * timeouts); {@code DB_READ_HOSTS} names replicas for reads. With {@code DB_AUTO_MIGRATE=true} the
 * Liquibase changelog runs when the store opens; without it the store refuses, at open, a database whose
 * changelog is not fully applied.
 *
 * <p>Every call is bounded: {@code DB_CONNECT_TIMEOUT} to connect, {@code DB_CONNECTION_TIMEOUT} to
 * wait for the pool, {@code DB_QUERY_TIMEOUT} per statement (the server's {@code statement_timeout}
 * and a socket read timeout just above it), {@code DAL_HEALTH_TIMEOUT} for {@code healthCheck()}.
 * Failures follow dal-api's failure table ({@code StoreFailures}); the store declares
 * {@link dev.dal.api.Capability#NETWORK}. Its store URI is
 * {@code postgresql://user[:password]@host[:port]/db}.
 *
 * <p>Its schema migrator is the Liquibase changelog: status with checksums, migrate (checksums verified,
 * Liquibase's lock held), rollback to a changeset id. Versions are changeset ids such as
 * {@code 004-user-memory}.
 */
public final class PostgresStoreProvider extends DescribedProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public PostgresStoreProvider() {
        super(StoreDescription.named("postgresql")
                .aliases("postgres", "pg")
                .settings(PostgresSettings.declared())
                .uris(PostgresSettings::forUri, "postgresql://", "postgres://")
                .location(PostgresSettings::location)
                .opens(PostgresStores::open)
                .migrates(PostgresSchemaMigrator::open)
                .build());
    }
}
