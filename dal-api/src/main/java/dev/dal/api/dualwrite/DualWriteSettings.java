package dev.dal.api.dualwrite;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link DualWriteDataAccess} behaves; read from the configuration with {@link #from(DalConfig)}.
 *
 * @param readFrom where reads come from ({@code MIGRATION_READ_FROM})
 * @param failurePolicy what a failed secondary write does ({@code MIGRATION_SECONDARY_FAILURE})
 * @param compareSampleRate fraction of reads compared in {@link ReadFrom#COMPARE} mode, 0 to 1
 *     ({@code MIGRATION_COMPARE_SAMPLE_RATE})
 * @param secondaryTimeout longest a caller waits for the secondary ({@code MIGRATION_SECONDARY_TIMEOUT})
 * @param journalDir the repair journal's directory, or {@code null} for none ({@code MIGRATION_REPAIR_JOURNAL_DIR});
 *     required by {@link SecondaryFailurePolicy#RECORD}
 * @param mismatchesKept how many recent mismatches {@link DualWriteDataAccess#recentMismatches()} keeps
 */
public record DualWriteSettings(ReadFrom readFrom, SecondaryFailurePolicy failurePolicy, double compareSampleRate,
        Duration secondaryTimeout, Path journalDir, int mismatchesKept) {

    /** How many recent mismatches are kept by default. */
    public static final int DEFAULT_MISMATCHES_KEPT = 100;

    /** Checks each value; messages name the setting. */
    public DualWriteSettings {
        Objects.requireNonNull(readFrom, "readFrom");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        Objects.requireNonNull(secondaryTimeout, "secondaryTimeout");
        if (!(compareSampleRate >= 0 && compareSampleRate <= 1)) {
            throw new ConfigurationException(DalConfig.MIGRATION_COMPARE_SAMPLE_RATE + " must be from 0 to 1, got "
                    + compareSampleRate);
        }
        if (secondaryTimeout.isNegative() || secondaryTimeout.isZero()) {
            throw new ConfigurationException(DalConfig.MIGRATION_SECONDARY_TIMEOUT + " must be longer than zero");
        }
        if (failurePolicy == SecondaryFailurePolicy.RECORD && journalDir == null) {
            throw new ConfigurationException(DalConfig.MIGRATION_SECONDARY_FAILURE + "=record needs "
                    + DalConfig.MIGRATION_REPAIR_JOURNAL_DIR);
        }
        if (mismatchesKept < 0) {
            throw new ConfigurationException("mismatchesKept must be 0 or more");
        }
    }

    /**
     * @param config the configuration
     * @return the dual-write settings it names
     * @throws ConfigurationException naming the setting that is missing or malformed
     */
    public static DualWriteSettings from(DalConfig config) {
        return new DualWriteSettings(ReadFrom.parse(config.migrationReadFrom()),
                SecondaryFailurePolicy.parse(config.migrationSecondaryFailure()), config.migrationCompareSampleRate(),
                config.migrationSecondaryTimeout(), config.migrationRepairJournalDir().orElse(null),
                DEFAULT_MISMATCHES_KEPT);
    }

    /** @return the defaults: read the primary, fail on a secondary failure, compare every read, 2 s, no journal */
    public static DualWriteSettings defaults() {
        return new DualWriteSettings(ReadFrom.PRIMARY, SecondaryFailurePolicy.FAIL, 1.0, Duration.ofSeconds(2), null,
                DEFAULT_MISMATCHES_KEPT);
    }

    /** @param value where reads come from @return a copy with it */
    public DualWriteSettings withReadFrom(ReadFrom value) {
        return new DualWriteSettings(value, failurePolicy, compareSampleRate, secondaryTimeout, journalDir,
                mismatchesKept);
    }

    /**
     * @param policy what a failed secondary write does
     * @param journal the journal's directory, or {@code null}
     * @return a copy with them
     */
    public DualWriteSettings withFailurePolicy(SecondaryFailurePolicy policy, Path journal) {
        return new DualWriteSettings(readFrom, policy, compareSampleRate, secondaryTimeout, journal, mismatchesKept);
    }

    /** @param rate fraction of reads compared @return a copy with it */
    public DualWriteSettings withCompareSampleRate(double rate) {
        return new DualWriteSettings(readFrom, failurePolicy, rate, secondaryTimeout, journalDir, mismatchesKept);
    }

    /** @param timeout longest a caller waits for the secondary @return a copy with it */
    public DualWriteSettings withSecondaryTimeout(Duration timeout) {
        return new DualWriteSettings(readFrom, failurePolicy, compareSampleRate, timeout, journalDir, mismatchesKept);
    }
}
