package dev.dal.test;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.spi.DataAccessProvider;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds the {@link TestBackend} of a storage type among those on the class path, for tests that want a backend's
 * settings without {@link DalStoreExtension} (for example to hand them to the application under test).
 */
public final class TestBackends {
    private TestBackends() {}

    /**
     * @param storageType a storage type as {@code DATA_STORAGE_TYPE} names it, or one of its aliases (the
     *     store's own jar must be on the class path to resolve an alias)
     * @return its backend
     * @throws IllegalArgumentException when no backend of that type is on the class path, naming the jar to add
     *     and the types there are
     */
    public static TestBackend forStorageType(String storageType) {
        String wanted = canonical(storageType);
        List<TestBackend> all = all();
        for (TestBackend backend : all) {
            if (backend.storageType().equals(wanted)) {
                return backend;
            }
        }
        TreeSet<String> known = new TreeSet<>();
        all.forEach(b -> known.add(b.storageType()));
        throw new IllegalArgumentException("No Dal test backend for storage type '" + wanted
                + "' on the class path; add its test jar (dal-" + jarStem(wanted) + "-test). Test backends found: "
                + known);
    }

    /** @return every backend on the class path */
    public static List<TestBackend> all() {
        return ServiceLoader.load(TestBackend.class, TestBackends.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
    }

    private static String canonical(String storageType) {
        if (storageType == null || storageType.isBlank()) {
            throw new IllegalArgumentException("storageType must not be blank");
        }
        String type = storageType.trim().toLowerCase(Locale.ROOT);
        try {
            DataAccessProvider provider = DataAccessFactory.provider(type);
            return provider.name();
        } catch (ConfigurationException e) {
            // The store's jar is not here (the store could not open anyway): match the name as given.
            return type;
        }
    }

    private static String jarStem(String storageType) {
        return switch (storageType) {
            case "postgresql" -> "postgres";
            case "mongodb" -> "mongo";
            default -> storageType;
        };
    }
}
