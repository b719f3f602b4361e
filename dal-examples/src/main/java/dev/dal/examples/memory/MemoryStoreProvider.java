package dev.dal.examples.memory;

import dev.dal.api.Capability;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.api.spi.Setting;
import dev.dal.testkit.ReferenceStore;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory store ({@code DATA_STORAGE_TYPE=memory}), an example of a backend added without any
 * change outside its own module: this provider, its settings ({@link MemorySettings}) and its line in
 * {@code META-INF/services/dev.dal.api.spi.DataAccessProvider}. The store is the conformance kit's
 * reference store; it declares {@link Capability#TRANSACTIONS} only (its data lives in this JVM, so
 * not {@link Capability#MULTI_PROCESS}), and the kit skips what it does not declare.
 *
 * <p>Stores of the same {@code MEMORY_STORE_NAME} share their data until the JVM ends; its store URI is
 * {@code memory:NAME}. For tests and demonstrations, not for data that must survive.
 */
public final class MemoryStoreProvider implements DataAccessProvider {
    private static final Map<String, ReferenceStore.State> STORES = new ConcurrentHashMap<>();

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public MemoryStoreProvider() {
        // stateless; the stores' data is shared by every provider of this JVM
    }

    @Override
    public String name() {
        return "memory";
    }

    /** Declares {@code MEMORY_STORE_NAME} (default {@code default}). */
    @Override
    public List<Setting<?>> settings() {
        return MemorySettings.declared();
    }

    @Override
    public Optional<Map<String, String>> settingsForUri(String uri, Map<String, String> environment) {
        return MemorySettings.forUri(uri);
    }

    @Override
    public List<String> uriForms() {
        return List.of("memory:NAME");
    }

    @Override
    public String location(DalConfig config) {
        return MemorySettings.location(config.view(this));
    }

    @Override
    public DataAccess create(DalConfig config) {
        String storeName = MemorySettings.from(config.view(this)).storeName();
        ReferenceStore.State state = STORES.computeIfAbsent(storeName, k -> new ReferenceStore.State());
        return new ReferenceStore(
                name(), state, config.clock(), EnumSet.of(Capability.TRANSACTIONS), config.queryTimeout());
    }

    /** The in-memory store keeps no schema. */
    @Override
    public SchemaMigrator schemaMigrator(DalConfig config) {
        return SchemaMigrator.none();
    }
}
