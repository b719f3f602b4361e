package dev.dal.mongo;

import dev.dal.api.spi.DescribedProvider;
import dev.dal.api.spi.StoreDescription;
import dev.dal.mongo.internal.MongoSettings;
import dev.dal.mongo.internal.MongoStores;

/**
 * The MongoDB store ({@code DATA_STORAGE_TYPE=mongodb}, alias {@code mongo}). Connects with
 * {@code MONGODB_URL} to the database {@code MONGODB_DATABASE} (default: the one the URL names),
 * pooled by the driver ({@code DB_MAX_CONNECTIONS}, {@code DB_CONNECTION_TIMEOUT}), every call bounded
 * by {@code DB_CONNECT_TIMEOUT} and {@code DB_QUERY_TIMEOUT}, failures raised by the shared failure
 * table. Pending schema migrations run when the store opens unless {@code DB_AUTO_MIGRATE=false}.
 * Declares {@link dev.dal.api.Capability#NETWORK}, and {@link dev.dal.api.Capability#TRANSACTIONS}
 * only on replica sets and sharded clusters. Its store URI is
 * {@code mongodb://[user[:password]@]host[:port]/db} (or {@code mongodb+srv://}); the URI alone says
 * where the store is, so nothing of the environment is added to it.
 */
public final class MongoStoreProvider extends DescribedProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public MongoStoreProvider() {
        super(StoreDescription.named("mongodb")
                .aliases("mongo")
                .settings(MongoSettings.declared())
                .uris((uri, environment) -> MongoSettings.forUri(uri), "mongodb://", "mongodb+srv://")
                .location(MongoSettings::location)
                .opens(MongoStores::open)
                .migrates(MongoStores::migrator)
                .build());
    }
}
