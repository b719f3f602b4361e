package dev.dal.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.Ids;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataAccessFactoryTest {

    private static final String DRIVER_TEXT = "org.postgresql.util.PSQLException: password=x";
    private static final DalConfig DEFAULTS = DalConfig.builder().build();

    /** Hands out a fixed store and counts how often it was asked. */
    private static final class StubProvider implements DataAccessProvider {
        private final Supplier<DataAccess> store;
        int created;

        StubProvider(Supplier<DataAccess> store) {
            this.store = store;
        }

        @Override
        public String name() {
            return "stub";
        }

        @Override
        public DataAccess create(DalConfig config) {
            created++;
            return store.get();
        }
    }

    /** A store whose addMessage succeeds, recording the call. */
    private static class AcceptingStore extends UnsupportedDataAccess {
        @Override
        public Message addMessage(String chatId, NewMessage message) {
            calls.add("addMessage");
            return message.toMessage(Ids.newId(), Ids.newId(), 1, Instant.now());
        }

        @Override
        public Optional<User> getUser(UUID id) {
            calls.add("getUser");
            return Optional.empty();
        }

        @Override
        public <T> T inTransaction(TransactionWork<T> work) {
            calls.add("inTransaction");
            return work.run(this);
        }
    }

    private static DataAccess open(DataAccess stub) {
        return DataAccessFactory.create(DEFAULTS, new StubProvider(() -> stub));
    }

    // ---- selection ----

    @Test
    void aTypeNoProviderHasListsTheTypesFoundAndHowBackendsArePackaged() {
        Throwable error = catchThrowable(() -> DataAccessFactory.provider("cassandra"));

        assertThat(error)
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(DalConfig.DATA_STORAGE_TYPE + "=cassandra")
                .hasMessageContaining("types found: none")
                .hasMessageContaining("META-INF/services/dev.dal.api.spi.DataAccessProvider")
                .hasMessageContaining("dev.dal:dal-<backend>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg", "postgresql", " PG ", "mongo", "neo4j", "file", "Cassandra"})
    void aTypeWhoseBackendIsMissingFailsTheSameWayWhenOpened(String type) {
        assertThatThrownBy(() -> DataAccessFactory.create(
                        DalConfig.builder().storageType(type).build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(DalConfig.DATA_STORAGE_TYPE)
                .hasMessageContaining("dev.dal:dal-<backend>");
    }

    @Test
    void noBackendIsOnTheApiModulesClassPath() {
        assertThat(DataAccessFactory.providers()).isEmpty();
    }

    @Test
    void createFromTheEnvironmentHonoursASystemProperty() {
        String previous = System.getProperty(DalConfig.DATA_STORAGE_TYPE);
        System.setProperty(DalConfig.DATA_STORAGE_TYPE, "mongo");
        try {
            assertThatThrownBy(DataAccessFactory::create)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(DalConfig.DATA_STORAGE_TYPE + "=mongo")
                    .hasMessageContaining("dev.dal:dal-");
        } finally {
            if (previous == null) {
                System.clearProperty(DalConfig.DATA_STORAGE_TYPE);
            } else {
                System.setProperty(DalConfig.DATA_STORAGE_TYPE, previous);
            }
        }
    }

    @Test
    void dualWriteWithoutTheDualWriteModuleFailsNamingTheSettingAndTheArtifact() {
        StubProvider provider = new StubProvider(AcceptingStore::new);
        DalConfig config = DalConfig.fromMap(Map.of(
                DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true", DalConfig.MIGRATION_SECONDARY_STORAGE_TYPE, "stub"));

        assertThatThrownBy(() -> DataAccessFactory.create(config, provider, provider))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(DalConfig.MIGRATION_ENABLE_DUAL_WRITE)
                .hasMessageContaining("dev.dal:dal-dualwrite");
        assertThat(provider.created).isZero();
    }

    @Test
    void unwrapValidationReturnsTheStoreTheProviderBuilt() {
        AcceptingStore built = new AcceptingStore();
        StubProvider provider = new StubProvider(() -> built);

        try (DataAccess store = DataAccessFactory.create(DEFAULTS, provider)) {
            assertThat(store).isNotSameAs(built);
            assertThat(DataAccessFactory.unwrapValidation(store)).isSameAs(built);
            assertThat(DataAccessFactory.unwrapValidation(built)).isSameAs(built);
        }
    }

    @Test
    void dualWriteWithoutASecondaryTypeFailsNamingTheVariable() {
        StubProvider provider = new StubProvider(AcceptingStore::new);
        DalConfig config = DalConfig.fromMap(Map.of(DalConfig.MIGRATION_ENABLE_DUAL_WRITE, "true"));

        assertThatThrownBy(() -> DataAccessFactory.create(config, provider))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(DalConfig.MIGRATION_ENABLE_DUAL_WRITE);
        assertThat(provider.created).isZero();
    }

    @Test
    void providerFailureBecomesAConfigurationErrorWithoutTheDriversText() {
        StubProvider provider = new StubProvider(() -> {
            throw new IllegalStateException(DRIVER_TEXT);
        });

        Throwable error = catchThrowable(() -> DataAccessFactory.create(DEFAULTS, provider));

        assertThat(error).isInstanceOf(ConfigurationException.class).hasMessageContaining("stub");
        assertThat(error.getMessage()).doesNotContain("PSQLException", "password");
    }

    @Test
    void providerDataAccessExceptionPassesThroughUnchanged() {
        UnavailableException down = new UnavailableException("server down");
        StubProvider provider = new StubProvider(() -> {
            throw down;
        });

        assertThatThrownBy(() -> DataAccessFactory.create(DEFAULTS, provider)).isSameAs(down);
    }

    // ---- validation before the store ----

    @Test
    void invalidArgumentsAreRejectedBeforeTheStoreIsCalled() {
        AcceptingStore stub = new AcceptingStore();
        DataAccess store = open(stub);

        Throwable nul = catchThrowable(() -> store.addMessage("chat-1", NewMessage.user("a\u0000b")));
        Throwable blankChat = catchThrowable(() -> store.addMessage(" ", NewMessage.user("hi")));
        Throwable noUserId = catchThrowable(() -> store.getUser(null));
        Throwable badLimit = catchThrowable(() -> store.getChatHistory("chat-1", 0, 0));

        assertThat(nul).isInstanceOf(ValidationException.class);
        assertThat(((ValidationException) nul).field()).isEqualTo("message.content");
        assertThat(((ValidationException) blankChat).field()).isEqualTo("chatId");
        assertThat(((ValidationException) noUserId).field()).isEqualTo("id");
        assertThat(((ValidationException) badLimit).field()).isEqualTo("limit");
        assertThat(stub.calls).isEmpty();
    }

    @Test
    void validArgumentsReachTheStore() {
        AcceptingStore stub = new AcceptingStore();
        DataAccess store = open(stub);

        Message message = store.addMessage("chat-1", NewMessage.user("hello 😀"));

        assertThat(message.content()).isEqualTo("hello 😀");
        assertThat(stub.calls).containsExactly("addMessage");
    }

    // ---- error translation ----

    @Test
    void untranslatedBackendExceptionBecomesDataAccessExceptionWithoutItsText() {
        DataAccess store = open(new UnsupportedDataAccess() {
            @Override
            public Message addMessage(String chatId, NewMessage message) {
                throw new IllegalStateException(DRIVER_TEXT);
            }
        });

        Throwable error = catchThrowable(() -> store.addMessage("chat-1", NewMessage.user("hi")));

        assertThat(error)
                .isExactlyInstanceOf(DataAccessException.class)
                .hasMessageContaining("stub")
                .hasMessageContaining("addMessage");
        assertThat(error.getMessage()).doesNotContain("PSQLException", "password", "org.postgresql");
    }

    @Test
    void backendDataAccessExceptionPassesThroughUnchanged() {
        NotFoundException notFound = new NotFoundException("no session chat-1");
        DataAccess store = open(new UnsupportedDataAccess() {
            @Override
            public Message addMessage(String chatId, NewMessage message) {
                throw notFound;
            }
        });

        assertThatThrownBy(() -> store.addMessage("chat-1", NewMessage.user("hi")))
                .isSameAs(notFound);
    }

    @Test
    void failingHealthCheckIsReportedDownWithoutTheDriversText() {
        DataAccess store = open(new UnsupportedDataAccess() {
            @Override
            public HealthStatus healthCheck() {
                throw new IllegalStateException(DRIVER_TEXT);
            }
        });

        HealthStatus health = store.healthCheck();

        assertThat(health.status()).isEqualTo(HealthStatus.Status.DOWN);
        assertThat(health.storageType()).isEqualTo("stub");
        assertThat(health.error()).doesNotContain("PSQLException", "password");
    }

    // ---- transactions ----

    @Test
    void exceptionFromTheCallersWorkPassesThroughUnchanged() {
        AcceptingStore stub = new AcceptingStore();
        DataAccess store = open(stub);
        IllegalArgumentException mine = new IllegalArgumentException("the caller's own failure");

        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    throw mine;
                }))
                .isSameAs(mine);
        assertThat(stub.calls).containsExactly("inTransaction");
    }

    @Test
    void transactionalStoreValidatesToo() {
        AcceptingStore stub = new AcceptingStore();
        DataAccess store = open(stub);

        Throwable error =
                catchThrowable(() -> store.inTransaction(tx -> tx.addMessage("c", NewMessage.user("\uD800"))));

        assertThat(error).isInstanceOf(ValidationException.class);
        assertThat(((ValidationException) error).field()).isEqualTo("message.content");
        assertThat(stub.calls).containsExactly("inTransaction");
    }

    @Test
    void workReceivesAValidatingStoreForATransactionalStore() {
        AcceptingStore txStub = new AcceptingStore();
        DataAccess store = open(new UnsupportedDataAccess() {
            @Override
            public <T> T inTransaction(TransactionWork<T> work) {
                return work.run(txStub);
            }
        });

        DataAccess seen = store.inTransaction(tx -> {
            tx.addMessage("c", NewMessage.user("ok"));
            return tx;
        });

        assertThat(seen).isNotSameAs(txStub);
        assertThat(txStub.calls).containsExactly("addMessage");
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.addMessage("c", NewMessage.user("\u0000"))))
                .isInstanceOf(ValidationException.class);
        assertThat(txStub.calls).containsExactly("addMessage");
    }

    @Test
    void backendFailureAroundTheWorkBecomesDataAccessException() {
        DataAccess beforeWork = open(new UnsupportedDataAccess() {
            @Override
            public <T> T inTransaction(TransactionWork<T> work) {
                throw new IllegalStateException(DRIVER_TEXT);
            }
        });
        DataAccess atCommit = open(new UnsupportedDataAccess() {
            @Override
            public <T> T inTransaction(TransactionWork<T> work) {
                work.run(this);
                throw new IllegalStateException(DRIVER_TEXT);
            }
        });

        for (DataAccess store : new DataAccess[] {beforeWork, atCommit}) {
            Throwable error = catchThrowable(() -> store.inTransaction(tx -> "done"));
            assertThat(error).isExactlyInstanceOf(DataAccessException.class).hasMessageContaining("inTransaction");
            assertThat(error.getMessage()).doesNotContain("PSQLException", "password");
        }
    }

    /**
     * Building the transaction's validating face asks the backend's transactional store for its
     * bulk face; if that slips a raw exception, it is the backend's failure, not the caller's work.
     */
    @Test
    void backendFailureWhileWrappingTheTransactionalStoreIsTranslated() {
        DataAccess txStub = new UnsupportedDataAccess() {
            @Override
            public BulkAccess bulk() {
                throw new IllegalStateException(DRIVER_TEXT);
            }
        };
        DataAccess store = open(new UnsupportedDataAccess() {
            @Override
            public <T> T inTransaction(TransactionWork<T> work) {
                return work.run(txStub);
            }
        });

        Throwable error = catchThrowable(() -> store.inTransaction(tx -> "done"));

        assertThat(error).isInstanceOf(DataAccessException.class);
        assertThat(error.getMessage()).doesNotContain("PSQLException", "password");
    }

    // ---- close ----

    @Test
    void callsAfterCloseAreRefusedAndCloseIsIdempotent() {
        AcceptingStore stub = new AcceptingStore();
        DataAccess store = open(stub);

        store.close();
        store.close();

        assertThat(stub.calls).containsExactly("close");
        assertThatThrownBy(() -> store.addMessage("chat-1", NewMessage.user("hi")))
                .isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> store.getUser(UUID.randomUUID())).isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> store.inTransaction(tx -> "x")).isInstanceOf(UnavailableException.class);
        assertThatThrownBy(store::bulk).isInstanceOf(UnavailableException.class);
        assertThat(store.healthCheck().status()).isEqualTo(HealthStatus.Status.DOWN);
        assertThat(stub.calls).containsExactly("close");
    }

    @Test
    void failingCloseIsTranslatedAndStillCloses() {
        DataAccess store = open(new UnsupportedDataAccess() {
            @Override
            public void close() {
                throw new IllegalStateException(DRIVER_TEXT);
            }
        });

        Throwable error = catchThrowable(store::close);

        assertThat(error).isInstanceOf(DataAccessException.class);
        assertThat(error.getMessage()).doesNotContain("PSQLException", "password");
        assertThatThrownBy(() -> store.getUser(UUID.randomUUID())).isInstanceOf(UnavailableException.class);
    }
}
