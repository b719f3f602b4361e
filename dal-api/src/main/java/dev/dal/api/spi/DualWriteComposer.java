package dev.dal.api.spi;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import java.util.List;

/**
 * Builds the dual-write store out of the two stores the factory opened. The dual-write module
 * ({@code dev.dal:dal-dualwrite}) registers one in {@code META-INF/services/dev.dal.api.spi.DualWriteComposer};
 * {@link dev.dal.api.DataAccessFactory} uses it when {@code MIGRATION_ENABLE_DUAL_WRITE=true}.
 *
 * <p>The factory checks the settings with {@link #checkSettings(DalConfig)} before it opens either store,
 * then opens the primary (from {@code DATA_STORAGE_TYPE}) and the secondary (from
 * {@code MIGRATION_SECONDARY_STORAGE_TYPE}), each behind Dal's validation, and hands both to
 * {@link #compose}. The factory puts validation in front of the composed store too, and closes both
 * stores when {@link #compose} throws.
 */
public interface DualWriteComposer {

    /**
     * The settings the decorator itself reads (names, defaults, parsing). Configuration uses them to
     * show values safely and to keep them out of the secondary's own settings when a name carries the
     * secondary's prefix ({@code MIGRATION_SECONDARY_}). None by default.
     *
     * @return the declared settings
     */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Checks the dual-write settings before any store is opened; does nothing by default.
     *
     * @param config the primary's configuration, which holds the {@code MIGRATION_*} settings
     * @throws dev.dal.api.ConfigurationException naming the setting that is missing or malformed
     */
    default void checkSettings(DalConfig config) {}

    /**
     * Builds one store that writes to both.
     *
     * @param config the primary's configuration, which holds the {@code MIGRATION_*} settings
     * @param primaryType the primary's canonical store type, e.g. {@code "file"}
     * @param primary the primary, open; the source of truth
     * @param secondaryType the secondary's canonical store type, e.g. {@code "postgresql"}
     * @param secondary the secondary, open
     * @return the composed store; closing it closes both stores
     * @throws dev.dal.api.ConfigurationException naming the setting that is missing or malformed
     */
    DataAccess compose(
            DalConfig config, String primaryType, DataAccess primary, String secondaryType, DataAccess secondary);
}
