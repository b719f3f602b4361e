package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.test.DalStoreExtension;
import dev.dal.test.DalTestStore;
import dev.dal.test.TestBackends;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The published test fixture as an application's tests use it: every backend's store handed to a test empty, its
 * server started by the fixture, the same store for every request of one type within a test, and closed after it.
 */
@ExtendWith(DalStoreExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DalStoreExtensionTest {
    /** The stores tests were handed, to check after the class that each was closed. */
    private static final List<DataAccess> HANDED = new CopyOnWriteArrayList<>();

    @RepeatedTest(2)
    void anEmptyFileStoreForEachTest(@DalTestStore("file") DataAccess store) {
        assertEmptyThenWrite(store, "file");
    }

    @RepeatedTest(2)
    void anEmptyPostgresStoreForEachTest(@DalTestStore("postgresql") DataAccess store) {
        assertEmptyThenWrite(store, "postgresql");
    }

    @RepeatedTest(2)
    void anEmptyMongoStoreForEachTest(@DalTestStore("mongodb") DataAccess store) {
        assertEmptyThenWrite(store, "mongodb");
    }

    @RepeatedTest(2)
    void anEmptyNeo4jStoreForEachTest(@DalTestStore("neo4j") DataAccess store) {
        assertEmptyThenWrite(store, "neo4j");
    }

    @Test
    void anAliasAndTheTypeGiveOneStoreAndItsConfigReachesTheSameData(
            @DalTestStore("pg") DataAccess byAlias,
            @DalTestStore("postgresql") DataAccess byType,
            @DalTestStore("pg") DalConfig config) {
        assertThat(byAlias).isSameAs(byType);
        byType.createUser(NewUser.withExternalId("seen-by-config"));
        try (DataAccess own = DataAccessFactory.create(config)) {
            assertThat(own.getUserByExternalId("seen-by-config")).isPresent();
        }
    }

    @Test
    void storesOfTwoTypesInOneTestAreApart(
            @DalTestStore("file") DataAccess file, @DalTestStore("mongo") DataAccess mongo) {
        file.createUser(NewUser.withExternalId("only-in-file"));
        assertThat(mongo.healthCheck().storageType()).isEqualTo("mongodb");
        assertThat(mongo.getUserByExternalId("only-in-file")).isEmpty();
        HANDED.add(file);
        HANDED.add(mongo);
    }

    @Test
    void aStorageTypeWithoutATestBackendIsAnErrorNamingTheJarToAdd() {
        assertThatThrownBy(() -> TestBackends.forStorageType("cassandra"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cassandra'")
                .hasMessageContaining("dal-cassandra-test")
                .hasMessageContaining("[file, mongodb, neo4j, postgresql]");
        assertThat(TestBackends.forStorageType("PG").storageType()).isEqualTo("postgresql");
    }

    @AfterAll
    static void everyStoreWasClosedAfterItsTest() {
        assertThat(HANDED).hasSizeGreaterThanOrEqualTo(10);
        List<String> open = new ArrayList<>();
        for (DataAccess store : HANDED) {
            try {
                store.getUser(java.util.UUID.randomUUID());
                open.add(store.toString());
            } catch (UnavailableException e) {
                // closed, as it should be
            }
        }
        assertThat(open).as("stores still open after their test").isEmpty();
    }

    private static void assertEmptyThenWrite(DataAccess store, String storageType) {
        HANDED.add(store);
        assertThat(store.healthCheck().storageType()).isEqualTo(storageType);
        assertThat(store.getUserByExternalId("written-by-the-last-test"))
                .as("the store a test gets is empty")
                .isEmpty();
        store.createUser(NewUser.withExternalId("written-by-the-last-test"));
    }

    /** The extension registered as a field, for one storage type with settings of the test's own. */
    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class RegisteredAsAField {
        @RegisterExtension
        final DalStoreExtension neo4j = DalStoreExtension.of("neo4j").withSetting("DB_QUERY_TIMEOUT", "7");

        @RegisterExtension
        final DalStoreExtension files = DalStoreExtension.of("files");

        private static final List<String> DIRECTORIES = new CopyOnWriteArrayList<>();

        @Test
        @Order(1)
        void storeAndSettingsAreTheTestsOwn() {
            Map<String, String> settings = neo4j.settings();
            assertThat(settings).containsEntry("DB_QUERY_TIMEOUT", "7").containsEntry("DATA_STORAGE_TYPE", "neo4j");
            assertThat(neo4j.store()).isSameAs(neo4j.store());
            assertThat(neo4j.store().healthCheck().storageType()).isEqualTo("neo4j");
            HANDED.add(neo4j.store());
            DIRECTORIES.add(files.settings().get("DATA_DIR"));
        }

        @Test
        @Order(2)
        void everyFileStoreHasADirectoryOfItsOwn() {
            DIRECTORIES.add(files.settings().get("DATA_DIR"));
            assertThat(DIRECTORIES).hasSize(2).doesNotHaveDuplicates();
            HANDED.add(files.store());
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void outsideATestTheFieldFormSaysWhy() {
        DalStoreExtension unregistered = DalStoreExtension.of("file");
        assertThatThrownBy(unregistered::store)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("No test is running with this DalStoreExtension");
    }
}
