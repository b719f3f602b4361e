package dev.dal.api;

import dev.dal.api.internal.CallObserver;
import dev.dal.api.internal.ValidatingDataAccess;
import dev.dal.api.internal.Validator;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.DualWriteComposer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Opens the store the configuration names.
 *
 * <p>{@link #create(DalConfig, DataAccessProvider)} wires a provider explicitly and always works;
 * {@link #create()} and {@link #create(DalConfig)} find the provider for {@code DATA_STORAGE_TYPE}
 * on the class path through {@link ServiceLoader}. Either way the store comes back behind Dal's
 * validation, so every backend rejects the same bad input the same way.
 *
 * <p><b>Dual-write.</b> With {@code MIGRATION_ENABLE_DUAL_WRITE=true} the factory opens two stores and
 * returns the dual-write decorator over them (itself behind validation), built by the
 * {@link DualWriteComposer} that the module {@code dev.dal:dal-dualwrite} puts on the class path: the primary from
 * {@code DATA_STORAGE_TYPE} and its settings, the secondary from {@code MIGRATION_SECONDARY_STORAGE_TYPE} and
 * the settings prefixed {@code MIGRATION_SECONDARY_} (e.g. {@code MIGRATION_SECONDARY_DATABASE_URL} is the
 * secondary's {@code DATABASE_URL}; see {@link DalConfig#secondaryConfig()}). How the decorator reads, fails
 * over and journals is set by the settings its {@link DualWriteComposer#settings() composer} declares
 * (for example {@code MIGRATION_READ_FROM}), checked before either store opens. The cut-over swaps the two stores' settings; no code changes.
 *
 * <p><b>Observation.</b> Every store the factory opens reports each call's time and outcome, and each
 * transaction's end, to the {@link dev.dal.api.spi.StoreObserver}s on the class path (the module
 * {@code dev.dal:dal-metrics} turns them into Micrometer meters), and logs at WARN each call slower than
 * {@code DAL_SLOW_CALL_THRESHOLD}. A dual-write store is observed through its two stores, each under its own type.
 */
public final class DataAccessFactory {

    /** How a store type reaches the class path, for the message that reports a missing one. */
    private static final String PACKAGING = "each backend is its own jar whose provider is registered in"
            + " META-INF/services/" + DataAccessProvider.class.getName() + " (Dal's own backends are the artifacts"
            + " dev.dal:dal-<backend>, e.g. dev.dal:dal-postgres for postgresql); add the backend's jar to the"
            + " class path";

    private DataAccessFactory() {}

    /**
     * Opens the store named by the environment ({@link DalConfig#fromEnvironment()}).
     *
     * @return an open store
     * @throws ConfigurationException when a setting is wrong or the store type is unknown or not on the class path
     */
    public static DataAccess create() {
        return create(DalConfig.fromEnvironment());
    }

    /**
     * Opens the store the configuration names.
     *
     * @param config the configuration
     * @return an open store
     * @throws ConfigurationException when the store type is unknown or its module is not on the class path
     */
    public static DataAccess create(DalConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.dualWriteEnabled()) {
            config.checkDualWrite();
            DalConfig secondary = config.secondaryConfig().orElseThrow();
            return create(config, provider(config.storageType()), provider(secondary.storageType()));
        }
        return create(config, provider(config.storageType()));
    }

    /**
     * Opens a store with an explicitly chosen provider.
     *
     * @param config the configuration
     * @param provider the backend
     * @return an open store, behind Dal's validation
     */
    public static DataAccess create(DalConfig config, DataAccessProvider provider) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(provider, "provider");
        if (config.dualWriteEnabled()) {
            config.checkDualWrite();
            DalConfig secondary = config.secondaryConfig().orElseThrow();
            return create(config, provider, provider(secondary.storageType()));
        }
        return open(config, provider);
    }

    /**
     * Opens a dual-write store with explicitly chosen providers for both ends ({@code MIGRATION_ENABLE_DUAL_WRITE}
     * must be true).
     *
     * @param config the configuration; the secondary's settings are those prefixed {@code MIGRATION_SECONDARY_}
     * @param primary the primary's backend (source of truth)
     * @param secondary the secondary's backend
     * @return the dual-write decorator over both stores, behind Dal's validation
     * @throws ConfigurationException naming the dual-write setting that is missing or malformed, or naming
     *     the Maven dependency {@code dev.dal:dal-dualwrite} when no {@link DualWriteComposer} is on the class path
     */
    public static DataAccess create(DalConfig config, DataAccessProvider primary, DataAccessProvider secondary) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(secondary, "secondary");
        if (!config.dualWriteEnabled()) {
            throw new ConfigurationException(
                    "Two stores were given but " + DalConfig.MIGRATION_ENABLE_DUAL_WRITE + " is not true");
        }
        config.checkDualWrite();
        DalConfig secondaryConfig = config.secondaryConfig().orElseThrow();
        DualWriteComposer composer = composer();
        composer.checkSettings(config);
        DataAccess first = open(config, primary);
        DataAccess second;
        try {
            second = open(secondaryConfig, secondary);
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        DataAccess dual;
        try {
            dual = composer.compose(config, primary.name(), first, secondary.name(), second);
        } catch (RuntimeException e) {
            first.close();
            second.close();
            throw e;
        }
        return new ValidatingDataAccess(dual, primary.name(), new Validator(config), config.healthTimeout());
    }

    /**
     * The store behind Dal's validation: what the provider or the {@link DualWriteComposer} built, for code
     * that needs that object itself (the dual-write decorator's own API, for example).
     *
     * @param store a store from this factory, or any other store
     * @return the store the factory wrapped in validation, or {@code store} itself when it is not so wrapped
     */
    public static DataAccess unwrapValidation(DataAccess store) {
        Objects.requireNonNull(store, "store");
        return store instanceof ValidatingDataAccess validating ? validating.unwrap() : store;
    }

    private static DualWriteComposer composer() {
        List<DualWriteComposer> found = new ArrayList<>();
        ServiceLoader.load(DualWriteComposer.class, DataAccessFactory.class.getClassLoader())
                .forEach(found::add);
        if (found.isEmpty()) {
            throw new ConfigurationException(DalConfig.MIGRATION_ENABLE_DUAL_WRITE + "=true needs the dual-write"
                    + " decorator, which is not on the class path; add the Maven dependency dev.dal:dal-dualwrite");
        }
        if (found.size() > 1) {
            throw new ConfigurationException(DalConfig.MIGRATION_ENABLE_DUAL_WRITE + "=true found "
                    + found.size() + " dual-write decorators on the class path ("
                    + found.stream().map(c -> c.getClass().getName()).sorted().collect(Collectors.joining(", "))
                    + "); keep one dev.dal:dal-dualwrite");
        }
        return found.get(0);
    }

    private static DataAccess open(DalConfig config, DataAccessProvider provider) {
        DataAccess store;
        try {
            store = provider.create(config);
        } catch (DataAccessException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigurationException("The " + provider.name() + " store could not be opened", e);
        }
        return new ValidatingDataAccess(
                store,
                provider.name(),
                new Validator(config),
                config.healthTimeout(),
                CallObserver.open(provider.name(), store, config));
    }

    /**
     * Finds the provider for a store type or alias.
     *
     * @param storageType a type such as {@code "file"} or {@code "pg"}, any case
     * @return the provider
     * @throws ConfigurationException when no provider on the class path has that name or alias: the
     *     message lists the types found and says how backends are packaged
     */
    public static DataAccessProvider provider(String storageType) {
        String wanted = storageType == null ? "file" : storageType.trim().toLowerCase(Locale.ROOT);
        List<DataAccessProvider> available = providers();
        for (DataAccessProvider candidate : available) {
            if (candidate.name().equals(wanted) || candidate.aliases().contains(wanted)) {
                return candidate;
            }
        }
        throw new ConfigurationException(DalConfig.DATA_STORAGE_TYPE + "=" + storageType
                + " names no store type on the class path; types found: " + foundTypes(available) + "; "
                + PACKAGING);
    }

    /** @return the providers found on the class path */
    public static List<DataAccessProvider> providers() {
        List<DataAccessProvider> found = new ArrayList<>();
        ServiceLoader.load(DataAccessProvider.class, DataAccessFactory.class.getClassLoader())
                .forEach(found::add);
        return found;
    }

    private static String foundTypes(List<DataAccessProvider> available) {
        if (available.isEmpty()) {
            return "none";
        }
        return available.stream()
                .sorted(Comparator.comparing(DataAccessProvider::name))
                .map(p -> p.aliases().isEmpty()
                        ? p.name()
                        : p.name() + " (" + String.join(", ", new TreeSet<>(p.aliases())) + ")")
                .collect(Collectors.joining(", "));
    }
}
