package dev.dal.api.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One versioned schema change of a store, as its {@link SchemaMigrator} reports it.
 *
 * @param version the change's version or id, unique within the store's migrations and ordered as
 *     they are applied (e.g. {@code "001"} or a Liquibase change-set id)
 * @param description what the change does, one line
 * @param applied whether the store has it
 * @param appliedAt when it was applied, or {@code null} when pending or not recorded
 * @param checksum the checksum recorded or computed for the change, or {@code null} when the
 *     store keeps none
 */
public record SchemaChange(String version, String description, boolean applied, Instant appliedAt, String checksum) {

    /**
     * Checks the required parts.
     *
     * @param version the change's version or id, unique within the store's migrations and ordered as
     *     they are applied (e.g. {@code "001"} or a Liquibase change-set id)
     * @param description what the change does, one line
     * @param applied whether the store has it
     * @param appliedAt when it was applied, or {@code null} when pending or not recorded
     * @param checksum the checksum recorded or computed for the change, or {@code null} when the
     *     store keeps none
     */
    public SchemaChange {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(description, "description");
    }
}
