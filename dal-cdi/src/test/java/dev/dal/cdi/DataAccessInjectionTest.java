package dev.dal.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.dualwrite.DualWriteDataAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.jboss.weld.proxy.WeldClientProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boots Weld SE with dal-cdi's producer and injects real file stores into application beans. */
class DataAccessInjectionTest {

    @TempDir
    Path dir;

    /** A container with discovery off: the producer, the application's beans, and its DalConfig bean. */
    private static WeldContainer boot(DalConfig config, Class<?>... beans) {
        Weld weld = new Weld()
                .disableDiscovery()
                .addBeanClass(DataAccessProducer.class)
                .addBeanClasses(beans)
                .property("org.jboss.weld.se.shutdownHook", false);
        if (config != null) {
            weld.addExtension(new ConfigBean(config));
        }
        return weld.initialize();
    }

    private DalConfig.Builder fileStores() {
        return DalConfig.builder()
                .storageType("file")
                .setting("DATA_DIR", (dir.resolve("main")).toString())
                .setting("DAL_STORE_ARCHIVE_DATA_STORAGE_TYPE", "file")
                .setting("DAL_STORE_ARCHIVE_DATA_DIR", dir.resolve("archive").toString());
    }

    /** The instance behind the default store's client proxy, still reachable after the container closed it. */
    private static DataAccess behindProxy(DataAccess store) {
        assertThat(store).isInstanceOf(WeldClientProxy.class);
        return (DataAccess) ((WeldClientProxy) store).getMetadata().getContextualInstance();
    }

