package dev.dal.examples.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.spi.DataAccessProvider;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A backend added in its own module alone: found by type, its settings read and its URI parsed. */
class MemoryBackendDiscoveryTest {

    @Test
    void theFactoryFindsTheMemoryBackendByItsType() {
        assertThat(DataAccessFactory.provider("MEMORY")).isInstanceOf(MemoryStoreProvider.class);
        String name = "discovery-" + UUID.randomUUID();
        DalConfig config = DalConfig.fromMap(Map.of(DalConfig.DATA_STORAGE_TYPE, "memory", "MEMORY_STORE_NAME", name));
        User written;
        try (DataAccess store = DataAccessFactory.create(config)) {
            written = store.createUser(NewUser.builder().externalId("ada").build());
            assertThat(store.healthCheck().storageType()).isEqualTo("memory");
        }
        try (DataAccess store = DataAccessFactory.create(config)) {
            assertThat(store.getUserByExternalId("ada"))
                    .as("a store of the same name")
                    .contains(written);
        }
    }

    @Test
    void anUnknownTypeListsTheMemoryBackendAmongTheTypesFound() {
        assertThatThrownBy(() -> DataAccessFactory.provider("cassandra"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("types found: ")
                .hasMessageContaining("memory")
                .hasMessageContaining("file (files, json)");
    }

    @Test
    void itsSettingsAreReadFromTheEnvironmentAndChecked() {
        String previous = System.getProperty("MEMORY_STORE_NAME");
        System.setProperty("MEMORY_STORE_NAME", "from-property");
        try {
            assertThat(DalConfig.fromEnvironment().setting("MEMORY_STORE_NAME")).contains("from-property");
        } finally {
            if (previous == null) {
                System.clearProperty("MEMORY_STORE_NAME");
            } else {
                System.setProperty("MEMORY_STORE_NAME", previous);
            }
        }
        DalConfig bad = DalConfig.fromMap(Map.of(DalConfig.DATA_STORAGE_TYPE, "memory", "MEMORY_STORE_NAME", "a/b"));
        assertThatThrownBy(() -> DataAccessFactory.create(bad))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("MEMORY_STORE_NAME");
    }

    @Test
    void itParsesItsOwnStoreUri() {
        DataAccessProvider provider = DataAccessFactory.provider("memory");
        assertThat(provider.settingsForUri("memory:chat", Map.of())).contains(Map.of("MEMORY_STORE_NAME", "chat"));
        assertThat(provider.settingsForUri("file:./data", Map.of())).isEmpty();
        DalConfig config = DalConfig.fromMap(Map.of("MEMORY_STORE_NAME", "chat"));
        assertThat(provider.location(config)).isEqualTo("memory:chat");
    }
}
