package dev.dal.test;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands each test an empty Dal store of any backend, its server started, and closes it after the test. The
 * backends are the {@link TestBackend}s on the test class path: the file store always, PostgreSQL (embedded),
 * MongoDB (in-process) and Neo4j (in-process) with their {@code dal-*-test} jars, each of which takes an external
 * server from an environment variable instead when one is set.
 *
 * <p>Declaratively, the test's {@link DataAccess} (or {@link DalConfig}) parameters are resolved, with
 * {@link DalTestStore} choosing the storage type:
 *
 * <pre>{@code
 * @ExtendWith(DalStoreExtension.class)
 * class ChatHistoryTest {
 *     @Test
 *     void keepsTheOrder(@DalTestStore("postgresql") DataAccess store) { ... }
 * }
 * }</pre>
 *
 * Or registered as a field, for one storage type with settings of the test's own:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DalStoreExtension DAL = DalStoreExtension.of("mongodb").withSetting("DB_QUERY_TIMEOUT", "5");
 *
 * @Test
 * void storesAUser() {
 *     DataAccess store = DAL.store();
 *     ...
 * }
 * }</pre>
 *
 * <p>Each test gets its own store, opened on first use in the test (by a parameter or {@link #store()}) and closed
 * after it; within one test, every request for one storage type gets the same store. A server backend empties its
 * one test database for each test, so tests on the same server backend must not run in parallel; file stores
 * never share data. A backend that cannot be started fails the test, it never skips it.
 *
 * <p>Parameters are resolved by the extension registered with {@code @ExtendWith} only, and only on test and
 * {@code @BeforeEach} methods; an extension built with {@link #of} is reached through {@link #store()} and
 * {@link #settings()}, so that any number of them sit beside the declarative one without competing for a
 * parameter.
 */
public final class DalStoreExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** The system property naming the storage type of tests that name none: {@value}. */
    public static final String DEFAULT_STORAGE_TYPE_PROPERTY = "dal.test.storage-type";
    /** The environment variable naming the storage type of tests that name none, below the property: {@value}. */
    public static final String DEFAULT_STORAGE_TYPE_VARIABLE = "DAL_TEST_STORAGE_TYPE";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(DalStoreExtension.class);

    private final String storageType;
    private final Map<String, String> settings;
    private final Clock clock;
    private final ThreadLocal<Opened> current = new ThreadLocal<>();
    /** Each instance's own: several may be registered for one test (a declarative one and fields). */
    private final ExtensionContext.Namespace namespace =
            ExtensionContext.Namespace.create(DalStoreExtension.class, this);

    /** Creates the extension for {@code @ExtendWith}: tests get the default storage type unless they name one. */
    public DalStoreExtension() {
        this(null, Map.of(), Clock.systemUTC());
    }

    private DalStoreExtension(String storageType, Map<String, String> settings, Clock clock) {
        this.storageType = storageType;
        this.settings = Map.copyOf(settings);
        this.clock = clock;
    }

    /**
     * @param storageType the storage type, as {@code DATA_STORAGE_TYPE} names it or by an alias
     * @return an extension whose tests get stores of that type
     * @throws IllegalArgumentException when {@code storageType} is blank
     */
    public static DalStoreExtension of(String storageType) {
        Objects.requireNonNull(storageType, "storageType");
        if (storageType.isBlank()) {
            throw new IllegalArgumentException("storageType must not be blank");
        }
        return new DalStoreExtension(storageType, Map.of(), Clock.systemUTC());
    }

    /**
     * @return an extension whose tests get the default storage type: the one {@value #DEFAULT_STORAGE_TYPE_PROPERTY}
     *     or {@value #DEFAULT_STORAGE_TYPE_VARIABLE} names, else the file store
     */
    public static DalStoreExtension ofDefaultStorageType() {
        return new DalStoreExtension(defaultStorageType(), Map.of(), Clock.systemUTC());
    }

    /**
     * @param name a Dal setting, such as {@code DB_QUERY_TIMEOUT}
     * @param value its value, over the backend's own
     * @return a copy of this extension that opens its stores with that setting too
     */
    public DalStoreExtension withSetting(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Map<String, String> more = new HashMap<>(settings);
        more.put(name, value);
        return new DalStoreExtension(storageType, more, clock);
    }

    /**
     * @param clock the clock the stores use (for example a test clock that moves on demand)
     * @return a copy of this extension whose stores use that clock
     */
    public DalStoreExtension withClock(Clock clock) {
        return new DalStoreExtension(storageType, settings, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * @return the storage type of the tests that name none: this extension's own, or the default one
     */
    public String storageType() {
        return storageType != null ? storageType : defaultStorageType();
    }

    private static String defaultStorageType() {
        String property = System.getProperty(DEFAULT_STORAGE_TYPE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return property.trim();
        }
        String variable = System.getenv(DEFAULT_STORAGE_TYPE_VARIABLE);
        return variable == null || variable.isBlank() ? "file" : variable.trim();
    }

    /**
     * The running test's store of this extension's storage type, opened empty on the first call in the test.
     *
     * @return the store, closed by the extension after the test
     * @throws IllegalStateException outside a test of a class that registers this extension
     */
    public DataAccess store() {
        return opened().store(storageType());
    }

    /**
     * The settings of the running test's store of this extension's storage type: for handing to the code under
     * test, which then opens the same (empty) store itself.
     *
     * @return the settings, the storage type included
     * @throws IllegalStateException outside a test of a class that registers this extension
     */
    public Map<String, String> settings() {
        return opened().settings(storageType());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Opened opened = new Opened();
        context.getStore(namespace).put(Opened.class, opened);
        current.set(opened);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        current.remove();
        Opened opened = context.getStore(namespace).remove(Opened.class, Opened.class);
        if (opened != null) {
            opened.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return storageType == null
                && (type == DataAccess.class || type == DalConfig.class)
                && parameter.getDeclaringExecutable() instanceof Method
                && context.getTestMethod().isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        String type = parameter
                .findAnnotation(DalTestStore.class)
                .map(DalTestStore::value)
                .filter(v -> !v.isBlank())
                .orElseGet(this::storageType);
        Opened opened = context.getStore(namespace).get(Opened.class, Opened.class);
        if (opened == null) {
            throw new ParameterResolutionException("DalStoreExtension resolves test and @BeforeEach parameters only");
        }
        try {
            return parameter.getParameter().getType() == DataAccess.class
                    ? opened.store(type)
                    : DalConfig.builder()
                            .settings(opened.settings(type))
                            .clock(clock)
                            .build();
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(
                    "Could not open an empty " + type + " store for " + parameter.getParameter(), e);
        }
    }

    private Opened opened() {
        Opened opened = current.get();
        if (opened == null) {
            throw new IllegalStateException("No test is running with this DalStoreExtension registered on this thread:"
                    + " call store() and settings() from a test or @BeforeEach method of a class that registers it");
        }
        return opened;
    }

    /** What one test opened: per storage type, the settings of its empty store and the store once asked for. */
    private final class Opened {
        private final Map<String, Map<String, String>> settingsByType = new LinkedHashMap<>();
        private final Map<String, DataAccess> storesByType = new LinkedHashMap<>();

        synchronized Map<String, String> settings(String type) {
            return settings(TestBackends.forStorageType(type));
        }

        private Map<String, String> settings(TestBackend backend) {
            return settingsByType.computeIfAbsent(backend.storageType(), t -> {
                Map<String, String> all = new HashMap<>(backend.emptyStoreSettings());
                all.putAll(settings);
                return Map.copyOf(all);
            });
        }

        synchronized DataAccess store(String type) {
            TestBackend backend = TestBackends.forStorageType(type);
            Map<String, String> reaching = settings(backend);
            return storesByType.computeIfAbsent(
                    backend.storageType(),
                    t -> DataAccessFactory.create(
                            DalConfig.builder().settings(reaching).clock(clock).build()));
        }

        synchronized void close() {
            List<RuntimeException> failures = new ArrayList<>();
            for (DataAccess store : storesByType.values()) {
                try {
                    store.close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            storesByType.clear();
            if (!failures.isEmpty()) {
                RuntimeException first = failures.get(0);
                failures.subList(1, failures.size()).forEach(first::addSuppressed);
                throw first;
            }
        }
    }
}
