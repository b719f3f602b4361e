package dev.dal.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Dal's settings as Spring properties under {@code dal.*}. Each one is a Dal setting by another name and wins
 * over the same setting from the environment or a system property:
 *
 * <ul>
 * <li>{@code dal.storage-type} is {@code DATA_STORAGE_TYPE};</li>
 * <li>{@code dal.data-dir} is {@code DATA_DIR};</li>
 * <li>{@code dal.settings.<name>} is the Dal setting whose name is {@code <name>} in upper case with {@code -} and
 *     {@code .} as {@code _}: {@code dal.settings.DB_HOST}, {@code dal.settings.db-host} and
 *     {@code dal.settings[DB_HOST]} all set {@code DB_HOST}.</li>
 * </ul>
 *
 * <p>{@code dal.storage-type} and {@code dal.data-dir} win over {@code dal.settings} entries for the same setting.
 * Values are checked when the configuration is built; a malformed one fails the application's start with Dal's
 * {@link dev.dal.api.ConfigurationException}, which names the Dal setting.
 */
@ConfigurationProperties(prefix = DalProperties.PREFIX)
public class DalProperties {

    /** The prefix of every property of this class. */
    public static final String PREFIX = "dal";

    /**
     * Store type (Dal setting DATA_STORAGE_TYPE): file, postgresql, mongodb, neo4j, or an alias of a store on
     * the class path. Default: the environment's DATA_STORAGE_TYPE, else file.
     */
    private String storageType;

    /**
     * Directory of the file store (Dal setting DATA_DIR). Default: the environment's DATA_DIR, else ./data.
     */
    private String dataDir;

    /**
     * Any Dal setting by name, e.g. dal.settings.DB_HOST=db.internal or dal.settings.migration-enable-dual-write
     * =true. The key in upper case with '-' and '.' as '_' is the setting's name; a value here wins over the
     * environment and system properties.
     */
    private Map<String, String> settings = new LinkedHashMap<>();

    /** How the Actuator health indicator reports the store. */
    private final Health health = new Health();

    /** @return the store type, or {@code null} to leave {@code DATA_STORAGE_TYPE} to the environment */
    public String getStorageType() {
        return storageType;
    }

    /** @param storageType the store type, {@code DATA_STORAGE_TYPE} */
    public void setStorageType(String storageType) {
        this.storageType = storageType;
    }

    /** @return the file store's directory, or {@code null} to leave {@code DATA_DIR} to the environment */
    public String getDataDir() {
        return dataDir;
    }

    /** @param dataDir the file store's directory, {@code DATA_DIR} */
    public void setDataDir(String dataDir) {
        this.dataDir = dataDir;
    }

    /** @return further Dal settings, keyed as written (see the class comment for how a key names a setting) */
    public Map<String, String> getSettings() {
        return settings;
    }

    /** @param settings further Dal settings by name */
    public void setSettings(Map<String, String> settings) {
        this.settings = settings == null ? new LinkedHashMap<>() : new LinkedHashMap<>(settings);
    }

    /** @return the health indicator's options */
    public Health getHealth() {
        return health;
    }

    /** Options of the Actuator health indicator. */
    public static class Health {

        /**
         * Health status code reported when the store answers DEGRADED (e.g. a dual-write store whose secondary is
         * down). Default UP, with the store's own status in the details. A custom code such as DEGRADED must also be
         * placed in management.endpoint.health.status.order, or it outranks DOWN when statuses are aggregated.
         */
        private String degradedStatus = "UP";

        /** @return the status code a {@code DEGRADED} store is reported with */
        public String getDegradedStatus() {
            return degradedStatus;
        }

        /** @param degradedStatus the status code a {@code DEGRADED} store is reported with */
        public void setDegradedStatus(String degradedStatus) {
            this.degradedStatus = degradedStatus;
        }
    }
}
