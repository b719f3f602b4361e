package dev.dal.mongo;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.api.spi.Setting;
import dev.dal.mongo.internal.MongoSettings;
import dev.dal.mongo.internal.MongoStores;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The MongoDB store ({@code DATA_STORAGE_TYPE=mongodb}, alias {@code mongo}). Connects with
 * {@code MONGODB_URL} to the database {@code MONGODB_DATABASE} (default: the one the URL names),
 * pooled by the driver ({@code DB_MAX_CONNECTIONS}, {@code DB_CONNECTION_TIMEOUT}), every call bounded
 * by {@code DB_CONNECT_TIMEOUT} and {@code DB_QUERY_TIMEOUT}, failures raised by the shared failure
 * table. Pending schema migrations run when the store opens unless {@code DB_AUTO_MIGRATE=false}.
 * Declares {@link dev.dal.api.Capability#NETWORK}, and {@link dev.dal.api.Capability#TRANSACTIONS}
 * only on replica sets and sharded clusters. Its store URI is
 * {@code mongodb://[user[:password]@]host[:port]/db} (or {@code mongodb+srv://}).
 */
public final class MongoStoreProvider implements DataAccessProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public MongoStoreProvider() {
        // stateless
    }

    @Override
    public String name() {
        return "mongodb";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("mongo");
    }

    /** Declares {@code MONGODB_URL} (credentials masked) and {@code MONGODB_DATABASE}. */
    @Override
    public List<Setting<?>> settings() {
        return MongoSettings.declared();
    }

    @Override
    public Optional<Map<String, String>> settingsForUri(String uri, Map<String, String> environment) {
        return MongoSettings.forUri(uri);
    }

    @Override
    public List<String> uriForms() {
        return List.of("mongodb://", "mongodb+srv://");
    }

    @Override
    public String location(DalConfig config) {
        return MongoSettings.location(config);
    }

    @Override
    public DataAccess create(DalConfig config) {
        return MongoStores.open(config);
    }

    @Override
    public SchemaMigrator schemaMigrator(DalConfig config) {
        return MongoStores.migrator(config);
    }
}
