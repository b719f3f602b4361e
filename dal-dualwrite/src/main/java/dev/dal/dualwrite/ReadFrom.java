package dev.dal.dualwrite;

import dev.dal.api.ConfigurationException;
import java.util.Locale;

/** Where {@link DualWriteDataAccess} answers reads from ({@code MIGRATION_READ_FROM}). */
public enum ReadFrom {
    /** The primary answers; the secondary is only written (phases 1 and 2). */
    PRIMARY,
    /** The secondary answers (phase 3, before the roles are swapped); writes still go to the primary first. */
    SECONDARY,
    /**
     * Both are read (a sampled fraction of reads), the primary's answer is returned and any difference is
     * recorded as a {@link Mismatch}.
     */
    COMPARE;

    /**
     * @param value {@code primary}, {@code secondary} or {@code compare}, any case
     * @return the mode
     * @throws ConfigurationException naming {@code MIGRATION_READ_FROM} for any other value
     */
    public static ReadFrom parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigurationException(DualWriteSettings.READ_FROM.name()
                    + " must be one of primary, secondary, compare, got '" + value + "'");
        }
    }
}
