package dev.dal.api.spi;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A provider that answers from a {@link StoreDescription}: a backend's provider passes what its store is
 * called, which settings and URIs it reads and how it opens, and writes no method of its own.
 */
public abstract class DescribedProvider implements DataAccessProvider {
    private final StoreDescription description;

    /**
     * @param description what the backend says about its store
     */
    protected DescribedProvider(StoreDescription description) {
        this.description = Objects.requireNonNull(description, "description");
    }

    @Override
    public final String name() {
        return description.name();
    }

    @Override
    public final Set<String> aliases() {
        return description.aliases();
    }

    @Override
    public final List<Setting<?>> settings() {
        return description.settings();
    }

    @Override
    public final Optional<Map<String, String>> settingsForUri(String uri, Map<String, String> environment) {
        return description.settingsForUri(uri, environment);
    }

    @Override
    public final List<String> uriForms() {
        return description.uriForms();
    }

    @Override
    public final String location(DalConfig config) {
        return description.location(config);
    }

    @Override
    public final DataAccess create(DalConfig config) {
        return description.open(config);
    }

    @Override
    public final SchemaMigrator schemaMigrator(DalConfig config) {
        return description.migrator(config);
    }
}
