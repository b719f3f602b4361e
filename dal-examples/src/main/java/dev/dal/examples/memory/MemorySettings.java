package dev.dal.examples.memory;

import dev.dal.api.ConfigurationException;
import dev.dal.api.spi.Setting;
import dev.dal.api.spi.SettingsView;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory store's own setting, {@code MEMORY_STORE_NAME}: which store of this JVM to open
 * (default {@code default}). Stores of the same name share their data until the JVM ends. The store
 * URI {@code memory:NAME} names one.
 *
 * @param storeName the store's name
 */
public record MemorySettings(String storeName) {

    /**
     * Which in-memory store to open, default {@code default}: a letter or digit, then at most 63 letters,
     * digits, {@code -} or {@code _}.
     */
    public static final Setting<String> MEMORY_STORE_NAME = Setting.of(
                    "MEMORY_STORE_NAME", "default", MemorySettings::checkedName, "default")
            .locating();

    private static final String SCHEME = "memory:";

    /** @return the settings the in-memory store declares */
    public static List<Setting<?>> declared() {
        return List.of(MEMORY_STORE_NAME);
    }

    /**
     * @param view the provider's view of the configuration
     * @return the checked settings
     * @throws ConfigurationException naming the setting at fault
     */
    public static MemorySettings from(SettingsView view) {
        return new MemorySettings(view.get(MEMORY_STORE_NAME));
    }

    /**
     * @param uri a store URI
     * @return {@code MEMORY_STORE_NAME} for a {@code memory:NAME} URI, or empty for another scheme
     * @throws ConfigurationException when the name is malformed
     */
    static Optional<Map<String, String>> forUri(String uri) {
        if (!uri.toLowerCase(Locale.ROOT).startsWith(SCHEME)) {
            return Optional.empty();
        }
        String name = uri.substring(SCHEME.length());
        return Optional.of(Map.of(MEMORY_STORE_NAME.name(), checkedName(name.isEmpty() ? "default" : name)));
    }

    /**
     * @param view the provider's view of the configuration
     * @return the store's URI
     */
    static String location(SettingsView view) {
        return SCHEME + from(view).storeName();
    }

    private static String checkedName(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
            throw new ConfigurationException(MEMORY_STORE_NAME.name() + " must be a letter or digit, then at most 63"
                    + " letters, digits, - or _");
        }
        return name;
    }
}
