package dev.dal.spring.boot.internal;

import dev.dal.api.DalConfig;
import dev.dal.spring.boot.DalProperties;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the {@link DalConfig} of a Spring application: the settings {@link DalConfig#fromEnvironment()} reads
 * (environment variables, a system property of the same name winning), then the {@code dal.*} properties over
 * them. The environment is read unchecked and checked once, merged, so a Spring property can replace a malformed
 * environment value as a system property can.
 */
public final class SpringDalSettings {
    /** The file store's directory setting. */
    public static final String DATA_DIR = "DATA_DIR";

    private SpringDalSettings() {}

    /**
     * @param properties the application's {@code dal.*} properties
     * @param environment environment variables
     * @param systemProperties system properties
     * @return the merged configuration
     * @throws dev.dal.api.ConfigurationException naming the first malformed setting
     */
    public static DalConfig config(
            DalProperties properties, Map<String, String> environment, Map<String, String> systemProperties) {
        return DalConfig.builder()
                .settings(settings(properties, environment, systemProperties))
                .build();
    }

    /**
     * @param properties the application's {@code dal.*} properties
     * @param environment environment variables
     * @param systemProperties system properties
     * @return the merged settings by Dal name; holds secrets, never log it
     */
    public static Map<String, String> settings(
            DalProperties properties, Map<String, String> environment, Map<String, String> systemProperties) {
        Map<String, String> merged = new TreeMap<>();
        environment.forEach((name, value) -> keepIfDal(merged, name, value));
        systemProperties.forEach((name, value) -> keepIfDal(merged, name, value));
        properties.getSettings().forEach((key, value) -> {
            if (value != null) {
                merged.put(settingName(key), value);
            }
        });
        if (properties.getStorageType() != null) {
            merged.put(DalConfig.DATA_STORAGE_TYPE, properties.getStorageType());
        }
        if (properties.getDataDir() != null) {
            merged.put(DATA_DIR, properties.getDataDir());
        }
        return merged;
    }

    /**
     * The rule of {@code dal.settings.<key>}: the key in upper case with {@code -} and {@code .} as {@code _}.
     *
     * @param key a key under {@code dal.settings}, e.g. {@code db-host}
     * @return the Dal setting it names, e.g. {@code DB_HOST}
     */
    public static String settingName(String key) {
        return key.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** The same filter as {@link DalConfig#fromEnvironment()}. */
    private static void keepIfDal(Map<String, String> into, String name, String value) {
        if (value != null && DalConfig.isDalSetting(name)) {
            into.put(name, value);
        }
    }
}
