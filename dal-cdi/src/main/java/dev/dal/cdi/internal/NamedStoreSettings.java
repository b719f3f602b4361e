package dev.dal.cdi.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.cdi.DalStore;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The prefix rule of {@link DalStore}: a named store's configuration is the base configuration's settings
 * prefixed {@code DAL_STORE_<NAME>_}, unprefixed, plus the base's {@code DAL_*} limits and clock (the same rule
 * as {@link DalConfig#secondaryConfig()} for the dual-write secondary).
 */
public final class NamedStoreSettings {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private NamedStoreSettings() {}

    /**
     * @param name a store's name, e.g. {@code "archive"}
     * @return its settings' prefix, e.g. {@code "DAL_STORE_ARCHIVE_"}
     * @throws ConfigurationException when the name breaks the naming rule
     */
    public static String prefix(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigurationException("@DalStore(\"" + name + "\") is not a valid store name: a name starts"
                    + " with a letter and holds letters, digits, '_' and '-'");
        }
        return DalStore.SETTINGS_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
    }

    /**
     * @param base the configuration the default store is built from
     * @param name the store's name
     * @return the named store's own configuration
     * @throws ConfigurationException naming the prefixed settings expected when the store type is missing, or the
     *     setting at fault when one is malformed
     */
    public static DalConfig of(DalConfig base, String name) {
        String prefix = prefix(name);
        Map<String, String> derived = new TreeMap<>();
        base.settings().forEach((setting, value) -> {
            if (setting.startsWith("DAL_") && !setting.startsWith(DalStore.SETTINGS_PREFIX)) {
                derived.put(setting, value);
            }
        });
        base.settings().forEach((setting, value) -> {
            if (setting.startsWith(prefix) && setting.length() > prefix.length()) {
                derived.put(setting.substring(prefix.length()), value);
            }
        });
        String type = derived.get(DalConfig.DATA_STORAGE_TYPE);
        if (type == null || type.isBlank()) {
            throw new ConfigurationException("@DalStore(\"" + name + "\") is not configured: set " + prefix
                    + DalConfig.DATA_STORAGE_TYPE + " (" + storeTypesOnClassPath() + ") and that store's settings"
                    + " with the same prefix, e.g. " + prefix + "DATA_DIR or " + prefix
                    + "DATABASE_URL (environment variables, system properties, or the application's"
                    + " DalConfig bean)");
        }
        try {
            return DalConfig.builder().settings(derived).clock(base.clock()).build();
        } catch (ConfigurationException e) {
            throw new ConfigurationException(
                    "@DalStore(\"" + name + "\") (settings prefixed " + prefix + "): " + e.getMessage());
        }
    }

    /** The store types a name can be configured with: the providers on the class path, or a hint when none is. */
    private static String storeTypesOnClassPath() {
        String names = DataAccessFactory.providers().stream()
                .map(DataAccessProvider::name)
                .sorted()
                .collect(Collectors.joining(", "));
        return names.isEmpty() ? "no store module is on the class path" : names + ": the store types on the class path";
    }
}
