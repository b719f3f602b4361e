package dev.dal.dualwrite;

import dev.dal.api.ConfigurationException;
import java.util.Locale;

/** What {@link DualWriteDataAccess} does when the secondary write fails or times out ({@code MIGRATION_SECONDARY_FAILURE}). */
public enum SecondaryFailurePolicy {
    /**
     * The caller gets a {@link SecondaryWriteException} saying the primary committed and the secondary did
     * not. When a repair journal is configured the divergence is journaled too, so {@code repair()} can
     * still mend it.
     */
    FAIL,
    /** The call succeeds; the divergence goes into the durable repair journal for {@code repair()}. */
    RECORD;

    /**
     * @param value {@code fail} or {@code record}, any case
     * @return the policy
     * @throws ConfigurationException naming {@code MIGRATION_SECONDARY_FAILURE} for any other value
     */
    public static SecondaryFailurePolicy parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigurationException(
                    DualWriteSettings.SECONDARY_FAILURE.name() + " must be one of fail, record, got '" + value + "'");
        }
    }
}
