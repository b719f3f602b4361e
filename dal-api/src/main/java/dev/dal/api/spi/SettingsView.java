package dev.dal.api.spi;

import dev.dal.api.DalConfig;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A provider's view of the configuration: the settings it declares, read and checked by their
 * declarations, and the common settings of {@link #common()}. Reading a setting the provider did
 * not declare is a programming error, so every setting a backend reads is one it documents.
 */
public final class SettingsView {
    private final DalConfig config;
    private final Map<String, Setting<?>> declared = new LinkedHashMap<>();

    private SettingsView(DalConfig config, Collection<? extends Setting<?>> declared) {
        this.config = Objects.requireNonNull(config, "config");
        declared.forEach(s -> this.declared.put(s.name(), s));
    }

    /**
     * @param config the whole configuration
     * @param declared the settings the provider declares
     * @return the view
     */
    public static SettingsView of(DalConfig config, Collection<? extends Setting<?>> declared) {
        return new SettingsView(config, Objects.requireNonNull(declared, "declared"));
    }

    /**
     * Reads a declared setting.
     *
     * @param setting the setting
     * @param <T> its value's type
     * @return its value, or its default
     * @throws dev.dal.api.ConfigurationException naming the setting when its value is malformed
     * @throws IllegalArgumentException when the provider did not declare the setting
     */
    public <T> T get(Setting<T> setting) {
        return checked(setting).read(config.settings());
    }

    /**
     * @param setting a declared setting
     * @return whether it is given (present and not blank), to tell a given value from a default
     * @throws IllegalArgumentException when the provider did not declare the setting
     */
    public boolean isSet(Setting<?> setting) {
        return checked(setting).isSetIn(config.settings());
    }

    /** @return the whole configuration, for the common settings (deadlines, pool, limits, clock) */
    public DalConfig common() {
        return config;
    }

    private <T> Setting<T> checked(Setting<T> setting) {
        if (!declared.containsKey(setting.name())) {
            throw new IllegalArgumentException("The setting " + setting.name() + " is read but not declared by the"
                    + " store's provider (DataAccessProvider.settings())");
        }
        return setting;
    }
}