    private static void assertClosed(DataAccess store, UUID someUser) {
        assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.DOWN);
        assertThatThrownBy(() -> store.getUser(someUser)).isInstanceOf(UnavailableException.class);
    }

    @Test
    void injectsTheConfiguredStoreAndANamedSecondStoreAndClosesBothOnShutdown() {
        DataAccess main;
        DataAccess archive;
        User kept;
        User archived;
        try (WeldContainer container = boot(fileStores().build(), Stores.class)) {
            Stores stores = container.select(Stores.class).get();
            kept = stores.store.createUser(NewUser.withExternalId("alice"));
            assertThat(stores.store.getUser(kept.id())).contains(kept);
            assertThat(stores.store.healthCheck().isUp()).isTrue();

            archived = stores.archive.createUser(NewUser.withExternalId("bob"));
            assertThat(stores.archiveAgain)
                    .as("one store per name per container")
                    .isSameAs(stores.archive);
            assertThat(stores.archive.getUser(kept.id()))
                    .as("the archive is another store")
                    .isEmpty();
            assertThat(stores.store.getUser(archived.id())).isEmpty();
            assertThat(dir.resolve("main/users/" + kept.id() + ".json")).exists();
            assertThat(dir.resolve("archive/users/" + archived.id() + ".json")).exists();

            main = behindProxy(stores.store);
            archive = stores.archive;
            assertThat(main.getUser(kept.id())).contains(kept);
        }
        assertClosed(main, kept.id());
        assertClosed(archive, archived.id());
    }

    @Test
    void programmaticLookupWithTheLiteralGetsTheSameNamedStore() {
        try (WeldContainer container = boot(fileStores().build(), Stores.class)) {
            DataAccess injected = container.select(Stores.class).get().archive;
            DataAccess looked = container
                    .select(DataAccess.class, DalStore.Literal.of("archive"))
                    .get();
            assertThat(looked).isSameAs(injected);
            assertThat(container
                            .select(DataAccess.class, DalStore.Literal.of("ARCHIVE"))
                            .get())
                    .as("names differing only in case share their settings, hence their store")
                    .isSameAs(injected);
        }
    }

    @Test
    void withoutADalConfigBeanTheEnvironmentConfiguresTheStore() {
        Path envDir = dir.resolve("from-env");
        System.setProperty(DalConfig.DATA_STORAGE_TYPE, "file");
        System.setProperty("DATA_DIR", envDir.toString());
        DataAccess store;
        User user;
        try (WeldContainer container = boot(null)) {
            DataAccess injected = container.select(DataAccess.class).get();
            user = injected.createUser(NewUser.withExternalId("carol"));
            assertThat(injected.getUser(user.id())).contains(user);
            store = behindProxy(injected);
        } finally {
            System.clearProperty(DalConfig.DATA_STORAGE_TYPE);
            System.clearProperty("DATA_DIR");
        }
        assertThat(envDir.resolve("users/" + user.id() + ".json")).exists();
        assertClosed(store, user.id());
    }

    @Test
    void dualWriteIsIncludedWhenConfiguredAndBothStoresCloseOnShutdown() {
        DalConfig config = fileStores()
                .setting(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true")
                .setting(DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE, "file")
                .setting(
                        "MIGRATION_SECONDARY_DATA_DIR", dir.resolve("secondary").toString())
                .build();
        DualWriteDataAccess dual;
        User user;
        try (WeldContainer container = boot(config)) {
            DataAccess injected = container.select(DataAccess.class).get();
            user = injected.createUser(NewUser.withExternalId("dave"));
            dual = DualWriteDataAccess.find(behindProxy(injected)).orElseThrow();
            assertThat(dual.secondary().getUser(user.id())).contains(user);
            assertThat(dir.resolve("secondary/users/" + user.id() + ".json")).exists();
        }
        assertClosed(dual.primary(), user.id());
        assertClosed(dual.secondary(), user.id());
    }

    @Test
    void anUnconfiguredNamedStoreFailsAtInjectionNamingTheSettingsExpected() {
        try (WeldContainer container = boot(fileStores().build(), NeedsAudit.class)) {
            assertThatThrownBy(() -> container.select(NeedsAudit.class).get())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("@DalStore(\"audit-log\") is not configured")
                    .hasMessageContaining("DAL_STORE_AUDIT_LOG_DATA_STORAGE_TYPE")
                    .hasMessageContaining("DAL_STORE_AUDIT_LOG_DATA_DIR");
        }
    }

    @Test
    void aMalformedNamedStoreSettingFailsAtInjectionNamingIt() {
        DalConfig config = fileStores()
                .setting("DAL_STORE_AUDIT_LOG_DATA_STORAGE_TYPE", "file")
                .setting("DAL_STORE_AUDIT_LOG_DB_MAX_CONNECTIONS", "five")
                .build();
        try (WeldContainer container = boot(config, NeedsAudit.class)) {
            assertThatThrownBy(() -> container.select(NeedsAudit.class).get())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("settings prefixed DAL_STORE_AUDIT_LOG_")
                    .hasMessageContaining("DB_MAX_CONNECTIONS must be a whole number from 1 to 10000, got 'five'");
        }
    }

    @Test
    void aBadDefaultConfigurationFailsOnFirstUseNamingTheSetting() {
        DalConfig config = DalConfig.builder().storageType("cassandra").build();
        try (WeldContainer container = boot(config)) {
            DataAccess store = container.select(DataAccess.class).get();
            assertThatThrownBy(() -> store.getUser(UUID.randomUUID()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(
                            "DATA_STORAGE_TYPE=cassandra names no store type on the class path; types found: file");
        }
    }

    @Test
    void beanDiscoveryFindsTheProducerThroughBeansXml() throws Exception {
        Path beansXml = Path.of(DataAccessProducer.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .resolve("META-INF/beans.xml");
        assertThat(Files.readString(beansXml)).contains("bean-discovery-mode=\"annotated\"");
        Weld weld = new Weld()
                .addBeanClass(Stores.class)
                .addExtension(new ConfigBean(fileStores().build()))
                .property("org.jboss.weld.se.shutdownHook", false);
        try (WeldContainer container = weld.initialize()) {
            assertThat(container.select(DataAccessProducer.class).isResolvable())
                    .isTrue();
            Stores stores = container.select(Stores.class).get();
            User user = stores.store.createUser(NewUser.withExternalId("erin"));
            assertThat(stores.store.getUser(user.id())).contains(user);
        }
    }
}
