package dev.dal.cdi;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.cdi.internal.NamedStores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.inject.Inject;
import java.lang.annotation.Annotation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CDI bean that makes {@link DataAccess} injectable. Applications never call it: a container that
 * discovers beans finds it through dal-cdi's {@code META-INF/beans.xml}; one that does not (e.g. Weld SE with
 * discovery off) is given it as a bean class ({@code weld.addBeanClasses(DataAccessProducer.class)}).
 *
 * <ul>
 * <li>{@code @Inject DataAccess store} gets the application's store, {@link ApplicationScoped}: built by
 *     {@link DataAccessFactory#create(DalConfig)} on first use (dual-write included when
 *     {@code MIGRATION_ENABLE_DUAL_WRITE=true} and {@code dev.dal:dal-dualwrite} is on the class path) and closed
 *     when the container shuts down.</li>
 * <li>{@code @Inject @DalStore("archive") DataAccess archive} gets a named store, configured by the settings
 *     prefixed {@code DAL_STORE_ARCHIVE_} (see {@link DalStore}): opened once per container on first
 *     injection, closed when the container shuts down.</li>
 * </ul>
 *
 * <p><b>Configuration.</b> Both come from {@link DalConfig#fromEnvironment()} (environment variables, a system
 * property of the same name winning), unless the application produces its own {@link DalConfig} bean with the
 * default qualifier, e.g. {@code @Produces DalConfig config() { return DalConfig.builder()...build(); }}; that
 * one is then used, whole, for the default store and as the source of the named stores' prefixed settings.
 * A missing or malformed setting surfaces as a {@link ConfigurationException} naming it: for the default store
 * on its first use (it is a lazily created client proxy), for a named store at injection.
 *
 * <p>Do not close an injected store: the container owns it.
 */
@ApplicationScoped
public class DataAccessProducer {
    private static final Logger LOG = LoggerFactory.getLogger(DataAccessProducer.class);

    private final Instance<DalConfig> configs;
    private final NamedStores named;
    private volatile DalConfig config;

    /** For the container's client proxy only. */
    protected DataAccessProducer() {
        this.configs = null;
        this.named = null;
    }

    /**
     * @param configs the application's {@link DalConfig} bean, if it produces one
     */
    @Inject
    public DataAccessProducer(Instance<DalConfig> configs) {
        this.configs = configs;
        this.named = new NamedStores(this::config);
    }

    /**
     * The application's store.
     *
     * @return an open store, built from the configuration
     * @throws ConfigurationException naming the setting that is missing or malformed
     */
    @Produces
    @ApplicationScoped
    public DataAccess dataAccess() {
        DalConfig current = config();
        DataAccess store = DataAccessFactory.create(current);
        LOG.info(
                "Dal: opened the {} store for injection{}",
                current.storageType(),
                current.dualWriteEnabled() ? " (dual-write)" : "");
        return store;
    }

    /**
     * Closes the application's store when the container shuts down.
     *
     * @param store the store {@link #dataAccess()} produced
     */
    public void close(@Disposes DataAccess store) {
        store.close();
    }

    /**
     * A named store, the same instance for every injection of that name in this container.
     *
     * @param injectionPoint where it is injected, which carries the {@link DalStore} name
     * @return the open store
     * @throws ConfigurationException naming the settings expected when the name is not configured, or the one at
     *     fault when a setting is malformed
     */
    @Produces
    @DalStore("")
    public DataAccess namedStore(InjectionPoint injectionPoint) {
        return named.get(nameAt(injectionPoint));
    }

    /**
     * Closes the named stores when the container shuts down (the default store has its disposer). An observer
     * rather than {@code @PreDestroy}, so dal-cdi needs the CDI API only.
     *
     * @param event the application context's shutdown
     */
    void closeNamedStores(
            @Observes(notifyObserver = Reception.IF_EXISTS) @BeforeDestroyed(ApplicationScoped.class) Object event) {
        named.close();
    }

    private static String nameAt(InjectionPoint injectionPoint) {
        for (Annotation qualifier : injectionPoint.getQualifiers()) {
            if (qualifier instanceof DalStore store) {
                return store.value();
            }
        }
        throw new ConfigurationException(
                "A named Dal store was requested without @DalStore(\"name\") at " + injectionPoint.getMember());
    }

    /** The configuration, resolved once per container: the application's bean, else the environment. */
    private DalConfig config() {
        DalConfig resolved = config;
        if (resolved == null) {
            synchronized (this) {
                resolved = config;
                if (resolved == null) {
                    resolved = resolveConfig();
                    config = resolved;
                }
            }
        }
        return resolved;
    }

    private DalConfig resolveConfig() {
        if (configs.isAmbiguous()) {
            throw new ConfigurationException("More than one DalConfig bean is produced; Dal's CDI producer needs at"
                    + " most one (with the default qualifier)");
        }
        return configs.isResolvable() ? configs.get() : DalConfig.fromEnvironment();
    }
}
